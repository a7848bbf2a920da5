"""Answers pyoxigraph writes itself (``results.native_solutions``): taken only when whole, rows counted exactly."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from server.engine import results

FORMATS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
TRICKY_VALUES = ["plain", "line\nbreak", "<result> in text", 'quote " and \\ backslash', "tab\tand,comma", "crlf\r\nend", ""]


@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("query", ["SELECT ?o WHERE { <http://x/s> ?p ?o }", "SELECT * WHERE { <http://x/s> <http://x/p> \"plain\" }",
                                   "SELECT ?o WHERE { <http://x/none> ?p ?o }"], ids=["values", "no-variables", "no-rows"])
def test_native_row_count_is_exact_whatever_the_values(media_type: str, query: str) -> None:
    store = ox.Store()
    for value in TRICKY_VALUES:
        store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal(value)))
    expected = len(list(store.query(query)))
    body = store.query(query).serialize(format=results.NATIVE_SOLUTION_FORMATS[media_type])
    assert results.count_native_rows(body, media_type) == expected


def store_of(rows: int, value: str = "x") -> ox.Store:
    store = ox.Store()
    for i in range(rows):
        store.add(ox.Quad(ox.NamedNode(f"http://x/s{i}"), ox.NamedNode("http://x/p"), ox.Literal(value)))
    return store


@pytest.mark.parametrize("media_type", FORMATS)
def test_native_answer_within_the_row_limit_is_whole_with_its_row_count(media_type: str) -> None:
    store = store_of(30)
    answer = results.native_solutions(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }"), media_type, 30)
    assert answer is not None and (answer.rows, answer.truncated, answer.media_type) == (30, False, media_type)
    if media_type == "application/sparql-results+json":
        assert len(json.loads(answer.body)["results"]["bindings"]) == 30


@pytest.mark.parametrize("media_type", FORMATS)
def test_native_answer_over_the_row_limit_is_left_to_our_writer(media_type: str) -> None:
    assert results.native_solutions(store_of(31).query("SELECT ?s WHERE { ?s ?p ?o }"), media_type, 30) is None


def test_native_answer_over_the_size_cap_is_left_to_our_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "NATIVE_BODY_CAP_BYTES", 50_000)
    big = store_of(100, "y" * 1000)  # ~100 kB of JSON: over the cap, within the row limit
    assert results.native_solutions(big.query("SELECT ?o WHERE { ?s ?p ?o }"), "application/sparql-results+json", 10_000) is None
    small = store_of(10, "y" * 1000)
    assert results.native_solutions(small.query("SELECT ?o WHERE { ?s ?p ?o }"), "application/sparql-results+json", 10_000) is not None
