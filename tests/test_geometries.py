"""GeoSPARQL on the real data: data/geometries.ttl restates the cited coordinates, and the geo competency
queries (queries/41-43) give exact answers, worked out here independently from data/places.ttl.

Oxigraph's geof:distance in metres is the great-circle distance on a sphere of radius 6,371,008.8 m (measured:
it equals haversine with that radius to the last digit on Beijing–Shanghai), so the expected figures use it.
"""
from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import rdflib
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parent.parent


def run(store, stem: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    """Rows of queries/<stem>*.rq as tuples of lexical values (as test_competency.run; not imported from there,
    which imports the geo checks from here)."""
    (path,) = (ROOT / "queries").glob(f"{stem}*.rq")
    return [tuple(None if term is None else term.value for term in row) for row in store.query(path.read_text(encoding="utf-8"))]
SCHEMA = rdflib.Namespace("https://schema.org/")
GEO = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")
EARTH_RADIUS_M = 6371008.8


def places() -> dict[str, tuple[float, float]]:
    """English label → (longitude, latitude) of every located place of data/places.ttl."""
    g = rdflib.Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        if path.name != "geometries.ttl":
            g.parse(path)
    found = {}
    for place in set(g.subjects(SCHEMA.latitude, None)):
        en = next(str(o) for o in g.objects(place, RDFS.label) if o.language == "en")
        found[en] = (float(g.value(place, SCHEMA.longitude)), float(g.value(place, SCHEMA.latitude)))
    return found


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def km(metres: float) -> float:
    return round(metres / 100) / 10


def test_geometries_file_is_what_the_coordinates_give() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "geometries.py"), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_every_located_place_has_one_crs84_point_equal_to_its_coordinates() -> None:
    g = rdflib.Graph().parse(ROOT / "data" / "geometries.ttl")
    g.parse(ROOT / "data" / "places.ttl")
    located = set(g.subjects(SCHEMA.latitude, None))
    assert len(located) == 13
    for place in located:
        (geometry,) = list(g.objects(place, GEO.hasGeometry))
        (wkt,) = list(g.objects(geometry, GEO.asWKT))
        assert wkt.datatype == GEO.wktLiteral
        lon, lat = str(wkt).removeprefix("POINT(").removesuffix(")").split(" ")
        assert (float(lon), float(lat)) == (float(g.value(place, SCHEMA.longitude)), float(g.value(place, SCHEMA.latitude)))


def test_distances_between_signatory_cities(store) -> None:  # type: ignore[no-untyped-def]
    located = places()
    rows = run(store, "41")
    assert len(rows) == math.comb(13, 2) == 78
    got = {frozenset((a, b)): float(d) for a, b, d in rows}
    expected = {frozenset((a, b)): km(great_circle_m(located[a], located[b])) for a, b in itertools.combinations(located, 2)}
    assert got == expected
    assert [float(d) for _, _, d in rows] == sorted(float(d) for _, _, d in rows)


def test_cities_within_500_km_of_beijing(store) -> None:  # type: ignore[no-untyped-def]
    located = places()
    rows = run(store, "42")
    distances = {name: great_circle_m(located["Beijing"], where) for name, where in located.items() if name != "Beijing"}
    expected = sorted((d, name) for name, d in distances.items() if d <= 500_000)
    assert [(name, float(d)) for name, d, _ in rows] == [(name, km(d)) for d, name in expected]
    assert {name for name, _, _ in rows} == {"Tianjin", "Xiong'an", "Shijiazhuang", "Jinan", "Hohhot"}
    assert all(wkt.startswith("POINT(") for _, _, wkt in rows)  # a WKT column: the query page maps it


def test_the_two_signatories_nearest_each_other(store) -> None:  # type: ignore[no-untyped-def]
    located = places()
    pairs = sorted((great_circle_m(located[a], located[b]), frozenset((a, b))) for a, b in itertools.combinations(located, 2))
    assert pairs[0][0] < pairs[1][0]  # a single nearest pair
    ((a, b, d, wkt_a, wkt_b),) = run(store, "43")
    assert frozenset((a, b)) == pairs[0][1] and float(d) == km(pairs[0][0])
    assert wkt_a.startswith("POINT(") and wkt_b.startswith("POINT(")


def test_geometry_has_its_page_and_is_in_the_dump(kg_settings, kg_snapshot) -> None:  # type: ignore[no-untyped-def]
    from server.web.app import create_app

    app = create_app(kg_settings, kg_snapshot)
    try:
        client = app.test_client()
        page = client.get("/id/geometry/city/beijing", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "POINT(116.39723 39.9075)" in page.get_data(as_text=True)
        turtle = client.get("/id/city/beijing", headers={"Accept": "text/turtle"}).get_data(as_text=True)
        assert "geometry/city/beijing" in turtle.replace("\\/", "/")  # Turtle may escape the slashes of ugr: names
        dump = client.get("/dumps/dataset.nt")
        assert dump.status_code == 200 and b'"POINT(116.39723 39.9075)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>' in dump.get_data()
    finally:
        app.extensions["ugkg"].close()
