"""The catalogue of pyoxigraph's query errors (server.engine.failures): each is a 400 carrying the engine's own
message when the query alone causes it, never a 500; every remaining 500 names a request id in its body, its
X-Request-Id header and the log line."""
from __future__ import annotations

import logging

import pyoxigraph as ox
import pytest

from server.engine.failures import classify
from server.errors import InternalError, QueryNotEvaluable, UnsupportedFunction, UpstreamError

GEOF = "PREFIX geof: <http://www.opengis.net/def/function/geosparql/> "
# (query, expected error code, expected function IRI or None): every query-only error pyoxigraph 0.5.13 raises
ENGINE_CATALOGUE = [
    ("SELECT (<urn:f>(1) AS ?x) {}", "unsupported-function", "urn:f"),
    ("SELECT ?s { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }", "unsupported-function", "http://example.org/f"),
    (GEOF + "SELECT (geof:notAFunction(1, 2, 3) AS ?x) {}", "unsupported-function", "http://www.opengis.net/def/function/geosparql/notAFunction"),  # geof:buffer is implemented since issue 19
    ("SELECT (<http://jena.apache.org/ARQ/function#sprintf>('%s', 1) AS ?x) {}", "unsupported-function", "http://jena.apache.org/ARQ/function#sprintf"),
    ("SELECT (<http://www.w3.org/2005/xpath-functions#string-length>('a') AS ?x) {}", "unsupported-function", "http://www.w3.org/2005/xpath-functions#string-length"),
    ("SELECT (<http://www.w3.org/2001/XMLSchema#integer>(1, 2) AS ?x) {}", "unsupported-function", "http://www.w3.org/2001/XMLSchema#integer"),
    ("SELECT (<http://www.w3.org/2001/XMLSchema#integer>() AS ?x) {}", "unsupported-function", "http://www.w3.org/2001/XMLSchema#integer"),
    ("SELECT * { ?s ?p ?o } ORDER BY <urn:f>(?o)", "unsupported-function", "urn:f"),
    ("ASK { FILTER(<urn:f>()) }", "unsupported-function", "urn:f"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(<urn:f>(?o)) }", "unsupported-function", "urn:f"),
    ("SELECT * { ?s ?p ?o OPTIONAL { ?s <urn:q> ?x FILTER(<urn:f>(?x)) } } LIMIT 0", "unsupported-function", "urn:f"),
    ("SELECT * { BIND(<urn:f>(<urn:g>(1)) AS ?x) }", "unsupported-function", "urn:f"),
]
# variants whose query never reaches the engine here (the policy refuses SERVICE first) or that this service never
# triggers (no initial substitutions): classified on spareval's own wording
MESSAGE_CATALOGUE = [
    (RuntimeError("The variable encoding the service name is unbound"), QueryNotEvaluable),
    (RuntimeError('"x" is not a valid service name'), QueryNotEvaluable),
    (RuntimeError("The service <http://example.org/sparql> is not supported"), QueryNotEvaluable),
    (RuntimeError("The SPARQL query does not contains variable ?x in its SELECT projection"), QueryNotEvaluable),
    (RuntimeError("The function <urn:f> is not supported"), UnsupportedFunction),  # the wording after 0.5.13
]


def engine_error(query: str) -> BaseException:
    store = ox.Store()
    try:
        answer = store.query(query)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except BaseException as exc:  # noqa: BLE001 - the point is what it raises
        return exc
    raise AssertionError(f"pyoxigraph {ox.__version__} evaluated {query!r} without error")


@pytest.mark.parametrize(("query", "code", "function"), ENGINE_CATALOGUE)
def test_every_engine_error_a_query_alone_causes_is_classified_as_the_clients(query: str, code: str, function: str) -> None:
    raised = engine_error(query)
    classified = classify(raised, query)
    assert classified is not None, f"{type(raised).__name__}: {raised}"
    assert (classified.status, classified.code) == (400, code)
    assert classified.details["function"] == function
    assert classified.details["engine_message"] == str(raised)


@pytest.mark.parametrize(("error", "kind"), MESSAGE_CATALOGUE)
def test_service_and_substitution_errors_are_the_clients(error: BaseException, kind: type) -> None:
    classified = classify(error, "SELECT * {}")
    assert type(classified) is kind and classified.status == 400 and classified.message.startswith(str(error))


def test_storage_and_unknown_errors_stay_internal_and_a_failed_service_is_upstream() -> None:
    assert classify(OSError("IO error: No space left on device"), "SELECT * {}") is None
    assert classify(RuntimeError("The SPARQL dataset returned the default graph even if a named graph is expected"), "SELECT * {}") is None
    assert classify(ValueError("anything"), "SELECT * {}") is None
    upstream = classify(OSError("failed to lookup address information"), "SELECT * { SERVICE <http://x/q> { ?s ?p ?o } }")
    assert isinstance(upstream, UpstreamError) and upstream.status == 502


@pytest.mark.parametrize(("query", "code", "function"), ENGINE_CATALOGUE)
def test_the_endpoint_answers_400_with_the_engines_message(client, query: str, code: str, function: str) -> None:
    for response in (client.get("/sparql", query_string={"query": query}),
                     client.post("/sparql", data=query.encode(), headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 400, response.data[:300]
        body = response.get_json()
        assert body["error"] == code and body["function"] == function
        assert body["message"].startswith(body["engine_message"]) and function in body["message"]


def test_an_internal_fault_in_an_evaluator_is_a_500_naming_one_request_id_in_body_header_and_log(app, client, caplog, monkeypatch) -> None:
    service = app.extensions["ugkg"].sparql
    # a media type no writer knows: the evaluator fails inside the engine, as an engine bug would
    monkeypatch.setattr(service, "_negotiate", lambda accept, form, fmt: "application/x-no-such-writer")
    with caplog.at_level(logging.ERROR):
        response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o FILTER(true) } LIMIT 2"}, headers={"Cache-Control": "no-cache"})
    assert response.status_code == 500
    request_id = response.get_json()["request_id"]
    assert len(request_id) == 32 and response.headers["X-Request-Id"] == request_id
    logged = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
    assert any("evaluator error" in line for line in logged), caplog.text
    text = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o FILTER(true) } LIMIT 3"},
                      headers={"Cache-Control": "no-cache", "Accept": "text/plain"})
    assert text.status_code == 500 and f"request id: {text.headers['X-Request-Id']}" in text.get_data(as_text=True)


def test_an_unexpected_exception_is_a_500_naming_one_request_id_in_body_header_and_log(app, client, caplog, monkeypatch) -> None:
    service = app.extensions["ugkg"].sparql

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("internal detail")

    monkeypatch.setattr(service, "run", boom)
    with caplog.at_level(logging.ERROR):
        response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 500
    body = response.get_json()
    assert "internal detail" not in response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] == body["request_id"] and body["request_id"] in caplog.text


def test_an_internal_error_carries_its_request_id_across_processes() -> None:
    import pickle

    error = InternalError("x")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.request_id == error.request_id and copy.headers["X-Request-Id"] == error.request_id


@pytest.mark.parametrize("query", [ENGINE_CATALOGUE[0][0], ENGINE_CATALOGUE[2][0], ENGINE_CATALOGUE[5][0]])
def test_every_backend_answers_an_unsupported_function_with_400(backend_app, query: str) -> None:  # type: ignore[no-untyped-def]
    response = backend_app.test_client().get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 400, response.data[:300]
    assert response.get_json()["error"] == "unsupported-function"
