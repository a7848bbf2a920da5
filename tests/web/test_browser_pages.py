"""The linked-data pages in headless Chromium (Debian's, via Playwright): labels in both languages, the language
switch, no console errors, nothing fetched from another host; screenshots go to tests/artifacts/."""
from __future__ import annotations

import json

import pytest

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser


def test_resource_page_both_languages_and_switch(live_server, recorded_page):
    page = recorded_page.page
    page.goto(live_server + "/id/event/forum")
    heading = page.locator("h1")
    assert heading.locator('[lang="en"]').inner_text() == "Forum"
    assert heading.locator('[lang="zh"]').inner_text() == "论坛"
    root = page.locator("html")
    assert root.get_attribute("lang") == "en"
    # property names in the page's language; the interface in English
    assert page.locator("table.facts .pick", has_text="co-host").first.is_visible()
    assert page.locator("table.facts .pick", has_text="共同主办方").count() == 0
    assert page.locator("nav.site a").first.inner_text() == "Home"
    recorded_page.screenshot("resource-forum-en")

    with page.expect_navigation():
        page.click("#lang-toggle")
    assert root.get_attribute("lang") == "zh-Hans" and root.get_attribute("data-primary") == "zh"
    assert page.locator("table.facts .pick", has_text="共同主办方").first.is_visible()
    assert page.locator("nav.site a").first.inner_text() == "首页"
    # the page's language comes first in the heading
    en_box, zh_box = heading.locator('[lang="en"]').bounding_box(), heading.locator('[lang="zh"]').bounding_box()
    assert zh_box["x"] < en_box["x"]
    recorded_page.screenshot("resource-forum-zh")

    page.goto(live_server + "/id/event/forum")  # the choice is remembered (a cookie), without ?lang=
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    with page.expect_navigation():
        page.click("#lang-toggle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert recorded_page.problems() == []


def test_markup_label_renders_as_text_and_jsonld_parses(live_server, recorded_page):
    page = recorded_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/id/x/markup")
    assert "<script>alert('x')</script>" in page.locator("h1").inner_text()
    assert page.locator("h1 b").count() == 0
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert "@context" in data
    assert dialogs == []
    recorded_page.screenshot("resource-markup")
    assert recorded_page.problems() == []


@pytest.mark.parametrize("path", ["/", "/query", "/def", "/cities", "/forum", "/declaration", "/index", "/dataset", "/validation", "/search?q=论&format=html", "/graph/data/a"])
def test_pages_render_without_errors(live_server, recorded_page, path):
    page = recorded_page.page
    response = page.goto(live_server + path)
    assert response.status == 200
    assert page.locator("header.site form.search input[name=q]").count() == 1
    recorded_page.screenshot("page-" + path.strip("/").replace("/", "-").replace("?", "-") or "home")
    assert recorded_page.problems() == []


def test_search_box_leads_to_results(live_server, recorded_page):
    page = recorded_page.page
    page.goto(live_server + "/id/org/cass")
    page.fill("header.site input[name=q]", "社会科学")
    page.press("header.site input[name=q]", "Enter")
    page.wait_for_selector("ol.results li")
    assert "中国社会科学院" in page.locator("ol.results li").first.inner_text()
    assert recorded_page.problems() == []
