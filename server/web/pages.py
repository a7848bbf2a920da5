"""Shared machinery of the linked-data pages: safe IRIs, SPARQL through the service, RDF answers, labels.

Every page reads the graph through ``SparqlService.run`` (the killable evaluator pool, its limits and its
cache), never through a private store, so pages and the public endpoint see the same data with the same
protections. Values from a request reach a query only as IRIs that passed ``checked_iri``: they are under
the dataset's base and contain no character that could close an IRIREF (``<>"{}|^`\\`` or spaces).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyoxigraph as ox
from flask import Response, request
from markupsafe import Markup

from server.sparql import negotiation
from server.errors import NotFound
from server.engine.export import jsonld_context, prefixes_for
from server.sparql.protocol import ProtocolRequest
from server.engine.results import content_type
from server.web.runtime import current

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "https://schema.org/"
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")
TEXT_SUFFIXES = ("schema.org/name", "schema.org/text", "/def/text", "/def/firstOf")  # labels of last resort
PREFIX_BLOCK = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nPREFIX schema: <https://schema.org/>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    "PREFIX sh: <http://www.w3.org/ns/shacl#>\nPREFIX void: <http://rdfs.org/ns/void#>\n"
)
# Machines get Turtle when they do not say (no Accept, */*); browsers always list text/html explicitly.
RDF_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
PAGE_TYPES = ("text/turtle", "text/html", "application/ld+json", "application/rdf+xml", "application/n-triples")
SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml", "nt": "application/n-triples", "html": "text/html"}
SUFFIX_OF = {v: k for k, v in SUFFIXES.items()}
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@%/\-]*$")


def base_iri() -> str:
    """The base the snapshot's IRIs use (the build rebased them to the configured public base)."""
    return str(current().snapshot.manifest["base_iri"])


def checked_iri(path: str) -> str:
    """The IRI minted for a local path (``id/city/beijing``), or NotFound when it cannot be one of ours.

    The result is safe to place between ``<`` and ``>`` in a query: only RFC 3986 characters are allowed,
    and no dot segments (``..``) that would name something outside the path given.
    """
    if not _SAFE_PATH.match(path) or any(seg in (".", "..") for seg in path.split("/")):
        raise NotFound(f"/{path[:200]} is not the path of an IRI of this knowledge graph")
    iri = base_iri() + path
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise NotFound(f"/{path[:200]} is not the path of an IRI of this knowledge graph") from None
    return iri


def local_href(iri: str) -> str | None:
    """The local URL of an IRI under our base (so browsing works on 127.0.0.1), else None."""
    base = base_iri()
    if iri.startswith(base) and len(iri) > len(base):
        return request.script_root + "/" + iri[len(base):]
    return None


