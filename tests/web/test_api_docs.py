"""The API documentation for people, in the page's language, over the real graph:

- ``/api`` is rendered on the server from the operations: every operation with its question, parameters (type,
  required, allowed values), example URLs that answer, curl lines, its columns, and a plain GET form whose fields
  are exactly the API's parameters; Chinese readers get it with no English prose outside code;
- the OpenAPI document is written in the language the pages would use (``?lang=``, cookie, Accept-Language), its
  "Query file:" / "Known:" lines and parameter descriptions included;
- Swagger UI is the optional extra at ``/api/explorer``, loading only from this server;
- the ontology page's relation names and the explanation of engine errors come from the catalogue.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from server.web.app import create_app

HTML = {"Accept": "text/html"}
# English function words and the words of the API's own wording: outside code, they mean untranslated prose.
# (Technical names — IRI, JSON, lang, rel=next, local names such as beijing — are allowed.)
ENGLISH_PROSE = {"the", "of", "and", "or", "is", "are", "an", "to", "in", "with", "from", "for", "its", "this", "that", "on",
                 "as", "be", "not", "query", "file", "known", "binds", "answer", "text", "row", "rows", "column", "columns",
                 "parameter", "parameters", "value", "values", "see", "which", "where", "when", "else", "each", "every", "only",
                 "call", "try", "execute", "responses", "required", "description", "example", "examples", "type", "default"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(kg_settings, kg_snapshot) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    application = create_app(kg_settings, kg_snapshot)
    yield application.test_client()
    application.extensions["ugkg"].close()


class Reader(HTMLParser):
    """What a person reads in ``<main>`` (code, pre and scripts aside), the API forms, the links and the ids."""

    SKIP = ("script", "style", "code", "pre")

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.skip = 0
        self.in_main = False
        self.text: list[str] = []
        self.forms: list[dict[str, Any]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "main":
            self.in_main = True
        if tag in self.SKIP:
            self.skip += 1
        if tag == "form" and "api-try" in (a.get("class") or ""):
            self.forms.append({"action": a.get("action"), "method": a.get("method"), "fields": []})
        if tag in ("input", "select") and self.forms and a.get("name"):
            self.forms[-1]["fields"].append(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        for name in ("title", "placeholder", "aria-label"):
            if self.in_main and a.get(name) and not self.skip:
                self.text.append(str(a[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        if tag == "main":
            self.in_main = False

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skip:
            self.text.append(data)


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    return reader


def english_prose(texts: list[str]) -> list[str]:
    """The pieces of ``texts`` (code spans in backticks removed) that contain English prose words."""
    out = []
    for text in texts:
        # words joined by - or _ are names (invalid-parameter, max_result_rows, a concept's local name); lower-case
        # only: ORDER BY, Data Cube, IRI are names too
        words = re.findall(r"[A-Za-z][A-Za-z_-]*", re.sub(r"`[^`]*`", " ", text))
        if any(w in ENGLISH_PROSE for w in words):
            out.append(text.strip()[:120])
    return out


def openapi_texts(doc: Any) -> list[str]:
    """Every human text of an OpenAPI document (titles, summaries, descriptions)."""
    found: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("title", "summary", "description") and isinstance(value, str):
                found.append(value)
            else:
                found += openapi_texts(value)
    elif isinstance(doc, list):
        for value in doc:
            found += openapi_texts(value)
    return found


def test_the_prose_check_can_fail() -> None:
    assert english_prose(["查询文件：`queries/x.rq`", "Known: `beijing`", "Query file: `x`", "ORDER BY 使 lang=zh"]) == ["Query file: `x`"]
    assert english_prose(["The answer", "可选值：`a`", "（400 invalid-parameter；max_result_rows）"]) == ["The answer"]


@pytest.mark.parametrize("headers, ask", [({}, "?lang=zh"), ({"Accept-Language": "zh-CN,zh;q=0.9"}, ""), ({"cookie": "zh"}, "")])
def test_openapi_document_is_chinese_where_the_pages_are(client, headers, ask) -> None:  # type: ignore[no-untyped-def]
    headers = dict(headers)
    if "cookie" in headers:  # what the language toggle sets
        client.set_cookie("ugkg_lang", headers.pop("cookie"))
    try:
        response = client.get("/api/v1/openapi.json" + ask, headers=headers)
    finally:
        client.delete_cookie("ugkg_lang")
    assert response.status_code == 200 and response.headers["Content-Language"] == "zh-Hans"
    assert "Accept-Language" in response.headers["Vary"]
    doc = response.get_json()
    get = doc["paths"]["/api/v1/signatory-population"]["get"]
    assert get["description"].count("查询文件：`queries/24-signatory-population.rq`") == 1
    city = next(p for p in get["parameters"] if p.get("name") == "city")
    assert "可选值：" in city["description"] and "`beijing`" in city["description"] and "Known" not in city["description"]
    assert english_prose(openapi_texts(doc)) == []


def test_openapi_document_stays_english_by_default(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").get_json()
    get = doc["paths"]["/api/v1/signatory-population"]["get"]
    assert "Query file: `queries/24-signatory-population.rq`" in get["description"]
    city = next(p for p in get["parameters"] if p.get("name") == "city")
    assert "Known: `beijing`" in city["description"]
    assert doc["paths"].keys() == client.get("/api/v1/openapi.json?lang=zh").get_json()["paths"].keys()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_api_reference_documents_every_operation_with_a_form_of_its_parameters(client, lang) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").get_json()
    html = client.get(f"/api?lang={lang}", headers=HTML).get_data(as_text=True)
    page = read(html)
    actions = {f["action"]: f for f in page.forms}
    assert set(actions) == set(doc["paths"])  # one form per operation, none left out
    for path, item in doc["paths"].items():
        own = [p["name"] for p in item["get"]["parameters"] if "name" in p]
        form = actions[path]
        assert form["method"] == "get"
        assert set(own) <= set(form["fields"]) <= set(own) | {"lang", "format", "limit"}
        assert f'op-{path.rsplit("/", 1)[1]}' in page.ids
    # allowed values are listed: the known cities of `city`, the enum of `role`
    block = html.split('id="op-signatory-population"', 1)[1].split('class="api-op"', 1)[0]
    assert "<code>xiongan</code>" in block and '<option value="xiongan">' in block and "curl " in block
    roles = html.split('id="op-article-reporters"', 1)[1].split('class="api-op"', 1)[0]
    assert '<option value="photographer">' in roles
    assert f'href="/api/v1/openapi.json?lang={lang}"' in html and 'href="/api/explorer"' in html
    assert "swagger-ui-bundle.js" not in html  # the reference needs no JavaScript


def test_api_reference_in_chinese_has_no_english_prose(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api?lang=zh", headers=HTML).get_data(as_text=True)
    page = read(html)
    assert '<html lang="zh-Hans"' in html and "试一试" in html and "调用 API" in html
    assert english_prose(page.text) == []
    explorer = read(client.get("/api/explorer?lang=zh", headers=HTML).get_data(as_text=True))
    assert english_prose(explorer.text) == []


def test_example_urls_of_the_reference_answer(client) -> None:  # type: ignore[no-untyped-def]
    page = read(client.get("/api", headers=HTML).get_data(as_text=True))
    examples = [link for link in page.links if link.startswith("/api/v1/") and not link.split("?")[0].endswith((".rq", ".json"))]
    assert len(examples) >= len(page.forms)
    for link in examples:
        response = client.get(link)
        assert response.status_code == 200, (link, response.get_data(as_text=True)[:300])
        if dict(parse_qsl(urlsplit(link).query)).get("format") == "csv":
            assert response.mimetype == "text/csv"


def test_a_submitted_form_with_empty_fields_answers(client) -> None:  # type: ignore[no-untyped-def]
    """What a browser sends for a form left as it is (every field, empty) and for one filled in."""
    empty = client.get("/api/v1/signatory-population?city=&year=&lang=&format=json&limit=")
    assert empty.status_code == 200 and len(empty.get_json()) > 1
    one = client.get("/api/v1/signatory-population?city=beijing&year=&lang=zh&format=csv&limit=")
    assert one.status_code == 200 and one.mimetype == "text/csv" and "北京" in one.get_data(as_text=True)


def test_swagger_ui_is_an_optional_local_extra(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api/explorer?lang=zh", headers=HTML).get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json?lang=zh"' in html and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "Swagger UI 库没有中文翻译" in html and 'href="/api"' in html


@pytest.mark.parametrize("lang, names", [("zh", ["父类", "定义域", "值域"]), ("en", ["subclass of", "domain", "range"])])
def test_ontology_relation_names_come_from_the_catalogue(client, lang, names) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/def?lang={lang}", headers=HTML).get_data(as_text=True)
    shown = set(re.findall(r'<dt title="[^"]+">([^<]+)</dt>', html))
    assert set(names) <= shown


def test_an_engine_error_is_explained_in_the_page_language(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?s WHERE { ?s ?p }"
    problem = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"}).get_json()
    assert problem["error"] == "malformed-query"
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser's form sends
    response = client.get("/sparql", query_string={"query": query}, headers={**browser, "Accept-Language": "zh-CN"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and '<html lang="zh-Hans"' in html
    assert "该查询不是有效的 SPARQL" in html and "技术细节（查询引擎的原始消息，英文）" in html
    from markupsafe import escape

    assert str(escape(problem["message"])) in html  # the engine's own words, verbatim
    english = client.get("/sparql", query_string={"query": query}, headers=browser).get_data(as_text=True)
    import html as entities

    english = entities.unescape(english)
    assert "The query is not valid SPARQL" in english and "Technical detail (the engine's own message, in English)" in english


def test_the_query_page_carries_the_explanations_in_its_language(client) -> None:  # type: ignore[no-untyped-def]
    import json

    html = client.get("/query?lang=zh", headers=HTML).get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="ugkg-query-config">(.*?)</script>', html, re.S).group(1))
    problems = config["messages"]["problems"]
    assert problems["explain"]["unsupported-function"].startswith("该查询调用了本引擎没有的函数")
    from server.web.site.i18n import translate

    assert problems["titles"]["malformed-query"] == translate("Malformed query", "zh") != "Malformed query"
    assert set(problems["hints"]) == {"reserved-character-in-prefixed-name", "undeclared-prefix"}
