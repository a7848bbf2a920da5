"""The WSGI front: repeated GETs are answered from the shared cache before Flask runs.

A cacheable answer (``httpcache.finalize`` marked it ``public`` with an ETag) is stored under a key of the
request (host, path, query string, Accept, Accept-Language) in a ``SharedCache`` that every web worker of the
server reads. A repeated request is then a dictionary lookup: no routing, no negotiation, no evaluator. The
front also answers ``If-None-Match`` with 304 itself, so a revalidation costs no more than a hit.

Paths that validate themselves (dumps, static files) or show live state (health, metrics) pass straight
through, and so does every other method: POSTs have the job cache of the SPARQL service.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from server.engine.cache import SharedCache, cache_key
from server.sparql.protocol import asks_fresh
from server.web.httpcache import etag_matches

_LANG_COOKIE = re.compile(r"(?:^|;)\s*ugkg_lang=(\w+)")
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
PASS_THROUGH_PREFIXES = ("/dumps/", "/static/", "/healthz", "/metrics")
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")
NOT_MODIFIED_HEADERS = frozenset({"etag", "cache-control", "vary", "content-location", "expires", "access-control-allow-origin",
                                  "access-control-expose-headers"})


@dataclass(frozen=True)
class CachedAnswer:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str  # as sent, quoted
    origin: str = "miss"  # X-Cache of the answer when it was made: "hit" when the service's own cache gave it


class Front:
    """Wraps the Flask app; ``observe`` counts answers it gives itself (the app's metrics never see them)."""

    def __init__(self, app: WsgiApp, cache: SharedCache[CachedAnswer], observe: Callable[[str, int], None]) -> None:
        self.app = app
        self.cache = cache
        self.observe = observe

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD") or not self.cache.enabled or path.startswith(PASS_THROUGH_PREFIXES):
            return self.app(environ, start_response)
        key = cache_key(environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""), path,
                        environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""),
                        environ.get("HTTP_ACCEPT_DATETIME", ""),  # Memento: a dated request is another answer
                        _LANG_COOKIE.findall(environ.get("HTTP_COOKIE", "")))  # the page language the toggle chose
        fresh = asks_fresh(environ.get("HTTP_CACHE_CONTROL"), environ.get("HTTP_PRAGMA"))
        found = None if fresh else self.cache.get(key)  # RFC 9111 §5.2.1.4: no-cache asks for a new answer
        if found is not None:
            self.observe("front-cache", 200)
            return self._replay(found, environ, start_response, "hit")
        answer = self._capture(environ)
        if isinstance(answer, CachedAnswer):
            self.cache.put(key, answer, len(answer.body))
            # the app's own X-Cache says whether the service answered from its cache behind this one
            return self._replay(answer, environ, start_response, answer.origin)
        status, headers, body = answer
        start_response(status, headers)
        return body

    def _capture(self, environ: dict[str, Any]) -> CachedAnswer | tuple[str, list[tuple[str, str]], Iterable[bytes]]:
        """Run the app without the client's conditional headers (the front applies them to what it stores)."""
        conditional = any(k in environ for k in CONDITIONAL_HEADERS)
        head = environ.get("REQUEST_METHOD") == "HEAD"
        plain = environ
        if conditional or head:  # a HEAD is answered as the GET it stands for, stored whole, replayed bodiless
            plain = {k: v for k, v in environ.items() if k not in CONDITIONAL_HEADERS}
            plain["REQUEST_METHOD"] = "GET"
        seen: dict[str, Any] = {}

        def capture_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None  # the legacy write() callable; Flask never uses it

        body = self.app(plain, capture_start)
        status, headers = seen["status"], seen["headers"]
        lowered = {name.lower(): value for name, value in headers}
        if status.startswith("200") and "etag" in lowered and "public" in lowered.get("cache-control", ""):
            try:
                data = b"".join(body)
            finally:
                if hasattr(body, "close"):
                    body.close()  # type: ignore[union-attr]
            kept = tuple((n, v) for n, v in headers if n.lower() not in ("x-cache", "content-length"))
            return CachedAnswer(status, kept, data, lowered["etag"], "hit" if lowered.get("x-cache") == "hit" else "miss")
        if plain is not environ and status.startswith("200"):
            if hasattr(body, "close"):
                body.close()  # type: ignore[union-attr]
            body = self.app(environ, capture_start)  # not ours to cache: the app answers the request as sent
            status, headers = seen["status"], seen["headers"]
        elif head:  # an error answered as for GET: the same status and headers, no body
            if hasattr(body, "close"):
                body.close()  # type: ignore[union-attr]
            body = [b""]
        return status, headers, body

    def _replay(self, answer: CachedAnswer, environ: dict[str, Any], start_response: StartResponse, how: str) -> Iterable[bytes]:
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), answer.etag):
            start_response("304 Not Modified", [(n, v) for n, v in answer.headers if n.lower() in NOT_MODIFIED_HEADERS] + [("X-Cache", how)])
            return [b""]
        start_response(answer.status, [*answer.headers, ("Content-Length", str(len(answer.body))), ("X-Cache", how)])
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [answer.body]
