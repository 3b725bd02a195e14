"""Registration's domain errors as problem+json responses."""
from flask import Flask

from shared.http import problem_response
from shared.leases import Busy
from shared.rate_limits import RateLimited

from services.registration.actions import Stale
from services.registration.domain.errors import Conflict, DomainError, NotFound


BUSY = "Another change of it is being made at this moment: try again."
ITEM_FAILURES = {
    DomainError: lambda exc: (422, {"errors": {exc.field or "_schema": [str(exc)]}}),
    NotFound: lambda exc: (404, {}),
    Conflict: lambda exc: (409, {"errors": {exc.field or "_schema": [str(exc)]}, **({"existing_id": exc.existing_id} if exc.existing_id else {})}),
    Stale: lambda exc: (412, {"current_version": exc.current_version}),
    Busy: lambda exc: (409, {"errors": {"_schema": [BUSY]}}),
}
"""Registration's domain errors as one bulk item's problem (``shared/bulk.py``)."""


def install(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _rule(exc: DomainError):
        extra = {"reason": exc.reason} if exc.reason else {}
        return problem_response(422, "Invalid request", str(exc), errors={exc.field or "_schema": [str(exc)]}, **extra)

    @app.errorhandler(NotFound)
    def _missing(exc: NotFound):
        return problem_response(404, "Not Found", str(exc))

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):
        extra = {"existing_id": exc.existing_id} if exc.existing_id else {}
        return problem_response(409, "Conflict", str(exc), errors={exc.field or "_schema": [str(exc)]}, **extra)

    @app.errorhandler(Busy)
    def _busy(exc: Busy):
        return problem_response(409, "Conflict", BUSY)

    @app.errorhandler(Stale)
    def _stale(exc: Stale):
        return problem_response(
            412, "Precondition Failed", "It was changed since you read it: read it again and reapply your change.",
            current_version=exc.current_version,
        )

    @app.errorhandler(RateLimited)
    def _too_many(exc: RateLimited):
        response = problem_response(
            429, "Too Many Requests", f"At most {exc.limit.count} of these per {exc.per}: try again in {exc.retry_after} s.",
            retry_after=exc.retry_after,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
