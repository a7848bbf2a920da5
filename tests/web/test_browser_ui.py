"""The query page: Flask-client checks (always) and headless-Chromium checks against the live server (marked browser)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from server.web.views import ui

pytest_plugins = ["tests.browser_support"]

MINI_QUERIES = Path(__file__).resolve().parent.parent / "fixtures" / "mini" / "queries"
FORUM_QUERY = (MINI_QUERIES / "01-forum.rq").read_text(encoding="utf-8")
RESULT_ROWS = ".yasr .dataTable tbody tr"
EDITOR = ".yasqe .CodeMirror"


# --- Flask client: the page is served and escapes what it shows -------------------------------------------------


@pytest.mark.parametrize("path, headers", [("/query", {}), ("/sparql", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})])
def test_query_page_served_as_html(client, path, headers):  # type: ignore[no-untyped-def]
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "The forum" in html and "When does the forum start?" in html
    assert 'data-example="01-forum"' in html
    assert "/static/vendor/yasgui/yasgui.min.js" in html and "/static/query.js" in html
    loaded = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="http://localhost/[^"]*">', "", html)  # this page in each language: absolute, same host
    assert not re.search(r"""(src=|<link[^>]* href=)["']?(https?:)?//""", loaded), "the page must not load anything from another host"
    config = json.loads(re.search(r'<script type="application/json" id="ugkg-query-config">(.*?)</script>', html, re.S).group(1))
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"]["ugr"] == "https://w3id.org/ugkg/id/"
    assert [example["query"] for example in config["examples"]] == [FORUM_QUERY]
    assert "PREFIX ugkg: <https://w3id.org/ugkg/def/>" in config["starterQuery"]


def test_sparql_without_html_accept_is_still_the_service_description(client):  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"


def test_vendored_yasgui_is_served(client):  # type: ignore[no-untyped-def]
    for name in ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css", "query.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert len(response.data) > 1000 or name == "query.js"
        response.close()


