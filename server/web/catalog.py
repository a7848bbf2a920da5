"""What describes the dataset: downloadable dumps, the DCAT + VoID description, the ontology documentation
and the SHACL validation report — all derived from the snapshot, so they can never disagree with it.

Dumps: serialisations of one snapshot are not byte-stable across processes (blank-node labels and the
store's order), yet every gunicorn worker must serve the same bytes that the DCAT description announces
(byte size, sha256). So the first worker to produce a dump writes it under ``<snapshot>/dumps/`` with a
first-writer-wins hard link, and every worker serves that file's bytes, cached in memory per snapshot.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from flask import current_app
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from server.web import pages
from server.engine.export import dump
from server.web.runtime import current
from server.build.history import dcat_graph
from server.build.release import list_releases, releases_root

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"
# URL suffix → (export format, media type, title)
DUMPS: dict[str, tuple[str, str, str]] = {
    "ttl": ("ttl", "text/turtle", "Turtle"),
    "nt": ("nt", "application/n-triples", "N-Triples"),
    "nq": ("nq", "application/n-quads", "N-Quads"),
    "trig": ("trig", "application/trig", "TriG"),
    "jsonld": ("jsonld", "application/ld+json", "JSON-LD"),
    "rdf": ("xml", "application/rdf+xml", "RDF/XML"),
}
TARGETS = {  # void:Linkset per external target: IRI prefixes of its identifiers
    "wikidata": ("https://www.wikidata.org/", ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/", "https://www.wikidata.org/wiki/")),
    "geonames": ("https://www.geonames.org/", ("https://sws.geonames.org/", "http://sws.geonames.org/", "https://www.geonames.org/")),
}
_lock = threading.RLock()  # re-entrant: a .gz variant reads its plain dump under the same lock


# --- dumps ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DumpFile:
    name: str
    body: bytes
    media_type: str
    sha256: str


def _cache() -> dict[str, DumpFile]:
    build_id = current().snapshot.build_id
    found = current_app.extensions.get("ugkg.dumps")
    if not found or found[0] != build_id:
        found = (build_id, {})
        current_app.extensions["ugkg.dumps"] = found
    return found[1]


def _shared_bytes(name: str, produce: Any) -> bytes:
    """The bytes of ``<snapshot>/dumps/<name>``, produced once for every process (first writer wins)."""
    folder = current().snapshot.path / "dumps"
    final = folder / name
    if final.exists():
        return final.read_bytes()
    data: bytes = produce()
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, final)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return final.read_bytes()
    except OSError:
        return data  # read-only snapshot: this process's bytes (stable within the process)


def dump_file(name: str) -> DumpFile | None:
    """``dataset.ttl`` … ``dataset.nq.gz``: the dump of that name, or None for any other name."""
    stem, _, ext = name.partition(".")
    gz = ext.endswith(".gz")
    ext = ext[:-3] if gz else ext
    if stem != "dataset" or ext not in DUMPS:
        return None
    cache = _cache()
    if name not in cache:
        with _lock:
            if name not in cache:
                fmt, media_type, _ = DUMPS[ext]
                snapshot = current().snapshot
                if gz:
                    body = gzip.compress(dump_file(f"dataset.{ext}").body, compresslevel=9, mtime=0)  # type: ignore[union-attr]
                    media_type = "application/gzip"
                else:
                    body = _shared_bytes(name, lambda: dump(snapshot, fmt))
                cache[name] = DumpFile(name, body, media_type, hashlib.sha256(body).hexdigest())
    return cache[name]


def gzip_of(name: str) -> DumpFile:
    """The gzip-compressed variant of a dump (for Accept-Encoding: gzip)."""
    found = dump_file(name + ".gz")
    assert found is not None
    return found


# --- DCAT + VoID ------------------------------------------------------------------------------------------

def _lit(text: str, lang: str) -> Literal:
    return Literal(text, lang=lang)


def catalog_graph() -> rdflib.Graph:
    """DCAT catalogue, dataset, distributions and SPARQL service, with VoID statistics and linksets."""
    runtime = current()
    manifest = runtime.snapshot.manifest
    base = pages.base_iri()
    g = rdflib.Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("spdx", SPDX), ("foaf", FOAF), ("prov", "http://www.w3.org/ns/prov#")):
        g.bind(prefix, ns)
    dataset, catalog, service, publisher = (URIRef(base + x) for x in ("dataset", "dataset#catalog", "dataset#sparql-service", "dataset#publisher"))
    created = Literal(manifest["created"], datatype=XSD.dateTime)
    title_en, title_zh = "Urban Governance Knowledge Graph", "城市治理知识图谱"

    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("Urban Governance Knowledge Graph project")))
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, _lit(title_en + " catalogue", "en")))
    g.add((catalog, DCTERMS.title, _lit(title_zh + "目录", "zh")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC_BY))
    g.add((catalog, FOAF.homepage, URIRef(base)))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))

    for kind in (DCAT.Dataset, VOID.Dataset):
        g.add((dataset, RDF.type, kind))
    g.add((dataset, DCTERMS.title, _lit(title_en, "en")))
    g.add((dataset, DCTERMS.title, _lit(title_zh, "zh")))
    g.add((dataset, DCTERMS.description, _lit(
        "The Beijing Declaration on the Modernization of Urban Governance (2022-12-19), the forum at which 13 Chinese cities "
        "issued it, its ten-point initiative and the China Urban Good Governance Index indicator system, as validated, "
        "reasoned linked data; every fact keeps the named graph (source article or curation file) it comes from.", "en")))
    g.add((dataset, DCTERMS.description, _lit("《城市治理现代化北京宣言》、发布宣言的论坛、十点倡议和中国城市善治指数指标体系的关联数据，每条事实都保留其来源命名图。", "zh")))
    for en, zh in (("urban governance", "城市治理"), ("Beijing Declaration", "北京宣言"), ("good governance index", "善治指数"), ("knowledge graph", "知识图谱"), ("linked data", "关联数据")):
        g.add((dataset, DCAT.keyword, _lit(en, "en")))
        g.add((dataset, DCAT.keyword, _lit(zh, "zh")))
    g.add((dataset, DCTERMS.license, CC_BY))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.issued, created))
    g.add((dataset, DCTERMS.modified, created))
    g.add((dataset, DCAT.landingPage, URIRef(base)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(base + "def")))
    for code in ("en", "zh"):
        g.add((dataset, DCTERMS.language, URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{code}")))
    period = BNode()
    g.add((dataset, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal("2022-12-18", datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal("2022-12-20", datatype=XSD.date)))
    _spatial(g, dataset, base)
    for row in pages.select(f"SELECT DISTINCT ?a WHERE {{ ?a a <{base}def/NewsArticle> }} ORDER BY ?a LIMIT 20"):
        g.add((dataset, DCTERMS.source, URIRef(row["a"].value)))

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, _lit("SPARQL 1.1 endpoint", "en")))
    g.add((service, DCAT.endpointURL, URIRef(base + "sparql")))
    g.add((service, DCAT.endpointDescription, URIRef(base + "sparql")))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.license, CC_BY))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    _graph_store(g, catalog, dataset, service, base)

    for ext, (_, media_type, label) in DUMPS.items():
        _distribution(g, dataset, base, f"dataset.{ext}", media_type, label)
    _distribution(g, dataset, base, "dataset.nq.gz", "application/n-quads", "N-Quads, gzip-compressed", compressed=True)

    counts = manifest.get("counts", {})
    g.add((dataset, VOID.triples, Literal(counts.get("asserted", 0) + counts.get("inferred", 0), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    g.add((dataset, VOID.vocabulary, URIRef(base + "def/")))
    for vocab in ("https://schema.org/", str(SKOS), "http://www.w3.org/ns/org#", str(DCTERMS), "http://www.w3.org/ns/prov#", "http://purl.org/linked-data/cube#"):
        g.add((dataset, VOID.vocabulary, URIRef(vocab)))
    for name in ("Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"):
        g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/" + name)))
    for row in pages.select(f"SELECT ?x WHERE {{ VALUES ?c {{ <{base}def/Forum> <{base}def/Declaration> <{base}def/City> }} ?x a ?c }} ORDER BY ?x LIMIT 3"):
        g.add((dataset, VOID.exampleResource, URIRef(row["x"].value)))
    _graph_subsets(g, dataset, base)
    _linksets(g, dataset, base)
    g += dcat_graph(list_releases(releases_root(runtime.settings)), base)  # the version chain (server/build/history.py)
    return g


GRAPH_STORE_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")


def _graph_store(g: rdflib.Graph, catalog: URIRef, dataset: URIRef, service: URIRef, base: str) -> None:
    """The read-only Graph Store (/store?graph=IRI, /store?default), and the term naming truncated results."""
    store = URIRef(base + "store")
    g.add((catalog, DCAT.service, store))
    g.add((store, RDF.type, DCAT.DataService))
    g.add((store, DCTERMS.title, _lit("SPARQL 1.1 Graph Store HTTP Protocol, read-only (GET ?graph=IRI or ?default)", "en")))
    g.add((store, DCAT.endpointURL, store))
    g.add((store, DCAT.servesDataset, dataset))
    g.add((store, DCTERMS.conformsTo, GRAPH_STORE_PROTOCOL))
    g.add((store, DCTERMS.license, CC_BY))
    truncated = URIRef(base + "def/truncatedResult")
    g.add((service, RDFS.seeAlso, truncated))
    g.add((truncated, RDFS.label, _lit("Truncated result", "en")))
    g.add((truncated, RDFS.label, _lit("结果已截断", "zh")))
    g.add((truncated, RDFS.comment, _lit(
        "The link in the head of a SPARQL result cut at the row limit (setting max_result_rows); the response also "
        "carries the header X-Result-Truncated. Add LIMIT/OFFSET to page through the rest.", "en")))
    g.add((truncated, RDFS.isDefinedBy, URIRef(base + "def")))


def china_wikidata(base: str) -> list[str]:
    """China's Wikidata IRI, only when data/links.ttl states one for a resource labelled China (never invented)."""
    rows = pages.select(f"""SELECT DISTINCT ?ext WHERE {{ GRAPH <{base}graph/data/links> {{ ?x owl:sameAs|skos:exactMatch|<https://schema.org/sameAs> ?ext }}
        ?x rdfs:label|skos:prefLabel ?l FILTER(LCASE(STR(?l)) IN ("china", "中国", "people's republic of china", "中华人民共和国"))
        FILTER(STRSTARTS(STR(?ext), "http://www.wikidata.org/entity/")) }} ORDER BY ?ext LIMIT 1""")
    return [row["ext"].value for row in rows]


