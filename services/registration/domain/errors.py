"""Errors the registration domain raises; the HTTP adapter turns them into problems."""


class DomainError(ValueError):
    """A request that breaks a registration rule; ``field`` names the culprit and
    ``reason``, when given, says which rule in a code clients can act on (the message is
    English and may change)."""

    def __init__(self, message: str, field: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.field, self.reason = field, reason


class NotFound(LookupError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(Exception):
    """The request collides with the current state (a duplicate, a stale version)."""

    def __init__(self, message: str, field: str | None = None, existing_id: str | None = None):
        super().__init__(message)
        self.field = field
        self.existing_id = existing_id
