"""Federated queries: our endpoint joins its graph with a second SPARQL endpoint that the test starts.

The second endpoint is a real `oxigraph serve` on 127.0.0.1 holding the city statistics table converted by
`ugkg table` (the set-up the README describes); our app runs over a build of the sources *without* that
table, so every population figure in the answer has to come through SERVICE. The query is the documented
example, docs/examples/federated-signatory-population.rq, with the port of the test's endpoint.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Iterator

import pytest
import requests

from server.web.app import create_app
from server.build.pipeline import build
from server.settings import Settings

from conftest import ROOT, free_port, quiet, start_oxigraph_server, stop_server

EXAMPLE = ROOT / "docs" / "examples" / "federated-signatory-population.rq"
DOCUMENTED_ENDPOINT = "http://127.0.0.1:7878/query"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def statistics_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("federation")
    table = work / "city-statistics.nt"
    done = subprocess.run([sys.executable, "-m", "server.cli", "table", str(ROOT / "data" / "tables" / "city-statistics.csv"), "-o", str(table)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    process, url = start_oxigraph_server(work / "store")
    loaded = requests.post(url + "/store?default", data=table.read_bytes(), headers={"Content-Type": "application/n-triples"}, timeout=60)
    assert loaded.status_code in (200, 201, 204), loaded.text
    yield url + "/query"
    stop_server(process)


@pytest.fixture(scope="module")
def app_without_table(tmp_path_factory: pytest.TempPathFactory, statistics_endpoint: str) -> Iterator:
    """Our sources minus data/tables/, so that the statistics exist only at the other endpoint."""
    sources = tmp_path_factory.mktemp("sources")
    for kind in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / kind, sources / kind, ignore=shutil.ignore_patterns("tables"))
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("fed-data")), sources_dir=str(sources), log_level="WARNING",
                        service_allow=(statistics_endpoint,), query_timeout_s=20.0)
    application = create_app(settings, build(settings, progress=quiet).snapshot)
    yield application
    application.extensions["ugkg"].close()


def example_for(endpoint: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert DOCUMENTED_ENDPOINT in text
    return text.replace(DOCUMENTED_ENDPOINT, endpoint)


def test_documented_federated_query_joins_signatories_with_the_other_endpoint(app_without_table, statistics_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    client = app_without_table.test_client()
    local = client.post("/sparql", data={"query": "ASK { ?o <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }"}, headers=JSON)
    assert local.get_json()["boolean"] is False  # nothing to find locally: the answer below is federated
    response = client.post("/sparql", data={"query": example_for(statistics_endpoint)}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = [(b["city_en"]["value"], int(b["population"]["value"])) for b in response.get_json()["results"]["bindings"]]
    assert len(rows) == 12  # Xiong'an has no figure
    assert rows[0] == ("Chongqing", 32054159) and rows[-1] == ("Haikou", 2873358)
    assert [p for _, p in rows] == sorted((p for _, p in rows), reverse=True)


def test_service_outside_the_allowlist_is_refused_even_when_federation_is_on(app_without_table) -> None:  # type: ignore[no-untyped-def]
    other = f"http://127.0.0.1:{free_port()}/query"
    response = app_without_table.test_client().post("/sparql", data={"query": example_for(other)}, headers=JSON)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "query-refused" and body["reason"] == "service" and body["target"] == other


def test_service_description_lists_the_allowed_endpoint(app_without_table, statistics_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    text = app_without_table.test_client().get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert statistics_endpoint in text
