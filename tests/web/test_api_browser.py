"""The API documentation in headless Chromium, against a real server over the real graph: the reference at /api
(server-rendered, in the page language) calls an operation from its plain form with JavaScript off; Swagger UI, the
optional extra at /api/explorer, loads from this server only, lists every operation, and "Try it out" calls the API
and shows its answer."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

import pytest

from tests.conftest import start_server, stop_server

pytest_plugins = ["tests.browser_support"]

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = len(list((ROOT / "queries").glob("*.rq")))


@pytest.fixture(scope="module")
def kg_server(kg_settings, kg_snapshot) -> Iterator[str]:  # type: ignore[no-untyped-def]
    process, url = start_server(kg_settings)
    yield url
    stop_server(process)


def open_docs(recorded_page, url):  # type: ignore[no-untyped-def]
    page = recorded_page.page
    page.goto(url + "/api/explorer")
    page.wait_for_selector(".opblock-summary", timeout=60_000)  # Swagger UI takes ~9 s for the 40 operations on 2 busy cores
    return page


def try_out(page, path: str):  # type: ignore[no-untyped-def]
    """Open the operation at ``path`` and press "Try it out", as a reader of the docs page does; its block."""
    block = page.locator(".opblock", has=page.locator(f".opblock-summary-path[data-path='{path}']"))
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    return block


@pytest.mark.browser
def test_docs_page_lists_every_operation_without_errors_or_foreign_requests(kg_server, recorded_page):  # type: ignore[no-untyped-def]
    import requests

    # every published operation (a federated one is published only when its endpoints are allowed: not every file)
    published = len(requests.get(kg_server + "/api/v1/openapi.json", timeout=60).json()["paths"])
    assert OPERATIONS - 1 <= published <= OPERATIONS
    page = open_docs(recorded_page, kg_server)
    page.wait_for_function(f"() => document.querySelectorAll('.opblock-summary').length === {published}")
    paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))")
    assert "/api/v1/ten-initiatives" in paths and "/api/v1/signatory-population" in paths
    assert "Urban Governance Knowledge Graph REST API" in page.locator(".info .title").inner_text()
    page.wait_for_load_state("networkidle")
    recorded_page.screenshot("api-docs")
    assert any(url.endswith("/api/v1/openapi.json?lang=en") for url in recorded_page.requests)  # the document in the page language
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_try_it_out_calls_the_api_and_shows_the_answer(kg_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_docs(recorded_page, kg_server)
    block = try_out(page, "/api/v1/ten-initiatives")
    field = block.locator("tr[data-param-name='topic'] input")
    field.fill("digital-governance")
    with page.expect_response(lambda r: "/api/v1/ten-initiatives?" in r.url) as answer:
        block.locator("button.execute").click()
    response = answer.value
    assert response.status == 200
    assert "topic=digital-governance" in response.url
    records = json.loads(response.text())
    assert [r["ordinal"] for r in records] == [7]
    shown = block.locator(".live-responses-table .response-col_description .highlight-code, .live-responses-table .microlight").first
    shown.wait_for()
    assert "digital governance" in shown.inner_text()
    assert block.locator(".live-responses-table .response .response-col_status").first.inner_text().strip().startswith("200")
    recorded_page.screenshot("api-try-it-out")
    assert recorded_page.problems() == []


@pytest.mark.browser
def test_try_it_out_shows_the_400_naming_the_parameter(kg_server, recorded_page):  # type: ignore[no-untyped-def]
    page = open_docs(recorded_page, kg_server)
    block = try_out(page, "/api/v1/signatory-population")
    block.locator("tr[data-param-name='city'] input").fill("atlantis")
    with page.expect_response(lambda r: "/api/v1/signatory-population?" in r.url) as answer:
        block.locator("button.execute").click()
    assert answer.value.status == 400
    shown = block.locator(".live-responses-table .microlight, .live-responses-table .highlight-code").first
    shown.wait_for()
    assert "invalid-parameter" in shown.inner_text() and "city" in shown.inner_text()
    # the failed request is the test's own 400: nothing else may go wrong
    assert recorded_page.page_errors == [] and recorded_page.foreign_requests() == []


@pytest.mark.browser
def test_query_ui_links_to_the_docs_and_opens_an_answer_s_query(kg_server, recorded_page):  # type: ignore[no-untyped-def]
    page = recorded_page.page
    page.goto(kg_server + "/query")
    page.wait_for_selector("#query-text")
    page.click("text=REST API")
    page.wait_for_selector("#op-ten-initiatives form.api-try")
    assert page.url.rstrip("/").endswith("/api")
    # an answer's rel="alternate" link opens its own (bound) query in the query UI
    import requests

    link = requests.get(kg_server + "/api/v1/ten-initiatives?topic=digital-governance", timeout=30).headers["Link"]
    alternate = re.search(r'<([^>]+)>; rel="alternate"', link).group(1)
    page.goto(kg_server + alternate)
    page.wait_for_function("() => window.ugkgApiQueryLoaded !== undefined")
    assert page.evaluate("() => window.ugkgApiQueryLoaded") is True
    value = page.evaluate("() => window.ugkgYasgui.getTab().getYasqe().getValue()")
    expected = requests.get(kg_server + unquote(alternate.split("#api=", 1)[1]), timeout=30).text
    assert value == expected and "<https://w3id.org/ugkg/id/concept/digital-governance>" in value
    run = page.wait_for_selector(".yasqe_queryButton")
    with page.expect_response(lambda r: r.url.endswith("/sparql") and r.request.method == "POST") as answer:
        run.click()
    assert answer.value.status == 200 and len(answer.value.json()["results"]["bindings"]) == 1
    assert recorded_page.page_errors == [] and recorded_page.foreign_requests() == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reference_page_calls_an_operation_from_its_form_without_javascript(kg_server, recorded_page, lang):  # type: ignore[no-untyped-def]
    """With JavaScript off (Chromium's script execution disabled), as a reader with a strict browser: choose a topic
    in the operation's form, submit, get the answer."""
    page = recorded_page.page
    page.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.goto(f"{kg_server}/api?lang={lang}#op-signatory-population")
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
    recorded_page.screenshot(f"api-reference-{lang}", full_page=False)
    form = page.locator("#op-ten-initiatives form.api-try")
    form.locator("select[name=topic]").select_option("digital-governance")
    form.locator("select[name=lang]").select_option(lang)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/api/v1/ten-initiatives?" in page.url and "topic=digital-governance" in page.url
    records = json.loads(page.locator("body").inner_text())
    assert [r["ordinal"] for r in records] == [7]
    assert ("数字" if lang == "zh" else "digital") in json.dumps(records, ensure_ascii=False).lower()
    assert recorded_page.page_errors == [] and recorded_page.foreign_requests() == []
