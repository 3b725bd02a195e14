"""What every Flask app here has: problem+json errors, correlation ids, health probes."""
from __future__ import annotations

import functools
import hashlib
from concurrent import futures
import logging
import re
import time
from datetime import datetime
from typing import Any, Callable

from flask import Blueprint, Flask, Response, current_app, g, json, request
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS
from gunicorn.http.errors import ParseException
from marshmallow import ValidationError
from bson.errors import BSONError
from pymongo.errors import PyMongoError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from shared import correlation, metrics, request_budget
from shared.auth import Authenticator, Unauthenticated, parse_api_keys
from shared.idempotency import IdempotencyStore, KeyReused, StillRunning, StoredResponse, canonical_body, fingerprint
from shared.kafka_io import kafka_reachable
from shared.logs import configure_logging
from shared.mongo import mongo_reachable
from shared.outbox import pending_count, recording_events
from shared.pagination import BadCursor

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
REQUEST_ID_HEADERS = ("X-Correlation-ID", "X-Request-ID")


DEFAULT_MAX_BODY_BYTES = 1 << 20
DEFAULT_MAX_JSON_DEPTH = 32


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, with datetimes in ISO 8601 (what clients parse) instead of RFC 1123.

    Every JSON body is parsed here (``json_body()`` and any ``request.get_json``), so the
    nesting limit (``BSM_MAX_JSON_DEPTH``, default 32 levels) is checked here, on the raw
    text before parsing: deeper bodies are a 400 problem, even with ``silent=True``."""

    sort_keys = False

    @staticmethod
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        return DefaultJSONProvider.default(value)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        limit = self._app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
        if json_nesting(s, limit) > limit:
            raise Problem(400, "Bad Request", f"The JSON body is nested deeper than {limit} levels.", errors={"_body": [f"At most {limit} levels of nesting."]})
        return super().loads(s, **kwargs)


_JSON_STRING = {str: re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S), bytes: re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)}
_JSON_BRACKET = {str: re.compile(r"[\[\]{}]"), bytes: re.compile(rb"[\[\]{}]")}
_OPENERS = {str: "[{", bytes: b"[{"}


def json_nesting(text: str | bytes, stop_above: int | None = None) -> int:
    """How deeply arrays and objects nest in the JSON ``text`` (``{"a": [1]}`` is 2), read
    without parsing it (brackets inside strings do not count); counting stops once it
    passes ``stop_above``."""
    kind = bytes if isinstance(text, (bytes, bytearray)) else str
    openers = _OPENERS[kind]
    depth = deepest = 0
    for bracket in _JSON_BRACKET[kind].finditer(_JSON_STRING[kind].sub(b'""' if kind is bytes else '""', text)):
        if bracket.group() in openers:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


class Problem(Exception):
    """An error the client can act on, rendered as RFC 9457 problem details."""

    def __init__(self, status: int, title: str, detail: str | None = None, **extra: Any):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem_response(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


RETRY_AFTER_SECONDS = 2
PROBE_SECONDS = 0.5
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")
PREPARE_SECONDS = 10.0


EVENT_IDS_HEADER = "X-Event-Ids"
MAX_EVENT_IDS_IN_HEADER = 100  # a bulk answer also lists each item's events in its body


def install(app: Flask) -> None:
    """Correlation ids, request logging, problem+json error handlers, and a bounded time
    with the database for every request (shared/request_budget.py)."""
    settings = app.config.get("SETTINGS")
    extra = settings.extra if settings else {}
    app.config["MAX_CONTENT_LENGTH"] = int(extra.get("BSM_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))
    app.config["MAX_JSON_DEPTH"] = int(extra.get("BSM_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))
    default_budget = float(settings.extra.get("BSM_REQUEST_DB_SECONDS", request_budget.DEFAULT_SECONDS)) if settings else request_budget.DEFAULT_SECONDS
    breaker = app.extensions["database_breaker"] = request_budget.Breaker()
    dispatch = app.full_dispatch_request

    def bounded_dispatch():
        with request_budget.bounded(request_budget.budget_of(request.endpoint, app.config.get("DATABASE_BUDGETS", {}), default_budget)):
            with recording_events() as published:
                response = dispatch()
        _show_events(response, published)
        return response

    app.full_dispatch_request = bounded_dispatch

    @app.before_request
    def _start_request():
        incoming = next((request.headers[h] for h in REQUEST_ID_HEADERS if request.headers.get(h)), None)
        g.correlation = correlation.correlated(_safe_id(incoming))
        g.correlation_id = g.correlation.__enter__()
        g.started = time.monotonic()
        larger = app.config.get("BODY_LIMITS", {}).get(request.endpoint)
        if larger:
            request.max_content_length = larger
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        if breaker.is_open() and request.path not in PROBE_PATHS:
            return _database_away()

    @app.after_request
    def _finish_request(response: Response):
        if response.status_code in (204, 304):
            response.headers.pop("Content-Type", None)  # no content, so no type of it (RFC 9110 sections 15.3.5, 15.4.5)
        cid = getattr(g, "correlation_id", None)
        if cid:
            response.headers["X-Correlation-ID"] = cid
            route = request.url_rule.rule if request.url_rule else "unmatched"
            metrics.HTTP_REQUESTS.labels(app.config["SERVICE"], request.method, route, str(response.status_code)).inc()
            metrics.HTTP_SECONDS.labels(app.config["SERVICE"], route).observe(time.monotonic() - g.started)
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.monotonic() - g.started) * 1000, 2),
                },
            )
        return response

    @app.teardown_request
    def _end_request(_exc):
        ctx = g.pop("correlation", None)
        if ctx is not None:
            ctx.__exit__(None, None, None)

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc.status, exc.title, exc.detail, **exc.extra)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        return problem_response(422, "Invalid request", "Some fields are not valid.", errors=_field_errors(exc.messages))

    @app.errorhandler(BadCursor)
    def _bad_cursor(exc: BadCursor):
        return problem_response(400, "Bad Request", str(exc), errors={"cursor": [str(exc)]})

    @app.errorhandler(PyMongoError)
    def _store_away(exc: PyMongoError):
        log.error("database unavailable", extra={"error": repr(exc)})
        if request_budget.database_away(exc):
            breaker.trip()
        return _database_away()

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        limit = request.max_content_length
        return problem_response(413, "Content Too Large", f"The body may have at most {limit} bytes.", errors={"_body": [f"At most {limit} bytes."]}, max_bytes=limit)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        """Werkzeug's errors as problems, with the headers they carry (405's ``Allow``)."""
        response = problem_response(exc.code or 500, exc.name, exc.description)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(ParseException)
    def _broken_body(exc: ParseException):
        """gunicorn refuses a body as the app reads it (a chunk size that is not hex, a
        chunk without its CRLF): the client's fault, as gunicorn's refusals of the head are
        (``shared.gunicorn_worker``)."""
        return problem_response(400, "Bad Request", f"The request body breaks HTTP/1.1: {exc}.", errors={"_body": [str(exc)]})

    @app.errorhandler(UnicodeEncodeError)
    def _broken_text(exc: UnicodeEncodeError):
        if "surrogates not allowed" not in str(exc):
            return _unexpected(exc)
        return problem_response(400, "Bad Request", "The request holds text that is not valid Unicode (a lone surrogate).")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "The error has been logged.")


def _database_away() -> Response:
    response = problem_response(503, "Service Unavailable", "The service's database is not answering in time; retry shortly.")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, or a 400/415 problem saying what is wrong with it.
    ``optional``: a request without a body stands for ``{}``; one with a body is held to
    the same rules (``documented(body_optional=True)`` says so in the OpenAPI document)."""
    if optional and not request.content_length and not request.headers.get("Transfer-Encoding"):
        return {}
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type", "Send the body as application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "Bad Request", "The body must be a JSON object.")
    return body


