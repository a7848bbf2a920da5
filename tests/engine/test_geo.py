"""GeoSPARQL functions added to pyoxigraph (server/engine/geo.py), through the endpoint: each function on valid
input, and on malformed or unsupported input (unbound, status 200: never an error, never a 500)."""
from __future__ import annotations

import math

import pyoxigraph as ox
import pytest
import shapely

from server.engine import geo

JSON = {"Accept": "application/sparql-results+json"}
PREFIXES = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX geof: <http://www.opengis.net/def/function/geosparql/>
PREFIX uom: <http://www.opengis.net/def/uom/OGC/1.0/>
"""
SQUARE = '"POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))"^^geo:wktLiteral'
INNER = '"POLYGON((0.5 0.5, 1 0.5, 1 1, 0.5 1, 0.5 0.5))"^^geo:wktLiteral'
SHIFTED = '"POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))"^^geo:wktLiteral'
FAR = '"POINT(10 10)"^^geo:wktLiteral'
MALFORMED = ['"POLYGON((0 0, 2 0"^^geo:wktLiteral', '"not wkt at all"^^geo:wktLiteral', '"POINT(1 1)"',
             '"<http://www.opengis.net/def/crs/EPSG/0/9999> POINT(1 1)"^^geo:wktLiteral', '"<gml:Point"^^geo:gmlLiteral', "42"]


def value(client, expression: str) -> dict | None:  # type: ignore[no-untyped-def,type-arg]
    response = client.post("/sparql", data={"query": PREFIXES + f"SELECT ?v WHERE {{ BIND ({expression} AS ?v) }}"}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    (row,) = response.get_json()["results"]["bindings"]
    return row.get("v")


def shape(term: dict) -> shapely.Geometry:  # type: ignore[type-arg]
    assert term["datatype"] == geo.WKT_LITERAL
    return shapely.from_wkt(term["value"])


@pytest.mark.parametrize("function, args, expected", [
    ("convexHull", '"MULTIPOINT((0 0), (2 0), (1 1), (0 2))"^^geo:wktLiteral', "POLYGON((0 0, 0 2, 2 0, 0 0))"),
    ("envelope", '"LINESTRING(0 0, 2 1)"^^geo:wktLiteral', "POLYGON((0 0, 2 0, 2 1, 0 1, 0 0))"),
    ("boundary", SQUARE, "LINESTRING(0 0, 2 0, 2 2, 0 2, 0 0)"),
    ("intersection", f"{SQUARE}, {SHIFTED}", "POLYGON((1 1, 2 1, 2 2, 1 2, 1 1))"),
    ("union", f"{SQUARE}, {SHIFTED}", "POLYGON((0 0, 2 0, 2 1, 3 1, 3 3, 1 3, 1 2, 0 2, 0 0))"),
    ("difference", f"{SQUARE}, {SHIFTED}", "POLYGON((0 0, 2 0, 2 1, 1 1, 1 2, 0 2, 0 0))"),
    ("symDifference", f"{SQUARE}, {SHIFTED}", "MULTIPOLYGON(((0 0, 2 0, 2 1, 1 1, 1 2, 0 2, 0 0)), ((2 1, 3 1, 3 3, 1 3, 1 2, 2 2, 2 1)))"),
])
def test_non_topological_functions_give_the_geometry(client, function: str, args: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert shape(value(client, f"geof:{function}({args})")).equals(shapely.from_wkt(expected))


def test_buffer_works_in_the_literals_crs_units(client) -> None:  # type: ignore[no-untyped-def]
    buffered = shape(value(client, 'geof:buffer("POINT(0 0)"^^geo:wktLiteral, 1.0, uom:degree)'))
    # shapely's buffer: 16 segments a quarter circle, a regular 64-gon of circumradius 1 (in degrees, the CRS's unit)
    assert buffered.geom_type == "Polygon" and abs(buffered.area - 32 * math.sin(2 * math.pi / 64)) < 1e-9


def test_get_srid_names_the_crs(client) -> None:  # type: ignore[no-untyped-def]
    assert value(client, f"geof:getSRID({SQUARE})")["value"] == geo.CRS84
    assert value(client, 'geof:getSRID("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(1 2)"^^geo:wktLiteral)')["value"] == geo.EPSG4326


@pytest.mark.parametrize("function, a, b, expected", [
    ("sfContains", SQUARE, INNER, True), ("sfWithin", INNER, SQUARE, True), ("sfOverlaps", SQUARE, SHIFTED, True),
    ("sfTouches", SQUARE, '"POINT(2 1)"^^geo:wktLiteral', True), ("sfDisjoint", SQUARE, FAR, True), ("sfIntersects", SQUARE, FAR, False),
    ("sfCrosses", '"LINESTRING(-1 1, 3 1)"^^geo:wktLiteral', SQUARE, True),
    ("ehInside", INNER, SQUARE, True), ("ehContains", SQUARE, INNER, True), ("ehMeet", SQUARE, '"POLYGON((2 0, 3 0, 3 1, 2 1, 2 0))"^^geo:wktLiteral', True),
    ("rcc8ntpp", INNER, SQUARE, True), ("rcc8dc", SQUARE, '"POLYGON((5 5, 6 5, 6 6, 5 6, 5 5))"^^geo:wktLiteral', True), ("rcc8po", SQUARE, SHIFTED, True),
    ("sfEquals", '"POINT(116.39723 39.9075)"^^geo:wktLiteral', '"<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(39.9075 116.39723)"^^geo:wktLiteral', True),
    ("sfEquals", '"POINT EMPTY"^^geo:wktLiteral', '""^^geo:wktLiteral', True),
    ("sfEquals", '"POINT(1 1)"^^geo:wktLiteral', '"<gml:Point xmlns:gml=\\"http://www.opengis.net/ont/gml\\"><gml:pos>1 1</gml:pos></gml:Point>"^^geo:gmlLiteral', True),
])
def test_topological_functions(client, function: str, a: str, b: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert value(client, f"geof:{function}({a}, {b})")["value"] == ("true" if expected else "false")


def test_relate_takes_a_de9im_pattern_and_refuses_a_bad_one(client) -> None:  # type: ignore[no-untyped-def]
    assert value(client, f'geof:relate({SQUARE}, {INNER}, "T*****FF*")')["value"] == "true"
    assert value(client, f'geof:relate({INNER}, {SQUARE}, "T*****FF*")')["value"] == "false"
    assert value(client, f'geof:relate({SQUARE}, {INNER}, "T*")') is None


@pytest.mark.parametrize("bad", MALFORMED)
@pytest.mark.parametrize("call", ["geof:convexHull({x})", "geof:boundary({x})", "geof:envelope({x})", "geof:getSRID({x})",
                                  "geof:buffer({x}, 1, uom:degree)", "geof:union({x}, " + SQUARE + ")", "geof:sfWithin({x}, " + SQUARE + ")",
                                  "geof:rcc8eq(" + SQUARE + ", {x})", "geof:relate({x}, " + SQUARE + ', "T********")'])
def test_malformed_or_unsupported_literal_gives_unbound_not_an_error(client, call: str, bad: str) -> None:  # type: ignore[no-untyped-def]
    assert value(client, call.format(x=bad)) is None


def test_oversized_literal_is_not_parsed() -> None:
    huge = ox.Literal("POINT(" + "1" * geo.MAX_LITERAL_CHARS + " 1)", datatype=ox.NamedNode(geo.WKT_LITERAL))
    assert geo.parse(huge) is None


def test_relations_materialise_every_relation_that_holds_and_no_other() -> None:
    square = geo.parse(ox.Literal("POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))", datatype=ox.NamedNode(geo.WKT_LITERAL)))
    inner = geo.parse(ox.Literal("POINT(1 1)", datatype=ox.NamedNode(geo.WKT_LITERAL)))
    assert square is not None and inner is not None
    found = set(geo.relations({"s": square, "p": inner}))
    assert ("s", geo.GEO + "sfContains", "p") in found and ("p", geo.GEO + "sfWithin", "s") in found
    assert ("s", geo.GEO + "sfEquals", "s") in found and ("s", geo.GEO + "sfDisjoint", "p") not in found
    for s, relation, o in found:
        assert geo.holds(relation[len(geo.GEO):], {"s": square, "p": inner}[s].shape, {"s": square, "p": inner}[o].shape)


def test_real_cities_within_a_polygon(store) -> None:  # type: ignore[no-untyped-def]
    # a box around Beijing, Tianjin and Hebei's north: Beijing, Tianjin and Xiong'an, not Shijiazhuang (38.04 N)
    box = '"POLYGON((115.5 38.5, 118 38.5, 118 40.5, 115.5 40.5, 115.5 38.5))"^^geo:wktLiteral'
    query = PREFIXES + f"""SELECT ?city WHERE {{ ?city geo:hasGeometry/geo:asWKT ?wkt FILTER (geof:sfWithin(?wkt, {box})) }} ORDER BY ?city"""
    rows = [r[0].value.rsplit("/", 1)[1] for r in store.engine.store.query(query, custom_functions=geo.custom_functions())]
    assert rows == ["beijing", "tianjin", "xiongan"]


@pytest.mark.parametrize("function", ["<http://example.org/no-such-function>", "<http://www.opengis.net/def/function/geo\\u0073parql/buffer>"])
def test_a_function_the_endpoint_does_not_have_is_a_400(client, function: str) -> None:  # type: ignore[no-untyped-def]
    # the second spells the GeoSPARQL namespace with an escape, so the engine is not given the added functions
    response = client.post("/sparql", data={"query": f"SELECT ?v WHERE {{ BIND ({function}(1, 2, 3) AS ?v) }}"}, headers=JSON)
    assert response.status_code == 400 and response.get_json()["error"] == "unsupported-function"
