"""Turn an HTTP request into a SPARQL protocol request, checking the protocol's rules and our size limits.

SPARQL 1.1 Protocol §2.1: query via GET (``query`` parameter), POST form-encoded, or POST with
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` may appear in each.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any, Callable

from flask import Request
from werkzeug.datastructures import MultiDict

from server.errors import BadRequest, PayloadTooLarge, QueryRefused, UnsupportedMediaType, UriTooLong
from server.settings import Settings

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TRUE_WORDS = {"", "1", "true", "yes", "on", "owl-rl", "rl"}
FALSE_WORDS = {"0", "false", "no", "off", "none"}
# The request URI becomes the query's base IRI only when it cannot close an IRIREF (the Host header is the
# client's: "BASE <…>" is placed before the query text for a remote engine).
_SAFE_BASE = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/\-]*)?$")


# Parameters this endpoint reads. Without a query, any other parameter is a mistake worth naming (a typo such
# as ``querry=`` must not silently get the service description); with a query, clients' own extra parameters
# (SPARQLWrapper adds ``output`` and ``results``) are ignored.
QUERY_PARAMETERS = ("query", "default-graph-uri", "named-graph-uri", "format", "inference")
GRAPH_STORE_PARAMETERS = ("graph", "default")
UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    inference: bool
    fmt: tuple[str, ...] | None  # every ``format`` value given (they must agree: see negotiation.negotiate)
    parameters: tuple[str, ...] = ()  # the names of every parameter given, in order
    base_iri: str | None = None  # the request URI without its query: the base of relative IRIs in the query

    def without_query_problem(self) -> str | None:
        """Why a request without a query is not simply "the service description", or None when it is."""
        names = [n for n in dict.fromkeys(self.parameters) if n != "format"]
        if not names:
            return None
        applies = [n for n in names if n in QUERY_PARAMETERS]
        if applies:
            return f"no query was given, but {', '.join(repr(n) for n in applies)} apply only to a query; add 'query'"
        return (f"unknown parameter {names[0]!r} without a query; the SPARQL protocol here reads "
                f"{', '.join(QUERY_PARAMETERS)} (and the Graph Store reads graph / default at /store)")


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"the parameter {name!r} was given {len(values)} times; the protocol allows it once")
    return values[0] if values else None


def _decode(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not valid UTF-8 (byte {exc.start})") from None
    if "\x00" in text:
        raise BadRequest(f"the {what} contains a NUL character")
    return text


def asks_fresh(cache_control: str | None, pragma: str | None) -> bool:
    """Whether a request asks for a new answer rather than a stored one (RFC 9111 §5.2.1.4 ``no-cache``, and the
    HTTP/1.0 ``Pragma: no-cache``): every answer cache of the service honours it, not only the front one."""
    return "no-cache" in (cache_control or "").lower() or "no-cache" in (pragma or "").lower()


def parse_request(request: Request, settings: Settings) -> ProtocolRequest:
    """Read the query and dataset from GET or POST; raise the protocol's errors (400, 413, 414, 415)."""
    if request.method in ("GET", "HEAD"):
        return _from_query_string(len(request.query_string), request.args, request.method, settings, lambda: request.base_url)
    else:
        length = request.content_length
        if length is not None and length > settings.max_body_bytes:
            raise PayloadTooLarge(f"the request body has {length} bytes; the limit is {settings.max_body_bytes} (setting max_body_bytes)")
        mime = (request.mimetype or "").lower()
        raw = request.get_data(cache=True)
        if len(raw) > settings.max_body_bytes:
            raise PayloadTooLarge(f"the request body is over {settings.max_body_bytes} bytes (setting max_body_bytes)")
        if mime == FORM:
            _decode(raw, "form body")
            params = request.form
            if params.getlist("update"):
                raise QueryRefused("this endpoint is read-only: SPARQL Update is refused", details={"reason": "update"})
            query = _one(params.getlist("query"), "query")
            params = _merge(request.args, params)
        elif mime == SPARQL_QUERY:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"the query must be UTF-8, not {charset}")
            query = _decode(raw, "query")
            params = request.args
            if params.getlist("query"):
                raise BadRequest("a POST with application/sparql-query carries the query in the body, not in the 'query' parameter")
        elif mime == SPARQL_UPDATE:
            raise QueryRefused("this endpoint is read-only: SPARQL Update is refused", details={"reason": "update"})
        else:
            raise UnsupportedMediaType(
                f"a query POST must be {FORM} or {SPARQL_QUERY}, not {mime or 'without Content-Type'}",
                details={"accepted": [FORM, SPARQL_QUERY]},
            )
        if query is None:
            raise BadRequest("the POST has no query (form field 'query' or an application/sparql-query body)")
    return _checked(query, params, request.method, settings, lambda: request.base_url)