_PROBES = futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def health_blueprint(checks: dict[str, Callable[[], bool]], required: set[str]) -> Blueprint:
    """``/healthz``: the process answers. ``/readyz``: each dependency's state; 503 when a
    required one is down. Optional checks are reported but do not fail readiness (the
    registration API keeps accepting writes while Kafka is away: its outbox holds them).
    The checks run side by side and one that has not answered within ``PROBE_SECONDS``
    counts as down, so the probe answers within a second whatever a dependency does."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz():
        return {"status": "ok", "service": current_app.config["SERVICE"]}

    @bp.get("/readyz")
    def readyz():
        running = {name: _PROBES.submit(check) for name, check in checks.items()}
        done, _ = futures.wait(running.values(), timeout=PROBE_SECONDS)
        results = {name: ("up" if f in done and f.exception() is None and f.result() else "down") for name, f in running.items()}
        ready = all(results[name] == "up" for name in required)
        body = {"status": "ready" if ready else "not ready", "checks": results, "required": sorted(required)}
        return body, (200 if ready else 503)

    return bp


def _field_errors(messages: Any) -> Any:
    return messages if isinstance(messages, (dict, list)) else {"_schema": [str(messages)]}


def _safe_id(value: str | None) -> str | None:
    """Accept a client's id only if it is short and plain, so it is safe to log and echo."""
    if value and len(value) <= 128 and all(c.isalnum() or c in "-_.:" for c in value):
        return value
    return None


