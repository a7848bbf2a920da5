"""The site for people over the real graph: the landing page, the language choice, resource pages that read like a
reference work, the index page, the favicon, links that lead to the server that answered.

Figures and orders are checked against the endpoint's own answers to the test's own queries, never hard-coded.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from server.web.app import create_app

HTML = {"Accept": "text/html"}
DEF = "https://w3id.org/ugkg/def/"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(kg_settings, kg_snapshot) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    application = create_app(kg_settings, kg_snapshot)
    yield application.test_client()
    application.extensions["ugkg"].close()


def count(site: Any, where: str) -> int:
    """The test's own count, through the public endpoint."""
    body = site.get("/sparql", query_string={"query": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"},
                    headers={"Accept": "application/sparql-results+json"}).get_json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def page(site: Any, path: str, **headers: str) -> str:
    response = site.get(path, headers={**HTML, **headers})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_landing_page_shows_the_figures_of_the_graph(site) -> None:  # type: ignore[no-untyped-def]
    html = page(site, "/")
    figures = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong> ([a-z ]+)", html))
    assert figures["cities"] == count(site, f"?d a <{DEF}Declaration> ; <{DEF}issuedBy> ?x") == 13
    assert figures["initiatives"] == count(site, f"?d a <{DEF}Declaration> ; <{DEF}hasInitiative> ?x") == 10
    assert figures["dimensions"] == count(site, f"?x a <{DEF}Dimension>")
    assert figures["indicators"] == count(site, f"?x a <{DEF}Indicator>")
    assert figures["quoted sentences"] == count(site, "?x a <http://www.w3.org/ns/oa#Annotation>")
    assert figures["facts from the articles"] > 100
    for path in ("/cities", "/declaration", "/index", "/search", "/api", "/dataset", "/query", "/def", "/validation", "/#cite"):
        assert f'href="{path}"' in html, path


def test_old_editor_links_reach_the_query_page(site) -> None:  # type: ignore[no-untyped-def]
    response = site.get("/?query=ASK%7B%7D&x=1", headers=HTML)
    assert response.status_code == 301 and response.headers["Location"] == "/query?query=ASK%7B%7D&x=1"
    html = page(site, "/query")
    assert '<nav class="site"' in html and '<footer class="site">' in html and 'id="yasgui"' in html
    # the old YASGUI fragment (/#query=…) is forwarded by pages.js, which the landing page marks as the old home
    assert 'data-landing="/query"' in page(site, "/")


@pytest.mark.parametrize("ask, headers, expected", [
    ("?lang=zh", {}, "zh"), ("", {"Accept-Language": "zh-CN,zh;q=0.9"}, "zh"), ("", {"cookie": "zh"}, "zh"),
    ("?lang=en", {"cookie": "zh"}, "en"), ("", {"cookie": "en", "Accept-Language": "zh"}, "en"),
    ("", {"Accept-Language": "fr"}, "en"),
])
def test_language_is_lang_then_cookie_then_accept_language(site, ask, headers, expected) -> None:  # type: ignore[no-untyped-def]
    headers = dict(headers)
    if "cookie" in headers:  # what the toggle sets (static/pages.js)
        site.set_cookie("ugkg_lang", headers.pop("cookie"))
    try:
        html = page(site, "/cities" + ask, **headers)
    finally:
        site.delete_cookie("ugkg_lang")
    assert f'<html lang="{"zh-Hans" if expected == "zh" else "en"}"' in html
    assert ("<h1>城市</h1>" if expected == "zh" else "<h1>The cities</h1>") in html
    assert 'hreflang="en" href="http://localhost/cities?lang=en"' in html and 'hreflang="zh-Hans" href="http://localhost/cities?lang=zh"' in html


def test_error_pages_speak_the_page_language(site) -> None:  # type: ignore[no-untyped-def]
    response = site.get("/id/city/atlantis?lang=zh", headers=HTML)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404 未找到" in html and "首页" in html


def test_declaration_page_reads_like_a_reference_work(site) -> None:  # type: ignore[no-untyped-def]
    response = site.get("/id/document/beijing-declaration", headers=HTML)
    html = response.get_data(as_text=True)
    assert len(response.data) < 100_000
    assert "[blank node]" not in html and not re.search(r">\s*ugr:", html) and not re.search(r">_:", html)
    # property names in words, the CURIE small beside them
    assert re.search(r'<span class="pick" lang="en">has initiative</span></a> <code class="curie">ugkg:hasInitiative</code>', html)
    # the inferred standard copy (dcterms:hasPart, ugkg:hasInitiative's super-property) is a tag on the asserted row, not a row
    assert "dcterms:hasPart</span>" in html and 'curie">dcterms:hasPart</code>' not in html
    # quotes beside the facts they support
    assert html.count('<figure class="quote">') >= 10
    # ordered things in order: the initiatives by their ordinal
    part = html.split("ugkg:hasInitiative</code>", 1)[1].split('<th scope="row"', 1)[0]
    numbers = [int(n) for n in re.findall(r'href="/id/document/beijing-declaration/initiative/(\d+)"', part)]
    assert numbers == sorted(numbers) and len(numbers) == 10


def facts(html: str) -> list[tuple[bool, str]]:
    """(only inferred, value text) of every row of the facts table."""
    table = html.split("<h2>Facts</h2>", 1)[1].split("</table>", 1)[0]
    out = []
    for inferred, body in re.findall(r'<tr( class="inferred")?>(.*?)</tr>', table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        if cells:
            out.append((bool(inferred), " ".join(re.sub(r"<figure.*?</figure>|<span class=\"tag.*?</span>|<[^>]+>", " ", cells[0], flags=re.S).split())))
    return out


@pytest.mark.parametrize("path", ["/id/document/beijing-declaration", "/id/city/beijing", "/id/document/beijing-declaration/initiative/7"])
def test_inferred_copies_fold_into_the_asserted_row(site, path) -> None:  # type: ignore[no-untyped-def]
    html = page(site, path)
    rows = facts(html)
    asserted = {text for inferred, text in rows if not inferred}
    assert [text for inferred, text in rows if inferred and text in asserted] == []
    if path != "/id/city/beijing":  # a city's relations have no standard super-property since issue 17 (a place is no agent)
        assert '<span class="tag std"' in html  # the standard term shows as a tag on the asserted row
    assert "[blank node]" not in html


def test_only_inferred_facts_stay_visible_and_marked(site) -> None:  # type: ignore[no-untyped-def]
    """In this graph every inferred fact but rdf:type copies an asserted one (folded above); the types only the
    reasoner gives (schema:City for a city) stay on the page, after "by inference"."""
    html = page(site, "/id/city/beijing")
    types = html.split('<p class="types">', 1)[1].split("</p>", 1)[0]
    asserted, inferred = types.split("by inference:", 1)
    assert 'href="https://schema.org/City"' in inferred and 'class="chip inferred"' in inferred
    assert 'href="/def/City"' in asserted


def test_long_referenced_by_lists_are_grouped_and_paged(site) -> None:  # type: ignore[no-untyped-def]
    article = "<https://w3id.org/ugkg/id/article/bjnews-2022-12-20-a11>"
    total = count(site, f"?x <http://www.w3.org/ns/prov#wasDerivedFrom> {article} FILTER(isIRI(?x) && ?x != {article})")
    assert total > 20
    first = page(site, "/id/article/bjnews-2022-12-20-a11")
    section = first.split('<section class="refs"', 1)[1].split("<code class=\"curie\">prov:wasDerivedFrom</code>", 1)[1].split("</section>", 1)[0]
    assert f"({total})" in section and "Page 1 of" in section
    shown = re.findall(r'<li><a href="([^"]+)"', section)
    assert len(shown) == 20
    second = page(site, "/id/article/bjnews-2022-12-20-a11?by=prov:wasDerivedFrom&page=2")
    section2 = second.split('<section class="refs"', 1)[1].split("<code class=\"curie\">prov:wasDerivedFrom</code>", 1)[1].split("</section>", 1)[0]
    assert "Page 2 of" in section2 and not set(re.findall(r'<li><a href="([^"]+)"', section2)) & set(shown)


def test_index_page_says_why_a_dimension_has_no_indicators(site) -> None:  # type: ignore[no-untyped-def]
    empty = count(site, f"?x a <{DEF}Dimension> FILTER NOT EXISTS {{ ?i a <{DEF}Indicator> ; <http://www.w3.org/2004/02/skos/core#broader> ?x }}")
    html = page(site, "/index")
    assert html.count('class="empty why"') == empty
    if empty:
        assert "the source articles define this dimension but name none of its indicators" in html


def test_city_page_charts_its_statistics_with_year_and_source(site) -> None:  # type: ignore[no-untyped-def]
    html = page(site, "/id/city/beijing")
    stats = html.split('<section class="stats">', 1)[1].split("</section>", 1)[0]
    assert stats.count("<svg") == count(site, f"?o <http://purl.org/linked-data/sdmx/2009/dimension#refArea> <https://w3id.org/ugkg/id/city/beijing> ; <{DEF}statisticalIndicator> ?x")
    assert re.search(r"</strong>, 20\d\d", stats) and "Source:" in stats and 'class="bar mine"' in stats


def test_city_map_draws_land_and_no_borders(site) -> None:  # type: ignore[no-untyped-def]
    html = page(site, "/cities")
    land = re.search(r'<path d="([^"]+)" class="land"/>', html)
    assert land and land.group(1).count("M") >= 2  # the mainland and at least one island (Hainan, Taiwan)
    assert "countries" not in html and html.count("<circle") == 13


def test_favicon(site) -> None:  # type: ignore[no-untyped-def]
    response = site.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_display_iri_maps_the_canonical_base_to_the_serving_base(kg_settings, kg_snapshot) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from server.web.site.links import display_iri

    for setting, expected in (("request", "http://example.test:8123/mirror/id/city/beijing"), ("canonical", "https://w3id.org/ugkg/id/city/beijing"),
                              ("https://kg.example.org/", "https://kg.example.org/id/city/beijing")):
        app = create_app(replace(kg_settings, link_base=setting), kg_snapshot)
        with app.test_request_context("/x", base_url="http://example.test:8123/mirror"):
            assert display_iri("https://w3id.org/ugkg/id/city/beijing") == expected
            assert display_iri("http://www.wikidata.org/entity/Q956") == "http://www.wikidata.org/entity/Q956"
        app.extensions["ugkg"].close()
