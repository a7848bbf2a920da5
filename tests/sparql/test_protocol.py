"""SPARQL 1.1 Protocol behaviour of /sparql, named like the spec's requirements (Flask test client)."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib

FORUM = "https://w3id.org/ugkg/id/event/forum"
SELECT_FORUM = "PREFIX schema: <https://schema.org/> SELECT ?start WHERE { <%s> schema:startDate ?start }" % FORUM
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }"


@pytest.fixture()
def app(backend_app):  # type: ignore[no-untyped-def]
    """Every test of this module runs on every store backend (memory, on-disk Oxigraph, remote SPARQL server)."""
    return backend_app


@pytest.fixture()
def client(backend_app):  # type: ignore[no-untyped-def]
    return backend_app.test_client()


def bindings(response) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(response.data)["results"]["bindings"]


def test_get_query_returns_json_results_by_default(client) -> None:
    r = client.get("/sparql", query_string={"query": SELECT_FORUM})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/sparql-results+json"
    assert bindings(r) == [{"start": {"type": "literal", "value": "2022-12-18", "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]


def test_post_form_query(client) -> None:
    r = client.post("/sparql", data={"query": SELECT_FORUM})
    assert r.status_code == 200 and len(bindings(r)) == 1


def test_post_direct_query_utf8(client) -> None:
    query = 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "中国社会科学院"@zh }'
    r = client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query")
    assert r.status_code == 200
    assert bindings(r) == [{"s": {"type": "uri", "value": "https://w3id.org/ugkg/id/org/cass"}}]


def test_default_graph_is_a_set_union_of_asserted_and_inferred(client) -> None:
    # both data/a.ttl and data/b.ttl state the start date: it must come back once
    r = client.get("/sparql", query_string={"query": "SELECT ?d { <%s> <https://schema.org/startDate> ?d }" % FORUM})
    assert len(bindings(r)) == 1
    r = client.get("/sparql", query_string={"query": "ASK { <%s> a <https://schema.org/Event> }" % FORUM})
    assert json.loads(r.data)["boolean"] is True


def test_inference_false_queries_asserted_triples_only(client) -> None:
    q = "ASK { <%s> a <https://schema.org/Event> }" % FORUM
    r = client.get("/sparql", query_string={"query": q, "inference": "false"})
    assert json.loads(r.data)["boolean"] is False


def test_default_graph_uri_overrides_from(client) -> None:
    q = "SELECT ?d FROM <https://w3id.org/ugkg/graph/data/a> { <%s> <https://schema.org/endDate> ?d }" % FORUM
    assert bindings(client.get("/sparql", query_string={"query": q})) == []
    r = client.get("/sparql", query_string={"query": q, "default-graph-uri": "https://w3id.org/ugkg/graph/data/b"})
    assert len(bindings(r)) == 1


def test_named_graph_uri_limits_graph_clause(client) -> None:
    q = "SELECT ?g { GRAPH ?g { <%s> <https://schema.org/startDate> ?d } } ORDER BY ?g" % FORUM
    all_graphs = [b["g"]["value"] for b in bindings(client.get("/sparql", query_string={"query": q}))]
    assert all_graphs == ["https://w3id.org/ugkg/graph/data/a", "https://w3id.org/ugkg/graph/data/b"]
    r = client.get("/sparql", query_string={"query": q, "named-graph-uri": "https://w3id.org/ugkg/graph/data/b"})
    assert [b["g"]["value"] for b in bindings(r)] == ["https://w3id.org/ugkg/graph/data/b"]


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv; charset=utf-8"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_get_query_accept_negotiates_select_formats(client, accept: str, expected: str) -> None:
    r = client.get("/sparql", query_string={"query": SELECT_FORUM}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == expected
    assert r.headers["Vary"] == "Accept"


def test_select_bodies_parse_in_each_format(client) -> None:
    xml = client.get("/sparql", query_string={"query": SELECT_FORUM, "format": "xml"}).data
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert ET.fromstring(xml).find(".//s:literal", ns).text == "2022-12-18"  # type: ignore[union-attr]
    rows = list(csv.reader(io.StringIO(client.get("/sparql", query_string={"query": SELECT_FORUM, "format": "csv"}).data.decode())))
    assert rows == [["start"], ["2022-12-18"]]
    tsv = client.get("/sparql", query_string={"query": SELECT_FORUM, "format": "tsv"}).data.decode().splitlines()
    assert tsv == ["?start", '"2022-12-18"^^<http://www.w3.org/2001/XMLSchema#date>']


@pytest.mark.parametrize(
    "accept, expected, rdflib_format",
    [
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/trig", "application/trig", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
    ],
)
def test_construct_accept_negotiates_graph_formats(client, accept: str, expected: str, rdflib_format: str) -> None:
    q = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ugkg/graph/data/a> { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"] == expected
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=r.data, format=rdflib_format)
    assert len(graph) == 9 or sum(1 for _ in graph.quads()) == 9


def test_get_query_accept_bad_is_406(client) -> None:
    r = client.get("/sparql", query_string={"query": SELECT_FORUM}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert json.loads(r.data)["error"] == "not-acceptable"


def test_construct_with_only_results_types_in_accept_is_turtle(client) -> None:
    # roqet sends results types whatever the form; RFC 9110 lets the server disregard Accept then
    accept = "application/sparql-results+json, text/csv;q=0.5"
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert len(rdflib.Graph().parse(data=r.data, format="turtle")) > 0


def test_construct_with_only_unknown_types_in_accept_is_406(client) -> None:
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "image/png, text/csv"})
    assert r.status_code == 406


def on_virtuoso(client) -> bool:  # type: ignore[no-untyped-def]
    """Whether the app's store is the Virtuoso of tests/virtuoso_support.py (its endpoint is /sparql)."""
    return str(client.application.extensions["ugkg"].settings.store).endswith("/sparql")


