"""GeoSPARQL functions added to pyoxigraph (server/engine/geo.py), through the endpoint: each function on valid
input, and on malformed or unsupported input (unbound, status 200: never an error, never a 500)."""
from __future__ import annotations

import math
from pathlib import Path

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
                                  "geof:buffer({x}, 1, uom:degree)", "geof:distance({x}, " + SQUARE + ", uom:metre)", "geof:union({x}, " + SQUARE + ")", "geof:sfWithin({x}, " + SQUARE + ")",
                                  "geof:rcc8eq(" + SQUARE + ", {x})", "geof:relate({x}, " + SQUARE + ', "T********")'])
def test_malformed_or_unsupported_literal_gives_unbound_not_an_error(client, call: str, bad: str) -> None:  # type: ignore[no-untyped-def]
    assert value(client, call.format(x=bad)) is None


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:3857 (spherical Web Mercator) from its defining formulas, independently of PROJ."""
    r = 6_378_137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    h = math.sin(math.radians(lat2 - lat1) / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


BEIJING, SHANGHAI = '"POINT(116.39723 39.9075)"^^geo:wktLiteral', '"POINT(121.4737 31.2304)"^^geo:wktLiteral'


def test_distance_between_points_is_oxigraphs_to_the_bit(client) -> None:  # type: ignore[no-untyped-def]
    ours = float(value(client, f"geof:distance({BEIJING}, {SHANGHAI}, uom:metre)")["value"])
    (native,) = ox.Store().query(PREFIXES + f"SELECT (geof:distance({BEIJING}, {SHANGHAI}, uom:metre) AS ?d) {{}}")
    assert ours == float(native["d"].value) and abs(ours - haversine_m(116.39723, 39.9075, 121.4737, 31.2304)) < 1e-6


@pytest.mark.parametrize("a, b, units, expected", [
    # a polygon and a point: the nearest points are (2 1) and (3 1), one degree of longitude on the equator
    (SQUARE, '"POINT(3 1)"^^geo:wktLiteral', "uom:metre", haversine_m(2, 1, 3, 1)),
    (SQUARE, '"POINT(3 1)"^^geo:wktLiteral', "uom:degree", math.degrees(haversine_m(2, 1, 3, 1) / 6_371_008.8)),
    (SQUARE, '"POINT(3 1)"^^geo:wktLiteral', "uom:radian", haversine_m(2, 1, 3, 1) / 6_371_008.8),
    # EPSG:4326 is latitude first; GML with srsName EPSG:4326 too
    (BEIJING, '"<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(31.2304 121.4737)"^^geo:wktLiteral', "uom:metre", haversine_m(116.39723, 39.9075, 121.4737, 31.2304)),
    (BEIJING, '"<gml:Point xmlns:gml=\\"http://www.opengis.net/ont/gml\\" srsName=\\"EPSG:4326\\"><gml:pos>31.2304 121.4737</gml:pos></gml:Point>"^^geo:gmlLiteral', "uom:metre", haversine_m(116.39723, 39.9075, 121.4737, 31.2304)),
    # a projected CRS in metres: the planar distance
    ('"<http://www.opengis.net/def/crs/EPSG/0/3857> POINT(0 0)"^^geo:wktLiteral', '"<http://www.opengis.net/def/crs/EPSG/0/3857> POINT(3000 4000)"^^geo:wktLiteral', "uom:metre", 5000.0),
])
def test_distance_for_any_geometry_crs_and_unit(client, a: str, b: str, units: str, expected: float) -> None:  # type: ignore[no-untyped-def]
    assert float(value(client, f"geof:distance({a}, {b}, {units})")["value"]) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("call", [
    f'geof:distance({SQUARE}, "POINT EMPTY"^^geo:wktLiteral, uom:metre)',  # no nearest point
    f"geof:distance({SQUARE}, {FAR}, <http://example.org/furlong>)",  # not a unit of the OGC register
    f"geof:distance({SQUARE}, {FAR}, uom:foot)",  # a unit neither the CRS's nor one a geographic CRS converts to
    f'geof:buffer({SQUARE}, 1, <http://example.org/furlong>)',
    f'geof:buffer({SQUARE}, "NaN"^^<http://www.w3.org/2001/XMLSchema#double>, uom:degree)',
    f'geof:buffer("<http://www.opengis.net/def/crs/EPSG/0/3857> POINT(0 0)"^^geo:wktLiteral, 1, uom:degree)',
])
def test_distance_and_buffer_in_a_unit_they_cannot_give_are_unbound(client, call: str) -> None:  # type: ignore[no-untyped-def]
    assert value(client, call) is None


def test_buffer_in_metres_on_a_geographic_crs_is_true_from_the_centre(client) -> None:  # type: ignore[no-untyped-def]
    buffered = shape(value(client, f"geof:buffer({BEIJING}, 1000, uom:metre)"))
    ring = list(buffered.exterior.coords)
    assert len(ring) > 16
    # every vertex 1 km from Beijing's point (the sphere's distance differs from the ellipsoid's by < 0.5 %)
    assert all(abs(haversine_m(116.39723, 39.9075, x, y) - 1000) < 5 for x, y in ring)


def test_other_crs_literals_are_read_with_their_axis_order_and_compared_across_crss(client) -> None:  # type: ignore[no-untyped-def]
    x, y = mercator(116.39723, 39.9075)
    in_mercator = f'"<http://www.opengis.net/def/crs/EPSG/0/3857> POINT({x} {y})"^^geo:wktLiteral'
    box = '"POLYGON((116 39.5, 117 39.5, 117 40.5, 116 40.5, 116 39.5))"^^geo:wktLiteral'
    assert value(client, f"geof:getSRID({in_mercator})")["value"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    assert value(client, f"geof:sfWithin({in_mercator}, {box})")["value"] == "true"  # the point moved into CRS84
    assert value(client, f"geof:sfContains({box}, {in_mercator})")["value"] == "true"
    # the result of a function is in its first argument's CRS, written with that CRS's IRI
    hull = value(client, f"geof:envelope({in_mercator})")["value"]
    assert hull.startswith("<http://www.opengis.net/def/crs/EPSG/0/3857> POINT")
    # EPSG:4258 (ETRS89) is latitude first, like EPSG:4326: the GML point reads (lat lon)
    gml = '"<gml:Point xmlns:gml=\\"http://www.opengis.net/ont/gml\\" srsName=\\"urn:ogc:def:crs:EPSG::4258\\"><gml:pos>52.5 13.4</gml:pos></gml:Point>"^^geo:gmlLiteral'
    assert value(client, f'geof:sfWithin({gml}, "POLYGON((13 52, 14 52, 14 53, 13 53, 13 52))"^^geo:wktLiteral)')["value"] == "true"
    assert value(client, f"geof:getSRID({gml})")["value"] == "http://www.opengis.net/def/crs/EPSG/0/4258"


@pytest.mark.parametrize("crs", ["EPSG/0/9999", "EPSG/0/5773", "EPSG/0/4978", "OGC/1.3/CRS27"])
def test_a_crs_proj_does_not_know_or_that_is_not_2d_horizontal_is_unbound(client, crs: str) -> None:  # type: ignore[no-untyped-def]
    # 9999: no such code; 5773: a vertical CRS (heights); 4978: geocentric; CRS27: not read (only CRS84 of OGC's)
    assert value(client, f'geof:getSRID("<http://www.opengis.net/def/crs/{crs}> POINT(1 1)"^^geo:wktLiteral)') is None


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


@pytest.mark.parametrize("name", ["41-signatory-distances.rq", "42-cities-near-beijing.rq", "43-nearest-signatories.rq"])
def test_competency_distance_queries_answer_as_with_oxigraphs_own_distance(store, name: str) -> None:  # type: ignore[no-untyped-def]
    # geof:distance is replaced by ours (any geometry, GML, EPSG:4326): on the real points it must answer exactly
    # what Oxigraph's native function answered (the exact answers of tests/test_geometries.py rest on it)
    query = (Path(__file__).resolve().parent.parent.parent / "queries" / name).read_text(encoding="utf-8")
    native = [tuple(str(t) for t in row) for row in store.query(query)]
    ours = [tuple(str(t) for t in row) for row in store.engine.store.query(query, named_graphs=store.engine.public_graphs,
                                                                             custom_functions=geo.custom_functions())]
    assert native and ours == native


def gml(body: str, srs: str = "") -> str:
    """A gmlLiteral in SPARQL syntax: {ns} in ``body`` becomes the namespace declaration (and srsName)."""
    attributes = ' xmlns:gml=\\"http://www.opengis.net/ont/gml\\"' + (f' srsName=\\"{srs}\\"' if srs else "")
    return '"' + body.format(ns=attributes) + '"^^geo:gmlLiteral'


TWO_SQUARES = ("<gml:MultiSurface{ns}><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 1 0 1 1 0 1 0 0"
               "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon>"
               "<gml:exterior><gml:LinearRing><gml:posList>5 5 6 5 6 6 5 6 5 5</gml:posList></gml:LinearRing></gml:exterior>"
               "</gml:Polygon></gml:surfaceMember></gml:MultiSurface>")


@pytest.mark.parametrize("literal, wkt", [
    (gml(TWO_SQUARES), "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 1, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5)))"),
    (gml("<gml:MultiPoint{ns}><gml:pointMembers><gml:Point><gml:pos>1 1</gml:pos></gml:Point><gml:Point><gml:pos>2 2</gml:pos>"
         "</gml:Point></gml:pointMembers></gml:MultiPoint>"), "MULTIPOINT((1 1), (2 2))"),
    (gml("<gml:MultiCurve{ns}><gml:curveMember><gml:LineString><gml:posList>0 0 1 1</gml:posList></gml:LineString></gml:curveMember>"
         "</gml:MultiCurve>"), "MULTILINESTRING((0 0, 1 1))"),
    # an envelope in EPSG:4326: corners latitude first
    (gml("<gml:Envelope{ns}><gml:lowerCorner>34.1 -83.6</gml:lowerCorner><gml:upperCorner>34.5 -83.2</gml:upperCorner></gml:Envelope>",
         "EPSG:4326"), "POLYGON((-83.6 34.1, -83.2 34.1, -83.2 34.5, -83.6 34.5, -83.6 34.1))"),
])
def test_gml_aggregates_and_envelopes_are_read(client, literal: str, wkt: str) -> None:  # type: ignore[no-untyped-def]
    assert value(client, f'geof:sfEquals({literal}, "{wkt}"^^geo:wktLiteral)')["value"] == "true"


@pytest.mark.parametrize("literal", [
    gml("<gml:MultiSurface{ns}><gml:surfaceMember><gml:Point><gml:pos>1 1</gml:pos></gml:Point></gml:surfaceMember></gml:MultiSurface>"),
    gml("<gml:Point{ns}><gml:pos>1 2 3 4</gml:pos></gml:Point>"),  # two positions in a point
    gml("<gml:Envelope{ns}><gml:lowerCorner>1 1</gml:lowerCorner></gml:Envelope>"),  # one corner
    gml("<gml:Curve{ns}><gml:segments/></gml:Curve>"),  # a GML type not read
])
def test_malformed_or_unread_gml_is_unbound(client, literal: str) -> None:  # type: ignore[no-untyped-def]
    assert value(client, f"geof:getSRID({literal})") is None
    assert value(client, f"geof:sfIntersects({literal}, {SQUARE})") is None
