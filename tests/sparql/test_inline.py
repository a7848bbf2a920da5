"""Single-pattern queries run in the web process (server/sparql/inline.py): which qualify, that the answer is
the evaluator's answer, and that the time limit still stops them."""
from __future__ import annotations

import time
from typing import Any

import pyoxigraph as ox
import pytest

from server.engine.embedded import OxigraphEngine
from server.engine.factory import spec_for
from server.engine.store import QueryJob
from server.errors import QueryTimeout
from server.sparql.policy import scan

JSON = "application/sparql-results+json"


@pytest.mark.parametrize("query, limit", [
    ("SELECT ?p ?o WHERE { <http://e/s> ?p ?o } LIMIT 5", 5),
    ("PREFIX ex: <http://e/> SELECT * { ex:s a ex:C . }", None),
    ('SELECT ?s { ?s <http://e/p> "x"@en-GB }', None),
    ('ASK { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#integer> }', None),
    ("select ?s where { ?s ?p ?o } limit 10 # a comment", 10),
])
def test_bounded_shapes_qualify(query: str, limit: int | None) -> None:
    found = scan(query).single_pattern
    assert found is not None and found.limit == limit


@pytest.mark.parametrize("query", [
    "SELECT ?s { ?s ?p ?s }",  # a repeated variable filters a whole scan inside one row
    "SELECT ?s { ?s ?p ?o } OFFSET 100000",  # skipped inside the first row
    "SELECT ?s { ?s ?p ?o FILTER(?o = 1) }",
    "SELECT ?s { ?s ?p 12 }",
    "SELECT DISTINCT ?s { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s { ?s <http://e/p>* ?o }",
    "SELECT ?s { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s FROM <http://e/g> { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT ?s { { SELECT ?s { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "BASE <http://e/> SELECT ?s { ?s <p> ?o }",
    "SELECT ?s { _:b ?p ?o }",
])
def test_other_shapes_go_to_an_evaluator(query: str) -> None:
    assert scan(query).single_pattern is None


@pytest.fixture(scope="module")
def engines(kg_snapshot: Any) -> tuple[OxigraphEngine, OxigraphEngine]:
    from server.engine.embedded import ensure_disk_store

    ensure_disk_store(kg_snapshot)
    return OxigraphEngine(spec_for("oxigraph", kg_snapshot)), OxigraphEngine(spec_for("memory", kg_snapshot))


def evaluate_inline(engine: OxigraphEngine, job: QueryJob, deadline: float) -> Any:
    """What the service does for a single-pattern query: the pattern's LIMIT comes from the policy lexer."""
    pattern = scan(job.query).single_pattern
    assert pattern is not None, job.query
    return engine.evaluate_pattern(job, deadline, limit=pattern.limit)


def solutions(body: bytes) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted((k, str(v)) for k, v in zip([v.value for v in parsed.variables], row) if v is not None))
            for parsed in [ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)] for row in parsed}


@pytest.mark.parametrize("query", [
    "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum-2022> ?p ?o } LIMIT 5",
    "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum-2022> ?p ?o }",
    "SELECT ?s WHERE { ?s a <https://w3id.org/ugkg/def/City> }",
])
@pytest.mark.parametrize("inference", [True, False])
def test_inline_answer_equals_the_evaluator_answer(engines: Any, query: str, inference: bool) -> None:
    disk, _ = engines
    job = QueryJob(query, "SELECT", JSON, 10000, inference=inference)
    inline = evaluate_inline(disk, job, time.monotonic() + 10)
    evaluated = disk.evaluate(job)
    if "LIMIT" in query:  # which 5 rows is the engine's choice; their number is not
        assert inline.rows == evaluated.rows == 5
    else:
        assert solutions(inline.body) == solutions(evaluated.body) and inline.rows == evaluated.rows > 0


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_inline_answers_every_results_format_with_its_row_count(engines: Any, media_type: str) -> None:
    disk, _ = engines
    query = "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum-2022> ?p ?o } LIMIT 3"
    inline = evaluate_inline(disk, QueryJob(query, "SELECT", media_type, 10000), time.monotonic() + 10)
    evaluated = disk.evaluate(QueryJob(query, "SELECT", media_type, 10000))
    assert inline.media_type == media_type and inline.rows == evaluated.rows == 3 and inline.body