def parse_plain_get(environ: dict[str, Any], settings: Settings, base_url: Callable[[], str]) -> ProtocolRequest | None:
    """``parse_request`` for a GET or HEAD read straight from the WSGI environ, without a werkzeug Request.

    The lean path's common case: the query string is split as werkzeug's ``parse_qsl`` splits it, but strictly,
    so None — "ask ``parse_request``" — comes back whenever it is not plain ASCII or a component does not decode to
    UTF-8; ``parse_request`` (with ``guards.check_utf8`` before it) then gives the same answer or the same error
    as before. Measured: werkzeug's Request, its args and base URL and the UTF-8 check cost ~40 % of the web
    worker's Python time for a point lookup."""
    raw = environ.get("QUERY_STRING", "")
    if not raw.isascii() or len(raw) > settings.max_query_chars * 3 + 4096:
        return None
    pairs = _plain_pairs(raw)
    if pairs is None:
        return None
    return _from_query_string(len(raw), MultiDict(pairs), environ.get("REQUEST_METHOD", "GET"), settings, base_url)


def _plain_pairs(raw: str) -> list[tuple[str, str]] | None:
    """``parse_qsl(raw, keep_blank_values=True)`` for an ASCII query string whose every ``%`` starts a valid
    escape of UTF-8 bytes; None otherwise. Percent-decoding runs in C: each ``%XX`` becomes ``\\xXX`` for
    ``codecs.escape_decode`` (backslashes doubled first, so no other escape exists), which rejects a ``%``
    not followed by two hex digits. ``urllib``'s decoder, a Python loop per escape, was half of this parse."""
    pairs = []
    try:
        for part in raw.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            pairs.append((_unquote(name), _unquote(value)))
    except (ValueError, UnicodeDecodeError):  # an invalid escape or bytes that are not UTF-8: parse_request says
        return None
    return pairs


def _unquote(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    escaped = text.replace("+", " ").replace("\\", "\\\\").replace("%", "\\x")
    return codecs.escape_decode(escaped.encode("ascii"))[0].decode("utf-8")  # type: ignore[attr-defined, no-any-return]


def _from_query_string(length: int, params: Any, method: str, settings: Settings, base_url: Callable[[], str]) -> ProtocolRequest:
    if length > settings.max_query_chars * 3 + 4096:
        raise UriTooLong(f"the request URI is longer than allowed (setting max_query_chars = {settings.max_query_chars}); send the query with POST",
                         details={"limit": settings.max_query_chars})
    query = _one(params.getlist("query"), "query")
    if query is None and params.getlist("update"):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is refused (and never allowed with GET)", details={"reason": "update"})
    return _checked(query, params, method, settings, base_url)


def _checked(query: str | None, params: Any, method: str, settings: Settings, base_url: Callable[[], str]) -> ProtocolRequest:
    """The query's own limits, then the request as the service reads it."""
    if query is not None:
        if "\x00" in query:
            raise BadRequest("the query contains a NUL character")
        if len(query) > settings.max_query_chars:
            limit = {"limit": settings.max_query_chars, "query_chars": len(query)}
            if method in ("GET", "HEAD"):  # RFC 9110 §15.5.15: the target is too long; a body is not
                raise UriTooLong(f"the query has {len(query)} characters; a query sent by GET may have at most "
                                 f"{settings.max_query_chars} (setting max_query_chars); send it with POST", details=limit)
            raise PayloadTooLarge(f"the query has {len(query)} characters; the limit is {settings.max_query_chars} (setting max_query_chars)", details=limit)
    defaults = params.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri")
    return ProtocolRequest(
        query=query,
        default_graphs=tuple(defaults) if defaults or named else None,
        named_graphs=tuple(named) if defaults or named else None,
        inference=parse_flag(_one(params.getlist("inference"), "inference")),
        fmt=tuple(params.getlist("format")) or None,
        parameters=tuple(params.keys()),
        base_iri=base if _SAFE_BASE.match(base := base_url()) else None,
    )


def _merge(args, form):  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import CombinedMultiDict

    return CombinedMultiDict([form, args])


def parse_flag(value: str | None) -> bool:
    if value is None:
        return True
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadRequest(f"inference={value!r}: use 'true' (asserted + OWL RL inferred, the default) or 'false' (asserted only)")
