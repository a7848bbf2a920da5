"""The dataset a query sees, on every backend: Oxigraph/Fuseki semantics for graphs the dataset does not hold,
rdflib's ``urn:x-rdflib:default``, and the protocol dataset winning over FROM (SPARQL 1.1 Protocol §2.1.4)."""
from __future__ import annotations

import json

import pytest

FORUM = "https://w3id.org/ugkg/id/event/forum"
DATA_A = "https://w3id.org/ugkg/graph/data/a"
DATA_B = "https://w3id.org/ugkg/graph/data/b"
UNKNOWN = "http://example.org/not-a-graph-of-this-dataset"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


@pytest.fixture()
def client(backend_app):  # type: ignore[no-untyped-def]
    return backend_app.test_client()


def run(client, query: str, params: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    r = client.get("/sparql", query_string=[("query", query)] + (params or []))
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    return json.loads(r.data)


def count(client, params: list[tuple[str, str]] | None = None, query: str = COUNT) -> int:  # type: ignore[no-untyped-def]
    return int(run(client, query, params)["results"]["bindings"][0]["n"]["value"])


def graphs(client, params: list[tuple[str, str]] | None = None, query: str = GRAPHS) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["g"]["value"] for b in run(client, query, params)["results"]["bindings"]]


def test_unknown_default_graph_uri_is_an_empty_graph(client) -> None:
    assert count(client, [("default-graph-uri", UNKNOWN)]) == 0


def test_unknown_default_graph_beside_a_known_one_adds_nothing(client) -> None:
    assert count(client, [("default-graph-uri", UNKNOWN), ("default-graph-uri", DATA_B)]) == count(client, [("default-graph-uri", DATA_B)]) == 2


def test_unknown_named_graph_uri_is_not_a_graph(client) -> None:
    assert graphs(client, [("named-graph-uri", UNKNOWN), ("named-graph-uri", DATA_B)]) == [DATA_B]
    assert graphs(client, [("named-graph-uri", UNKNOWN)]) == []


def test_from_and_from_named_of_unknown_graphs_are_empty(client) -> None:
    assert count(client, query=f"SELECT (COUNT(*) AS ?n) FROM <{UNKNOWN}> WHERE {{ ?s ?p ?o }}") == 0
    assert graphs(client, query=f"SELECT DISTINCT ?g FROM NAMED <{UNKNOWN}> FROM NAMED <{DATA_A}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == [DATA_A]


def test_only_named_graphs_given_means_an_empty_default_graph(client) -> None:
    assert count(client, [("named-graph-uri", DATA_A)]) == 0
    assert count(client, query=f"SELECT (COUNT(*) AS ?n) FROM NAMED <{DATA_A}> WHERE {{ ?s ?p ?o }}") == 0


def test_protocol_dataset_wins_over_from(client) -> None:
    q = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_A}> WHERE {{ ?s ?p ?o }}"
    assert count(client, query=q) == 9
    # Virtuoso 7.2 merges FROM with the protocol's default-graph-uri (9 + 2) instead of letting the protocol
    # win (SPARQL 1.1 Protocol §2.1.4); README, "Virtuoso as a second engine"
    from tests.sparql.test_protocol import on_virtuoso

    assert count(client, [("default-graph-uri", DATA_B)], query=q) == (9 + 2 if on_virtuoso(client) else 2)


def test_rdflib_default_graph_name_is_the_service_dataset(client) -> None:
    service = count(client)
    assert count(client, [("default-graph-uri", "urn:x-rdflib:default")]) == service > 0
    assert graphs(client, [("default-graph-uri", "urn:x-rdflib:default")]) == graphs(client)


def test_rdflib_default_graph_name_in_a_dataset_is_the_service_default_graph(client) -> None:
    mixed = [("default-graph-uri", "urn:x-rdflib:default"), ("named-graph-uri", DATA_B)]
    assert count(client, mixed) == count(client)
    assert graphs(client, mixed) == [DATA_B]
    asserted = count(client, [("inference", "false")])
    assert count(client, mixed + [("inference", "false")]) == asserted < count(client)


def test_internal_union_graph_names_are_not_part_of_the_dataset(client) -> None:
    for internal in ("urn:ugkg:graph:asserted-union", "urn:ugkg:graph:all-union", "urn:ugkg:graph:service-default"):
        assert count(client, [("default-graph-uri", internal)]) == 0
        assert graphs(client, [("named-graph-uri", internal)]) == []