def _spatial(g: rdflib.Graph, dataset: URIRef, base: str) -> None:
    place = BNode()
    g.add((dataset, DCTERMS.spatial, place))
    g.add((place, RDF.type, DCTERMS.Location))
    g.add((place, RDFS.label, _lit("China", "en")))
    g.add((place, RDFS.label, _lit("中国", "zh")))
    for iri in china_wikidata(base):
        g.add((place, OWL.sameAs, URIRef(iri)))
        g.add((dataset, DCTERMS.spatial, URIRef(iri)))


def _distribution(g: rdflib.Graph, dataset: URIRef, base: str, name: str, media_type: str, label: str, compressed: bool = False) -> None:
    found = dump_file(name)
    assert found is not None
    node = URIRef(f"{base}dataset#dump-{name.replace('.', '-')}")
    url = URIRef(f"{base}dumps/{name}")
    checksum = BNode()
    g.add((dataset, DCAT.distribution, node))
    g.add((dataset, VOID.dataDump, url))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, _lit(f"Dump of the whole dataset ({label})", "en")))
    g.add((node, DCAT.mediaType, URIRef(IANA + media_type)))
    g.add((node, DCAT.byteSize, Literal(len(found.body), datatype=XSD.nonNegativeInteger)))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCTERMS.license, CC_BY))
    g.add((node, DCTERMS.issued, Literal(current().snapshot.manifest["created"], datatype=XSD.dateTime)))
    if compressed:
        g.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(found.sha256, datatype=XSD.hexBinary)))