def test_example_titles_are_escaped(client, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "01-markup.rq").write_text(
        "# title: <b>Bold</b> & </script><script>alert(1)</script>\n"
        "# question: Is <i>this</i> escaped?\n"
        "SELECT * WHERE { ?s ?p \"</script><img src=x onerror=alert(2)>\" }\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(ui, "sources_root", lambda settings: tmp_path)
    # the sources change under a running app here, which a snapshot never does: ask past the answer cache
    html = client.get("/query", headers={"Cache-Control": "no-cache"}).get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;/script&gt;" in html
    assert "Is &lt;i&gt;this&lt;/i&gt; escaped?" in html
    assert "<b>Bold</b>" not in html and "<i>this</i>" not in html
    assert "alert(1)</script>" not in html and "<img src=x" not in html
    block = re.search(r'<script type="application/json" id="ugkg-query-config">(.*?)</script>', html, re.S).group(1)
    example = json.loads(block)["examples"][0]
    assert example["title"] == "<b>Bold</b> & </script><script>alert(1)</script>"
    assert example["question"] == "Is <i>this</i> escaped?"


def test_parse_example_header(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "07-x.rq"
    path.write_text("# question: Why?\n#title:  Seven \n\nSELECT * {}\n# title: not me\n", encoding="utf-8")
    example = ui.parse_example(path)
    assert (example.id, example.title, example.question) == ("07-x", "Seven", "Why?")
    path.write_text("SELECT * {}\n", encoding="utf-8")
    assert ui.parse_example(path).title == "07-x"


# --- Headless Chromium against the live server --------------------------------------------------------------------


def open_query_page(recorded_page, url):  # type: ignore[no-untyped-def]
    """Open the query page and start the editor as a reader does: the page opens on a plain form, and YASGUI loads
    on the first interaction (here: focus in the query's text), or at once for an address carrying a query."""
    page = recorded_page.page
    page.goto(url)
    if page.locator("#plain-query").is_visible():
        page.focus("#query-text")
    page.wait_for_selector(EDITOR)
    page.wait_for_function("() => window.ugkgEditorReady === true")
    page.wait_for_function("() => window.ugkgYasgui && window.ugkgYasgui.getTab() && window.ugkgYasgui.getTab().getYasqe()")
    return page


def editor_value(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => window.ugkgYasgui.getTab().getYasqe().getValue()")


def type_query(page, query: str) -> None:  # type: ignore[no-untyped-def]
    """Replace the editor's text the way a person does: click in it, select all, type."""
    page.click(EDITOR)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)
    assert editor_value(page).strip() == query.strip()


def run_query(page) -> None:  # type: ignore[no-untyped-def]
    page.click(".yasqe_queryButton")


@pytest.mark.browser
def test_page_loads_without_errors_or_foreign_requests(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    assert "SPARQL query" in page.title()
    assert page.locator("button[data-example='01-forum']").inner_text().startswith("The forum")
    value = editor_value(page)
    for prefix in ("ugkg", "ugr", "schema", "skos", "org", "dcterms", "prov", "qb", "rdfs", "rdf", "owl", "xsd"):
        assert re.search(rf"^PREFIX {prefix}:\s", value, re.M), prefix
    endpoint = page.evaluate("() => window.ugkgYasgui.getTab().getEndpoint()")
    assert endpoint == live_server + "/sparql"
    page.wait_for_load_state("networkidle")
    recorded_page.screenshot("query-page")
    assert recorded_page.requests, "no request recorded"
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_sparql_url_shows_the_page_to_a_browser(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/sparql")
    assert page.locator("#examples").is_visible()
    page.wait_for_load_state("networkidle")
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_typed_query_shows_results(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    type_query(page, "PREFIX schema: <https://schema.org/>\nSELECT ?event ?start WHERE {\n?event schema:startDate ?start\n}")
    run_query(page)
    page.wait_for_selector(RESULT_ROWS)
    rows = page.locator(RESULT_ROWS)
    assert rows.count() >= 1
    table = page.locator(".yasr .dataTable").inner_text()
    assert "2022-12-18" in table
    assert "event/forum" in table  # shown as ugr:event/forum or the full IRI
    recorded_page.screenshot("query-results")
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_choosing_an_example_loads_it(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    button = page.locator("button[data-example='01-forum']")
    button.click()
    assert editor_value(page) == FORUM_QUERY
    assert button.get_attribute("aria-pressed") == "true"
    run_query(page)
    page.wait_for_selector(RESULT_ROWS)
    assert "2022-12-18" in page.locator(".yasr .dataTable").inner_text()
    recorded_page.screenshot("query-example")
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_malformed_query_shows_the_endpoint_error(live_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_query_page(recorded_page, live_server + "/query")
    type_query(page, "SELECT ?s WHERE { ?s ?p }")
    with page.expect_response(lambda response: response.url.startswith(live_server + "/sparql") and response.request.method == "POST") as answer:
        run_query(page)
    assert answer.value.status == 400
    problem = answer.value.json()
    assert problem["error"] == "malformed-query"
    error = page.locator(".yasr .errorResult .qp-error")
    error.wait_for()
    assert error.get_attribute("data-error") == "malformed-query"
    text = error.inner_text()
    assert "Malformed query" in text
    assert problem["message"] in text
    assert page.locator(RESULT_ROWS).count() == 0
    # under the editor: the message, the position in words, and the position marked in the text
    below = page.locator("#query-error")
    below.wait_for()
    assert below.get_attribute("role") == "alert" and problem["message"] in below.inner_text()
    line, column = (int(x) for x in problem["position"].split(":"))
    assert f"line {line}, column {column}" in below.inner_text()
    mark = page.locator(".yasqe .qp-error-mark").first
    assert mark.is_visible()
    marked = page.evaluate("() => { const m = window.ugkgYasgui.getTab().getYasqe().getAllMarks()[0].find(); return [m.from.line, m.from.ch]; }")
    text = page.evaluate(f"() => window.ugkgYasgui.getTab().getYasqe().getLine({line - 1})")
    assert marked == [line - 1, min(column - 1, len(text) - 1)]  # an error past the end of a line marks its last character
    recorded_page.screenshot("query-error")
    # The browser itself logs the 400 as a console error; nothing else may go wrong, nothing may leave 127.0.0.1.
    assert [e for e in recorded_page.console_errors if "400" not in e] == []
    assert recorded_page.page_errors == [] and recorded_page.foreign_requests() == []


@pytest.mark.browser
def test_old_home_links_with_a_query_fragment_open_the_editor(live_server, recorded_page):  # type: ignore[no-untyped-def]
    """The editor used to be the home page: YASGUI's shared links (/#query=…) still open the query in it."""
    page = recorded_page.page
    page.goto(live_server + "/#query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
    page.wait_for_selector(EDITOR)
    assert page.url.split("#", 1)[0] == live_server + "/query"
    assert page.evaluate("() => window.ugkgYasgui.getTab().getYasqe().getValue()") == "ASK { ?s ?p ?o }"
    assert recorded_page.page_errors == [] and recorded_page.foreign_requests() == []
