"""Hints for the common mistakes (server.sparql.hints): one test per hint, on the function and at the endpoint,
and each hint's advice, followed, gives the answer the query meant."""
from __future__ import annotations

import time

import pytest

from server.sparql.hints import empty_answer_hints, known_prefixes, syntax_hint

PREFIXES = known_prefixes("https://w3id.org/ugkg/")
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
UGR = "PREFIX ugr: <https://w3id.org/ugkg/id/>\n"
JSON = {"Accept": "application/json"}
RESULTS = {"Accept": "application/sparql-results+json"}


def error_of(client, query: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 400, response.data[:300]
    return response.get_json()


@pytest.mark.parametrize("query", [
    UGR + "SELECT * WHERE { ugr:event/forum ?p ?o }",
    UGR + "SELECT * WHERE { ?s ?p ugr:event/forum }",
    UGR + "SELECT * WHERE { ?s ugr:event/forum ?o }",
    UGR + "SELECT * WHERE { ?s ?p ?o FILTER(?s = ugr:event/forum) }",
])
def test_a_slash_in_a_prefixed_name_gets_the_full_iri_and_the_escape(client, query: str) -> None:
    body = error_of(client, query)
    assert body["error"] == "malformed-query" and body["position"]  # the position stays
    assert body["hint_code"] == "reserved-character-in-prefixed-name"
    assert "<https://w3id.org/ugkg/id/event/forum>" in body["hint"] and "ugr:event\\/forum" in body["hint"]
    assert body["message"].endswith("\nhint: " + body["hint"])


@pytest.mark.parametrize(("name", "char"), [("ugr:event#forum", "#"), ("ugr:event?x", "?"), ("ugr:a=b", "=")])
def test_other_reserved_characters_in_a_prefixed_name_get_a_hint(name: str, char: str) -> None:
    query = UGR + f"SELECT * WHERE {{ {name} ?p ?o }}"
    import pyoxigraph as ox

    from server.engine.store import error_position

    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(query)
    hint = syntax_hint(query, str(raised.value), error_position(str(raised.value)), PREFIXES)
    assert hint is not None and hint.code == "reserved-character-in-prefixed-name" and f"'{char}'" in hint.text


def test_the_full_iri_the_slash_hint_offers_is_the_resource(client) -> None:
    body = error_of(client, UGR + "ASK { ugr:event/forum ?p ?o }")
    iri = body["hint"].split("in full, ")[1].split(",")[0]
    response = client.get("/sparql", query_string={"query": f"ASK {{ {iri} ?p ?o }}"}, headers=RESULTS)
    assert response.get_json()["boolean"] is True


def test_an_undeclared_prefix_the_service_knows_gets_its_declaration(client) -> None:
    body = error_of(client, "SELECT ?l WHERE { ?s rdfs:label ?l }")
    assert body["hint_code"] == "undeclared-prefix"
    declaration = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    assert declaration in body["hint"]
    fixed = client.get("/sparql", query_string={"query": declaration + "\nSELECT ?l WHERE { ?s rdfs:label ?l }"}, headers=RESULTS)
    assert fixed.status_code == 200 and fixed.get_json()["results"]["bindings"]


def test_an_undeclared_prefix_the_service_does_not_know_is_named(client) -> None:
    body = error_of(client, 'SELECT * WHERE { ?s ?p "中国" . ?s foo:bar ?o }')
    assert body["hint_code"] == "undeclared-prefix" and "'foo:'" in body["hint"] and "PREFIX foo:" in body["hint"]


def test_a_syntax_error_without_a_known_mistake_has_no_hint(client) -> None:
    body = error_of(client, "SELECT * WHERE { ?s ?p ?o ")
    assert "hint" not in body and "hint:" not in body["message"] and body["position"]


def test_a_plain_string_against_language_tagged_labels_gets_a_hint_on_the_empty_answer(client) -> None:
    query = RDFS + 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?l = "Forum") }'
    response = client.get("/sparql", query_string={"query": query}, headers=RESULTS)
    assert response.status_code == 200 and response.get_json()["results"]["bindings"] == []
    assert response.headers["X-Query-Hint"].startswith("plain-string-vs-language-tag; ")
    assert "STR(" in response.headers["X-Query-Hint"] and '"Forum"@en' in response.headers["X-Query-Hint"]
    followed = client.get("/sparql", query_string={"query": query.replace("?l = ", "STR(?l) = ")}, headers=RESULTS)
    found = {row["s"]["value"] for row in followed.get_json()["results"]["bindings"]}
    assert "https://w3id.org/ugkg/id/event/forum" in found and "X-Query-Hint" not in followed.headers


