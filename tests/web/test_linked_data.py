"""Dereferenceable IRIs: content negotiation, format URLs, headers, 404s, ontology terms, HTML safety.

Runs on the mini fixture (tests/fixtures/mini) with the Flask client and against a real server (live_server).
"""
from __future__ import annotations

import json
import re

import pytest
import rdflib
import rdflib.compare
import requests
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, VOID

BASE = "https://w3id.org/ugkg/"
FORUM = URIRef(BASE + "id/event/forum")
CASS = URIRef(BASE + "id/org/cass")
UGKG = rdflib.Namespace(BASE + "def/")
SCHEMA = rdflib.Namespace("https://schema.org/")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PARSERS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml", "application/n-triples": "nt"}

CONNEG = [
    ("text/turtle", "text/turtle; charset=utf-8"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json;q=0.9, text/turtle;q=0.5", "application/ld+json"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.8, text/html;q=0.1", "application/rdf+xml"),
    ("application/n-triples, */*;q=0.1", "application/n-triples"),
    (BROWSER, "text/html; charset=utf-8"),
    ("*/*", "text/turtle; charset=utf-8"),
    (None, "text/turtle; charset=utf-8"),
]


def parse(body: bytes, content_type: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format=PARSERS[content_type.split(";")[0]])
    return graph


