"""Against a real gunicorn server on 127.0.0.1: real clients, W3C protocol cases, security proofs."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

FORUM = "https://w3id.org/ugkg/id/event/forum"
ASK_FORUM = "ASK { <%s> a <https://schema.org/Event> }" % FORUM


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it receives (it must receive none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


# --- real clients -------------------------------------------------------------------------------------------

def test_sparqlwrapper_client_select_and_ask(live_server: str) -> None:
    sw = SPARQLWrapper(live_server + "/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery("SELECT ?d WHERE { <%s> <https://schema.org/startDate> ?d }" % FORUM)
    rows = sw.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert [r["d"]["value"] for r in rows] == ["2022-12-18"]
    sw.setQuery(ASK_FORUM)
    assert sw.query().convert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore_client(live_server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="xml"))
    labels = {str(o) for o in graph.objects(rdflib.URIRef("https://w3id.org/ugkg/id/org/cass"), rdflib.RDFS.label)}
    assert labels == {"Chinese Academy of Social Sciences", "中国社会科学院"}


@pytest.mark.skipif(shutil.which("roqet") is None, reason="roqet (Debian rasqal-utils) is not installed; `make sysdeps` installs it")
def test_roqet_non_python_client(live_server: str) -> None:
    out = subprocess.run(
        ["roqet", "-q", "-p", live_server + "/sparql", "-e", "SELECT ?d WHERE { <%s> <https://schema.org/endDate> ?d }" % FORUM],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "2022-12-19" in out.stdout


# --- protocol details on the live server (the W3C suite itself runs as published in test_w3c_protocol.py) --

def test_w3c_query_get(live_server: str) -> None:
    r = requests.get(live_server + "/sparql", params={"query": ASK_FORUM}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/sparql-results+xml")


def test_w3c_query_post_form(live_server: str) -> None:
    r = requests.post(live_server + "/sparql", data={"query": ASK_FORUM}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_w3c_query_post_direct(live_server: str) -> None:
    r = requests.post(live_server + "/sparql", data=ASK_FORUM.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_w3c_query_dataset_default_graphs_get(live_server: str) -> None:
    q = "ASK { <%s> <https://schema.org/endDate> ?d }" % FORUM
    params = [("query", q), ("default-graph-uri", "https://w3id.org/ugkg/graph/data/a"), ("default-graph-uri", "https://w3id.org/ugkg/graph/data/b")]
    assert requests.get(live_server + "/sparql", params=params).json()["boolean"] is True


def test_w3c_query_dataset_named_graphs_post(live_server: str) -> None:
    q = "SELECT ?g { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    data = {"query": q, "named-graph-uri": "https://w3id.org/ugkg/graph/data/b"}
    rows = requests.post(live_server + "/sparql", data=data).json()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == ["https://w3id.org/ugkg/graph/data/b"]


def test_w3c_query_content_type_describe(live_server: str) -> None:
    r = requests.get(live_server + "/sparql", params={"query": "DESCRIBE <%s>" % FORUM}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.text, format="turtle")) > 0


def test_w3c_bad_query_method(live_server: str) -> None:
    assert requests.put(live_server + "/sparql", data=ASK_FORUM).status_code == 405


def test_w3c_bad_multiple_queries(live_server: str) -> None:
    r = requests.get(live_server + "/sparql", params=[("query", ASK_FORUM), ("query", ASK_FORUM)])
    assert r.status_code == 400


def test_w3c_bad_query_wrong_media_type(live_server: str) -> None:
    r = requests.post(live_server + "/sparql", data=ASK_FORUM, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_w3c_bad_query_missing_form_type(live_server: str) -> None:
    r = requests.post(live_server + "/sparql", data="query=" + ASK_FORUM, headers={"Content-Type": ""})
    assert r.status_code == 415


def test_w3c_bad_query_non_utf8(live_server: str) -> None:
    r = requests.post(live_server + "/sparql", data='ASK { ?s ?p "caf\xe9" }'.encode("latin-1"), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_w3c_bad_query_syntax(live_server: str) -> None:
    r = requests.get(live_server + "/sparql", params={"query": "ASK {"})
    assert r.status_code == 400 and r.json()["error"] == "malformed-query"


def test_w3c_bad_update_get(live_server: str) -> None:
    r = requests.get(live_server + "/sparql", params={"query": "CLEAR ALL"})
    assert r.status_code == 400 and "read-only" in r.json()["message"]


# --- security: nothing outside the dataset is reached --------------------------------------------------------

@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:%d/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:%d/sparql> { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:%d/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:%d/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:%d/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:%d/data.ttl>",
        "# comment\nload   <http://127.0.0.1:%d/data.ttl> INTO GRAPH <urn:g>",
    ],
)
def test_query_cannot_reach_a_local_listener(live_server: str, template: str) -> None:
    listener = Listener()
    try:
        r = requests.post(live_server + "/sparql", data={"query": template % listener.port})
        if " FROM " in template:  # a graph the dataset does not hold is an empty graph (Oxigraph/Fuseki semantics)
            assert r.status_code == 200 and r.json()["results"]["bindings"] == []
        else:
            assert r.status_code == 400
            assert r.json()["error"] in ("query-refused", "malformed-query")
        for name in ("default-graph-uri", "named-graph-uri"):
            r = requests.get(live_server + "/sparql", params={"query": "ASK { ?s ?p ?o }", name: f"http://127.0.0.1:{listener.port}/g.ttl"})
            assert r.status_code == 200 and r.json()["boolean"] is False
    finally:
        listener.close()
    assert listener.connections == 0


def test_query_cannot_read_a_local_file(live_server: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:secret> <urn:is> "TOP-SECRET-VALUE" .\n')
    for query in (
        "SELECT * FROM <%s> WHERE { ?s ?p ?o }" % secret.as_uri(),
        "SELECT * WHERE { SERVICE <%s> { ?s ?p ?o } }" % secret.as_uri(),
        "LOAD <%s>" % secret.as_uri(),
    ):
        r = requests.post(live_server + "/sparql", data={"query": query})
        assert r.status_code == (200 if " FROM " in query else 400)  # FROM an unknown graph: an empty graph
        assert "TOP-SECRET-VALUE" not in r.text and "urn:secret" not in r.text
    r = requests.post(live_server + "/sparql", data={"query": 'ASK { ?s ?p "TOP-SECRET-VALUE" }'})
    assert r.json()["boolean"] is False


def test_live_timeout_frees_the_worker_and_others_are_served(live_server: str) -> None:
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }"
    results: dict[str, int] = {}

    def run_slow() -> None:
        results["slow"] = requests.post(live_server + "/sparql", data={"query": slow}, timeout=60).status_code

    thread = threading.Thread(target=run_slow)
    thread.start()
    cheap = [requests.get(live_server + "/sparql", params={"query": ASK_FORUM}, timeout=10).status_code for _ in range(5)]
    thread.join(timeout=60)
    assert cheap == [200] * 5
    assert results["slow"] == 503
    assert requests.get(live_server + "/sparql", params={"query": ASK_FORUM}, timeout=10).status_code == 200


def test_live_metrics_are_prometheus_text(live_server: str) -> None:
    r = requests.get(live_server + "/metrics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert json.loads(requests.get(live_server + "/healthz").text)["status"] == "ok"


def _healthz_count(metrics: str) -> int:
    found = re.search(r'^ugkg_http_requests_total\{endpoint="/healthz",status="200"\} (\d+)$', metrics, re.M)
    return int(found.group(1)) if found else 0


def test_live_metrics_sum_every_worker_whichever_answers_the_scrape(live_server: str) -> None:
    """The server has two web workers; a scrape reaches one of them and must still count what both answered."""
    time.sleep(2.5)  # each worker writes its counts at least once a second
    before = _healthz_count(requests.get(live_server + "/metrics", timeout=10).text)
    sent = 60
    for _ in range(sent):  # a connection each: the kernel spreads them over the workers' sockets
        assert requests.get(live_server + "/healthz", timeout=10, headers={"Connection": "close"}).status_code == 200
    time.sleep(2.5)
    scrapes = [requests.get(live_server + "/metrics", timeout=10, headers={"Connection": "close"}).text for _ in range(6)]
    for text in scrapes:
        assert _healthz_count(text) - before == sent, text
        assert int(re.search(r"^ugkg_processes_reporting (\d+)$", text, re.M).group(1)) >= 2


# --- HTTP rules through gunicorn (raw URIs, preflights, HEAD) ------------------------------------------------

@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D", "/id/city/%C3%28", "/search?q=%E5%8C"])
def test_live_invalid_utf8_in_the_url_is_400(live_server: str, path: str) -> None:
    r = requests.get(live_server + path, timeout=10)
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]


def test_live_head_of_a_query_and_cors_preflight(live_server: str) -> None:
    head = requests.head(live_server + "/sparql", params={"query": ASK_FORUM}, timeout=10)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("application/sparql-results+json")
    r = requests.options(live_server + "/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type,x-requested-with,cache-control"}, timeout=10)
    assert r.headers["Access-Control-Allow-Headers"] == "content-type,x-requested-with,cache-control"
    assert r.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in r.headers
