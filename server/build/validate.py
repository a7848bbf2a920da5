"""SHACL validation of the asserted graph with pySHACL, summarised for people and kept as a graph.

pySHACL stays the validator (targets, core constraints, messages, the report graph). What changes is who
evaluates the queries of its SHACL-SPARQL constraints first: rdflib's pure-Python SPARQL engine parsed the text
again for every focus node (pyparsing) and evaluated ``FILTER NOT EXISTS`` row by row — 100 of the 110 profiled
seconds of the build's validation. Oxigraph now answers each such query first; when it finds nothing (the
normal case: data that conforms) or only IRIs and blank nodes (a SPARQL target's focus nodes), that is the
answer; when its rows hold literals (a violation's value and message), rdflib evaluates the same query again
and its rows are the ones reported, so every value and message is exactly pySHACL's own.

Why not Oxigraph's rows themselves: Oxigraph stores some literals in canonical form ("44652.80"^^xsd:decimal
becomes "44652.8", xsd:positiveInteger becomes xsd:integer, so "1"^^xsd:integer and "1"^^xsd:positiveInteger
become one term), so its rows cannot always be mapped back to the data's terms. Its evaluation runs in a child process with a
time limit (server/build/oxigraph_queries.py says why). The one assumption left: a
query that finds nothing in Oxigraph finds nothing in rdflib — true unless a query tests the lexical form or
datatype of such a literal (none of ours does; tests/build/test_validate_engines.py compares the two engines'
reports on every shape fixture and on the real data). ``engine="rdflib"`` is pySHACL alone, for that test.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import pyshacl
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from server.build.oxigraph_queries import OxigraphQueryGraph

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus_node: str
    source_shape: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" (path {self.path})" if self.path else ""
        return f"{self.focus_node}{where}: {self.message} [shape {self.source_shape}, {self.severity}]"


@dataclass
class Report:
    """The outcome of one validation: ``conforms`` is False only for sh:Violation results."""

    conforms: bool
    text: str
    graph: Graph
    results: list[Violation] = field(default_factory=list)
    oxigraph_note: str = "rdflib only"  # how the SHACL-SPARQL queries were answered, for the build's progress

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, *, engine: str = "oxigraph") -> Report:
    """Validate ``data`` against ``shapes``; the ontology supplies rdfs:subClassOf for target classes.

    ``engine`` evaluates the SHACL-SPARQL queries: "oxigraph" (the build's) or "rdflib" (pySHACL's own).
    """
    if engine == "oxigraph":
        working = Graph()
        for prefix, ns in data.namespaces():
            working.bind(prefix, ns, override=False)
        working += data
        target: Any = OxigraphQueryGraph(working.store, working)
        inplace = True
    else:
        target, inplace = data, False
    try:
        _, results_graph, text = pyshacl.validate(
            target, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True,
            inplace=inplace,
        )
    finally:
        if isinstance(target, OxigraphQueryGraph):
            target.close()
    results = [_violation(results_graph, node, shapes) for node in results_graph.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda v: (v.severity, v.focus_node, v.source_shape, v.message))
    conforms = not any(r.severity == "Violation" for r in results)
    note = "rdflib only"
    if isinstance(target, OxigraphQueryGraph):
        note = f"SHACL-SPARQL by Oxigraph; {target.reevaluated} queries again by rdflib, {target.timed_out} over the time limit"
    return Report(conforms=conforms, text=text, graph=results_graph, results=results, oxigraph_note=note)


def _shape_name(shapes: Graph, shape: object) -> str:
    """A readable name for a shape: a blank-node property shape is named after its node shape."""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        path = shapes.value(shape, SH.path)
        if parent is not None:
            return f"{parent} (property {path})" if path is not None else str(parent)
    return str(shape)


def _violation(g: Graph, node: URIRef, shapes: Graph) -> Violation:
    def one(pred: URIRef) -> str:
        value = g.value(node, pred)
        return "" if value is None else str(value)

    severity = one(SH.resultSeverity).rsplit("#", 1)[-1]
    return Violation(
        focus_node=one(SH.focusNode),
        source_shape=_shape_name(shapes, g.value(node, SH.sourceShape)),
        path=one(SH.resultPath),
        message=one(SH.resultMessage),
        severity=severity,
    )