def test_inline_answer_over_the_row_limit_is_cut_and_says_so(engines: Any) -> None:
    disk, _ = engines
    job = QueryJob("SELECT * WHERE { ?s ?p ?o }", "SELECT", JSON, 7)
    inline = evaluate_inline(disk, job, time.monotonic() + 10)
    assert inline.rows == 7 and inline.truncated and b'"truncated":true' in inline.body


def test_inline_query_past_its_deadline_is_stopped(engines: Any) -> None:
    disk, _ = engines
    job = QueryJob("SELECT * WHERE { ?s ?p ?o }", "SELECT", JSON, 1_000_000)
    with pytest.raises(QueryTimeout):
        evaluate_inline(disk, job, time.monotonic() - 1)


def test_point_lookup_runs_inline_and_a_join_does_not(app: Any) -> None:
    from server.sparql.protocol import ProtocolRequest

    service = app.extensions["ugkg"].sparql
    before = service.inline_queries
    service.run(ProtocolRequest("SELECT ?p ?o { <https://w3id.org/ugkg/id/event/forum> ?p ?o } # inline-1", None, None, True, None), JSON)
    assert service.inline_queries == before + 1
    service.run(ProtocolRequest("SELECT ?p ?o { ?s ?p ?o . ?o ?q ?r } LIMIT 1 # inline-2", None, None, True, None), JSON)
    assert service.inline_queries == before + 1


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_inline_answer_at_the_row_limit_is_whole_and_one_past_it_is_cut(engines: Any, media_type: str) -> None:
    disk, _ = engines
    query = "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum-2022> ?p ?o }"
    rows = disk.evaluate(QueryJob(query, "SELECT", JSON, 10000)).rows
    exact = evaluate_inline(disk, QueryJob(query, "SELECT", media_type, rows), time.monotonic() + 10)
    assert (exact.rows, exact.truncated) == (rows, False)
    cut = evaluate_inline(disk, QueryJob(query, "SELECT", media_type, rows - 1), time.monotonic() + 10)
    assert (cut.rows, cut.truncated) == (rows - 1, True)


@pytest.mark.parametrize("query", [
    "SELECT ?p ?o { <http://e/s> ?p ?o }",
    "SELECT ?z ?o { ?s ?p ?o }",  # ?z never bound
    "SELECT ?s ?x { ?s ?p ?o OPTIONAL { ?o <http://e/q> ?x } }",  # rows binding different variables
    "SELECT ?x { ?s ?p ?o OPTIONAL { ?o <http://e/q> ?x } }",  # rows binding nothing ({}) among others
    "SELECT * {}",  # one row binding nothing
    "SELECT ?o { ?s <http://e/none> ?o }",  # no rows
    "SELECT ?t { BIND(<<( <http://e/s> <http://e/p> <http://e/o> )>> AS ?t) }",  # a triple term nests terms
    "SELECT ?s ?o { VALUES ?o { \"},{\\\"x\" \"},{}\" \"[]}}\" } ?s ?p ?o }",
])
def test_rows_counted_in_the_json_body_equal_rows_parsed(query: str) -> None:
    """Values that look like JSON structure (quotes, braces, brackets) and rows binding nothing do not change
    the count taken without parsing (results.count_native_rows)."""
    import json

    from server.engine.results import count_native_rows

    store = ox.Store()
    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    for value in ['"type":"uri"', '},{"o":{"type":"literal"', "},{}", "[]}}", "plain", '\\"', "line\nbreak", '},{"x']:
        store.add(ox.Quad(s, p, ox.Literal(value)))
    store.add(ox.Quad(s, p, ox.Literal("x", language="zh")))
    store.add(ox.Quad(s, p, ox.BlankNode()))
    store.add(ox.Quad(s, p, ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    body = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    assert count_native_rows(body, JSON) == len(json.loads(body)["results"]["bindings"])
