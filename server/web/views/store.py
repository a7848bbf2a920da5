"""The SPARQL 1.1 Graph Store HTTP Protocol, read side: ``GET``/``HEAD /store?graph=IRI`` and ``/store?default``.

Graph Store clients (rdflib's ``Graph.parse``, Jena's ``RDFConnection.fetch``, ``curl``) read one whole graph
without writing a query. The graph comes from the engine through the evaluator pool like any query, so the
time limit and every backend apply, but without the row limit: a Graph Store read is the whole graph or an
error, never a silently truncated graph. The endpoint is read-only: writes are 405 with ``Allow``.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request

from server.engine.results import content_type
from server.engine.store import QueryJob
from server.errors import BadRequest, MethodNotAllowed, NotFound
from server.sparql import negotiation
from server.sparql.protocol import parse_flag
from server.web.runtime import current

bp = Blueprint("store", __name__)
STORE_TYPES = negotiation.GRAPH_TYPES
READ_METHODS = "GET, HEAD, OPTIONS"
WHOLE_GRAPH = 2**62  # no row limit: see the module docstring


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
def graph_store() -> Response:
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(
            f"{request.method} is not allowed: this Graph Store is read-only (GET and HEAD of ?graph=IRI or ?default)",
            headers={"Allow": READ_METHODS},
        )
    return read_graph()


def read_graph() -> Response:
    """One graph of the dataset in the negotiated RDF syntax; 404 for a graph the dataset does not hold."""
    runtime = current()
    graphs = request.args.getlist("graph")
    has_default = "default" in request.args
    if not (graphs or has_default or request.args.getlist("format")):
        from server.web.views.dataset import void

        return void()  # the Graph Store itself (a published IRI): the dataset description, listing the graphs
    if len(graphs) > 1 or (graphs and has_default) or not (graphs or has_default):
        raise BadRequest(
            "name exactly one graph: ?graph=IRI (a named graph of the dataset) or ?default (the default graph)",
            details={"graphs": list(runtime.snapshot.graphs)},
        )
    fmt = tuple(request.args.getlist("format")) or None
    media_type = negotiation.negotiate(request.headers.get("Accept"), STORE_TYPES, fmt=fmt, graph=True, fallback_for=negotiation.SELECT_TYPES)
    inference = parse_flag(request.args.get("inference"))
    if graphs:
        iri = graphs[0]
        if iri not in runtime.snapshot.graphs:
            raise NotFound(f"<{iri[:300]}> is not a graph of this dataset; the service description (GET /sparql) lists them",
                           details={"graphs": list(runtime.snapshot.graphs)})
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    else:
        query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    job = QueryJob(query=query, form="CONSTRUCT", media_type=media_type, max_rows=WHOLE_GRAPH, inference=inference)
    result = runtime.sparql.executor.run(job)
    response = Response(result.body, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    response.headers["X-Result-Rows"] = str(result.rows)
    response.set_etag(hashlib.sha256(result.body).hexdigest())
    return response.make_conditional(request)
