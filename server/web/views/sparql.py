"""The SPARQL 1.1 Protocol endpoint: GET/POST /sparql, and its service description when no query is given."""
from __future__ import annotations

from flask import Blueprint, Response, request

from server.sparql import negotiation
from server.errors import BadRequest
from server.sparql.protocol import GRAPH_STORE_PARAMETERS, asks_fresh, parse_request
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
    fmt = request.args.get("format")
    if fmt:
        return fmt.strip().lower() == "html"
    if "text/html" not in accept:
        return False
    return negotiation.negotiate(accept, ("text/html",) + SD_TYPES) == "text/html"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    runtime = current()
    protocol_request = parse_request(request, runtime.settings)
    if protocol_request.query is None:
        if any(name in protocol_request.parameters for name in GRAPH_STORE_PARAMETERS):
            from server.web.views.store import read_graph

            return read_graph()  # a Graph Store client pointed at the query URL (as Fuseki allows) gets the graph
        problem = protocol_request.without_query_problem()
        if problem is not None:
            raise BadRequest(problem, details={"parameters": list(dict.fromkeys(protocol_request.parameters))})
        if wants_html():
            from server.web.views.ui import query_page

            return query_page()
        return describe_service(protocol_request.fmt)
    answer = runtime.sparql.run(protocol_request, request.headers.get("Accept"),
                                fresh=asks_fresh(request.headers.get("Cache-Control"), request.headers.get("Pragma")))
    return Response(answer.result.body, headers=answer_headers(answer, runtime.settings.max_result_rows))


def describe_service(fmt: tuple[str, ...] | None) -> Response:
    runtime = current()
    media_type = negotiation.negotiate(request.headers.get("Accept"), SD_TYPES, fmt=fmt, graph=True)
    graph = service_description(runtime.settings, runtime.snapshot, request.base_url)
    body = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    response = Response(body, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response
