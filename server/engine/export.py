"""Dumps of a snapshot in every RDF format, for `ugkg export` and the download URLs.

Dataset formats (N-Quads, TriG) keep every named graph. Triple formats (Turtle, N-Triples, JSON-LD,
RDF/XML) hold one graph: by default the union of ontology, data and inferred triples — what the endpoint's
default graph holds — or the asserted union, or any single named graph.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from server.errors import BadRequest
from server.build.snapshot import Snapshot
from server.engine.store import ALL_UNION, ASSERTED_UNION, load_snapshot_into

FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
DATASET_FORMATS = ("nq", "trig")
PREFIXES = {
    "ugkg": "https://w3id.org/ugkg/def/",
    "ugr": "https://w3id.org/ugkg/id/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "qb": "http://purl.org/linked-data/cube#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "wd": "http://www.wikidata.org/entity/",
}


def prefixes_for(base_iri: str) -> dict[str, str]:
    """The published prefixes, with our own namespaces under the snapshot's base IRI."""
    out = dict(PREFIXES)
    out["ugkg"] = base_iri + "def/"
    out["ugr"] = base_iri + "id/"
    return out


def jsonld_context(base_iri: str) -> dict[str, object]:
    """The published JSON-LD context (served at /context.jsonld)."""
    return {"@context": prefixes_for(base_iri)}


def dump(snapshot: Snapshot, fmt: str, *, graph: str | None = None, inference: bool = True) -> bytes:
    """Serialise the snapshot; ``graph`` picks one named graph for triple formats."""
    if fmt not in FORMATS:
        raise BadRequest(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    _, rdf_format = FORMATS[fmt]
    if fmt in DATASET_FORMATS:
        if graph:
            raise BadRequest("a dataset format (nq, trig) holds every graph; --graph applies to triple formats")
        if rdf_format == ox.RdfFormat.N_QUADS:
            return snapshot.dataset_path.read_bytes()
        store = _load(snapshot)
        quads = [q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value != ASSERTED_UNION]
        return ox.serialize(quads, format=rdf_format, prefixes=prefixes_for(snapshot.manifest["base_iri"]))
    store = _load(snapshot)
    if graph is not None:
        if graph not in snapshot.graphs:
            raise BadRequest(f"<{graph}> is not a graph of this snapshot")
        source: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph)
    else:
        source = ox.DefaultGraph() if inference else ox.NamedNode(ASSERTED_UNION)
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, source)]
    base = snapshot.manifest["base_iri"]
    if rdf_format == ox.RdfFormat.JSON_LD:
        return _compact_jsonld(triples, base)
    kwargs = {"prefixes": prefixes_for(base)} if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=rdf_format, **kwargs)


def engine_dump(snapshot: Snapshot) -> bytes:
    """N-Quads for another engine's bulk loader (`ugkg export --format nq --for-engines`): every named graph,
    plus the two union graphs as named graphs (``urn:ugkg:graph:all-union``, ``urn:ugkg:graph:asserted-union``),
    so the remote backend's default graph is one graph there, a set, as in the embedded engine."""
    store = _load(snapshot)
    unions = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(ALL_UNION)) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    unions += list(store.quads_for_pattern(None, None, None, ox.NamedNode(ASSERTED_UNION)))
    return snapshot.dataset_path.read_bytes() + (ox.serialize(unions, format=ox.RdfFormat.N_QUADS) or b"")


def _compact_jsonld(triples: list[ox.Triple], base_iri: str) -> bytes:
    """JSON-LD compacted with the published context (rdflib does the compaction)."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = jsonld_context(base_iri)["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    doc = json.loads(text)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def _load(snapshot: Snapshot) -> ox.Store:
    store = ox.Store()
    load_snapshot_into(store, snapshot.path, {iri: info["kind"] for iri, info in snapshot.graphs.items()})
    return store


def write_dump(snapshot: Snapshot, fmt: str, output: Path, **kwargs: object) -> int:
    data = dump(snapshot, fmt, **kwargs)  # type: ignore[arg-type]
    output.write_bytes(data)
    return len(data)