def _graph_subsets(g: rdflib.Graph, dataset: URIRef, base: str) -> None:
    """Each named graph as a void:subset, with the manifest's counts and everything graph/meta says of it."""
    graphs = current().snapshot.graphs
    for iri, info in graphs.items():
        node = URIRef(iri)
        g.add((dataset, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, VOID.triples, Literal(info.get("triples", 0), datatype=XSD.integer)))
    meta = pages.construct(f"CONSTRUCT {{ ?g ?p ?o }} WHERE {{ GRAPH <{base}graph/meta> {{ ?g ?p ?o }} FILTER(?p != void:triples) }}")
    if meta:
        g.parse(data=ox.serialize(meta, format=ox.RdfFormat.N_TRIPLES), format="nt")


def linkset_counts(base: str) -> dict[str, dict[str, int]]:
    """Per external target, the number of owl:sameAs / skos:exactMatch / ugkg:seatFeature (GeoNames points) links from
    our resources, by predicate."""
    out: dict[str, dict[str, int]] = {}
    for name, (_, prefixes) in TARGETS.items():
        test = " || ".join(f'STRSTARTS(STR(?o), "{p}")' for p in prefixes)
        rows = pages.select(f"""SELECT ?p (COUNT(DISTINCT CONCAT(STR(?s), " ", STR(?o))) AS ?n) WHERE {{
            VALUES ?p {{ owl:sameAs skos:exactMatch <https://schema.org/sameAs> <{base}def/seatFeature> }} ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}") && ({test})) }} GROUP BY ?p ORDER BY ?p""")
        counts = {r["p"].value: int(r["n"].value) for r in rows if "n" in r and int(r["n"].value) > 0}
        if counts:
            out[name] = counts
    return out