@pytest.mark.parametrize(("accept", "expected"), CONNEG)
def test_conneg_picks_the_right_type(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/event/forum", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]
    if not expected.startswith("text/html"):
        assert (FORUM, UGKG.coHost, CASS) in parse(response.data, expected)


def test_unproducible_accept_is_406(client):
    response = client.get("/id/event/forum", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_json()["available"]


@pytest.mark.parametrize(("url", "media_type"), [
    ("/id/event/forum.ttl", "text/turtle"), ("/id/event/forum.jsonld", "application/ld+json"),
    ("/id/event/forum.rdf", "application/rdf+xml"), ("/id/event/forum.nt", "application/n-triples"),
    ("/id/event/forum?format=ttl", "text/turtle"), ("/id/event/forum?format=jsonld", "application/ld+json"),
    ("/id/event/forum?format=rdf", "application/rdf+xml"), ("/id/event/forum?format=nt", "application/n-triples"),
    ("/id/event/forum.html", "text/html"),
])
def test_explicit_format_urls_win_over_accept(client, url, media_type):
    response = client.get(url, headers={"Accept": "text/html"} if media_type != "text/html" else {"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    ext = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/rdf+xml": "rdf", "application/n-triples": "nt", "text/html": "html"}[media_type]
    assert response.headers["Content-Location"] == f"/id/event/forum.{ext}"


def test_200_with_content_location_and_alternates(client):
    """Slash IRIs are answered directly (no 303); Link names every representation."""
    response = client.get("/id/event/forum", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/id/event/forum.ttl"
    link = response.headers["Link"]
    for ext, media_type in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"), ("nt", "application/n-triples"), ("html", "text/html")):
        assert f'</id/event/forum.{ext}>; rel="alternate"; type="{media_type}"' in link


def test_description_is_bounded_outgoing_incoming_and_neighbour_labels(client):
    forum = parse(client.get("/id/event/forum.ttl").data, "text/turtle")
    assert (FORUM, SCHEMA.startDate, None) in forum
    assert (CASS, RDFS.label, rdflib.Literal("中国社会科学院", lang="zh")) in forum  # label of what it points to
    assert (UGKG.coHost, RDFS.label, rdflib.Literal("co-host", lang="en")) in forum  # predicate label
    assert not any(s == URIRef(BASE + "id/x/markup") for s in forum.subjects())  # not the whole graph
    cass = parse(client.get("/id/org/cass.ttl").data, "text/turtle")
    assert (FORUM, UGKG.coHost, CASS) in cass  # incoming link
    assert (FORUM, RDFS.label, rdflib.Literal("Forum", lang="en")) in cass


@pytest.mark.parametrize("path", ["/id/nope", "/id/event/forum/more", "/def/Nothing", "/graph/nothing",
                                  "/id/x%3E%20%3Fs%20%3Fp%20%3Fo%20%7B", "/id/a%22b", "/id/../def/Forum.ttl"])
def test_unknown_or_unsafe_iris_are_404(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404, response.data[:300]


def test_404_page_for_browsers_is_helpful(client):
    response = client.get("/id/city/atlantis", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert 'href="/"' in body and "/search" in body
    assert "city/atlantis" in body


def test_404_page_has_a_search_box(client):
    body = client.get("/id/city/atlantis", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'role="search"' in body and 'action="/search"' in body


def test_ontology_term_resolves(client):
    forum_class = parse(client.get("/def/Forum", headers={"Accept": "text/turtle"}).data, "text/turtle")
    assert (UGKG.Forum, RDFS.subClassOf, SCHEMA.Event) in forum_class
    assert (UGKG.Forum, RDFS.label, rdflib.Literal("论坛", lang="zh")) in forum_class
    assert (FORUM, RDF.type, UGKG.Forum) in forum_class  # an instance, as an incoming link
    ontology = parse(client.get("/def", headers={"Accept": "text/turtle"}).data, "text/turtle")
    assert (URIRef(BASE + "def"), RDF.type, OWL.Ontology) in ontology
    assert (UGKG.coHost, RDFS.subPropertyOf, SCHEMA.organizer) in ontology
    assert client.get("/def.jsonld").mimetype == "application/ld+json"


def test_ontology_documentation_page(client):
    response = client.get("/def", headers={"Accept": BROWSER})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for text in ('id="Forum"', "论坛", "co-host", "共同主办方", "schema:Event", "schema:organizer", 'href="/id/event/forum"'):
        assert text in body, text


def test_named_graph_dereferences_to_its_description(client):
    graph = parse(client.get("/graph/data/a", headers={"Accept": "text/turtle"}).data, "text/turtle")
    node = URIRef(BASE + "graph/data/a")
    assert (node, VOID.triples, None) in graph
    assert (node, URIRef("http://purl.org/dc/terms/license"), URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    html = client.get("/graph/data/a", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "data/a.ttl" in html


def test_resource_page_shows_both_languages_provenance_and_links(client):
    body = client.get("/id/event/forum", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<span class="first" lang="en">Forum</span>' in body and '<span class="second" lang="zh">论坛</span>' in body
    assert 'href="/id/org/cass"' in body  # related resource, local link
    assert 'href="/graph/data/a"' in body and 'href="/graph/data/b"' in body  # provenance per fact
    assert "co-host" in body and "共同主办方" not in body  # the property's label from the ontology, in the page's language
    chinese = client.get("/id/event/forum?lang=zh", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'data-primary="zh"' in chinese and "共同主办方" in chinese
    assert '<span class="first" lang="zh">论坛</span>' in chinese  # data labels: the page's language first, both shown


def jsonld_scripts(body: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, flags=re.S)


def test_markup_in_labels_is_escaped_and_jsonld_cannot_break_out(client):
    body = client.get("/id/x/markup", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>alert" not in body and "<b>标记</b>" not in body
    assert "&lt;script&gt;alert(" in body and "&lt;b&gt;标记&lt;/b&gt;" in body
    scripts = jsonld_scripts(body)
    assert len(scripts) == 1 and body.count("</script>") == 2  # the JSON-LD block and pages.js
    doc = json.loads(scripts[0])
    graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert (URIRef(BASE + "id/x/markup"), RDFS.label, rdflib.Literal("<script>alert('x')</script>", lang="en")) in graph


def test_embedded_jsonld_is_the_resource_s_own_description(client):
    """The page embeds what the resource says of itself (the triples with it as subject, every one of them); the
    whole description with neighbours' labels and incoming links is its .jsonld (kept out of the page's weight)."""
    body = client.get("/id/event/forum", headers={"Accept": BROWSER}).get_data(as_text=True)
    embedded = rdflib.Graph().parse(data=jsonld_scripts(body)[0], format="json-ld")
    served = rdflib.Graph().parse(data=client.get("/id/event/forum.jsonld").data, format="json-ld")
    own = {t for t in served if t[0] == URIRef(BASE + "id/event/forum")}
    assert own and set(embedded) == own


@pytest.mark.parametrize("path", ["/forum", "/declaration", "/index", "/cities"])
def test_index_pages_render_on_data_without_them(client, path):
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'role="search"' in body and 'href="/def"' in body and 'href="/dataset"' in body


def test_forum_page_lists_the_forum(client):
    body = client.get("/forum").get_data(as_text=True)
    assert 'href="/id/event/forum"' in body and "中国社会科学院" in body


# --- the same contract over real HTTP ---------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), CONNEG[:8])
def test_live_conneg(live_server, accept, expected):
    response = requests.get(live_server + "/id/event/forum", headers={"Accept": accept}, timeout=10, allow_redirects=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"' in response.headers["Link"]


def test_live_formats_404_and_406(live_server):
    assert requests.get(live_server + "/id/event/forum.ttl", timeout=10).headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert requests.get(live_server + "/id/event/forum?format=jsonld", timeout=10).headers["Content-Type"] == "application/ld+json"
    assert requests.get(live_server + "/id/event/forum", headers={"Accept": "image/png"}, timeout=10).status_code == 406
    missing = requests.get(live_server + "/id/nope", headers={"Accept": BROWSER}, timeout=10)
    assert missing.status_code == 404 and "text/html" in missing.headers["Content-Type"]
    term = requests.get(live_server + "/def/Forum", headers={"Accept": "application/n-triples"}, timeout=10)
    assert term.status_code == 200 and "<https://schema.org/Event>" in term.text


# --- the real graph (skipped while ontology/ and data/ do not build) --------------------------------------------

@pytest.fixture(scope="module")
def real_client(tmp_path_factory):
    from server.web.app import create_app
    from server.build.pipeline import build
    from server.errors import BuildError
    from server.settings import Settings

    root = __import__("pathlib").Path(__file__).resolve().parent.parent.parent
    if not list((root / "data").glob("*.ttl")) or not list((root / "ontology").glob("*.ttl")):
        pytest.skip("the real graph (ontology/, data/) is not there yet")
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("real-data")), sources_dir=str(root), query_workers=1, log_level="WARNING")
    try:
        snapshot = build(settings, progress=lambda _: None).snapshot
    except BuildError as exc:
        pytest.skip(f"the real graph does not build right now: {str(exc).splitlines()[0]}")
    application = create_app(settings, snapshot)
    yield application.test_client()
    application.extensions["ugkg"].close()


@pytest.mark.slow
def test_real_index_pages(real_client):
    declaration = real_client.get("/declaration").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r'<li value="(\d+)">', declaration)]
    assert numbers == sorted(numbers) and len(numbers) >= 10
    cities = real_client.get("/cities").get_data(as_text=True)
    assert cities.count('<g class="pt">') == 13
    assert 'href="/id/city/beijing"' in cities
    tree = real_client.get("/index").get_data(as_text=True)
    assert tree.count('<span class="dim">') >= 4
    forum = real_client.get("/forum").get_data(as_text=True)
    assert 'href="/id/event/forum-2022"' in forum
    first = real_client.get("/search?q=北京").get_json()["results"][0]
    assert first["iri"].endswith("/id/city/beijing") and first["matched"]["kind"] == "exact"


@pytest.mark.slow
def test_real_resource_and_linksets(real_client):
    beijing = real_client.get("/id/city/beijing", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "http://www.wikidata.org/entity/Q956" in beijing and 'href="/graph/data/places"' in beijing
    void = rdflib.Graph().parse(data=real_client.get("/.well-known/void").data, format="turtle")
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 2 and all(int(void.value(s, VOID.triples)) > 0 for s in linksets)
    assert real_client.get("/def", headers={"Accept": BROWSER}).status_code == 200
