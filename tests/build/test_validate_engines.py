"""The build evaluates the SHACL-SPARQL queries in Oxigraph (server/build/validate.py); the report must be the one
pySHACL gives with rdflib's own SPARQL engine: the same conforms, the same results (focus node, path, value,
source shape and constraint, severity, message), on every shape fixture and on the real data, whole and with
facts removed so that the SPARQL constraints fire."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from server.build.pipeline import load_sources
from server.build.validate import SH, Report, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*/*.ttl"))
UGKG = "https://w3id.org/ugkg/def/"


@lru_cache(maxsize=None)
def sources() -> tuple[Graph, Graph, Graph]:
    loaded = load_sources(ROOT)
    return loaded.union("data"), loaded.union("shapes"), loaded.union("ontology")


def _term(graph: Graph, shapes: Graph, node: object, depth: int = 0) -> object:
    """A report term comparable across runs: a blank node (a property shape, a path, a value that pySHACL copies
    into the report with new labels) by its description, recursively."""
    if isinstance(node, BNode):
        described = shapes if (node, None, None) in shapes else graph
        if depth > 5:
            return ("bnode",)
        return ("bnode", tuple(sorted((str(p), _term(graph, shapes, o, depth + 1)) for p, o in described.predicate_objects(node))))
    if isinstance(node, Literal):
        return ("literal", str(node), str(node.datatype), node.language)
    return ("iri", str(node))


def results(report: Report, shapes: Graph) -> list[tuple]:
    g = report.graph
    rows = []
    for result in g.subjects(RDF.type, SH.ValidationResult):
        rows.append(tuple(sorted((str(p), _term(g, shapes, o)) for p, o in g.predicate_objects(result))))
    return sorted(rows)


def assert_same_report(data: Graph) -> Report:
    _, shapes, ontology = sources()
    ours = validate(data, shapes, ontology)
    theirs = validate(data, shapes, ontology, engine="rdflib")
    assert ours.conforms == theirs.conforms
    assert results(ours, shapes) == results(theirs, shapes)
    assert [str(v) for v in ours.results] == [str(v) for v in theirs.results]
    return ours


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shape_fixture_gets_the_same_report_from_both_sparql_engines(path: Path) -> None:
    report = assert_same_report(Graph().parse(path, format="turtle"))
    if path.name.startswith("invalid-"):
        assert report.results, "an invalid fixture must give results (else the comparison compares nothing)"


@pytest.mark.slow
def test_the_real_data_gets_the_same_report_from_both_sparql_engines() -> None:
    data, _, _ = sources()
    report = assert_same_report(data)
    assert report.conforms


@pytest.mark.slow
def test_the_real_data_with_facts_removed_gets_the_same_violations_from_both_engines() -> None:
    """Remove the ordinal of an initiative and of a dimension, and derive a city from an article: the numbering
    invariants (SHACL-SPARQL, FILTER NOT EXISTS) and DataResourceShape's SPARQL target and constraint fire (since
    issue 17 a place carries no prov:wasDerivedFrom: that would make it a prov:Entity)."""
    data, _, _ = sources()
    broken = Graph()
    broken += data
    ordinal, derived = URIRef(UGKG + "ordinal"), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    for cls in ("Initiative", "Dimension"):
        member = sorted(broken.subjects(RDF.type, URIRef(UGKG + cls)))[0]
        broken.remove((member, ordinal, None))
    city = sorted(broken.subjects(RDF.type, URIRef(UGKG + "City")))[0]
    article = sorted(o for o in broken.objects(None, derived) if "/article/" in str(o))[0]
    broken.add((city, derived, article))
    report = assert_same_report(broken)
    assert not report.conforms
    shapes_hit = {v.source_shape for v in report.violations}
    assert any("DataResourceShape" in s for s in shapes_hit), shapes_hit
    assert len(report.violations) >= 3
