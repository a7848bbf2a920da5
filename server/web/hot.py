"""The lean path for SPARQL queries: ``GET``/``HEAD``/``POST /sparql`` with a query, answered without Flask.

Measured on this machine, Flask's dispatch, its response object and the after-request hooks cost several
times the evaluation of a point lookup. A query answer needs none of them: this WSGI layer parses the request
with the same ``sparql.protocol.parse_request``, runs it through the same ``SparqlService`` (policy, negotiation,
cache, slow lane, evaluator time limit, row limit) and writes the status line and headers itself. Everything
else — the service description, the query page, every error — goes to the Flask app, so there is still one
error renderer and one set of routes.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.wrappers import Request

from server.engine.results import content_type
from server.sparql.protocol import asks_fresh, parse_plain_get, parse_request
from server.sparql.service import Answer
from server.web.guards import EXPOSED_HEADERS, check_utf8
from server.web.httpcache import etag_matches, strong_etag
from server.web.runtime import Runtime

StartResponse = Callable[..., Any]
BASE_URL_MEMO_ENTRIES = 256
BASE_URL_ENVIRON = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")
CORS_HEADERS = (  # what guards.add_cors gives every non-preflight answer
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
    ("X-Content-Type-Options", "nosniff"),
)


def answer_headers(answer: Answer, max_rows: int) -> list[tuple[str, str]]:
    """The headers of a query answer, for this path and for the Flask view alike."""
    result = answer.result
    headers = [
        ("Content-Type", content_type(result.media_type)),
        ("Vary", "Accept"),
        ("X-Query-Time-Ms", f"{answer.seconds * 1000:.2f}"),
        ("X-Result-Rows", str(result.rows)),
        ("X-Cache", "hit" if answer.cached else "miss"),
    ]
    if answer.federated:
        headers.append(("Cache-Control", "no-store"))  # another endpoint's data: no front or client cache
    if result.truncated:
        headers.append(("X-Result-Truncated", f"true; max-rows={max_rows}"))
    for hint in answer.hints:  # an empty answer that may come from a common mistake (sparql.hints)
        headers.append(("X-Query-Hint", hint.header()))
    return headers


class SparqlFastPath:
    """WSGI middleware in front of the Flask app (``app.wsgi_app``)."""

    def __init__(self, app: Flask, runtime: Runtime, inner: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.runtime = runtime
        self.inner = inner
        self._base_urls: dict[tuple[Any, ...], str] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "HEAD", "POST"):
            return self.inner(environ, start_response)
        if method != "POST" and "query=" not in environ.get("QUERY_STRING", ""):
            return self.inner(environ, start_response)  # the service description or the query page
        runtime = self.runtime
        try:
            protocol_request = None if method == "POST" else parse_plain_get(environ, runtime.settings, lambda: self._base_url(environ))
            if protocol_request is None:  # a POST, or a query string that is not plain: werkzeug reads it
                request = Request(environ)
                check_utf8(request)
                protocol_request = parse_request(request, runtime.settings)
            if protocol_request.query is None:
                return self.inner(environ, start_response)
            answer = runtime.sparql.run(protocol_request, environ.get("HTTP_ACCEPT"),
                                        fresh=asks_fresh(environ.get("HTTP_CACHE_CONTROL"), environ.get("HTTP_PRAGMA")))
        except Exception as error:  # ApiError or unexpected: Flask's one renderer answers
            return self._error(error, environ, start_response)
        body = answer.result.body
        headers = answer_headers(answer, runtime.settings.max_result_rows)
        headers.extend(CORS_HEADERS)
        runtime.metrics.observe_request("/sparql", 200)
        if method != "POST" and not answer.federated:
            etag = f'"{strong_etag(body)}"'
            headers.append(("ETag", etag))
            headers.append(("Cache-Control", f"public, max-age={runtime.settings.http_max_age_s}"))
            if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
                start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Type"])
                return [b""]
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [b""] if method == "HEAD" else [body]

    def _base_url(self, environ: dict[str, Any]) -> str:
        """werkzeug's ``Request.base_url``, remembered per (scheme, Host, server, script, path): few distinct ones."""
        key = tuple(environ.get(name) for name in BASE_URL_ENVIRON)
        found = self._base_urls.get(key)
        if found is None:
            found = Request(environ).base_url
            if len(self._base_urls) >= BASE_URL_MEMO_ENTRIES:
                self._base_urls.clear()
            self._base_urls[key] = found
        return found

    def _error(self, error: Exception, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self.app.request_context(environ):
            try:
                response = self.app.handle_user_exception(error)
            except Exception as unhandled:
                response = self.app.handle_exception(unhandled)
            response = self.app.finalize_request(response)
            return response(environ, start_response)
