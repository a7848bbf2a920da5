"""The error model: one exception class per kind of failure, each carrying its HTTP status.

Handlers never build error responses themselves: they raise one of these, and the single renderer in
``server.views.errors`` turns it into a body that follows the client's Accept header. Anything that is not an
``ApiError`` is a bug: it is logged with a request id and answered with a bare 500.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


class UgkgError(Exception):
    """Base of every error this project raises on purpose."""


class BuildError(UgkgError):
    """The sources could not be turned into a snapshot (syntax error, SHACL violation, I/O failure)."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class SnapshotError(UgkgError):
    """A snapshot is missing or corrupted (checksum mismatch)."""


@dataclass
class ApiError(UgkgError):
    """An error answered to an HTTP client: ``status`` and ``code`` are fixed per subclass."""

    message: str
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    status = 500
    code = "internal-error"
    title = "Internal error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # evaluator processes send these to the web process: keep details and headers across pickling
        return (self.__class__, (self.message, self.details, self.headers))

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable body (an RFC 9457-like problem document)."""
        body: dict[str, Any] = {"status": self.status, "error": self.code, "title": self.title, "message": self.message}
        body.update(self.details)
        return body


class MalformedQuery(ApiError):
    status = 400
    code = "malformed-query"
    title = "Malformed query"


class BadRequest(ApiError):
    status = 400
    code = "bad-request"
    title = "Bad request"


class QueryRefused(ApiError):
    status = 400
    code = "query-refused"
    title = "Query refused"


class NotFound(ApiError):
    status = 404
    code = "not-found"
    title = "Not found"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method-not-allowed"
    title = "Method not allowed"


class NotAcceptable(ApiError):
    status = 406
    code = "not-acceptable"
    title = "Not acceptable"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class UriTooLong(ApiError):
    status = 414
    code = "uri-too-long"
    title = "URI too long"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported-media-type"
    title = "Unsupported media type"


class Overloaded(ApiError):
    status = 503
    code = "overloaded"
    title = "Service overloaded"


class QueryTimeout(ApiError):
    status = 503
    code = "query-timeout"
    title = "Query time limit reached"


class UpstreamError(ApiError):
    status = 502
    code = "upstream-error"
    title = "The SPARQL engine behind this endpoint failed"


class InternalError(ApiError):
    """A fault of this service, never of the request. It carries a request id (in the body as ``request_id`` and
    in the ``X-Request-Id`` header), given when it is raised so that the line logging its cause can name it too."""

    status = 500
    code = "internal-error"
    title = "Internal error"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.details.setdefault("request_id", uuid.uuid4().hex)
        self.headers.setdefault("X-Request-Id", self.details["request_id"])

    @property
    def request_id(self) -> str:
        return str(self.details["request_id"])


class InvalidParameter(BadRequest):
    """A REST API parameter that is unknown, missing, malformed or names nothing of the graph; ``details`` names it."""

    code = "invalid-parameter"
    title = "Invalid parameter"


class QueryNotEvaluable(ApiError):
    """The query parses but the engine refuses to evaluate it for a reason that depends only on the query (an
    unbound SERVICE variable, …): the engine's own message is the body's ``message``."""

    status = 400
    code = "query-not-evaluable"
    title = "The query cannot be evaluated"


class UnsupportedFunction(QueryNotEvaluable):
    """A function the engine does not implement (a custom IRI, a GeoSPARQL function such as ``geof:buffer``) or
    called with the wrong number of arguments; ``function`` in the body names it."""

    code = "unsupported-function"
    title = "Unsupported function"


class ReleaseError(UgkgError):
    """A release cannot be made or read (version taken, nothing changed, record damaged, checksum mismatch)."""


class Gone(ApiError):
    """A release whose dump is no longer kept (setting releases_kept): its record stays, its files do not."""

    status = 410
    code = "gone"
    title = "Gone"


class BadAcceptDatetime(BadRequest):
    """An Accept-Datetime header that is not an RFC 1123 date (RFC 7089 §2.1.1)."""

    code = "invalid-accept-datetime"
    title = "Invalid Accept-Datetime"
