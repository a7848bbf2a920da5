"""A catalogue of hostile queries, each with the answer it must get (status + error code).

Every case runs through the real HTTP handling (Flask test client) and real evaluator processes, on an app
with a 1 s query time limit. After the catalogue the same app must still answer a cheap query, and no
evaluator may have died (a crash would mean the pre-checks or the evaluator's stack failed).
"""
from __future__ import annotations

import json

import pytest

from server.web.app import create_app

FORUM = "https://w3id.org/ugkg/id/event/forum"
CHEAP = "ASK { <%s> a <https://schema.org/Event> }" % FORUM
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }"
JSON = {"Accept": "application/json, application/sparql-results+json"}


@pytest.fixture(scope="module")
def hostile_app(mini_settings, mini_snapshot):  # type: ignore[no-untyped-def]
    settings = mini_settings.with_(query_timeout_s=1.0, queue_timeout_s=10.0, result_cache_entries=0)
    application = create_app(settings, mini_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture()
def hc(hostile_app):  # type: ignore[no-untyped-def]
    return hostile_app.test_client()


def executor(app):  # type: ignore[no-untyped-def]
    return app.extensions["ugkg"].sparql.executor


def ask(client, query: str, *, via: str = "get", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    headers = dict(JSON, **(headers or {}))
    if via == "get":
        return client.get("/sparql", query_string={"query": query}, headers=headers)
    if via == "form":
        return client.post("/sparql", data={"query": query}, headers=headers)
    return client.post("/sparql", data=query.encode(), headers=dict(headers, **{"Content-Type": "application/sparql-query"}))


def assert_error(response, status: int, code: str, reason: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = json.loads(response.get_data())
    assert body["error"] == code, body
    if reason is not None:
        assert body.get("reason") == reason, body
    return body


# --- federation refused before anything runs; the file system and the web never read ------------------------------------------

SERVICE_TARGETS = [
    "http://127.0.0.1:8000/sparql",
    "http://localhost/sparql",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/sparql",
    "http://[::1]:8000/sparql",
    "file:///etc/passwd",
    "https://query.wikidata.org/sparql",
]


@pytest.mark.parametrize("target", SERVICE_TARGETS)
@pytest.mark.parametrize("template", [
    "SELECT * WHERE { SERVICE <%s> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <%s> { ?s ?p ?o } }",
    "select * where { service silent <%s> { ?s ?p ?o } }",
    "PREFIX x: <%s> SELECT * WHERE { SERVICE x: { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <%s> { ?s ?p ?o } } }",
])
def test_service_is_refused(hc, target: str, template: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(ask(hc, template % target, via="form"), 400, "query-refused", "service")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1/> AS ?x) SERVICE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?x { ?s ?p ?o } }",
    # a prefixed name with PN_LOCAL_ESC (\' or \#) once hid the rest of the line from the lexer
    "PREFIX ex: <urn:ex:> SELECT * WHERE { BIND(ex:a\\'b AS ?v) SERVICE <http://127.0.0.1:1/> { ?x ?y ?z } BIND(\"'\" AS ?w) }",
    "PREFIX ex: <urn:ex:> SELECT * WHERE { BIND(ex:a\\#b AS ?v) SERVICE <http://127.0.0.1:1/> { ?x ?y ?z } }",
    # a prefix redefined with an IRI the lexer cannot read must not resolve to the first definition
    "PREFIX x: <http://127.0.0.1/> PREFIX x: <http://127.0.0.1\\u003A1/> SELECT * { SERVICE x:s { ?a ?b ?c } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/\\u0062> { ?x ?y ?z } }",
])
def test_service_evasions_are_refused(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(ask(hc, query, via="form"), 400, "query-refused", "service")


@pytest.mark.parametrize("query", [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <http://169.254.169.254/latest/meta-data/> WHERE { ?s ?p ?o }",
    "PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }",
])
def test_from_outside_the_dataset_is_an_empty_graph(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    # Oxigraph/Fuseki semantics: a graph the dataset does not hold is empty; it is never fetched nor read
    r = ask(hc, query)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert json.loads(r.get_data())["results"]["bindings"] == []


@pytest.mark.parametrize("query", [
    "SELECT * FROM <https://w3id.org/ugkg/graph/data/b> FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <https://w3id.org/ugkg/graph/data/b> FROM NAMED <http://169.254.169.254/> WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_from_mixing_known_and_unknown_graphs_reads_only_the_known(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(ask(hc, query).get_data())["results"]["bindings"]
    assert len(rows) == 2  # graph/data/b holds two triples
    assert {r["g"]["value"] for r in rows if "g" in r} <= {"https://w3id.org/ugkg/graph/data/b"}


# --- every SPARQL Update form, by every route -----------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <https://w3id.org/ugkg/graph/data/a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "CLEAR SILENT GRAPH <https://w3id.org/ugkg/graph/data/a>",
    "DROP ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "MOVE <https://w3id.org/ugkg/graph/data/a> TO <urn:g>",
    "ADD <https://w3id.org/ugkg/graph/data/a> TO <urn:g>",
    "LOAD <file:///etc/passwd>",
    "LOAD SILENT <http://169.254.169.254/> INTO GRAPH <urn:g>",
    "PREFIX x: <urn:x:> INSERT DATA { x:a x:b x:c } ; DROP ALL",
    "# comment\nclear all",
]


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("via", ["get", "form", "direct"])
def test_update_as_query_is_refused(hc, update: str, via: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(ask(hc, update, via=via), 400, "query-refused", "update")


@pytest.mark.parametrize("update", UPDATES[:6] + ["CLEAR ALL", "LOAD <file:///etc/passwd>"])
def test_update_via_form_field_and_update_media_type_is_refused(hc, update: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(hc.post("/sparql", data={"update": update}, headers=JSON), 400, "query-refused", "update")
    r = hc.post("/sparql", data=update.encode(), headers=dict(JSON, **{"Content-Type": "application/sparql-update"}))
    assert_error(r, 400, "query-refused", "update")


def test_the_data_is_unchanged_after_the_updates(hc) -> None:  # type: ignore[no-untyped-def]
    r = ask(hc, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert r.status_code == 200 and json.loads(r.get_data())["boolean"] is False
    assert json.loads(ask(hc, CHEAP).get_data())["boolean"] is True


# --- resource exhaustion: a clean 400, a clean answer, or a 503 naming the time limit ------------------------

def nested_groups(n: int) -> str:
    return "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n


@pytest.mark.parametrize("query", [
    nested_groups(5000),
    nested_groups(201),
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
    "SELECT * WHERE { ?s <urn:p> " + "[ <urn:p> " * 3000 + "?o" + " ]" * 3000 + " }",
    "SELECT * WHERE { << " * 300 + "<urn:a> <urn:p> <urn:a>" + " >> ?p ?o }" * 300,
])
def test_deep_nesting_is_refused_before_evaluation(hc, hostile_app, query: str) -> None:  # type: ignore[no-untyped-def]
    crashes = executor(hostile_app).crashes
    body = assert_error(ask(hc, query, via="direct"), 400, "query-refused", "nesting")
    assert body["limit"] == 200
    assert executor(hostile_app).crashes == crashes


def test_nesting_at_the_limit_is_answered(hc) -> None:  # type: ignore[no-untyped-def]
    r = ask(hc, nested_groups(150), via="direct")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]


@pytest.mark.parametrize("query", [
    # flat chains: no bracket nesting, but deep trees for a recursive parser (crashed an 8 MiB-stack evaluator)
    "SELECT * WHERE { FILTER(" + "+".join(["1"] * 20000) + ") }",
    "SELECT * WHERE { FILTER(" + "!" * 40000 + "true) }",
    "SELECT * WHERE { " + " ".join("?a?b?c." for _ in range(11000)) + " }",
    "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 12000) + " ?o }",
])
def test_long_flat_chains_do_not_crash_the_evaluator(hc, hostile_app, query: str) -> None:  # type: ignore[no-untyped-def]
    crashes = executor(hostile_app).crashes
    r = ask(hc, query, via="direct")
    assert r.status_code in (200, 503), r.get_data(as_text=True)[:300]
    if r.status_code == 503:
        assert_error(r, 503, "query-timeout")
        assert r.headers["Retry-After"] == "1"
    assert executor(hostile_app).crashes == crashes


@pytest.mark.parametrize("query", [
    CARTESIAN,
    "SELECT (GROUP_CONCAT(STR(?o); SEPARATOR=',') AS ?all) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?s ?p ?o }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o), STR(?r)), '(a+)+$')) }",
])
def test_expensive_queries_stop_at_the_time_limit_with_retry_after(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    r = ask(hc, query, via="form")
    body = assert_error(r, 503, "query-timeout")
    assert r.headers["Retry-After"] == "1"
    assert "query_timeout_s" in body["message"]


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s (<urn:p>|!<urn:p>)* ?o }",
    "SELECT * WHERE { ?s (<https://schema.org/name>|!<https://schema.org/name>)+ ?o }",
    "SELECT (GROUP_CONCAT(STR(?o); SEPARATOR=',') AS ?all) { ?s ?p ?o }",
    "SELECT * WHERE { BIND('" + "a" * 30000 + "!' AS ?x) FILTER(REGEX(?x, '(a+)+$')) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), '(a|aa|a?)+(x+x+)+y', 'i')) }",
])
def test_potentially_unbounded_queries_end_cleanly(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    r = ask(hc, query, via="form")
    assert r.status_code in (200, 503), r.get_data(as_text=True)[:300]
    if r.status_code == 503:
        assert r.headers["Retry-After"] == "1"
    else:
        body = json.loads(r.get_data())
        assert len(body["results"]["bindings"]) <= 50  # max_result_rows of mini_settings


def test_huge_values_block_within_the_limits_is_answered(hc) -> None:  # type: ignore[no-untyped-def]
    values = " ".join(f"<urn:x:{i}>" for i in range(7000))
    query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { %s } }" % values
    assert len(query) < 100_000
    r = ask(hc, query, via="direct")
    assert r.status_code == 200
    assert json.loads(r.get_data())["results"]["bindings"][0]["n"]["value"] == "7000"


def test_query_over_max_query_chars_is_413(hc) -> None:  # type: ignore[no-untyped-def]
    values = " ".join(f"<urn:x:{i}>" for i in range(12000))
    assert_error(ask(hc, "SELECT * WHERE { VALUES ?x { %s } }" % values, via="direct"), 413, "payload-too-large")


@pytest.mark.parametrize("query", [
    "ASK { <urn:%s> ?p ?o }" % ("a" * 90000),
    "ASK { ?s ?p '%s' }" % ("b" * 90000),
    "ASK { ?s ?p '''%s''' }" % ("c\n" * 45000),
    "SELECT * WHERE { BIND('%s' AS ?x) }" % ("é" * 40000),
])
def test_very_long_iris_and_literals(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    r = ask(hc, query, via="direct")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]


@pytest.mark.parametrize("query", [
    "a." * 49000,  # made the policy lexer quadratic (minutes of CPU in the web process)
    "a-" * 49000,
    '"\\' * 49000,
    "SELECT * WHERE { ?s ?p " + "'''" * 30000,
])
def test_lexer_worst_cases_are_fast(hc, query: str) -> None:  # type: ignore[no-untyped-def]
    import time

    started = time.perf_counter()
    r = ask(hc, query, via="direct")
    assert r.status_code == 400
    assert time.perf_counter() - started < 5


# --- HTML injection: echoed input is escaped in the HTML error page -------------------------------------------

PAYLOAD = "<script>alert(1)</script>"


@pytest.mark.parametrize("params", [
    {"query": "SELECT " + PAYLOAD + " WHERE {"},
    {"query": "ASK {}", "inference": PAYLOAD},
    {"query": "ASK {}", "format": PAYLOAD},
    {"query": "ASK {}", "default-graph-uri": PAYLOAD},
    {"query": "SELECT * WHERE { SERVICE ?x" + PAYLOAD + " {} }"},
    {"query": "PREFIX s: <javascript:alert(1)//> SELECT * WHERE { SERVICE s:" + "\"'><img/src=x>" + " {} }"},
])
def test_failed_query_renders_escaped_in_html(hc, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    r = hc.get("/sparql", query_string=params, headers={"Accept": "text/html"})
    assert 400 <= r.status_code < 500
    assert r.headers["Content-Type"].startswith("text/html")
    text = r.get_data(as_text=True)
    assert "<script>alert" not in text and "<img" not in text
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_html_error_page_escapes_details(hc) -> None:  # type: ignore[no-untyped-def]
    # (a default-graph-uri the dataset does not hold is an empty graph now, no longer an error echoing it)
    r = hc.get("/sparql", query_string={"query": "ASK {}", "inference": PAYLOAD}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and "&lt;script&gt;" in r.get_data(as_text=True)


# --- after all of it ---------------------------------------------------------------------------------------

def test_server_still_answers_after_the_catalogue(hc, hostile_app) -> None:  # type: ignore[no-untyped-def]
    ex = executor(hostile_app)
    for _ in range(3):
        r = ask(hc, CHEAP)
        assert r.status_code == 200 and json.loads(r.get_data())["boolean"] is True
    assert ex.timeouts >= 3  # the time-limit cases really ran, and their evaluators were replaced
    assert ex.crashes == 0