def test_malformed_query_is_400_with_position(client) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    body = json.loads(r.data)
    # Virtuoso 7.2 reports the line, not the column (README, "Virtuoso as a second engine")
    assert body["error"] == "malformed-query" and body["position"] == ("1" if on_virtuoso(client) else "1:25")
    assert "Traceback" not in r.data.decode()


def test_post_with_unknown_content_type_is_415(client) -> None:
    r = client.post("/sparql", data=SELECT_FORUM, content_type="text/plain")
    assert r.status_code == 415


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405(client, method: str) -> None:
    r = getattr(client, method)("/sparql")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]


def test_update_is_refused_on_read_only_endpoint(client) -> None:
    for r in (
        client.post("/sparql", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }", content_type="application/sparql-query"),
        client.post("/sparql", data={"update": "DROP ALL"}),
        client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update"),
    ):
        assert r.status_code == 400
        assert "read-only" in json.loads(r.data)["message"]
    assert json.loads(client.get("/sparql", query_string={"query": "ASK { <urn:a> ?p ?o }"}).data)["boolean"] is False


def test_repeated_query_parameter_is_400(client) -> None:
    r = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert r.status_code == 400


def test_body_over_limit_is_413(client, app) -> None:
    limit = app.extensions["ugkg"].settings.max_body_bytes
    r = client.post("/sparql", data=b"#" * (limit + 1), content_type="application/sparql-query")
    assert r.status_code == 413


def test_invalid_utf8_is_400(client) -> None:
    r = client.post("/sparql", data=b"SELECT * { ?s ?p \xff }", content_type="application/sparql-query")
    assert r.status_code == 400 and "UTF-8" in json.loads(r.data)["message"]


def test_row_limit_truncation_is_signalled(client) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o . ?a ?b ?c }"})
    assert r.headers["X-Result-Truncated"].startswith("true")
    body = json.loads(r.data)
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 50


@pytest.fixture()
def client_given_up_on(backend_app, mini_settings, mini_snapshot, tmp_path):  # type: ignore[no-untyped-def]
    """The backend's client; on the remote backend, over an `oxigraph serve` of its own, killed afterwards.

    We stop waiting at the time limit, but Oxigraph 0.5 does not stop a query at its own ``--timeout-s``: on the
    shared server a query given up on would burn a core for the rest of the test run."""
    if not backend_app.extensions["ugkg"].settings.store.startswith("http"):
        yield backend_app.test_client()
        return
    from conftest import start_oxigraph_server
    from server.engine.remote import publish
    from server.web.app import create_app

    process, url = start_oxigraph_server(tmp_path / "oxigraph", timeout_s=int(mini_settings.query_timeout_s) + 1)
    application = None
    try:
        publish(mini_snapshot, url + "/store")
        application = create_app(mini_settings.with_(store=url + "/query"), mini_snapshot)
        yield application.test_client()
    finally:
        if application is not None:
            application.extensions["ugkg"].close()
        process.kill()
        process.wait(timeout=15)


def test_query_over_time_limit_is_503_naming_the_setting_and_worker_recovers(client_given_up_on) -> None:
    client = client_given_up_on
    r = client.post("/sparql", data=SLOW, content_type="application/sparql-query")
    assert r.status_code == 503
    assert "query_timeout_s" in json.loads(r.data)["message"] and r.headers["Retry-After"]
    for _ in range(3):  # the remaining and replacement evaluators keep answering
        assert client.get("/sparql", query_string={"query": SELECT_FORUM}).status_code == 200


def test_error_body_follows_accept(client) -> None:
    refused = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": refused}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/html")
    assert "&lt;http://127.0.0.1:9/&gt;" in r.data.decode()
    r = client.get("/sparql", query_string={"query": refused}, headers={"Accept": "text/plain"})
    assert r.headers["Content-Type"].startswith("text/plain") and r.data.startswith(b"400 Query refused")


def test_service_description_without_query(client) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.defaultEntailmentRegime, rdflib.URIRef("http://www.w3.org/ns/owl-profile/RL")) in g
    names = set(g.objects(None, sd.name))
    assert rdflib.URIRef("https://w3id.org/ugkg/graph/inferred") in names
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.headers["Content-Type"] == "application/ld+json"


def test_cors_allows_any_origin_without_credentials(client) -> None:
    r = client.options("/sparql", headers={"Origin": "http://example.net", "Access-Control-Request-Method": "POST"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_healthz_and_metrics(client) -> None:
    assert json.loads(client.get("/healthz").data)["status"] == "ok"
    client.get("/sparql", query_string={"query": "ASK {}"})
    text = client.get("/metrics").data.decode()
    assert "ugkg_queries_total" in text and "ugkg_query_duration_seconds_bucket" in text


def test_unexpected_error_is_500_without_trace(mini_settings, mini_snapshot) -> None:
    from server.web.app import create_app

    app = create_app(mini_settings.with_(query_workers=1), mini_snapshot)

    @app.get("/__boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    try:
        r = app.test_client().get("/__boom")
    finally:
        app.extensions["ugkg"].close()
    assert r.status_code == 500
    body = r.data.decode()
    assert "secret" not in body and "Traceback" not in body and "request_id" in body
