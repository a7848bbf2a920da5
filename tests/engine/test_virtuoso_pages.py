"""Pages and limits with Virtuoso behind the remote backend (mini snapshot): the linked-data pages and their RDF
forms hold the same triples as on the embedded engine, and the row limit and time limit hold."""
from __future__ import annotations

from typing import Iterator

import pytest
import rdflib
import rdflib.compare

from server.settings import Settings
from server.web.app import create_app

PAGES = ["/id/event/forum.ttl", "/id/event/forum.nt"]


@pytest.fixture(scope="module")
def on_virtuoso(mini_settings: Settings, mini_snapshot, virtuoso_server: str) -> Iterator:  # type: ignore[no-untyped-def]
    app = create_app(mini_settings.with_(store=virtuoso_server), mini_snapshot)
    yield app.test_client()
    app.extensions["ugkg"].close()


@pytest.mark.parametrize("path", PAGES)
def test_resource_description_is_the_same_graph_on_virtuoso(on_virtuoso, client, path: str) -> None:  # type: ignore[no-untyped-def]
    fmt = "turtle" if path.endswith(".ttl") else "nt"
    graphs = []
    for c in (client, on_virtuoso):
        response = c.get(path)
        assert response.status_code == 200
        graphs.append(rdflib.Graph().parse(data=response.get_data(as_text=True), format=fmt))
    assert len(graphs[0]) > 0
    assert rdflib.compare.isomorphic(graphs[0], graphs[1])


def test_html_page_shows_the_same_facts_on_virtuoso(on_virtuoso, client) -> None:  # type: ignore[no-untyped-def]
    pages = [c.get("/id/event/forum", headers={"Accept": "text/html"}) for c in (client, on_virtuoso)]
    assert all(p.status_code == 200 for p in pages)
    assert "2022-12-18" in pages[1].get_data(as_text=True)


def test_row_limit_holds_on_virtuoso(on_virtuoso, mini_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"  # 25 × 25 rows on the mini graph, over the limit of 50
    response = on_virtuoso.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert len(response.get_json()["results"]["bindings"]) == mini_settings.max_result_rows
    assert response.headers["X-Result-Truncated"].startswith("true")


def test_time_limit_holds_on_virtuoso(on_virtuoso, mini_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    import time

    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    started = time.monotonic()
    response = on_virtuoso.post("/sparql", data={"query": heavy}, headers={"Accept": "application/sparql-results+json"})
    elapsed = time.monotonic() - started
    assert elapsed < mini_settings.query_timeout_s + 3
    assert response.status_code in (200, 503)  # finished in time, or stopped at the limit; never a 500 or a hang
