"""Per-article quote coverage: every triple of an article graph is supported by a quote from its article.

The SHACL shape ``ArticleGraphQuotesShape`` states the rule, but pySHACL validates one data graph — the union
of all data files — in which no triple remembers its named graph, so with both article graphs loaded the shape
cannot tell which article must support a triple and stays inert. This check runs on the named graphs
themselves, after SHACL, so a fact added to an article graph without its quote fails the build (and
``ugkg validate``) instead of only the test suite.

An article graph is a named graph that describes itself as ``ugkg:ArticleGraph`` and names its article with
``prov:wasDerivedFrom``. A triple of it is covered when some data graph holds an ``oa:Annotation`` whose
``oa:hasTarget`` is a quote of that article (``oa:hasSource`` the article, a selector with ``oa:exact``) and
whose ``oa:hasBody`` is an ``rdf:Statement`` reifying the triple. The graph's own description and the
``prov:wasDerivedFrom`` provenance of each resource are not facts and need no quote. Graphs that do not call
themselves article graphs (the mini fixture, curation, links) are not checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from server.errors import BuildError
from server.settings import CANONICAL_BASE_IRI

OA = Namespace("http://www.w3.org/ns/oa#")
ARTICLE_GRAPH = URIRef(CANONICAL_BASE_IRI + "def/ArticleGraph")
SHOWN = 5  # uncovered triples named in the error message, per graph

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Coverage:
    """How far the quotes cover one article graph."""

    graph: str
    article: str
    facts: int
    missing: list[Triple] = field(default_factory=list)
    stray: list[Triple] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.stray


def article_graphs(graphs: Mapping[str, Graph]) -> dict[str, URIRef | None]:
    """Each named graph that declares itself an article graph → the article it is derived from (None if unnamed)."""
    found: dict[str, URIRef | None] = {}
    for iri, graph in graphs.items():
        me = URIRef(iri)
        if (me, RDF.type, ARTICLE_GRAPH) in graph:
            article = graph.value(me, PROV.wasDerivedFrom)
            found[iri] = article if isinstance(article, URIRef) else None
    return found


def quoted_triples(quote_graphs: Iterable[Graph], article: URIRef) -> set[Triple]:
    """Every triple reified in the body of an annotation that quotes ``article`` (with an oa:exact)."""
    quoted: set[Triple] = set()
    for g in quote_graphs:
        for annotation in g.subjects(RDF.type, OA.Annotation):
            quotes_article = any(
                g.value(target, OA.hasSource) == article and g.value(g.value(target, OA.hasSelector), OA.exact) is not None
                for target in g.objects(annotation, OA.hasTarget)
            )
            if not quotes_article:
                continue
            for body in g.objects(annotation, OA.hasBody):
                triple = (g.value(body, RDF.subject), g.value(body, RDF.predicate), g.value(body, RDF.object))
                if None not in triple:
                    quoted.add(triple)  # type: ignore[arg-type]
    return quoted


def facts(graph: Graph, iri: str) -> set[Triple]:
    """The triples of an article graph that need a quote: not its self-description, not prov:wasDerivedFrom."""
    me = URIRef(iri)
    return {t for t in graph if t[0] != me and t[1] != PROV.wasDerivedFrom}


def coverage(graphs: Mapping[str, Graph]) -> list[Coverage]:
    """The coverage of every article graph among ``graphs`` (quotes may sit in any of them), in IRI order."""
    out = []
    for iri, article in sorted(article_graphs(graphs).items()):
        if article is None:
            raise BuildError(f"article graph <{iri}> does not name its article (prov:wasDerivedFrom)", exit_code=1)
        needed = facts(graphs[iri], iri)
        quoted = quoted_triples(graphs.values(), article)
        out.append(Coverage(iri, str(article), len(needed), sorted(needed - quoted), sorted(quoted - set(graphs[iri]))))
    return out


def _show(triple: Triple) -> str:
    return " ".join(term.n3() for term in triple)


def check_coverage(graphs: Mapping[str, Graph]) -> list[Coverage]:
    """Raise BuildError naming the graph and its first uncovered (or wrongly quoted) triples; else the coverage."""
    found = coverage(graphs)
    problems = []
    for c in found:
        if c.missing:
            lines = "\n".join(f"    {_show(t)}" for t in c.missing[:SHOWN])
            problems.append(f"  <{c.graph}>: {len(c.missing)} of {c.facts} triples have no quote from <{c.article}>, e.g.\n{lines}")
        if c.stray:
            lines = "\n".join(f"    {_show(t)}" for t in c.stray[:SHOWN])
            problems.append(f"  <{c.graph}>: {len(c.stray)} quotes of <{c.article}> support triples the graph does not state, e.g.\n{lines}")
    if problems:
        raise BuildError("the article graphs are not covered by quotes:\n" + "\n".join(problems), exit_code=1)
    return found
