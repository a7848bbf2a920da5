"""Checks and headers every route shares: invalid UTF-8 in the URL is a 400, CORS answers what browsers ask.

Werkzeug decodes percent-escapes that are not UTF-8 into U+FFFD, so ``?query=%FF`` would run a different
query than the one sent (and the same bytes in a POST body are already a 400): the raw path and query string
are checked before any view runs. A CORS preflight gets the request headers it asks for echoed back (browsers
and YASGUI add ``X-Requested-With``, ``Cache-Control`` …); credentials are never allowed, so echoing cannot
expose anything a page could not already read.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Request, Response

from server.errors import BadRequest

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
DEFAULT_ALLOWED_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "X-Query-Time-Ms, X-Result-Rows, X-Result-Truncated, X-Cache, Link, Content-Location, ETag, X-Request-Id, X-Query-Hint"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


def check_utf8(request: Request) -> None:
    """400 when the path or a query-string component does not percent-decode to UTF-8."""
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")  # gunicorn, werkzeug
    if raw_uri:
        raw_path = unquote_to_bytes(raw_uri.split("?", 1)[0])
    else:  # PEP 3333: PATH_INFO holds the decoded bytes as latin-1
        raw_path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    try:
        raw_path.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request path is not valid UTF-8 (byte {exc.start})") from None
    for number, part in enumerate(request.query_string.split(b"&"), start=1):
        for piece in part.split(b"=", 1):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                name = piece.split(b"%")[0].decode("ascii", "replace")[:40]
                raise BadRequest(f"the query string is not valid UTF-8 (component {number}{', ' + repr(name) if name else ''}); "
                                 "percent-encode the UTF-8 bytes of the text") from None


def add_cors(request: Request, response: Response) -> None:
    """CORS for everyone, never with credentials; a preflight gets the methods and the headers it asked for."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        asked = request.headers.get("Access-Control-Request-Headers", "").strip()
        response.headers["Access-Control-Allow-Headers"] = asked if asked and _HEADER_LIST.match(asked) else DEFAULT_ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers.add("Vary", "Access-Control-Request-Headers")
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
