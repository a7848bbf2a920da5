"""The REST API over the real graph: every operation against the SPARQL endpoint, the OpenAPI document, errors,
CSV (read back with pandas), paging, languages and the headers it shares with /sparql.

The oracle for a parameterised answer is pyoxigraph's own substitution (SEP-0007) of the example value into the
query file, evaluated on the graph outside the app, so a wrong VALUES placement cannot agree with itself.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.web.api.operations import parse_operation
from server.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = {XSD + t for t in ("decimal", "double", "float")}


@pytest.fixture(scope="module")
def kg_app(kg_settings, kg_snapshot) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    application = create_app(kg_settings, kg_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture()
def api(kg_app):  # type: ignore[no-untyped-def]
    return kg_app.test_client()


def plain(term: Any) -> Any:
    """The test's own reading of a term as a plain value (independent of server.web.api.tables)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):  # the API writes a blank node as N-Triples does, so it is not read as an IRI
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.startswith(XSD) and ("nteger" in datatype or datatype[len(XSD):] in ("int", "long", "short", "byte")):
            return int(term.value)
        if datatype in NUMBERS:
            return float(term.value)
        if datatype == XSD + "boolean":
            return term.value == "true"
        return term.value
    return str(term)


def unlabelled(rows: list[dict[str, Any]]) -> list[Any]:
    """Rows with every blank-node label made one: each evaluation labels blank nodes anew (and an ORDER BY on them
    then orders differently), so answers that hold blank nodes compare as sorted bags."""
    masked = [{k: ("_:" if isinstance(v, str) and v.startswith("_:") else v) for k, v in r.items()} for r in rows]
    if any("_:" in r.values() for r in masked):
        return sorted(masked, key=repr)
    return masked


def binding_value(binding: dict[str, Any] | None) -> Any:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return binding["value"]
    if binding["type"] == "bnode":
        return plain(ox.BlankNode(binding["value"]))
    term = ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"])) if "datatype" in binding else ox.Literal(binding["value"])
    return plain(term)


def example_iri(store, classes: tuple[str, ...], name: str) -> ox.NamedNode:  # type: ignore[no-untyped-def]
    values = " ".join(f"<{c}>" for c in classes)
    rows = list(store.query(f'SELECT DISTINCT ?x WHERE {{ VALUES ?c {{ {values} }} ?x a ?c FILTER(STRENDS(STR(?x), "/{name}")) }}'))
    assert len(rows) == 1, f"example {name!r} must name exactly one member of {classes}"
    return rows[0]["x"]