def test_a_plain_string_object_in_a_triple_pattern_gets_the_same_hint() -> None:
    assert [h.code for h in empty_answer_hints(RDFS + 'SELECT ?s WHERE { ?s rdfs:label "Forum" }')] == ["plain-string-vs-language-tag"]
    assert empty_answer_hints(RDFS + 'SELECT ?s WHERE { ?s rdfs:label "Forum"@en }') == []
    assert empty_answer_hints('SELECT ?s WHERE { ?s ?p "x"^^<http://www.w3.org/2001/XMLSchema#string> }') == []


def test_a_number_against_a_gyear_gets_a_hint_on_the_empty_answer(client) -> None:
    query = XSD + 'SELECT ?y WHERE { VALUES ?y { "2020"^^xsd:gYear } FILTER(?y = 2020) }'
    response = client.get("/sparql", query_string={"query": query}, headers=RESULTS)
    assert response.get_json()["results"]["bindings"] == []
    assert response.headers["X-Query-Hint"].startswith("number-vs-gyear; ")
    followed = client.get("/sparql", query_string={"query": query.replace("?y = 2020", '?y = "2020"^^xsd:gYear')}, headers=RESULTS)
    assert len(followed.get_json()["results"]["bindings"]) == 1 and "X-Query-Hint" not in followed.headers
    other = client.get("/sparql", query_string={"query": query.replace("?y = 2020", "xsd:integer(STR(?y)) = 2020")}, headers=RESULTS)
    assert len(other.get_json()["results"]["bindings"]) == 1


def test_a_false_ask_gets_the_hint_too_and_a_non_empty_answer_never_does(client) -> None:
    ask = client.get("/sparql", query_string={"query": RDFS + 'ASK { ?s rdfs:label "Forum" }'}, headers=RESULTS)
    assert ask.get_json()["boolean"] is False and ask.headers["X-Query-Hint"].startswith("plain-string-vs-language-tag")
    rows = client.get("/sparql", query_string={"query": RDFS + 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?l != "Forum") }'}, headers=RESULTS)
    assert rows.get_json()["results"]["bindings"] and "X-Query-Hint" not in rows.headers


def test_strings_inside_iris_and_comments_are_not_read_as_mistakes() -> None:
    assert empty_answer_hints('SELECT * WHERE { ?s ?p <http://a/b#c> } # FILTER(?x = "North") and ?y = 2020') == []


def test_the_malformed_query_message_says_character_classes_in_words_and_keeps_the_engines(client) -> None:
    body = error_of(client, UGR + "SELECT * WHERE { ugr:event/forum ?p ?o }")
    assert "\\u{" not in body["message"] and "a name character" in body["message"]
    assert body["message"].startswith("the query does not parse: error at " + body["position"])
    assert "\\u{" in body["engine_message"]  # the engine's own words, unchanged
    digits = error_of(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999")
    assert "a digit" in digits["message"] and "non negative integer" in digits["message"]


@pytest.mark.parametrize("query", ["ASK { ?s ?p '%s' }" % ("b" * 90000), "a-" * 49000, '"\\' * 49000,
                                   "SELECT * WHERE { BIND('%s' AS ?x) }" % ("é" * 40000)])
def test_advice_on_an_empty_answer_never_scans_a_long_query(query: str) -> None:
    """These took 14-148 s of the web process each before the length bound (the live server then answered nobody)."""
    started = time.perf_counter()
    assert empty_answer_hints(query) == []
    assert time.perf_counter() - started < 1.0