def curie(iri: str) -> str:
    """A short name for an IRI (``schema:Event``) when a published prefix covers it."""
    for prefix, ns in sorted(prefixes_for(base_iri()).items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


# --- SPARQL through the service -------------------------------------------------------------------------

def _run(query: str, accept: str) -> bytes:
    answer = current().sparql.run(ProtocolRequest(query=PREFIX_BLOCK + query, default_graphs=None, named_graphs=None, inference=True, fmt=None), accept)
    return answer.result.body


def _term(binding: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = binding["type"]
    if kind == "uri":
        return ox.NamedNode(binding["value"])
    if kind == "bnode":
        return ox.BlankNode(binding["value"])
    if "xml:lang" in binding:
        return ox.Literal(binding["value"], language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(binding["value"])


def select(query: str) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts of pyoxigraph terms (unbound variables are absent)."""
    doc = json.loads(_run(query, "application/sparql-results+json"))
    return [{var: _term(value) for var, value in row.items()} for row in doc["results"]["bindings"]]


def select_all(query: str, page: int | None = None) -> list[dict[str, Any]]:
    """Every row of a SELECT that must end with ORDER BY, fetched in pages under the service's row limit."""
    size = page or current().settings.max_result_rows
    rows: list[dict[str, Any]] = []
    while True:
        chunk = select(f"{query}\nLIMIT {size} OFFSET {len(rows)}")
        rows.extend(chunk)
        if len(chunk) < size or len(rows) > 200_000:
            return rows


def construct(query: str) -> list[ox.Triple]:
    """The triples of a CONSTRUCT (read as N-Triples, so blank nodes keep their labels)."""
    body = _run(query, "application/n-triples")
    return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


# --- labels -------------------------------------------------------------------------------------------------

@dataclass
class Labels:
    """English and Chinese labels of one node; ``pick`` falls back to the other language, then a short name."""

    en: str | None = None
    zh: str | None = None
    fallback: str = ""

    def add(self, literal: ox.Literal) -> None:
        lang = (literal.language or "").lower()
        if lang.startswith("zh"):
            self.zh = self.zh or literal.value
        elif lang.startswith("en") or not lang:
            self.en = self.en or literal.value

    def pick(self, lang: str) -> tuple[str, str]:
        """(text, its language) in ``lang`` if there is one, else in the other language, else the short name."""
        if lang == "zh" and self.zh:
            return self.zh, "zh"
        if self.en:
            return self.en, "en"
        if self.zh:
            return self.zh, "zh"
        return self.fallback, "en"

    @property
    def any(self) -> str:
        return self.en or self.zh or self.fallback


def labels_from(triples: Iterable[ox.Triple]) -> dict[str, Labels]:
    """rdfs:label / skos:prefLabel of every IRI in ``triples``; a node without one (a claim, a proposition) is
    named by its text (schema:name, schema:text, ugkg:text, ugkg:firstOf), shortened — never by a raw IRI."""
    out: dict[str, Labels] = {}
    texts: dict[str, Labels] = {}
    for t in triples:
        if not isinstance(t.object, ox.Literal):
            continue
        if t.predicate.value in LABEL_PREDICATES:
            out.setdefault(t.subject.value, Labels(fallback=curie(t.subject.value))).add(t.object)
        elif t.predicate.value.endswith(TEXT_SUFFIXES):
            short = t.object.value if len(t.object.value) <= 90 else t.object.value[:88].rstrip() + "…"
            texts.setdefault(t.subject.value, Labels(fallback=curie(t.subject.value))).add(ox.Literal(short, language=t.object.language or "en"))
    for key, labels in texts.items():
        out.setdefault(key, labels)
    return out


@dataclass
class Link:
    """A node as a page shows it: a local link, an external link, or a blank node."""

    iri: str
    labels: Labels
    href: str | None
    external: bool = False
    types: list[str] = field(default_factory=list)


def link_for(node: ox.NamedNode | ox.BlankNode, labels: dict[str, Labels]) -> Link:
    if isinstance(node, ox.BlankNode):
        return Link("_:" + node.value, Labels(fallback="[blank node]"), None)
    href = local_href(node.value)
    from server.web.site.terms import standard_labels

    found = labels.get(node.value) or Labels(fallback=curie(node.value))
    if not (found.en or found.zh):
        found = standard_labels(node.value) or found
    return Link(node.value, found, href or node.value, external=href is None)


# --- RDF answers --------------------------------------------------------------------------------------------

def negotiate_page(suffix: str | None, offered: tuple[str, ...] = PAGE_TYPES) -> str:
    """The media type from a URL suffix, else ``?format=``, else Accept with q-values (406 when none fits)."""
    if suffix:
        return SUFFIXES[suffix]
    return negotiation.negotiate(request.headers.get("Accept"), offered, fmt=request.args.get("format"), graph=True)


def to_jsonld(triples: list[ox.Triple]) -> Any:
    """JSON-LD compacted with the published context (the same context as /context.jsonld)."""
    import rdflib

    graph = rdflib.Graph()
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = jsonld_context(base_iri())["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    if "@context" not in doc:
        doc = {"@context": context, **doc}
    return doc


def jsonld_script(doc: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped so no markup breaks out."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def serialize(triples: list[ox.Triple], media_type: str) -> bytes:
    if media_type == "application/ld+json":
        return json.dumps(to_jsonld(triples), ensure_ascii=False, indent=1).encode()
    fmt = RDF_FORMATS[media_type]
    kwargs = {"prefixes": prefixes_for(base_iri())} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt, **kwargs) or b""


def alternates(path: str, offered: tuple[str, ...] = PAGE_TYPES) -> str:
    """``Link`` header value naming every representation's own URL (``/id/x.ttl`` …)."""
    root = request.script_root
    return ", ".join(f'<{root}/{path}.{SUFFIX_OF[m]}>; rel="alternate"; type="{m}"' for m in offered if m in SUFFIX_OF)


def finish(response: Response, path: str, media_type: str, offered: tuple[str, ...] = PAGE_TYPES) -> Response:
    """The linked-data headers every representation carries (200, never 303: see views.resources)."""
    # HTML picks its primary language from Accept-Language (when no ?lang=), so it varies on that too
    response.headers["Vary"] = "Accept, Accept-Language" if media_type == "text/html" else "Accept"
    response.headers["Link"] = alternates(path, offered)
    if media_type in SUFFIX_OF:
        response.headers["Content-Location"] = f"{request.script_root}/{path}.{SUFFIX_OF[media_type]}"
    return response


def rdf_response(triples: list[ox.Triple], media_type: str, path: str, offered: tuple[str, ...] = PAGE_TYPES) -> Response:
    body = serialize(triples, media_type)
    return finish(Response(body, content_type=content_type(media_type)), path, media_type, offered)


def split_suffix(path: str) -> tuple[str, str | None]:
    """``id/city/beijing.ttl`` → (``id/city/beijing``, ``ttl``); slugs never contain a dot before a suffix we serve."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in SUFFIXES and "/" not in ext and stem:
        return stem, ext
    return path, None


def chosen_lang() -> str:
    """The primary language of a page: ``?lang=``, the toggle's cookie, then Accept-Language (site.i18n)."""
    from server.web.site.i18n import page_lang

    return page_lang()


# --- the concise bounded description of one resource ---------------------------------------------------------

INCOMING_LIMIT = 500


def description_query(iri: str) -> str:
    """One CONSTRUCT for a resource: outgoing triples (also from graph/meta and graph/validation, which
    describe the graphs, and graph/shapes, whose shape IRIs are published too), incoming links (bounded), and the labels and types of every neighbour and predicate.

    Each UNION branch yields exactly one triple per solution, so no cartesian product inflates the answer
    past the service's row limit. ``iri`` must come from ``checked_iri``.
    """
    g = base_iri() + "graph/"
    s = f"<{iri}>"
    NEIGHBOUR = f"rdfs:label skos:prefLabel rdf:type schema:name schema:text schema:position <{base_iri()}def/text> <{base_iri()}def/firstOf> <{base_iri()}def/ordinal>"
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ {s} ?p ?o BIND({s} AS ?s) }}
  UNION {{ GRAPH ?g {{ {s} ?p ?o }} VALUES ?g {{ <{g}meta> <{g}validation> <{g}shapes> }} BIND({s} AS ?s) }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ {s} ?x ?s FILTER(isIRI(?s)) }} }} ?s ?p ?o VALUES ?p {{ {NEIGHBOUR} }} }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ {s} ?s ?x }} }} ?s ?p ?o VALUES ?p {{ rdfs:label }} }}
  UNION {{ {{ SELECT ?s ?p WHERE {{ ?s ?p {s} }} LIMIT {INCOMING_LIMIT} }} BIND({s} AS ?o) }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?x {s} FILTER(isIRI(?s)) }} LIMIT {INCOMING_LIMIT} }} ?s ?p ?o VALUES ?p {{ {NEIGHBOUR} }} }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?y ?s {s} }} }} ?s ?p ?o VALUES ?p {{ rdfs:label }} }}
}}"""


def describe(iri: str) -> list[ox.Triple]:
    """The description of ``iri``, de-duplicated and in a stable order; NotFound when the graph never names it."""
    seen: dict[str, ox.Triple] = {}
    for triple in construct(description_query(iri)):
        seen.setdefault(str(triple), triple)
    triples = [seen[k] for k in sorted(seen)]
    if not any(t.subject.value == iri or t.object == ox.NamedNode(iri) for t in triples):
        raise NotFound(f"<{iri}> is not described in this knowledge graph; try the search (/search) or the home page (/)", details={"iri": iri})
    return triples


def provenance(iri: str) -> dict[tuple[str, str], list[str]]:
    """For each outgoing (predicate, object) of ``iri``: the named graphs that state it — the graph IS the source."""
    rows = select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} ORDER BY ?g LIMIT 5000")
    out: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        out.setdefault((row["p"].value, str(row["o"])), []).append(row["g"].value)
    return out


def labels_for(iris: Iterable[str]) -> dict[str, Labels]:
    """rdfs:label / skos:prefLabel of the given IRIs, in one query (IRIs from the graph itself)."""
    wanted = sorted({i for i in iris if i})
    out: dict[str, Labels] = {i: Labels(fallback=curie(i)) for i in wanted}
    for start in range(0, len(wanted), 200):
        values = " ".join(f"<{i}>" for i in wanted[start:start + 200])
        for row in select(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label|skos:prefLabel ?l }} ORDER BY ?s ?l"):
            out[row["s"].value].add(row["l"])
    return out


# --- quotes: the words of the source article behind each fact (data/quotes-*.ttl) -------------------------------

OA = "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass
class QuotedFact:
    """One fact of a resource with the exact words of an article that state it (W3C Web Annotation)."""

    predicate: Link
    value: Link | None
    literal: ox.Literal | None
    exact: str
    lang: str
    article: Link
    page: str | None


def quotes(iri: str) -> list[QuotedFact]:
    """The quotes supporting the outgoing facts of ``iri``: reified statements (rdf:subject ``iri``) that an
    oa:Annotation has as body, with the oa:exact of its target and the article and page it comes from."""
    base = base_iri()
    rows = select(f"""SELECT ?p ?o ?exact ?article ?page WHERE {{
  ?statement <{RDF}subject> <{iri}> ; <{RDF}predicate> ?p ; <{RDF}object> ?o .
  ?annotation <{OA}hasBody> ?statement ; <{OA}hasTarget> ?target .
  ?target <{OA}hasSource> ?article ; <{OA}hasSelector> ?selector .
  ?selector <{OA}exact> ?exact .
  OPTIONAL {{ ?article <{base}def/page> ?page }}
}} ORDER BY ?p ?o ?article ?exact LIMIT 2000""")
    labels = labels_for([r["p"].value for r in rows] + [r["article"].value for r in rows]
                        + [r["o"].value for r in rows if isinstance(r["o"], ox.NamedNode)])
    out = []
    for r in rows:
        obj = r["o"]
        out.append(QuotedFact(
            predicate=link_for(r["p"], labels),
            value=link_for(obj, labels) if isinstance(obj, (ox.NamedNode, ox.BlankNode)) else None,
            literal=obj if isinstance(obj, ox.Literal) else None,
            exact=r["exact"].value,
            lang=r["exact"].language or "",
            article=link_for(r["article"], labels),
            page=r["page"].value if "page" in r else None,
        ))
    return out