def oracle(store, path: Path, args: dict[str, str]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The file's answer with ``args`` substituted (defaults included), as records: by pyoxigraph (SEP-0007) for a
    projected variable, else by writing the constant in the variable's place."""
    op = parse_operation(path)
    substitutions = {}
    for param in op.params:
        raw = args.get(param.name, param.default)
        if raw is None:
            continue
        if param.type == "iri":
            term = example_iri(store, param.classes, raw)
        elif param.type == "year":
            term = ox.Literal(raw, datatype=ox.NamedNode(XSD + "gYear"))
        elif param.type == "integer":
            term = ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
        else:
            term = ox.Literal(raw)
        substitutions[param.variable] = term
    text = op.query
    for variable, term in list(substitutions.items()):
        if variable not in op.shape.projection:  # pyoxigraph substitutes projected variables only: write the constant in
            text = re.sub(rf"[?$]{variable}\b", str(term).replace("\\", "\\\\"), text)
            del substitutions[variable]
    result = store.engine.store.query(text, named_graphs=store.engine.public_graphs,
                                      substitutions={ox.Variable(v): t for v, t in substitutions.items()})
    variables = [v.value for v in result.variables]
    return [{v: plain(row[v]) for v in variables} for row in result]


def examples(path: Path) -> dict[str, str]:
    return {p.name: p.example for p in parse_operation(path).params if p.example is not None}


# --- every operation ---------------------------------------------------------------------------------------


def test_every_query_file_is_an_operation(api):  # type: ignore[no-untyped-def]
    """Every local query file; a federated one only when its endpoint is allowed (none is here: see
    tests/sparql/test_service_allow.py)."""
    spec = api.get("/api/v1/openapi.json").get_json()
    names = {re.sub(r"^\d+-", "", path.stem) for path in LOCAL_QUERY_FILES}
    assert {p.rsplit("/", 1)[1] for p in spec["paths"]} == names
    assert len(names) == len(LOCAL_QUERY_FILES)


# federated operations (SERVICE to an endpoint outside these tests) are tested against stand-ins in tests/sparql/test_service_allow.py
LOCAL_QUERY_FILES = [path for path in QUERY_FILES if "SERVICE <" not in path.read_text(encoding="utf-8")]
CASES = [(path, False) for path in LOCAL_QUERY_FILES] + [(path, True) for path in LOCAL_QUERY_FILES if examples(path)]


@pytest.mark.parametrize("path, with_examples", CASES, ids=[f"{p.stem}-{'examples' if e else 'defaults'}" for p, e in CASES])
def test_operation_json_equals_the_endpoint_answer(api, store, path, with_examples):  # type: ignore[no-untyped-def]
    op = parse_operation(path)
    args = examples(path) if with_examples else {}
    response = api.get(f"/api/v1/{op.name}", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    records = response.get_json()
    # the same query, bound as the API says it binds it, asked of /sparql
    text_url = re.search(r'<([^>]+)>; rel="describedby"', response.headers["Link"]).group(1)
    bound = api.get(text_url)
    assert bound.status_code == 200 and bound.mimetype == "application/sparql-query"
    endpoint = api.post("/sparql", data={"query": bound.get_data(as_text=True)}, headers={"Accept": "application/sparql-results+json"})
    doc = endpoint.get_json()
    from_endpoint = [{v: binding_value(row.get(v)) for v in doc["head"]["vars"]} for row in doc["results"]["bindings"]]
    # the identifier columns (issue 22): x_iri is projected by the bound query; x_id and x_wikidata come from it
    derived = {c for i in op.identifiers for c in (f"{i.base}_id", f"{i.base}_wikidata")}
    injected = {i.iri_column for i in op.identifiers if i.injected}
    for record in records:
        for i in op.identifiers:
            iri = record[i.iri_column]
            assert record[f"{i.base}_id"] == (re.split(r"[/#]", iri.rstrip("/"))[-1] if isinstance(iri, str) and iri.startswith("http") else None)
    assert unlabelled([{k: v for k, v in r.items() if k not in derived} for r in records]) == unlabelled(from_endpoint)
    assert unlabelled([{k: v for k, v in r.items() if k not in derived | injected} for r in records]) == unlabelled(oracle(store, path, args))
    if with_examples:
        assert records, f"the example parameters of {path.name} should find something"


def test_examples_narrow_the_answer(api):  # type: ignore[no-untyped-def]
    everything = api.get("/api/v1/ten-initiatives").get_json()
    digital = api.get("/api/v1/ten-initiatives?topic=digital-governance").get_json()
    assert len(everything) == 10
    assert [r["ordinal"] for r in digital] == [7]
    indicators = api.get("/api/v1/index-dimensions-indicators?dimension=governance-capacity").get_json()
    everything = api.get("/api/v1/index-dimensions-indicators").get_json()
    assert len({r["dimension_en"] for r in indicators}) == 1 and 0 < len(indicators) < len(everything)
    beijing = api.get("/api/v1/signatory-population?city=beijing&year=2020").get_json()
    assert [(r["city_en"], r["population"]) for r in beijing] == [("Beijing", 21893095)]


def test_an_iri_parameter_takes_a_full_iri_a_curie_or_a_local_name(api):  # type: ignore[no-untyped-def]
    answers = [api.get("/api/v1/signatory-population", query_string={"city": value}).get_json()
               for value in ("beijing", "city/beijing", "https://w3id.org/ugkg/id/city/beijing", "<https://w3id.org/ugkg/id/city/beijing>")]
    assert answers[0] and all(answer == answers[0] for answer in answers)


def test_a_year_without_figures_lists_cities_with_none(api):  # type: ignore[no-untyped-def]
    records = api.get("/api/v1/signatory-population?year=1990").get_json()
    assert len(records) == 13 and all(r["population"] is None for r in records)


# --- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, parameter", [
    ("citty=beijing", "citty"),
    ("city=atlantis", "city"),
    ("city=https://example.org/nowhere", "city"),
    ("year=20x0", "year"),
    ("year=2020&year=2021", "year"),
    ("lang=fr", "lang"),
    ("limit=0", "limit"),
    ("limit=abc", "limit"),
    ("limit=99999999", "limit"),
    ("offset=-1", "offset"),
    ("format=xlsx", "format"),
    ("bom=perhaps", "bom"),
])
def test_bad_parameter_is_400_naming_it(api, query, parameter):  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/signatory-population?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid-parameter" and body["parameter"] == parameter
    assert parameter in body["message"]