def service_app(
    import_name: str, settings, db, prepare: Callable[[Any], None] | None = None, outbox_collections: list[str] = (), state=None,
    budgets: dict[str, float] | None = None, body_limits: dict[str, int] | None = None,
) -> Flask:
    """A Flask app with the platform's logging, error handling and health probes.

    ``prepare(db)`` (indexes) runs now if Mongo answers; if not, the app still starts and
    ``/readyz`` says Mongo is down, so an orchestrator waits instead of crash-looping.
    ``budgets`` maps endpoints ("blueprint.view") to the seconds they may spend with the
    database when the default (``BSM_REQUEST_DB_SECONDS``) is too short for them.
    Request bodies are limited to ``BSM_MAX_BODY_BYTES`` (default 1 MiB; larger ones are a
    413 problem before they are read); ``body_limits`` maps endpoints to the bytes they
    accept instead (uploads). JSON bodies nest at most ``BSM_MAX_JSON_DEPTH`` levels (400).
    """
    configure_logging(settings.service, settings.log_level)
    app = Flask(import_name)
    app.config["SERVICE"] = settings.service
    app.config["SETTINGS"] = settings
    app.config["DATABASE_BUDGETS"] = dict(budgets or {})
    app.config["BODY_LIMITS"] = dict(body_limits or {})
    app.json = JsonProvider(app)
    app.url_map.converters["hexid"] = HexId
    install(app)
    app.extensions["auth"] = Authenticator(settings.auth_secret, parse_api_keys(settings.api_keys))
    app.extensions["idempotency"] = IdempotencyStore(db)
    if settings.cors_origins:
        CORS(
            app,
            origins=[o.strip() for o in settings.cors_origins.split(",")],
            expose_headers=["ETag", "Location", "X-Correlation-ID", "Idempotent-Replayed", EVENT_IDS_HEADER],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
        )
    checks = {"mongo": lambda: mongo_reachable(db), "kafka": lambda: kafka_reachable(settings)}
    app.register_blueprint(health_blueprint(checks, required={"mongo"}))
    app.register_blueprint(metrics.metrics_blueprint(metrics.StateCollector(lambda: _state_metrics(settings.service, db, outbox_collections, state))))
    if prepare is not None:
        try:
            with request_budget.bounded(PREPARE_SECONDS):
                prepare(db)
        except PyMongoError as exc:
            log.warning("database not prepared yet", extra={"error": repr(exc)})
    return app


