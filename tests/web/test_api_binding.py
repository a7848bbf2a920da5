"""How query files become operations: the header convention, the SPARQL lexer, VALUES binding and paging, and
operations generated from whatever files the sources hold (over the mini fixture app)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from server.errors import InvalidParameter
from server.web.api import binding, params
from server.web.api.operations import OperationError, parse_operation


@pytest.fixture(autouse=True)
def past_the_answer_cache(client):  # type: ignore[no-untyped-def]
    """Tests here swap the query files under a running app, which a snapshot never does: every request asks
    past the answer cache (Cache-Control: no-cache), or an answer cached by an earlier test would come back."""
    client.environ_base["HTTP_CACHE_CONTROL"] = "no-cache"
    return client


PREFIXES = {"ugkg": "https://w3id.org/ugkg/def/", "xsd": "http://www.w3.org/2001/XMLSchema#"}
XSD = "http://www.w3.org/2001/XMLSchema#"


# --- the header convention ---------------------------------------------------------------------------------


def test_param_line_is_parsed_with_class_keys_and_description() -> None:
    p = params.parse_param('city iri ugkg:City|ugkg:Province var=place example=beijing values="a|b c" required=yes -- one city', PREFIXES)
    assert (p.name, p.type, p.variable, p.example, p.required, p.description) == ("city", "iri", "place", "beijing", True, "one city")
    assert p.classes == ("https://w3id.org/ugkg/def/City", "https://w3id.org/ugkg/def/Province")
    assert p.values == ("a", "b c")


@pytest.mark.parametrize("line, fragment", [
    ("city", "NAME TYPE"),
    ("city place", "unknown type"),
    ("city iri", "names its class"),
    ("city iri nope:City", "prefix is not declared"),
    ("limit integer", "not one of"),
    ("Bad string", "lower-case"),
    ("year year default=20x0", "year"),
    ("n integer colour=red", "unknown keys"),
    ("n integer stray", "not key=value"),
])
def test_malformed_param_line_is_refused(line: str, fragment: str) -> None:
    with pytest.raises((params.ParamDeclarationError, InvalidParameter)) as info:
        params.parse_param(line, PREFIXES)
    assert fragment in str(info.value)


@pytest.mark.parametrize("kind, raw, expected", [
    ("integer", "42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
    ("integer", "+7", ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))),
    ("year", "2020", ox.Literal("2020", datatype=ox.NamedNode(XSD + "gYear"))),
    ("lang", "zh-Hans", ox.Literal("zh-hans")),
    ("string", 'a "quoted" \\ value', ox.Literal('a "quoted" \\ value')),
])
def test_literal_values(kind: str, raw: str, expected: ox.Literal) -> None:
    assert params.literal(params.Param("p", kind, "p"), raw) == expected


@pytest.mark.parametrize("kind, raw", [("integer", "4.5"), ("integer", "1e3"), ("year", "22"), ("lang", "en_GB"), ("string", "tab\there"), ("string", "x" * 501)])
def test_invalid_literal_names_the_parameter(kind: str, raw: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        params.literal(params.Param("p", kind, "p"), raw)
    assert info.value.details["parameter"] == "p" and info.value.status == 400


def test_iri_resolution() -> None:
    members = {"https://w3id.org/ugkg/id/city/beijing": "Beijing", "https://w3id.org/ugkg/id/city/tianjin": "Tianjin",
               "https://w3id.org/ugkg/id/a/x": "", "https://w3id.org/ugkg/id/b/x": ""}
    p = params.Param("city", "iri", "city", classes=("https://w3id.org/ugkg/def/City",))
    resolve = lambda raw: params.resolve_iri(p, raw, lambda _: members, {"ugr": "https://w3id.org/ugkg/id/"})  # noqa: E731
    assert resolve("beijing") == resolve("city/beijing") == resolve("ugr:city/beijing") == ox.NamedNode("https://w3id.org/ugkg/id/city/beijing")
    with pytest.raises(InvalidParameter, match="ambiguous"):
        resolve("x")
    with pytest.raises(InvalidParameter, match="beijing, tianjin"):
        resolve("paris")


# --- the lexer, binding and paging -------------------------------------------------------------------------

TRICKY = '''# title: tricky { braces }
PREFIX ex: <http://example.org/{x}>
SELECT ?a (COUNT(?b) AS ?n) ?c # WHERE {
WHERE {
  ?a ex:p "} WHERE {" ; ex:q """a { long
  } string""" .
  OPTIONAL { ?a ex:r ?c FILTER(?c < 3) }
  ?a ex:s ?b .
}
GROUP BY ?a ?c
'''


def test_shape_finds_the_where_group_past_comments_strings_and_iris() -> None:
    found = binding.shape(TRICKY)
    assert found.form == "SELECT"
    assert TRICKY[found.where_open:].startswith("\n  ?a ex:p")
    assert TRICKY[found.where_close:].startswith("}\nGROUP BY")
    assert found.projection == ("a", "n", "c")
    assert not found.own_modifiers
    assert {"a", "b", "c", "n"} <= found.variables


@pytest.mark.parametrize("query, form", [
    ("ASK { ?s ?p ?o }", "ASK"),
    ("SELECT * { ?s ?p ?o } LIMIT 5", "SELECT"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE ?s WHERE { ?s ?p ?o }", "DESCRIBE"),
])
def test_bound_query_of_every_form_parses_and_binds(query: str, form: str) -> None:
    found = binding.shape(query)
    assert found.form == form
    bound = binding.bind(query, found, {"s": ox.NamedNode("http://example.org/s")})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/t"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    result = store.query(bound)
    if form == "ASK":
        assert bool(result)
    elif form == "SELECT":
        assert [row["s"].value for row in result] == ["http://example.org/s"]
    else:
        assert {t.subject.value for t in result} == {"http://example.org/s"}


def test_short_construct_cannot_take_parameters(tmp_path: Path) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    with pytest.raises(binding.QueryShapeError):
        binding.bind(query, binding.shape(query), {"s": ox.NamedNode("http://example.org/s")})
    assert binding.bind(query, binding.shape(query), {}) == query
    with pytest.raises(OperationError, match="short form"):
        parse_operation(write(tmp_path, "01-c.rq", "# param: s string\n" + query))


def test_values_first_in_the_group_correlates_an_optional() -> None:
    """Bound first in WHERE, a parameter acts like the constant: the OPTIONAL sees it (a trailing VALUES would not)."""
    store = ox.Store()
    ex = "http://example.org/"
    store.add(ox.Quad(ox.NamedNode(ex + "c"), ox.NamedNode(ex + "type"), ox.NamedNode(ex + "City")))
    store.add(ox.Quad(ox.NamedNode(ex + "o"), ox.NamedNode(ex + "area"), ox.NamedNode(ex + "c")))
    store.add(ox.Quad(ox.NamedNode(ex + "o"), ox.NamedNode(ex + "year"), ox.Literal("2010")))
    query = f"SELECT ?c ?o WHERE {{ ?c <{ex}type> <{ex}City> OPTIONAL {{ ?o <{ex}area> ?c ; <{ex}year> ?year }} }}"
    bound = binding.bind(query, binding.shape(query), {"year": ox.Literal("2020")})
    rows = [(row["c"].value, row["o"]) for row in store.query(bound)]
    assert rows == [(ex + "c", None)]  # the city stays, with no 2020 figure


def test_hostile_literal_cannot_escape_its_quotes() -> None:
    query = "SELECT ?x WHERE { BIND(1 AS ?one) ?x ?p ?o }"
    hostile = 'a" } ; DROP ALL ; SELECT * { "\\'
    bound = binding.bind(query, binding.shape(query), {"o": ox.Literal(hostile)})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"), ox.Literal(hostile)))
    store.add(ox.Quad(ox.NamedNode("http://example.org/y"), ox.NamedNode("http://example.org/p"), ox.Literal("other")))
    assert [row["x"].value for row in store.query(bound)] == ["http://example.org/x"]


def test_paging_appends_or_wraps() -> None:
    plain = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } } ORDER BY ?n"
    limited = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } } ORDER BY ?n LIMIT 4"
    store = ox.Store()
    for query in (plain, limited):
        paged = binding.page(query, binding.shape(query), 2, 1)
        assert [int(row["n"].value) for row in store.query(paged)] == [2, 3]
    assert binding.page(plain, binding.shape(plain), None, 0) == plain
    tail = binding.page(limited, binding.shape(limited), 10, 3)
    assert [int(row["n"].value) for row in store.query(tail)] == [4]


# --- operations from files ---------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def queries(client, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """An empty query folder the running app's API reads its operations from; the app's own catalogue comes back
    afterwards, whether the test passed or not."""
    folder = tmp_path / "queries"
    folder.mkdir()
    monkeypatch.setattr("server.web.api.operations.sources_root", lambda settings: tmp_path)
    client.application.extensions.pop("ugkg.api", None)
    yield folder
    client.application.extensions.pop("ugkg.api", None)


def test_operation_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "07-things-of-a-kind.rq", "# title: Things\n# question: Which things?\n"
                 "# param: kind iri ex:Kind example=k1 -- a kind\nPREFIX ex: <http://example.org/>\nSELECT ?thing WHERE { ?thing a ?kind }\n")
    op = parse_operation(path)
    assert (op.name, op.stem, op.title, op.question) == ("things-of-a-kind", "07-things-of-a-kind", "Things", "Which things?")
    assert op.params[0].classes == ("http://example.org/Kind",)


@pytest.mark.parametrize("text, fragment", [
    ("# param: n integer\nSELECT ?x WHERE { ?x ?p ?o }", "does not use"),
    ("# param: n integer\n# param: n integer\nSELECT ?n WHERE { ?n ?p ?o }", "declared twice"),
    ("# param: n nonsense\nSELECT ?n WHERE { ?n ?p ?o }", "unknown type"),
    ("# param: n integer\n# param: m integer var=n\nSELECT ?n WHERE { ?n ?p ?o }", "same variable"),
    ("PREFIX ex: <http://example.org/>\n", "no SELECT"),
])
def test_bad_query_file_is_not_an_operation(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(OperationError, match=fragment):
        parse_operation(write(tmp_path, "01-bad.rq", text))


def test_new_query_file_becomes_an_operation_and_bad_ones_are_left_out(client, queries):  # type: ignore[no-untyped-def]
    write(queries, "01-numbers.rq", "# title: Numbers\n# question: Which numbers?\n# param: n integer example=3\n"
          "SELECT ?n ?label WHERE { VALUES (?n ?label) { (1 \"one\") (2 \"two\") (3 \"three\") } } ORDER BY ?n\n")
    write(queries, "02-broken.rq", "# title: Broken\n# question: Why?\n# param: missing string\nSELECT ?x WHERE { ?x ?p ?o }\n")
    assert client.get("/api/v1/numbers?n=3").get_json() == [{"n": 3, "label": "three"}]
    assert client.get("/api/v1/numbers?n=three").get_json()["parameter"] == "n"
    assert client.get("/api/v1/broken").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]) == {"/api/v1/numbers"}
    write(queries, "03-letters.rq", "# title: Letters\n# question: Which letters?\nSELECT ?l WHERE { VALUES ?l { \"a\" \"b\" } } ORDER BY ?l\n")
    assert client.get("/api/v1/letters?format=csv").data == b"l\r\na\r\nb\r\n"


def test_answers_obey_the_endpoint_row_limit(client, queries, mini_settings):  # type: ignore[no-untyped-def]
    numbers = " ".join(str(n) for n in range(1, 81))
    write(queries, "01-many.rq", f"# title: Many\n# question: How many?\nSELECT ?n WHERE {{ VALUES ?n {{ {numbers} }} }} ORDER BY ?n\n")
    response = client.get("/api/v1/many")
    assert mini_settings.max_result_rows == 50
    assert len(response.get_json()) == 50
    assert response.headers["X-Result-Truncated"] == "true; max-rows=50"
    assert 'offset=50' in response.headers["Link"] and 'rel="next"' in response.headers["Link"]
    rest = client.get("/api/v1/many?offset=50&limit=50").get_json()
    assert [r["n"] for r in rest] == list(range(51, 81))
    assert client.get("/api/v1/many?limit=51").get_json()["parameter"] == "limit"


def test_answers_obey_the_endpoint_time_limit(client, queries):  # type: ignore[no-untyped-def]
    write(queries, "01-slow.rq", "# title: Slow\n# question: How long?\n"
          "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }\n")
    response = client.get("/api/v1/slow")
    assert response.status_code == 503 and response.get_json()["error"] == "query-timeout"


def test_ask_and_construct_files_are_operations_in_the_endpoint_formats(client, queries):  # type: ignore[no-untyped-def]
    write(queries, "01-any.rq", "# title: Any\n# question: Anything?\n# param: n integer\nASK { VALUES ?n { 1 2 } }\n")
    write(queries, "02-graph.rq", "# title: Graph\n# question: Which?\n# param: o string\n"
          "CONSTRUCT { <http://example.org/s> <http://example.org/p> ?o } WHERE { VALUES ?o { \"a\" \"b\" } }\n")
    assert client.get("/api/v1/any?n=2").get_json()["boolean"] is True
    assert client.get("/api/v1/any?n=3").get_json()["boolean"] is False
    turtle = client.get("/api/v1/graph?o=b", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and '"b"' in turtle.get_data(as_text=True) and '"a"' not in turtle.get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    from openapi_spec_validator import validate

    validate(spec)
    assert "text/turtle" in spec["paths"]["/api/v1/graph"]["get"]["responses"]["200"]["content"]


def test_language_columns_merge_with_fallback_and_never_collide() -> None:
    from server.web.api import tables

    data = tables.Table(("city_en", "city_zh", "source_zh", "n", "x", "x_en"),
                        [{"city_en": "Beijing", "city_zh": "北京", "source_zh": "来源", "n": 1, "x": "a", "x_en": "b"},
                         {"city_en": "Xiong'an", "city_zh": None, "source_zh": None, "n": None, "x": None, "x_en": None}])
    zh = tables.in_language(data, "zh")
    assert zh.columns == ("city", "source", "n", "x", "x_en")  # x_en stays: a column x exists already
    assert zh.records == [{"city": "北京", "source": "来源", "n": 1, "x": "a", "x_en": "b"},
                          {"city": "Xiong'an", "source": None, "n": None, "x": None, "x_en": None}]
    assert tables.to_csv(zh, bom=True) == "\ufeffcity,source,n,x,x_en\r\n北京,来源,1,a,b\r\nXiong'an,,,,\r\n".encode()
