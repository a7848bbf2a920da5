"""The read side of the SPARQL 1.1 Graph Store HTTP Protocol at /store."""
from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.namespace import DCAT, DCTERMS, RDF

BASE = "https://w3id.org/ugkg/"
DATA_A = BASE + "graph/data/a"
GSP = rdflib.URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")
SYNTAXES = [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
            ("application/rdf+xml", "xml"), ("application/trig", "trig"), ("application/n-quads", "nquads")]


def parse(body: bytes, fmt: str) -> int:
    if fmt in ("trig", "nquads"):
        dataset = rdflib.Dataset()
        dataset.parse(data=body, format=fmt)
        return sum(1 for _ in dataset.quads())
    return len(rdflib.Graph().parse(data=body, format=fmt))


@pytest.mark.parametrize("accept, fmt", SYNTAXES)
def test_get_named_graph_in_every_rdf_syntax(client, mini_snapshot, accept: str, fmt: str) -> None:
    r = client.get("/store", query_string={"graph": DATA_A}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    assert parse(r.data, fmt) == mini_snapshot.graphs[DATA_A]["triples"] == 9


def test_every_graph_of_the_dataset_is_readable_whole(client, mini_snapshot) -> None:
    for iri, info in mini_snapshot.graphs.items():
        r = client.get("/store", query_string={"graph": iri}, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, iri
        assert parse(r.data, "nt") == info["triples"], iri


def test_default_graph_is_the_query_default_graph(client) -> None:
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    count = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).get_json()
    assert parse(r.data, "nt") == int(count["results"]["bindings"][0]["n"]["value"])
    asserted = client.get("/store?default&inference=false", headers={"Accept": "application/n-triples"})
    assert parse(asserted.data, "nt") < parse(r.data, "nt")


def test_the_whole_graph_is_given_past_the_query_row_limit(client, app) -> None:
    limit = app.extensions["ugkg"].settings.max_result_rows  # 50 in the mini settings
    r = client.get("/store?graph=" + BASE + "graph/meta", headers={"Accept": "application/n-triples"})
    assert parse(r.data, "nt") > limit and "X-Result-Truncated" not in r.headers


def test_head_is_get_without_body_and_conditional_get_is_304(client) -> None:
    get = client.get("/store", query_string={"graph": DATA_A})
    head = client.head("/store", query_string={"graph": DATA_A})
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == get.headers["ETag"]
    again = client.get("/store", query_string={"graph": DATA_A}, headers={"If-None-Match": get.headers["ETag"]})
    assert again.status_code == 304


def test_unknown_graph_is_404(client) -> None:
    r = client.get("/store", query_string={"graph": "http://example.org/nowhere"})
    assert r.status_code == 404 and r.get_json()["error"] == "not-found"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_writes_are_405_with_allow(client, method: str) -> None:
    r = client.open("/store", method=method, query_string={"graph": DATA_A}, data=b"<a:b> <c:d> <e:f> .", content_type="application/n-triples")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("query", ["graph=" + DATA_A + "&default", "graph=" + DATA_A + "&graph=" + DATA_A, "format=ttl"])
def test_not_exactly_one_graph_is_400(client, query: str) -> None:
    assert client.get("/store?" + query).status_code == 400


def test_bare_store_is_the_dataset_description_listing_the_graphs(client, mini_snapshot) -> None:
    r = client.get("/store", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = rdflib.Graph().parse(data=r.data, format="turtle")
    assert {str(o) for o in graph.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#subset"))} >= set(mini_snapshot.graphs)


def test_graph_store_is_listed_in_the_service_description_and_the_catalogue(client) -> None:
    sd = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    stores = set(sd.subjects(DCTERMS.conformsTo, GSP))
    assert len(stores) == 1 and str(next(iter(stores))).endswith("/store")
    dcat = rdflib.Graph().parse(data=client.get("/dataset", headers={"Accept": "text/turtle"}).data, format="turtle")
    store = rdflib.URIRef(BASE + "store")
    assert (store, RDF.type, DCAT.DataService) in dcat and (store, DCTERMS.conformsTo, GSP) in dcat


def test_live_graph_store_with_rdflib_parse(live_server: str) -> None:
    graph = rdflib.Graph().parse(live_server + "/store?graph=" + requests.utils.quote(DATA_A, safe=""), format="turtle")
    assert len(graph) == 9
