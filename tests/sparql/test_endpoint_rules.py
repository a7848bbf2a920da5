"""What /sparql answers around the query itself: no query, parameters, format values, HEAD, CORS, UTF-8."""
from __future__ import annotations

import json

import pytest
import rdflib

ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ugkg/graph/data/b> { ?s ?p ?o } }"


def test_get_without_any_parameter_is_the_service_description(client) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.data, format="turtle")) > 10


def test_get_with_only_format_is_the_service_description(client) -> None:
    r = client.get("/sparql", query_string={"format": "jsonld"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")


def test_update_by_get_is_refused_as_read_only(client) -> None:
    r = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert r.status_code == 400
    body = json.loads(r.data)
    assert body["error"] == "query-refused" and "read-only" in body["message"]


@pytest.mark.parametrize("name", ["querry", "q", "sparql"])
def test_unknown_parameter_without_query_is_400_naming_it(client, name: str) -> None:
    r = client.get("/sparql", query_string={name: ASK})
    assert r.status_code == 400
    assert repr(name) in json.loads(r.data)["message"]


@pytest.mark.parametrize("name, value", [("default-graph-uri", "https://w3id.org/ugkg/graph/data/a"),
                                         ("named-graph-uri", "https://w3id.org/ugkg/graph/data/a"), ("inference", "false")])
def test_query_parameter_without_query_is_400_naming_it(client, name: str, value: str) -> None:
    r = client.get("/sparql", query_string={name: value})
    assert r.status_code == 400 and repr(name) in json.loads(r.data)["message"]


def test_extra_parameters_beside_a_query_are_ignored(client) -> None:
    # SPARQLWrapper adds output= and results=; other clients add cache busters
    r = client.get("/sparql", query_string={"query": ASK, "output": "json", "results": "json", "_": "1712"})
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True


def test_graph_parameter_on_the_query_url_is_a_graph_store_read(client) -> None:
    r = client.get("/sparql", query_string={"graph": "https://w3id.org/ugkg/graph/data/b"}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/n-triples"
    assert len(rdflib.Graph().parse(data=r.data, format="nt")) == 2


@pytest.mark.parametrize("values, expected", [
    (["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (["csv", "text/csv"], "text/csv"),
    (["json", "json"], "application/sparql-results+json"),
])
def test_repeated_format_values_that_agree_are_accepted(client, values: list[str], expected: str) -> None:
    r = client.get("/sparql", query_string=[("query", "SELECT * { ?s ?p ?o } LIMIT 1")] + [("format", v) for v in values])
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == expected


def test_repeated_format_values_that_disagree_are_400(client) -> None:
    r = client.get("/sparql", query_string=[("query", ASK), ("format", "json"), ("format", "xml")])
    assert r.status_code == 400 and "format" in json.loads(r.data)["message"]


@pytest.mark.parametrize("values, expected, parser", [
    (["json-ld", "application/ld+json,application/x-json+ld"], "application/ld+json", "json-ld"),
    (["rdf+xml", "application/rdf+xml"], "application/rdf+xml", "xml"),
    (["n3"], "text/turtle", "turtle"),
    (["xml"], "application/rdf+xml", "xml"),
])
def test_graph_format_values_as_sparqlwrapper_sends_them(client, values: list[str], expected: str, parser: str) -> None:
    r = client.get("/sparql", query_string=[("query", CONSTRUCT)] + [("format", v) for v in values])
    assert r.status_code == 200, r.data[:300]
    assert r.headers["Content-Type"].split(";")[0] == expected
    assert len(rdflib.Graph().parse(data=r.data, format=parser)) == 2


def test_head_of_a_query_is_the_get_without_body(client) -> None:
    get = client.get("/sparql", query_string={"query": ASK})
    head = client.head("/sparql", query_string={"query": ASK})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_head_works_on_every_get_route(app, client) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments:
            continue
        get, head = client.get(rule.rule), client.head(rule.rule)
        assert "HEAD" in rule.methods and head.status_code == get.status_code, rule.rule
        assert head.data == b"", rule.rule
        checked += 1
    for path in ("/id/event/forum", "/def/Forum", "/dumps/dataset.ttl", "/store?default", "/static/site.css"):
        assert client.head(path).status_code == client.get(path).status_code == 200, path
    assert checked >= 15


def test_cors_preflight_allows_the_headers_the_browser_asks_for(client) -> None:
    r = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-requested-with, cache-control, content-type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Headers"] == "x-requested-with, cache-control, content-type"
    assert "POST" in r.headers["Access-Control-Allow-Methods"] and "HEAD" in r.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_preflight_with_a_malformed_header_list_gets_the_default(client) -> None:
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                                           "Access-Control-Request-Headers": "x-a; b=<c>"})
    assert r.headers["Access-Control-Allow-Headers"] == "Accept, Content-Type"


@pytest.mark.parametrize("url", [
    "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D",
    "/sparql?query=ASK%7B%7D&format=%C3%28",
    "/search?q=%E5%8C",
    "/id/city/%FF",
    "/store?graph=%FE",
    "/sparql?%FF=1",
])
def test_invalid_utf8_in_a_get_is_400_everywhere(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400
    assert "UTF-8" in json.loads(r.data)["message"]


def test_valid_utf8_escapes_still_work(client) -> None:
    r = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%E4%B8%AD%E5%9B%BD%E7%A4%BE%E4%BC%9A%E7%A7%91%E5%AD%A6%E9%99%A2%22%40zh%20%7D")
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True


def test_service_description_says_what_the_default_graph_is(client, mini_snapshot) -> None:
    sd = rdflib.Graph().parse(data=client.get("/sparql").data, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert not list(sd.triples((None, SD.feature, SD.UnionDefaultGraph)))  # it is not the union of every graph
    default = next(sd.objects(None, SD.defaultGraph))
    members = {str(o) for o in sd.objects(default, rdflib.URIRef("http://purl.org/dc/terms/hasPart"))}
    assert members == {iri for iri, info in mini_snapshot.graphs.items() if info["kind"] in ("ontology", "data", "extra", "inferred")}
    assert {str(o) for o in sd.objects(None, SD.name)} == set(mini_snapshot.graphs)
    comment = " ".join(str(o) for o in sd.objects(None, rdflib.RDFS.comment))
    assert "nothing is ever fetched" in comment and "urn:x-rdflib:default" in comment
