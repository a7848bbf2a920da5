"""A resource page that reads like a reference work: the facts of one resource, as people look them up.

From the concise description (``pages.describe``) it builds rows of property → values, where
- property names are words in the page's language (the CURIE stays, small, for those who want it);
- a fact's quotes (the reified statements of data/quotes-*.ttl) show beside the fact they support ("stated in …"),
  never as rows of blank nodes;
- an inferred standard-vocabulary copy of an asserted fact (ugkg:topic → dcterms:subject, ugkg:ordinal →
  schema:position …) folds into the asserted fact's row as a tag; facts that are only inferred stay, marked;
- ordered values (initiatives 1–10) come in order (ugkg:ordinal, schema:position), the rest by label;
- "referenced by" is grouped by property and paged, without the statements behind the quotes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import current_app, request

from server.web import pages
from server.web.pages import OWL, RDF_TYPE, SCHEMA, SKOS, Labels, Link, QuotedFact, link_for
from server.web.runtime import current

EXTERNAL_PREDICATES = {OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch", "https://schema.org/sameAs"}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
STATEMENT_PREDICATES = {RDF + "subject", RDF + "object", RDF + "predicate"}
REFS_PAGE = 20
KNOWN_GRAPHS = {
    "ontology": ("The UGKG ontology", "本体"),
    "inferred": ("OWL RL inference", "OWL RL 推理"),
    "shapes": ("SHACL shapes", "SHACL 形状"),
    "validation": ("SHACL validation report", "SHACL 验证报告"),
    "meta": ("Statistics and provenance of the graphs", "各图的统计与来源"),
}


@dataclass
class GraphName:
    iri: str
    short: str
    labels: Labels
    href: str | None
    inferred: bool
    kind: str = ""


def graph_names() -> dict[str, GraphName]:
    """Every named graph with a short name and its label (from the graph's own header), once per snapshot."""
    runtime = current()
    key = ("ugkg.graph-names", runtime.snapshot.build_id)
    cached = current_app.extensions.get(key[0])
    if cached and cached[0] == key[1]:
        return cached[1]
    graphs = runtime.snapshot.graphs
    found = pages.labels_for(graphs)
    values = " ".join(f"<{g}>" for g in graphs)
    for row in pages.select(f"SELECT ?g ?l WHERE {{ VALUES ?g {{ {values} }} GRAPH ?src {{ ?g rdfs:label ?l }} }} ORDER BY ?g ?l"):
        found[row["g"].value].add(row["l"])
    prefix = pages.base_iri() + "graph/"
    out: dict[str, GraphName] = {}
    for iri in sorted(graphs):
        short = iri[len(prefix):] if iri.startswith(prefix) else iri
        labels = found.get(iri, Labels())
        if short in KNOWN_GRAPHS and not (labels.en or labels.zh):
            labels = Labels(*KNOWN_GRAPHS[short])
        labels.fallback = short
        out[iri] = GraphName(iri, short, labels, pages.local_href(iri), graphs[iri].get("kind") == "inferred", str(graphs[iri].get("kind", "")))
    current_app.extensions[key[0]] = (key[1], out)
    return out


def super_properties() -> dict[str, set[str]]:
    """For each property, the properties it entails (rdfs:subPropertyOf, owl:equivalentProperty, transitively)."""
    runtime = current()
    cached = current_app.extensions.get("ugkg.super-properties")
    if cached and cached[0] == runtime.snapshot.build_id:
        return cached[1]
    # one step asked of the engine, the closure taken here: a path `+` with both ends unbound is refused by
    # Virtuoso 7.2 ("transitive start not given"), and the remote backend must serve the same pages
    step: dict[str, set[str]] = {}
    for row in pages.select("SELECT DISTINCT ?p ?q WHERE { ?p rdfs:subPropertyOf|owl:equivalentProperty|^owl:equivalentProperty ?q "
                            "FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q) } ORDER BY ?p ?q LIMIT 5000"):
        step.setdefault(row["p"].value, set()).add(row["q"].value)
    out: dict[str, set[str]] = {}
    for start in step:
        seen: set[str] = set()
        todo = list(step[start])
        while todo:
            q = todo.pop()
            if q not in seen:
                seen.add(q)
                todo.extend(step.get(q, ()))
        seen.discard(start)
        out[start] = seen
    current_app.extensions["ugkg.super-properties"] = (runtime.snapshot.build_id, out)
    return out


@dataclass
class Value:
    link: Link | None
    literal: ox.Literal | None
    graphs: list[GraphName] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # CURIEs of inferred standard-vocabulary copies folded in here
    quotes: list[QuotedFact] = field(default_factory=list)
    order: float | None = None

    @property
    def only_inferred(self) -> bool:
        return bool(self.graphs) and all(g.inferred for g in self.graphs)

    @property
    def datatype(self) -> str:
        if self.literal is None or self.literal.language:
            return ""
        dt = self.literal.datatype.value
        return "" if dt.endswith("#string") else pages.curie(dt)

    def sort_key(self, lang: str) -> tuple[Any, ...]:
        text = self.link.labels.pick(lang)[0] if self.link else (self.literal.value if self.literal else "")
        return (self.order is None, self.order or 0.0, text.lower())


@dataclass
class Row:
    predicate: Link
    values: list[Value]
    total: int = 0  # referenced by: how many in all (values holds one page)
    page: int = 1
    pages: int = 1
    key: str = ""
    quotes: list[QuotedFact] = field(default_factory=list)  # quotes that support several values of the row, shown once


def _key(node: Any) -> str:
    return str(node)


def _orders(triples: list[ox.Triple]) -> dict[str, float]:
    """ugkg:ordinal / schema:position of every node in the description (initiatives 1–10, indicators)."""
    wanted = {pages.base_iri() + "def/ordinal", SCHEMA + "position"}
    out: dict[str, float] = {}
    for t in triples:
        if t.predicate.value in wanted and isinstance(t.object, ox.Literal):
            try:
                out.setdefault(t.subject.value, float(t.object.value))
            except ValueError:
                pass
    return out


def _value(node: Any, labels: dict[str, Labels], graphs: list[GraphName], orders: dict[str, float]) -> Value:
    if isinstance(node, ox.Literal):
        return Value(None, node, graphs)
    return Value(link_for(node, labels), None, graphs, order=orders.get(node.value))


def _fold(rows: dict[str, Row]) -> None:
    """Inferred copies (q, o) of an asserted (p, o) where p entails q: a tag on the asserted value, not a row."""
    supers = super_properties()
    asserted: dict[str, list[tuple[str, Value]]] = {}
    for p, row in rows.items():
        for v in row.values:
            if not v.only_inferred:
                asserted.setdefault(v.link.iri if v.link else _key(v.literal), []).append((p, v))
    for q, row in list(rows.items()):
        kept = []
        for v in row.values:
            key = v.link.iri if v.link else _key(v.literal)
            host = next((hv for p, hv in asserted.get(key, []) if q in supers.get(p, ())), None) if v.only_inferred else None
            if host is not None:
                host.also.append(pages.curie(q))
            else:
                kept.append(v)
        row.values = kept
        if not kept:
            del rows[q]


def _attach_quotes(rows: dict[str, Row], quotes: list[QuotedFact]) -> list[QuotedFact]:
    """Each quote beside the fact it supports; returns the quotes whose fact is not on the page."""
    index: dict[tuple[str, str], Value] = {}
    for p, row in rows.items():
        for v in row.values:
            index[(p, v.link.iri if v.link else _key(v.literal))] = v
    rest = []
    for q in quotes:
        target = index.get((q.predicate.iri, q.value.iri if q.value else _key(q.literal)))
        if target is not None:
            target.quotes.append(q)
        else:
            rest.append(q)
    return rest


def _share_quotes(rows: dict[str, Row]) -> None:
    """A sentence that states several values of one property (13 cities in one sentence) is shown once per row."""
    for row in rows.values():
        counts: dict[tuple[str, str], int] = {}
        for v in row.values:
            for q in {(q.exact, q.article.iri) for q in v.quotes}:
                counts[q] = counts.get(q, 0) + 1
        shared = {k for k, n in counts.items() if n > 1}
        for v in row.values:
            for q in v.quotes:
                if (q.exact, q.article.iri) in shared and all((q.exact, q.article.iri) != (r.exact, r.article.iri) for r in row.quotes):
                    row.quotes.append(q)
            v.quotes = [q for q in v.quotes if (q.exact, q.article.iri) not in shared]


def _page_refs(incoming: dict[str, Row], lang: str) -> list[Row]:
    """Referenced by: grouped by property, REFS_PAGE a page (``?by=<property>&page=N`` pages one group)."""
    by, asked = request.args.get("by", ""), request.args.get("page", "1")
    out = []
    for p, row in sorted(incoming.items(), key=lambda kv: kv[1].predicate.labels.pick(lang)[0].lower()):
        values = sorted(row.values, key=lambda v: v.sort_key(lang))
        row.total, row.pages, row.key = len(values), max(1, -(-len(values) // REFS_PAGE)), pages.curie(p)
        row.page = min(max(int(asked), 1), row.pages) if by in (p, row.key) and asked.isdigit() else 1
        row.values = values[(row.page - 1) * REFS_PAGE: row.page * REFS_PAGE]
        out.append(row)
    return out


def resource_context(iri: str, triples: list[ox.Triple], lang: str) -> dict[str, Any]:
    """What resource.html shows: types, property rows with sources and quotes, incoming links, external links."""
    labels = pages.labels_from(triples)
    orders = _orders(triples)
    names = graph_names()
    sources = pages.provenance(iri)
    rows: dict[str, Row] = {}
    incoming: dict[str, Row] = {}
    types: list[Value] = []
    external: list[Link] = []
    used: dict[str, GraphName] = {}
    for t in triples:
        if t.subject.value == iri and isinstance(t.subject, ox.NamedNode):
            # a release's delta graphs record that a fact changed, they are not where it comes from
            found = [names[g] for g in sources.get((t.predicate.value, str(t.object)), []) if g in names and names[g].kind != "history"]
            value = _value(t.object, labels, found, orders)
            if value.only_inferred and value.link and value.link.external and t.predicate.value not in EXTERNAL_PREDICATES | {RDF_TYPE}:
                continue  # owl:sameAs inference copies facts onto the Wikidata/GeoNames aliases: shown once, under "Elsewhere"
            if isinstance(t.object, ox.BlankNode):
                continue  # no structured (blank-node) values in this graph's published facts; never a "[blank node]" row
            used.update({g.iri: g for g in found})
            if t.predicate.value == RDF_TYPE:
                types.append(value)
                continue
            rows.setdefault(t.predicate.value, Row(link_for(t.predicate, labels), [])).values.append(value)
            if t.predicate.value in EXTERNAL_PREDICATES and value.link and value.link.external:
                external.append(value.link)
        elif (t.object == ox.NamedNode(iri) and t.subject.value != iri and isinstance(t.subject, ox.NamedNode)
              and t.predicate.value not in STATEMENT_PREDICATES):
            incoming.setdefault(t.predicate.value, Row(link_for(t.predicate, labels), [])).values.append(_value(t.subject, labels, [], orders))
    _fold(rows)
    for row in rows.values():
        row.values.sort(key=lambda v: v.sort_key(lang))
    unmatched = _attach_quotes(rows, pages.quotes(iri))
    _share_quotes(rows)
    types.sort(key=lambda v: (v.only_inferred, v.link.labels.pick(lang)[0].lower() if v.link else ""))
    order = {p: i for i, p in enumerate(pages.LABEL_PREDICATES)}
    own = [t for t in triples if t.subject.value == iri]
    return {
        "iri": iri,
        "href": pages.local_href(iri),
        "labels": labels.get(iri, Labels(fallback=pages.curie(iri))),
        "types": types,
        "rows": sorted(rows.values(), key=lambda r: (order.get(r.predicate.iri, 9), r.predicate.labels.pick(lang)[0].lower())),
        "incoming": _page_refs(incoming, lang),
        "external": external,
        "graphs_used": sorted(used.values(), key=lambda g: g.short),
        "jsonld": pages.jsonld_script(pages.to_jsonld(own)),
        "is_graph": iri in current().snapshot.graphs,
        "graph_info": current().snapshot.graphs.get(iri),
        "quotes": unmatched,
    }
