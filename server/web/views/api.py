"""The REST API over the competency queries: ``GET /api/v1/<name>``, its query text, OpenAPI and the docs pages
(``/api``: the reference, rendered on the server in the page language, site.apidocs; ``/api/explorer``: Swagger UI).

Answers carry the same headers as ``/sparql`` (X-Query-Time-Ms, X-Result-Rows, X-Cache, X-Result-Truncated,
Vary: Accept) and ``Link`` headers naming the query that made them (its text, the same query in the query UI, the
API description) and the neighbouring pages.
"""
from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from server.web.site import apidocs
from server.web.site.i18n import page_lang
from flask import Blueprint, Response, current_app, render_template, request, url_for

from server.errors import NotFound
from server.web.api import openapi
from server.web.api.execute import Call, Result, check, execute
from server.web.api.operations import Operation, OperationCatalog
from server.web.runtime import current

bp = Blueprint("api", __name__)
VERSION_PREFIX = "/api/v1"


def catalog() -> dict[str, Operation]:
    """This app's operations (re-read when the query files change)."""
    found = current_app.extensions.get("ugkg.api")
    if found is None:
        found = current_app.extensions.setdefault("ugkg.api", OperationCatalog())
    return found.operations(current().settings)


def operation(name: str) -> Operation:
    ops = catalog()
    if name not in ops:
        raise NotFound(f"no API operation {name!r}; the operations are listed at {VERSION_PREFIX}/openapi.json",
                       details={"operations": sorted(ops)})
    return ops[name]


def _spec_url() -> str:
    """The OpenAPI document in the page's language."""
    return url_for("api.spec", lang=page_lang())


@bp.get("/api", strict_slashes=False)
def docs() -> Response:
    """The API reference, server-rendered in the page language (works without JavaScript)."""
    body = render_template("api.html", spec_url=_spec_url(), **apidocs.model(list(catalog().values()), page_lang()))
    return Response(body, content_type="text/html; charset=utf-8")


@bp.get("/api/explorer")
def explorer() -> Response:
    """Swagger UI (vendored) over the OpenAPI document in the page language: an optional extra whose own
    controls stay English (the library has no translations)."""
    body = render_template("api_explorer.html", spec_url=_spec_url())
    return Response(body, content_type="text/html; charset=utf-8")


@bp.get(f"{VERSION_PREFIX}/openapi.json")
def spec() -> Response:
    """The OpenAPI document, its texts in the language the pages would use (``?lang=``, cookie, Accept-Language)."""
    doc = openapi.document(list(catalog().values()), server_url=request.script_root or "/", lang=page_lang())
    response = Response(json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/json")
    response.headers["Link"] = f'<{url_for("api.docs")}>; rel="service-doc"; type="text/html"'
    response.headers["Content-Language"] = "zh-Hans" if page_lang() == "zh" else "en"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get(f"{VERSION_PREFIX}/<name>.rq")
def query_text(name: str) -> Response:
    """The operation's query file; with parameters, the query with them bound (what the operation runs, unpaged)."""
    op = operation(name)
    call = check(op, request.args.to_dict(flat=False), None, binding_only=True)
    response = Response(call.bound_query, content_type="application/sparql-query; charset=utf-8")
    response.headers["Link"] = ", ".join(_query_links(call))
    return response


@bp.get(f"{VERSION_PREFIX}/<name>")
def call_operation(name: str) -> Response:
    op = operation(name)
    call = check(op, request.args.to_dict(flat=False), request.headers.get("Accept"))
    result = execute(call)
    response = Response(result.body, content_type=result.content_type)
    _headers(response, result)
    return response


def _headers(response: Response, result: Result) -> None:
    answer, settings = result.answer, current().settings
    response.headers["Vary"] = "Accept"
    response.headers["X-Query-Time-Ms"] = f"{answer.seconds * 1000:.2f}"
    response.headers["X-Result-Rows"] = str(result.rows)
    response.headers["X-Cache"] = "hit" if answer.cached else "miss"
    if answer.result.truncated:
        response.headers["X-Result-Truncated"] = f"true; max-rows={settings.max_result_rows}"
    if result.content_type.startswith("text/csv"):
        response.headers["Content-Disposition"] = f'inline; filename="{result.call.operation.name}.csv"'
    links = _query_links(result.call) + _page_links(result)
    response.headers["Link"] = ", ".join(links)


def _query_links(call: Call) -> list[str]:
    """The query text (with the parameters bound), the same query in the query UI, the API description."""
    text_url = url_for("api.query_text", name=call.operation.name) + (f"?{urlencode(call.given)}" if call.given else "")
    ui_url = url_for("ui.home") + "#" + urlencode({"api": text_url}, safe="/", quote_via=quote)  # query.js opens it
    return [
        f'<{text_url}>; rel="describedby"; type="application/sparql-query"; title="the SPARQL query of {call.operation.stem}"',
        f'<{ui_url}>; rel="alternate"; type="text/html"; title="this query in the query UI"',
        f'<{url_for("api.spec")}>; rel="service-desc"; type="application/vnd.oai.openapi+json"',
    ]


def _page_links(result: Result) -> list[str]:
    """first / prev / next pages, keeping every other query-string parameter."""
    call, rows = result.call, result.rows
    size = call.limit or rows
    more = result.answer.result.truncated or (call.limit is not None and rows >= call.limit)
    links = []

    def url(offset: int) -> str:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "offset"]
        if offset:
            args.append(("offset", str(offset)))
        if call.limit is None and "limit" not in request.args and size:
            args.append(("limit", str(size)))
        return request.script_root + request.path + ("?" + urlencode(args) if args else "")

    if call.offset:
        links.append(f'<{url(0)}>; rel="first"')
        links.append(f'<{url(max(0, call.offset - (call.limit or size or call.offset)))}>; rel="prev"')
    if more and size:
        links.append(f'<{url(call.offset + size)}>; rel="next"')
    return links