class HexId(BaseConverter):
    """A generated id in a URL (``<hexid:job_id>``: 32 lowercase hex digits, shared/correlation.py
    ``new_id``), so a fixed path beside it (``/v1/imports/sellers``) is never read as an id."""

    regex = "[0-9a-f]{32}"
    json_schema = {"type": "string", "pattern": "^[0-9a-f]{32}$"}


QUERY_CREDENTIALS = ("token", "access_token", "api_key")


def principal():
    """The authenticated caller, from the ``Authorization`` header, or a 401 problem. Keys
    and tokens in the URL end up in proxy logs and browser histories, so a request that
    brings one there instead is refused saying so (calendar feeds have read-only feed
    tokens of their own, shared/auth.py)."""
    if "principal" not in g:
        header = request.headers.get("Authorization")
        if not header and any(request.args.get(name) for name in QUERY_CREDENTIALS):
            raise Problem(401, "Unauthorized", "API keys and tokens are accepted only in the Authorization header (Bearer), never in the URL.")
        try:
            g.principal = current_app.extensions["auth"].authenticate(header)
        except Unauthenticated as exc:
            raise Problem(401, "Unauthorized", str(exc)) from None
    return g.principal


def require(*roles: str):
    """The caller, who must hold one of ``roles`` (401 when anonymous, 403 otherwise)."""
    caller = principal()
    if caller.role not in roles:
        raise Problem(403, "Forbidden", f"This needs the role {' or '.join(roles)}.")
    return caller


def require_self_or(participant_id: str, *roles: str):
    """The caller, who must be that participant or hold one of ``roles``."""
    caller = principal()
    if caller.role in roles or (caller.role == "participant" and caller.subject == participant_id):
        return caller
    raise Problem(403, "Forbidden", "You may only see and change your own records.")


