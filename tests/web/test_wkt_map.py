"""The query page's map of WKT result columns (static/wktmap.js, vendored Leaflet) and its list of the
endpoints SERVICE may call: Flask-client checks, and headless-Chromium checks against the live server."""
from __future__ import annotations

import pytest

from tests.web.test_browser_ui import RESULT_ROWS, open_query_page, run_query, type_query

pytest_plugins = ["tests.browser_support"]

GEO = "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
WKT_QUERY = GEO + """SELECT ?name ?wkt WHERE {
VALUES (?name ?wkt) {
("Beijing" "POINT(116.39723 39.9075)"^^geo:wktLiteral)
("Shanghai, EPSG:4326 order" "<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(31.22222 121.45806)"^^geo:wktLiteral)
("a triangle" "POLYGON((116 39, 117 39, 116.5 40, 116 39))"^^geo:wktLiteral)
("malformed" "POINT(116.4"^^geo:wktLiteral)
("another CRS" "<http://www.opengis.net/def/crs/EPSG/0/3857> POINT(12958000 4853000)"^^geo:wktLiteral)
}
}"""


def test_query_page_includes_the_map_script_and_serves_leaflet(client):  # type: ignore[no-untyped-def]
    html = client.get("/query", headers={"Accept": "text/html"}).get_data(as_text=True)
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/wktmap.js"):
        assert path in html  # in the page's configuration: query.js loads them with the editor
        assert client.get(path).status_code == 200, path
    assert "url(" not in client.get("/static/vendor/leaflet/leaflet.css").get_data(as_text=True)  # nothing else to fetch


def test_query_page_says_service_is_off_by_default(client):  # type: ignore[no-untyped-def]
    html = client.get("/query", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="allowed-services"' in html and "SERVICE (federated query) is off" in html


def test_query_page_lists_the_allowed_endpoints(mini_settings, mini_snapshot):  # type: ignore[no-untyped-def]
    from server.web.app import create_app

    allowed = ("https://query.wikidata.org/sparql", "http://127.0.0.1:8104/query")
    application = create_app(mini_settings.with_(service_allow=allowed), mini_snapshot)
    try:
        html = application.test_client().get("/query", headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        application.extensions["ugkg"].close()
    assert all(f"<code>{endpoint}</code>" in html for endpoint in allowed)


@pytest.mark.browser
def test_wkt_column_is_drawn_on_a_map_without_foreign_requests(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    type_query(page, WKT_QUERY)
    run_query(page)
    page.wait_for_selector(RESULT_ROWS)
    page.wait_for_function("() => window.ugkgWktMap && window.ugkgWktMap.columns.length > 0")
    state = page.evaluate("() => window.ugkgWktMap")
    assert state == {"drawn": 3, "skipped": 2, "columns": ["wkt"]}
    assert page.locator("#wkt-map-box").is_visible()
    assert page.locator("#wkt-map path.leaflet-interactive").count() == 3  # two circle markers and a polygon
    # EPSG:4326 literals are latitude-longitude: parsed into GeoJSON's [longitude, latitude]
    assert page.evaluate("() => window.ugkgParseWkt('<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(31 121)').coordinates") == [121, 31]
    recorded_page.screenshot("query-wkt-map")
    page.wait_for_load_state("networkidle")
    assert all(url.startswith(live_server) for url in recorded_page.requests)
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_map_is_hidden_when_no_column_holds_wkt(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    type_query(page, WKT_QUERY)
    run_query(page)
    page.wait_for_function("() => window.ugkgWktMap && window.ugkgWktMap.drawn === 3")
    type_query(page, 'SELECT ?x WHERE { VALUES ?x { "no geometry" } }')
    run_query(page)
    page.wait_for_function("() => window.ugkgWktMap && window.ugkgWktMap.columns.length === 0")
    assert not page.locator("#wkt-map-box").is_visible()
    assert recorded_page.problems() == []
