"""The one error renderer: every error becomes a body in the client's preferred form (JSON, HTML, text).

HTML errors are pages of the site, in the page's language (titles from the catalogue, site.i18n, and what the error
means, site.problems, beside the English message shown as the technical detail). JSON and text bodies are for
programs: their ``message`` stays English and stable, and beside it ``explanation`` (and ``advice`` when a hint
applies) says what the error means in the language of the request's Accept-Language (English or Chinese; only that
header, so that a cache keyed by it, like ours, stays right) — what a Chinese-reading analyst calling the API from
pandas sees in the exception."""
from __future__ import annotations

import json
import logging
import uuid

from flask import Flask, Response, render_template, render_template_string, request
from werkzeug.exceptions import HTTPException

from server.errors import ApiError, InternalError, MethodNotAllowed, NotAcceptable
from server.sparql.negotiation import negotiate

log = logging.getLogger("ugkg.errors")
ERROR_TYPES = ("application/json", "text/html", "text/plain")
HTML_PAGE = """<!doctype html>
<html lang="{{ 'zh-Hans' if lang == 'zh' else 'en' }}"><head><meta charset="utf-8"><title>{{ e.status }} {{ translate(e.title) }}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body class="error"><main><h1>{{ e.status }} {{ translate(e.title) }}</h1><p>{{ e.message }}</p>
{% if e.details %}<pre>{{ details }}</pre>{% endif %}
<p><a href="/">{{ _('Home') }}</a> · <a href="/query">{{ _('Query') }}</a> · <a href="/search">{{ _('Search') }}</a></p></main></body></html>
"""


def render_error(error: ApiError) -> Response:
    """Render ``error`` following Accept; error bodies themselves never fail negotiation."""
    try:
        media_type = negotiate(request.headers.get("Accept"), ERROR_TYPES)
    except NotAcceptable:
        media_type = "application/json"
    if media_type == "text/html":
        details = json.dumps(error.details, ensure_ascii=False, indent=2)
        try:
            from server.web.site.problems import explain

            body = render_template("error.html", e=error, details=details, problem=explain(error))
        except Exception:  # the site layout itself failed: the bare page still tells the client what went wrong
            body = render_template_string(HTML_PAGE, e=error, details=details)
        content_type = "text/html; charset=utf-8"
    elif media_type == "text/plain":
        body = f"{error.status} {error.title}: {error.message}\n"
        if "request_id" in error.details:
            body += f"request id: {error.details['request_id']}\n"
        explained = _explained(error)
        body += "".join(f"{explained[key]}\n" for key in ("explanation", "advice") if key in explained)
        content_type = "text/plain; charset=utf-8"
    else:
        body = json.dumps(error.to_dict() | _explained(error), ensure_ascii=False)
        content_type = "application/json"
    response = Response(body, status=error.status, content_type=content_type)
    for name, value in error.headers.items():
        response.headers[name] = value
    response.headers["Vary"] = "Accept" if media_type == "text/html" else "Accept, Accept-Language"
    return response


def _explained(error: ApiError) -> dict[str, str]:
    """What ``error`` means (and the advice of its hint), in the language of Accept-Language alone."""
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-Hant"], default="en")
    lang = "zh" if best and best.startswith("zh") else "en"
    try:
        from flask_babel import force_locale

        from server.web.site.problems import explain

        with force_locale(lang):
            problem = explain(error)
    except Exception:  # no catalogue (an app without the site): the English message is still there
        log.debug("no explanation for %s", error.code, exc_info=True)
        return {}
    out = {"lang": lang}
    if problem["explanation"]:
        out["explanation"] = str(problem["explanation"])
    if problem["advice"]:
        out["advice"] = str(problem["advice"])
    return out if len(out) > 1 else {}


def _from_http_exception(exc: HTTPException) -> ApiError:
    """Werkzeug's own errors (unknown path, wrong method…) in our model."""
    status = exc.code or 500
    if status == 405:
        allowed = ", ".join(sorted(getattr(exc, "valid_methods", None) or []))
        return MethodNotAllowed(f"{request.method} is not allowed on {request.path}; allowed: {allowed}", headers={"Allow": allowed})
    error = ApiError(exc.description or exc.name)
    error.status = status  # type: ignore[misc]
    error.code = exc.name.lower().replace(" ", "-")  # type: ignore[misc]
    error.title = exc.name  # type: ignore[misc]
    return error


def register(app: Flask) -> None:
    def handle_api_error(exc: ApiError) -> Response:
        if "ugkg" in app.extensions:
            app.extensions["ugkg"].metrics.observe_error(exc.code)
        if exc.status >= 500 and exc.status not in (503, 504):
            # every server fault names a request id, in the body, the X-Request-Id header and this log line
            request_id = str(exc.details.setdefault("request_id", uuid.uuid4().hex))
            exc.headers.setdefault("X-Request-Id", request_id)
            log.error("%s %s answered %s %s, request id %s: %s", request.method, request.path, exc.status, exc.code, request_id, exc.message)
        return render_error(exc)

    def handle_http_exception(exc: HTTPException) -> Response:
        return handle_api_error(_from_http_exception(exc))

    def handle_unexpected(exc: Exception) -> Response:
        request_id = uuid.uuid4().hex
        log.exception("unexpected error, request id %s", request_id)
        return handle_api_error(InternalError(f"an unexpected error occurred; it has been logged as {request_id}", details={"request_id": request_id},
                                              headers={"X-Request-Id": request_id}))

    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
