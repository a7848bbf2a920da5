"""HTTP caching tied to the snapshot: every GET answer gets a strong ETag, Cache-Control and Vary.

The data is read-only between builds, so an answer is a function of (snapshot, request). Its ETag is a hash
of its bytes (a strong validator: equal ETags mean equal bytes), ``Cache-Control: public, max-age=N`` lets
browsers and front caches (nginx ``proxy_cache``) reuse it, and ``If-None-Match`` gets 304. The WSGI front
(``front.py``) answers repeated GETs from the shared cache before Flask runs; this hook is what makes an
answer cacheable in the first place, for the front, for nginx and for the Flask test client alike.
"""
from __future__ import annotations

import hashlib

from flask import Request, Response

NOT_CACHED_ENDPOINTS = frozenset({"ops.healthz", "ops.metrics"})  # live state, not a function of the snapshot
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


def strong_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: If-None-Match uses weak comparison, and ``*`` matches any current representation."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


def add_vary(response: Response, *names: str) -> None:
    present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
    missing = [n for n in names if n.lower() not in present]
    if missing:
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary", ""), *missing]))


def finalize(request: Request, response: Response, max_age_s: int) -> Response:
    """Mark a successful GET answer cacheable and validate it; leave everything else as it is."""
    if request.method not in CACHEABLE_METHODS or response.status_code != 200 or request.endpoint in NOT_CACHED_ENDPOINTS:
        if request.endpoint in NOT_CACHED_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
    if response.is_streamed or response.direct_passthrough:
        return response  # file responses (dumps, static files) validate themselves
    if "ETag" not in response.headers:
        response.set_etag(strong_etag(response.get_data()))
    response.headers.setdefault("Cache-Control", f"public, max-age={max_age_s}")
    add_vary(response, "Accept")
    return response.make_conditional(request)