def _linksets(g: rdflib.Graph, dataset: URIRef, base: str) -> None:
    """One void:Linkset per external target."""
    for name, counts in linkset_counts(base).items():
        home = TARGETS[name][0]
        node = URIRef(f"{base}dataset#links-{name}")
        g.add((dataset, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, dataset))
        g.add((node, VOID.objectsTarget, URIRef(home)))
        g.add((URIRef(home), RDF.type, VOID.Dataset))
        g.add((URIRef(home), FOAF.homepage, URIRef(home)))
        g.add((node, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
        for predicate in counts:
            g.add((node, VOID.linkPredicate, URIRef(predicate)))


# URLs a client fetches (not IRIs that name things): they lead to the server that answered (setting link_base)
LOCATION_PREDICATES = frozenset(str(p) for p in (DCAT.downloadURL, DCAT.accessURL, DCAT.endpointURL, VOID.sparqlEndpoint, VOID.dataDump))


def catalog_triples() -> list[Any]:
    """The catalogue as pyoxigraph triples (cached per snapshot and serving base), to answer through pages.serialize."""
    from server.web.site.links import display_iri, serving_base

    key = (current().snapshot.build_id, serving_base())
    found = current_app.extensions.get("ugkg.catalog")
    if not found or found[0] != key:
        data = catalog_graph().serialize(format="nt", encoding="utf-8")
        triples = [ox.Triple(t.subject, t.predicate, ox.NamedNode(display_iri(t.object.value)))
                   if t.predicate.value in LOCATION_PREDICATES and isinstance(t.object, ox.NamedNode) else t
                   for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        found = (key, triples)
        current_app.extensions["ugkg.catalog"] = found
    return found[1]