def idempotent(view):
    """Honour ``Idempotency-Key`` on a POST view: a retry gets the first response again."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 8 <= len(key) <= 200:
            raise Problem(400, "Bad Request", "An Idempotency-Key has 8 to 200 characters.", errors={"Idempotency-Key": ["8 to 200 characters."]})
        store = current_app.extensions["idempotency"]
        scope = f"{request.method} {request.path} {request.headers.get('Authorization', '')[-16:]} {key}"
        g.idempotency_scope = scope
        try:
            body = request.get_data()
            stored = store.claim(scope, fingerprint(request.method, request.path, canonical_body(body, request.is_json)),
                                 fingerprint(request.method, request.path, body))
        except KeyReused:
            raise Problem(422, "Idempotency-Key reused", "This key was used for a different request.",
                          errors={"Idempotency-Key": ["Used before for a different request."]}) from None
        except StillRunning:
            raise Problem(409, "Conflict", "A request with this Idempotency-Key is still being processed; retry shortly.") from None
        if stored is not None:
            response = current_app.response_class(json.dumps(stored.body), status=stored.status, mimetype="application/json")
            response.headers.update(stored.headers)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            with recording_events() as published:
                response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _release_key(store, scope)
            raise
        _show_events(response, published)
        if response.status_code >= 400:
            _release_key(store, scope)
        else:
            kept = {h: response.headers[h] for h in ("Location", "ETag", EVENT_IDS_HEADER) if h in response.headers}
            try:
                store.finish(scope, StoredResponse(response.status_code, response.get_json(), kept))
            except (PyMongoError, BSONError) as exc:  # the effect stands: answer it, and let the key go stale
                log.warning("idempotent response not kept; a retry after the key goes stale does the request again", extra={"error": repr(exc)})
        return response

    wrapper.idempotent = True
    return wrapper


def _show_events(response: Response, published: list[str]) -> None:
    """Tell the client which events its successful write published (``X-Event-Ids``), so it
    can ask a downstream service whether it has seen them (``shared/freshness.py``)."""
    if published and response.status_code < 400 and EVENT_IDS_HEADER not in response.headers:
        response.headers[EVENT_IDS_HEADER] = ",".join(published[:MAX_EVENT_IDS_IN_HEADER])


def idempotent_id() -> str | None:
    """For a view under ``@idempotent`` called with an ``Idempotency-Key``: an id (32 hex
    digits) derived from the key's scope, the same on every retry, so a create that
    names its new record by it finds its own earlier write instead of making a second one
    when the first answer was lost (a timeout after the write landed). None without a key."""
    scope = g.get("idempotency_scope")
    return hashlib.sha256(scope.encode()).hexdigest()[:32] if scope else None


def _release_key(store: IdempotencyStore, scope: str) -> None:
    """Free a failed request's Idempotency-Key with a budget of its own (the request's may be
    spent); if the database is away the key stays claimed until it goes stale."""
    try:
        request_budget.outside_budget(lambda: store.release(scope))
    except PyMongoError as exc:
        log.warning("idempotency key left claimed", extra={"error": repr(exc)})


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(required: bool = True, current: Callable[[], int] | None = None) -> int | None:
    """The version named by ``If-Match`` (428 when required and missing, 400 when a single
    tag is unreadable, 412 when weak: RFC 9110 section 13.1.1 compares strongly). A list
    of ETags, or ``*``, matches when one of them is the current version (``current()``
    reads it): that version is returned, else one no record has (so the change is refused
    as stale, 412); a listed tag this API never gave out simply does not match."""
    header = request.headers.get("If-Match")
    if not header:
        if required:
            raise Problem(428, "Precondition Required", "Send If-Match with the ETag you last read, so no one's change is overwritten.")
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if any(tag.startswith("W/") for tag in tags):
        raise Problem(412, "Precondition Failed", "If-Match compares ETags strongly (RFC 9110 section 13.1.1), so a weak ETag (W/...) never "
                      "matches: send the ETag as this API gave it.")
    if len(tags) == 1 and tags[0] != "*":
        try:
            return int(tags[0].strip('"'))
        except ValueError:
            raise Problem(400, "Bad Request", "If-Match must be an ETag this API gave out.") from None
    if current is None:
        raise Problem(400, "Bad Request", "If-Match takes one ETag here.")
    now = current()
    listed = {tag.strip('"') for tag in tags}
    return now if "*" in listed or str(now) in listed else NO_VERSION


NO_VERSION = -1
"""The version ``expected_version`` gives for an If-Match list naming none that is current."""


def stale(current_version: int) -> Problem:
    return Problem(412, "Precondition Failed", "It was changed since you read it: read it again and reapply your change.", current_version=current_version)


def page_args(sortable: tuple[str, ...], default_sort: str) -> tuple[str, int, str | None]:
    """``?sort=&limit=&cursor=`` checked against what may be sorted."""
    sort = request.args.get("sort", default_sort)
    if sort.lstrip("-") not in sortable:
        raise Problem(400, "Bad Request", f"sort is one of {', '.join(sortable)} (prefix - to reverse).", errors={"sort": ["Not sortable."]})
    return sort, limit_arg(50, 200), request.args.get("cursor") or None


def limit_arg(default: int, maximum: int) -> int:
    """``?limit=``: a whole number from 1 to ``maximum`` (``default`` when absent); a 400
    naming ``limit`` otherwise, never a silent default."""
    try:
        limit = int(request.args.get("limit", default))
    except ValueError:
        raise Problem(400, "Bad Request", "limit is a whole number.", errors={"limit": ["Not a number."]}) from None
    if not 1 <= limit <= maximum:
        raise Problem(400, "Bad Request", f"limit is between 1 and {maximum}.", errors={"limit": ["Out of range."]})
    return limit


def _state_metrics(service: str, db, outbox_collections, extra):
    """Gauges read from the service's data when scraped: its outbox backlog, plus its own."""
    try:
        yield "bsm_outbox_pending", "Events waiting in the outbox", ["service"], [([service], float(pending_count(db, list(outbox_collections))))]
        if extra is not None:
            yield from extra(db)
    except Exception:  # a scrape must never fail because a store is away; /readyz says so
        log.warning("state metrics unavailable", exc_info=True)
