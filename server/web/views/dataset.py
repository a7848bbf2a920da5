"""The dataset as a whole: DCAT at /dataset, VoID at /.well-known/void, dumps, the JSON-LD context, the
SHACL validation report. Dumps are conditional (ETag = sha256 of the body, Last-Modified = snapshot time)
and gzip-encoded on request, so mirrors can poll cheaply.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request

from server.web import catalog, documentation, pages
from server.errors import NotFound
from server.engine.export import jsonld_context
from server.engine.results import content_type
from server.web.runtime import current
from server.web.site.facts import graph_names
from server.web.views.resources import html

bp = Blueprint("dataset", __name__)


@bp.get("/dataset")
@bp.get("/dataset.<suffix>")
def dataset(suffix: str | None = None) -> Response:
    """DCAT (with VoID): an HTML page for browsers, RDF for machines (Turtle when they do not say)."""
    if suffix is not None and suffix not in pages.SUFFIXES:
        raise NotFound(f"/dataset.{suffix[:20]}: no such format; use .ttl, .jsonld, .rdf, .nt or .html")
    media_type = pages.negotiate_page(suffix)
    triples = catalog.catalog_triples()
    if media_type != "text/html":
        return pages.rdf_response(triples, media_type, "dataset")
    context = dataset_summary()
    context["jsonld"] = pages.jsonld_script(pages.to_jsonld(triples))
    context["formats"] = [(pages.SUFFIX_OF[m], m) for m in pages.RDF_TYPES]
    return pages.finish(html("dataset.html", **context), "dataset", media_type)


def dataset_summary() -> dict[str, Any]:
    """What dataset.html shows, from the same sources as the RDF (manifest, dumps, graph/meta, links)."""
    snapshot = current().snapshot
    base = pages.base_iri()
    dumps = []
    for name in [f"dataset.{ext}" for ext in catalog.DUMPS] + ["dataset.nq.gz"]:
        found = catalog.dump_file(name)
        assert found is not None
        dumps.append({"name": name, "href": f"{request.script_root}/dumps/{name}", "media_type": found.media_type, "bytes": len(found.body), "sha256": found.sha256})
    names = graph_names()
    graphs = [{"name": names[iri], "kind": info.get("kind"), "triples": info.get("triples"), "sources": info.get("sources", [])}
              for iri, info in sorted(snapshot.graphs.items()) if iri in names]
    return {
        "manifest": snapshot.manifest, "dumps": dumps, "graphs": graphs,
        "linksets": catalog.linkset_counts(base), "targets": catalog.TARGETS, "china": catalog.china_wikidata(base),
        "sparql_href": f"{request.script_root}/sparql",
    }


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description (the same graph as /dataset): Turtle by default, JSON-LD, RDF/XML, N-Triples; HTML
    (the dataset page) for browsers."""
    media_type = pages.negotiate_page(None)
    if media_type == "text/html":
        return dataset()  # a browser following the VoID link gets the dataset page, not a download
    response = Response(pages.serialize(catalog.catalog_triples(), media_type), content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{request.script_root}/dataset>; rel="describedby"'
    return response


@bp.get("/context.jsonld")
def context() -> Response:
    body = json.dumps(jsonld_context(pages.base_iri()), ensure_ascii=False, indent=1)
    return conditional(body.encode(), "application/ld+json", None)


@bp.get("/dumps/<path:name>")
def dumps(name: str) -> Response:
    """``/dumps/dataset.{ttl,nt,nq,trig,jsonld,rdf}`` and ``.gz`` of each; any other name is 404 (no file access)."""
    found = catalog.dump_file(name)
    if found is None:
        raise NotFound(f"no dump named {name[:100]!r}; the dumps are listed at /dataset", details={"available": [f"dataset.{e}" for e in catalog.DUMPS] + ["dataset.nq.gz"]})
    encoding = None
    if not name.endswith(".gz") and request.accept_encodings["gzip"] > 0:
        encoding, media_type, found = "gzip", found.media_type, catalog.gzip_of(name)
    else:
        media_type = found.media_type
    response = conditional(found.body, media_type, found.sha256, vary="Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Content-Disposition"] = f'attachment; filename="{found.name if not encoding else name}"'
    return response


def conditional(body: bytes, media_type: str, sha256: str | None, vary: str | None = None) -> Response:
    """200 with ETag and Last-Modified, 304 when If-None-Match (first) or If-Modified-Since says the client has
    it, 206 for a satisfiable Range (416 for one that is not): Werkzeug's conditional responses, RFC 9110 §13."""
    import hashlib

    etag = sha256 or hashlib.sha256(body).hexdigest()
    modified = datetime.fromisoformat(current().snapshot.manifest["created"])
    response = Response(body, content_type=content_type(media_type))
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = "public, max-age=300"
    if vary:
        response.headers["Vary"] = vary
    return response.make_conditional(request, accept_ranges=True, complete_length=len(body))


@bp.get("/validation")
def validation() -> Response:
    """The SHACL validation report of the build (graph/validation): HTML for browsers, RDF for machines."""
    media_type = pages.negotiate_page(None)
    if media_type != "text/html":
        graph = pages.base_iri() + "graph/validation"
        triples = pages.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        response = Response(pages.serialize(triples, media_type), content_type=content_type(media_type))
    else:
        response = html("validation.html", report=documentation.validation_report())
    response.headers["Vary"] = "Accept"
    return response
