"""SHACL shapes (shapes/ugkg-shapes.ttl): fixtures per shape, the real data, and the shapes' own hygiene.

Every fixture is validated the way the build validates the real data:
``pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)``
with the ontology = ontology/*.ttl (its rdfs:subClassOf triples make e.g. a ugkg:ResearchTeam an
Organization for sh:targetClass and sh:class).

Fixtures live in tests/fixtures/shapes/<ShapeName>/{valid,invalid}-<what>.ttl; <ShapeName> is the local
name of the node shape <https://w3id.org/ugkg/shapes/<ShapeName>>. A valid fixture must produce no
validation result at all (of any severity); an invalid one must produce at least one, every result must
come from its shape (the node shape or one of its property shapes), so each invalid fixture tests exactly
one shape, and each result has the severity that shape declares (sh:Violation unless it says otherwise).
As in the build (server/validate.py), the real data conforms when it has no sh:Violation result;
sh:Warning results are listed but do not fail it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

ROOT = Path(__file__).resolve().parent.parent
SHAPES_FILE = ROOT / "shapes" / "ugkg-shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
UGS = rdflib.Namespace("https://w3id.org/ugkg/shapes/")
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.ttl"))


@lru_cache(maxsize=None)
def shapes_graph() -> rdflib.Graph:
    """Every shapes file, as the build loads them into graph/shapes (shapes/context-shapes.ttl: issue 17, item 6)."""
    g = rdflib.Graph()
    for path in sorted(SHAPES_FILE.parent.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@lru_cache(maxsize=None)
def ontology_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def validate(data: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return bool(conforms), report, text


def owning_node_shapes(shape: rdflib.term.Node) -> set[rdflib.term.Node]:
    """The node shape itself, or the node shapes that have `shape` as a property shape."""
    sg = shapes_graph()
    if (shape, RDF.type, SH.NodeShape) in sg:
        return {shape}
    return set(sg.subjects(SH.property, shape))


def violations(report: rdflib.Graph) -> list[dict]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append({
            "source": report.value(result, SH.sourceShape),
            "focus": report.value(result, SH.focusNode),
            "path": report.value(result, SH.resultPath),
            "value": report.value(result, SH.value),
            "message": report.value(result, SH.resultMessage),
            "severity": report.value(result, SH.resultSeverity),
        })
    return out


def describe(vs: list[dict]) -> str:
    return "\n".join(
        f"  [{str(v['severity']).rsplit('#', 1)[-1]}] {v['source']} | {v['focus']} | {v['path']} | {v['value']} | "
        f"{v['message']}" for v in vs)


def declared_severity(node_shape: rdflib.term.Node) -> rdflib.term.Node:
    return shapes_graph().value(node_shape, SH.severity) or SH.Violation


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_every_node_shape_has_valid_and_invalid_fixtures():
    sg = shapes_graph()
    node_shapes = {str(s)[len(str(UGS)):] for s in sg.subjects(RDF.type, SH.NodeShape) if str(s).startswith(str(UGS))}
    assert node_shapes, "no node shapes found"
    for name in sorted(node_shapes):
        files = [p.name for p in (FIXTURES / name).glob("*.ttl")]
        assert any(f.startswith("valid-") for f in files), f"{name}: no valid-*.ttl fixture"
        assert any(f.startswith("invalid-") for f in files), f"{name}: no invalid-*.ttl fixture"
    stray = {p.parent.name for p in FIXTURE_FILES} - node_shapes
    assert not stray, f"fixture directories without a node shape: {sorted(stray)}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=fixture_id)
def test_fixture(path: Path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    expected_valid = path.name.startswith("valid-")
    assert path.name.startswith(("valid-", "invalid-")), f"fixture name must start valid- or invalid-: {path.name}"
    assert first.startswith("# Valid: " if expected_valid else "# Invalid: "), f"bad first line: {first!r}"

    data = rdflib.Graph().parse(path, format="turtle")
    conforms, report, _text = validate(data)
    vs = violations(report)
    if expected_valid:
        assert conforms and not vs, f"valid fixture has validation results:\n{describe(vs)}"
        return

    shape = UGS[path.parent.name]
    assert (shape, RDF.type, SH.NodeShape) in shapes_graph(), f"no node shape {shape}"
    assert vs, f"invalid fixture has no validation result, but should fail {shape}"
    foreign = [v for v in vs if shape not in owning_node_shapes(v["source"])]
    assert not foreign, f"results not from {shape}:\n{describe(foreign)}"
    severity = declared_severity(shape)
    wrong = [v for v in vs if v["severity"] != severity]
    assert not wrong, f"results without the severity {severity} that {shape} declares:\n{describe(wrong)}"
    if severity == SH.Violation:
        assert not conforms


def _real_data() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def test_real_data_conforms():
    data = _real_data()
    if len(data) == 0:
        pytest.skip("data/ holds no triples yet")
    conforms, report, _text = validate(data)
    vs = violations(report)
    errors = [v for v in vs if v["severity"] == SH.Violation]
    assert conforms and not errors, "data/ does not conform to the shapes:\n" + describe(errors)


def test_every_shape_has_an_english_message():
    sg = shapes_graph()
    shapes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(sg.objects(None, SH.property)) | set(sg.objects(None, SH.sparql))
    assert len(shapes) > 40
    missing = [s for s in shapes
               if not any(isinstance(m, rdflib.Literal) and m.language == "en" for m in sg.objects(s, SH.message))]
    assert not missing, f"shapes without sh:message@en: {sorted(map(str, missing))}"


def test_node_shapes_are_documented_and_named():
    sg = shapes_graph()
    for s in sg.subjects(RDF.type, SH.NodeShape):
        assert isinstance(s, rdflib.URIRef) and str(s).startswith(str(UGS)), f"node shape without a ugs: IRI: {s}"
        assert sg.value(s, RDFS.label) is not None, f"{s} has no rdfs:label"
        assert sg.value(s, RDFS.comment) is not None, f"{s} has no rdfs:comment"
    for ps in sg.objects(None, SH.property):
        assert isinstance(ps, rdflib.URIRef) and str(ps).startswith(str(UGS)), f"property shape without a ugs: IRI: {ps}"
        assert len(set(sg.subjects(SH.property, ps))) == 1, f"{ps} is shared by several node shapes"


def test_every_ontology_class_in_scope_has_a_shape():
    sg = shapes_graph()
    targeted = set(sg.objects(None, SH.targetClass))
    ugkg = rdflib.Namespace("https://w3id.org/ugkg/def/")
    qb = rdflib.Namespace("http://purl.org/linked-data/cube#")
    required = {ugkg[c] for c in (
        "Forum Ceremony Organization Person Post City Province Declaration Initiative GovernanceConcept "
        "TheoreticalBasis InternationalAgenda IndicatorSystem Dimension Indicator ConstructionPrinciple "
        "GoodGovernanceFeature AdministrativeType Region NewsArticle").split()} | {qb.Observation}
    assert required <= targeted, f"classes without a shape: {sorted(map(str, required - targeted))}"