def test_value_outside_the_allowed_values_is_400(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/article-reporters?role=editor")
    assert response.status_code == 400 and response.get_json()["parameter"] == "role"
    assert response.get_json()["allowed"] == ["reporter", "photographer"]
    assert {r["role"] for r in api.get("/api/v1/article-reporters?role=photographer").get_json()} == {"photographer"}


def test_hostile_string_is_bound_as_a_value_not_as_syntax(api):  # type: ignore[no-untyped-def]
    for value in ('x" } ; DROP ALL ; SELECT * { "', "reporter\" ) } UNION { ?s ?p ?o"):
        response = api.get("/api/v1/article-reporters", query_string={"role": value})
        assert response.status_code == 400 and response.get_json()["parameter"] == "role"
    text = api.get("/api/v1/good-governance-features.rq", query_string={"aspect": "goal"}).get_data(as_text=True)
    assert 'VALUES (?aspect) { ("goal") }' in text


def test_error_follows_accept_like_sparql(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/signatory-population?city=atlantis", headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.mimetype == "text/html" and "city" in response.get_data(as_text=True)


def test_unknown_operation_is_404(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/no-such-question")
    assert response.status_code == 404 and "declaration-signatories" in response.get_json()["operations"]


def test_unacceptable_accept_is_406(api):  # type: ignore[no-untyped-def]
    assert api.get("/api/v1/declaration-signatories", headers={"Accept": "image/png"}).status_code == 406


# --- formats -----------------------------------------------------------------------------------------------


def test_csv_reads_into_the_expected_pandas_frame(api):  # type: ignore[no-untyped-def]
    pandas = pytest.importorskip("pandas")
    response = api.get("/api/v1/signatory-population?format=csv&lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert not response.data.startswith(b"\xef\xbb\xbf")
    frame = pandas.read_csv(io.BytesIO(response.data))
    assert list(frame.columns)[:5] == ["city_iri", "city_id", "city_wikidata", "city", "population"]
    assert {"unit", "source", "year"} <= set(frame.columns)
    assert len(frame) == 13 and frame["city"].is_unique
    assert str(frame["population"].dtype) == "float64"  # numbers, with NaN for the city without a figure
    assert frame.loc[frame["city"] == "Beijing", "population"].item() == 21893095
    assert frame.loc[frame["city"] == "Beijing", "unit"].item() == "person"
    assert frame.loc[frame["city"] == "Xiong'an", "population"].isna().item()
    # the source's title in English under lang=en (source_en, issue 22)
    both = {r["city_en"]: r for r in api.get("/api/v1/signatory-population").get_json()}
    assert frame.loc[frame["city"] == "Beijing", "source"].item() == both["Beijing"]["source_en"]
    # cell by cell as text (an all-null column reads as NaN from CSV and None from JSON; a gYear as a number)
    as_text = pandas.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    records = api.get("/api/v1/signatory-population?lang=en").get_json()
    expected_text = pandas.DataFrame([{k: "" if v is None else str(v) for k, v in r.items()} for r in records])
    pandas.testing.assert_frame_equal(as_text, expected_text, check_dtype=False)
    assert frame["population"].dropna().is_monotonic_decreasing  # the query orders by population, largest first


def test_csv_with_bom_for_excel(api):  # type: ignore[no-untyped-def]
    pandas = pytest.importorskip("pandas")
    response = api.get("/api/v1/declaration-signatories?format=csv&bom=true")
    assert response.data.startswith(b"\xef\xbb\xbfcity_iri,city_id,city_wikidata,city_en,city_zh\r\n")
    frame = pandas.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")
    assert list(frame.columns) == ["city_iri", "city_id", "city_wikidata", "city_en", "city_zh"] and "北京" in frame["city_zh"].tolist()


def test_accept_text_csv_gives_csv(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/declaration-signatories", headers={"Accept": "text/csv"})
    assert response.mimetype == "text/csv" and response.data.startswith(b"city_iri,city_id,city_wikidata,city_en,city_zh")


@pytest.mark.parametrize("fmt, media_type", [("srj", "application/sparql-results+json"), ("srx", "application/sparql-results+xml"), ("tsv", "text/tab-separated-values")])
def test_sparql_result_formats_equal_the_endpoint(api, fmt, media_type):  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/declaration-signatories?format={fmt}")
    assert response.mimetype == media_type
    text = api.get("/api/v1/declaration-signatories.rq").get_data(as_text=True)
    endpoint = api.post("/sparql", data={"query": text}, headers={"Accept": media_type})
    assert response.data == endpoint.data


def test_lang_picks_one_label_and_falls_back(api):  # type: ignore[no-untyped-def]
    both = api.get("/api/v1/declaration-signatories").get_json()
    zh = api.get("/api/v1/declaration-signatories?lang=zh").get_json()
    en = api.get("/api/v1/declaration-signatories?lang=en").get_json()
    assert [r["city"] for r in zh] == [r["city_zh"] for r in both]
    assert [r["city"] for r in en] == [r["city_en"] for r in both]
    # a column that exists in English only falls back to English when Chinese is asked for
    fallback = api.get("/api/v1/fact-provenance?lang=zh").get_json()
    assert fallback and all(set(r) == {"property", "publisher_iri", "publisher_id", "publisher_wikidata", "publisher"} for r in fallback)
    assert fallback[0]["publisher"] == api.get("/api/v1/fact-provenance").get_json()[0]["publisher_en"]


# --- paging, links and headers -----------------------------------------------------------------------------


def links(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.group(2): m.group(1) for m in re.finditer(r'<([^>]*)>; rel="([^"]+)"', response.headers.get("Link", ""))}


def test_limit_offset_and_link_headers_walk_every_row(api):  # type: ignore[no-untyped-def]
    everything = api.get("/api/v1/declaration-signatories").get_json()
    url, seen, pages = "/api/v1/declaration-signatories?limit=5&lang=en", [], 0
    while url:
        response = api.get(url)
        seen += response.get_json()
        pages += 1
        rel = links(response)
        if pages > 1:
            assert "prev" in rel and "first" in rel
        url = rel.get("next")
    assert pages == 3
    assert [r["city"] for r in seen] == [r["city_en"] for r in everything]


def test_answer_names_its_query_and_the_query_ui(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/ten-initiatives?topic=digital-governance")
    rel = links(response)
    assert rel["describedby"] == "/api/v1/ten-initiatives.rq?topic=digital-governance"
    assert rel["service-desc"] == "/api/v1/openapi.json"
    assert rel["alternate"].startswith("/query#api=")  # the query UI moved from / to /query
    assert unquote(rel["alternate"].split("#api=", 1)[1]) == rel["describedby"]
    opened = api.get(rel["describedby"]).get_data(as_text=True)
    assert "# title: The ten-point initiative" in opened and "<https://w3id.org/ugkg/id/concept/digital-governance>" in opened
    plain_text = api.get("/api/v1/ten-initiatives.rq").get_data(as_text=True)
    # the file, with the initiative's IRI projected for the identifier columns (issue 22)
    assert " (?initiative AS ?initiative_iri)" in plain_text
    assert plain_text.replace(" (?initiative AS ?initiative_iri)", "") == (ROOT / "queries" / "04-ten-initiatives.rq").read_text(encoding="utf-8")


def test_headers_match_the_sparql_endpoint(api):  # type: ignore[no-untyped-def]
    first = api.get("/api/v1/index-release")
    second = api.get("/api/v1/index-release")
    text = api.get("/api/v1/index-release.rq").get_data(as_text=True)
    sparql = api.post("/sparql", data={"query": text})
    for name in ("Vary", "X-Query-Time-Ms", "X-Result-Rows", "X-Cache", "Access-Control-Allow-Origin"):
        assert name in first.headers and name in sparql.headers, name
    assert first.headers["Vary"] == sparql.headers["Vary"] == "Accept"
    assert second.headers["X-Cache"] == "hit"
    assert first.headers["X-Result-Rows"] == sparql.headers["X-Result-Rows"] == str(len(first.get_json()))
    assert "Link" in first.headers["Access-Control-Expose-Headers"]


# --- OpenAPI -----------------------------------------------------------------------------------------------


def test_openapi_document_validates(api):  # type: ignore[no-untyped-def]
    from openapi_spec_validator import validate

    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_openapi_describes_parameters_and_columns(api):  # type: ignore[no-untyped-def]
    spec = api.get("/api/v1/openapi.json").get_json()
    get = spec["paths"]["/api/v1/signatory-population"]["get"]
    assert get["summary"] == "Census population of the signatory cities"
    params = {p.get("name"): p for p in get["parameters"] if "name" in p}
    assert params["city"]["example"] == "beijing" and "`beijing`" in params["city"]["description"]
    assert params["year"]["schema"]["default"] == "2020"
    assert {"$ref": "#/components/parameters/limit"} in get["parameters"]
    record = spec["components"]["schemas"]["SignatoryPopulationRecord"]["properties"]
    assert record["population"]["type"] == ["integer", "null"]
    assert record["city_en"]["type"] == "string" and "city" in record
    roles = {p["name"]: p for p in spec["paths"]["/api/v1/article-reporters"]["get"]["parameters"] if "name" in p}
    assert roles["role"]["schema"]["enum"] == ["reporter", "photographer"]
    example = get["responses"]["200"]["content"]["application/json"]["example"]
    assert example == api.get("/api/v1/signatory-population?city=beijing").get_json()[:3]


def test_docs_pages_are_local_and_linked(api):  # type: ignore[no-untyped-def]
    """/api (the reference, server-rendered) and /api/explorer (Swagger UI, vendored) load nothing from another host."""
    for path in ("/api", "/api/explorer"):
        html = api.get(path).get_data(as_text=True)
        loaded = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="http://localhost/[^"]*">', "", html)  # the page in each language
        assert not re.search(r"""(src=|<link[^>]* href=)["']?(https?:)?//""", loaded), f"{path} must not load anything from another host"
    html = api.get("/api/explorer").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and 'data-spec-url="/api/v1/openapi.json?lang=en"' in html
    assert 'href="/api/explorer"' in api.get("/api").get_data(as_text=True)
    assert 'href="/api"' in api.get("/").get_data(as_text=True)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "VERSION"):
        response = api.get(f"/static/vendor/swagger-ui/{name}")
        assert response.status_code == 200 and len(response.data) > 100, name
        response.close()
    folder = ROOT / "server/web/static/vendor/swagger-ui"
    version = (folder / "VERSION").read_text()
    assert "package: swagger-ui-dist" in version and "vendored-by: tools/vendor-swagger-ui.sh" in version
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}" in version, f"{name} differs from VERSION"


# --- no input is a 500 -------------------------------------------------------------------------------------

NAMES = st.sampled_from(["city", "year", "role", "topic", "aspect", "lang", "limit", "offset", "format", "bom", "x", "resource"])
VALUES = st.one_of(st.text(max_size=60), st.sampled_from(["beijing", "2020", "-1", "0", "10", "zh", "csv", "true", "<x>", "ugkg:City", "\"}"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=st.sampled_from(["signatory-population", "article-reporters", "ten-initiatives", "good-governance-features", "fact-provenance"]),
       args=st.lists(st.tuples(NAMES, VALUES), max_size=4))
def test_any_query_string_is_an_answer_or_a_400(api, operation, args):  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/{operation}", query_string=args, headers={"Accept": "application/json"})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        body = response.get_json()
        assert body["error"] == "invalid-parameter" and body["parameter"] in {name for name, _ in args}
