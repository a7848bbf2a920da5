"""bench/geosparql.py: the benchmark's comparison and scoring rules, and the materialised query-rewrite graph."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import geosparql as gsb

SRX = """<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/><variable name="w"/></head>
<results><result><binding name="x"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">1</literal></binding>
<binding name="w"><literal datatype="http://www.opengis.net/ont/geosparql#wktLiteral">POLYGON((0 0, 1 0, 1 1, 0 0))</literal></binding></result></results></sparql>"""


def test_an_answer_equal_by_value_and_up_to_wkt_spacing_passes(tmp_path: Path) -> None:
    (tmp_path / "a.srx").write_text(SRX, encoding="utf-8")
    expected = gsb.read_srx(tmp_path / "a.srx")
    got = gsb.from_json({"head": {"vars": ["x", "w"]}, "results": {"bindings": [{
        "x": {"type": "literal", "value": "true", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"},
        "w": {"type": "literal", "value": "polygon((0 0,1 0,1 1,0 0))", "datatype": gsb.WKT}}]}})
    assert got == expected
    wrong = gsb.from_json({"head": {"vars": ["x", "w"]}, "results": {"bindings": [{
        "x": {"type": "literal", "value": "false", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"},
        "w": {"type": "literal", "value": "POLYGON((0 0,1 0,1 1,0 0))", "datatype": gsb.WKT}}]}})
    assert wrong != expected


def test_each_requirement_weighs_one_thirtieth_split_over_its_queries() -> None:
    fractions, total = gsb.score({"query-r01": True, "query-r19-1-1": True, "query-r19-1-2": False, "query-r20-1": False})
    assert fractions == {"r01": 1.0, "r19": 0.5, "r20": 0.0}
    assert total == pytest.approx(1.5 / 30)


@pytest.mark.skipif(not (gsb.DEFAULT_GSB / "dataset.nt").exists(), reason="the benchmark data (../shared/geosparql-benchmark) is absent")
def test_materialised_relations_relate_features_by_their_default_geometry() -> None:
    added = set(gsb.materialised_relations(gsb.DEFAULT_GSB / "dataset.nt").splitlines())
    stated = {line.strip() for line in (gsb.DEFAULT_GSB / "dataset.nt").read_text(encoding="utf-8").splitlines()}
    assert not added & stated  # only what the dataset does not state already
    triples = added | stated
    my = "http://example.org/ApplicationSchema#"
    assert f"<{my}B> <http://www.opengis.net/ont/geosparql#sfWithin> <{my}A> ." in triples
    assert f"<{my}A> <http://www.opengis.net/ont/geosparql#sfContains> <{my}BExactGeom> ." in triples
    assert not any(f"<{my}B> <http://www.opengis.net/ont/geosparql#sfDisjoint> <{my}A> ." == t for t in triples)


def test_geometric_equality_is_a_diagnosis_apart_from_the_textual_rule(tmp_path: Path) -> None:
    (tmp_path / "a.srx").write_text(SRX, encoding="utf-8")
    rotated = {"head": {"vars": ["x", "w"]}, "results": {"bindings": [{  # the same triangle from another start vertex
        "x": {"type": "literal", "value": "true", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"},
        "w": {"type": "literal", "value": "POLYGON((1 0, 1 1, 0 0, 1 0))", "datatype": gsb.WKT}}]}}
    assert gsb.from_json(rotated) != gsb.read_srx(tmp_path / "a.srx")  # the benchmark's rule: not a pass
    assert gsb.same_geometries(gsb.from_json(rotated, raw=True), gsb.read_srx(tmp_path / "a.srx", raw=True))
    other = json.loads(json.dumps(rotated).replace("POLYGON((1 0, 1 1, 0 0, 1 0))", "POLYGON((2 0, 1 1, 0 0, 2 0))"))
    assert not gsb.same_geometries(gsb.from_json(other, raw=True), gsb.read_srx(tmp_path / "a.srx", raw=True))
    gml = json.loads(json.dumps(rotated).replace('"POLYGON((1 0, 1 1, 0 0, 1 0))", "datatype": "' + gsb.WKT, '"<gml:Polygon xmlns:gml=\\"http://www.opengis.net/ont/gml\\"><gml:exterior><gml:LinearRing><gml:posList>0 0 1 0 1 1 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>", "datatype": "' + gsb.GML))
    assert gml["results"]["bindings"][0]["w"]["datatype"] == gsb.GML
    assert gsb.same_geometries(gsb.from_json(gml, raw=True), gsb.read_srx(tmp_path / "a.srx", raw=True))
