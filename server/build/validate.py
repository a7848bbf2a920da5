"""SHACL validation of the asserted graph with pySHACL, summarised for people and kept as a graph."""
from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

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

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; the ontology supplies rdfs:subClassOf for target classes."""
    _, results_graph, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    results = [_violation(results_graph, node, shapes) for node in results_graph.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda v: (v.severity, v.focus_node, v.source_shape, v.message))
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, text=text, graph=results_graph, results=results)


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
