"""The SPARQL 1.1 Protocol endpoint: GET/POST /sparql, and its service description when no query is given."""
from __future__ import annotations

from flask import Blueprint, Response, request

from server.sparql import negotiation
from server.sparql.protocol import parse_request
from server.engine.results import content_type
from server.web.hot import answer_headers
from server.web.runtime import current
from server.sparql.service_description import service_description

bp = Blueprint("sparql", __name__)
SD_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml", "application/n-triples": "nt"}


def wants_html() -> bool:
    """True when a browser asks: text/html explicitly preferred over every RDF type."""
    accept = request.headers.get("Accept", "")
    if "text/html" not in accept or request.args.get("format"):
        return False
    return negotiation.negotiate(accept, ("text/html",) + SD_TYPES) == "text/html"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    runtime = current()
    protocol_request = parse_request(request, runtime.settings)
    if protocol_request.query is None:
        if wants_html():
            from server.web.views.ui import query_page

            return query_page()
        return describe_service(protocol_request.fmt)
    answer = runtime.sparql.run(protocol_request, request.headers.get("Accept"))
    return Response(answer.result.body, headers=answer_headers(answer, runtime.settings.max_result_rows))


def describe_service(fmt: str | None) -> Response:
    runtime = current()
    media_type = negotiation.negotiate(request.headers.get("Accept"), SD_TYPES, fmt=fmt, graph=True)
    graph = service_description(runtime.settings, runtime.snapshot, request.base_url)
    body = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    response = Response(body, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response
