"""Releases on the web: the DCAT version chain, release pages and stable dumps, the changelog page, 301 for a moved
IRI, citations parsed by real parsers (bibtexparser, rispy, citeproc-py, cffconvert, rdflib for the JSON-LD), and
Memento (RFC 7089): Accept-Datetime, Memento-Datetime, Link and the TimeMap."""
from __future__ import annotations

import gzip
import hashlib
import json
import urllib.parse
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from server.build.release import list_releases
from server.web.app import create_app
from tests.release_support import BASE, ISSUED_1, ISSUED_2, NEW_FORUM_ZH, OLD_FORUM_ZH, ROOT, TwoReleases, two_releases

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SCHEMA = rdflib.Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def rel(tmp_path_factory: pytest.TempPathFactory) -> TwoReleases:
    return two_releases(tmp_path_factory.mktemp("web-releases"))


@pytest.fixture(scope="module")
def client(rel: TwoReleases) -> Iterator:  # type: ignore[type-arg]
    app = create_app(rel.settings, rel.served)
    yield app.test_client()
    app.extensions["ugkg"].close()


def test_dcat_description_has_the_version_chain_and_checksums(client, rel: TwoReleases) -> None:  # type: ignore[no-untyped-def]
    g = rdflib.Graph().parse(data=client.get("/dataset", headers={"Accept": "text/turtle"}).data, format="turtle")
    dataset, r1, r2 = rdflib.URIRef(BASE + "dataset"), rdflib.URIRef(BASE + "releases/1.0.0"), rdflib.URIRef(BASE + "releases/2.0.0")
    assert (dataset, DCAT.hasCurrentVersion, r2) in g
    assert (r2, DCAT.previousVersion, r1) in g and (r1, DCAT.previousVersion, None) not in g
    assert (r2, DCAT.isVersionOf, dataset) in g and (r2, DCAT.version, rdflib.Literal("2.0.0")) in g
    assert {str(n) for n in g.objects(r2, ADMS.versionNotes)} == {"Second release: cass renamed", "第二版：重命名"}
    assert g.value(r2, DCTERMS.issued).toPython() == ISSUED_2
    for dist in g.objects(r2, DCAT.distribution):
        url = str(g.value(dist, DCAT.downloadURL))
        body = client.get(urllib.parse.urlsplit(url).path).data  # the URL leads to this server (setting link_base)
        checksum = g.value(g.value(dist, SPDX.checksum), SPDX.checksumValue)
        assert hashlib.sha256(body).hexdigest() == str(checksum), url
    assert len(list(g.objects(r2, DCAT.distribution))) == 2  # dump and patch


def test_release_page_lists_its_dumps_and_the_dump_is_the_recorded_one(client, rel: TwoReleases) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/releases/2.0.0", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/releases/2.0.0/dataset.nq.gz"' in page and 'href="/releases/2.0.0/patch.rdfp.gz"' in page
    assert 'href="/releases/1.0.0"' in page and rel.second.record["files"]["dataset.nq.gz"]["sha256"] in page
    dump = client.get("/releases/1.0.0/dataset.nq.gz").data
    assert gzip.decompress(dump) == rel.first.dataset()
    assert client.get("/releases/1.0.0/patch.rdfp").status_code == 404  # the first release has none
    assert client.get("/releases/9.9.9").status_code == 404
    assert "1.0.0" in client.get("/releases", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_changelog_page_lists_the_change_in_both_languages(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/releases/2.0.0/changelog", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "IRIs moved" in page and "Labels changed" in page
    zh = client.get("/releases/2.0.0/changelog?lang=zh", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "IRI 迁移" in zh and "标签修改" in zh  # the page language chooses the interface text (one catalogue)
    assert f"{BASE}id/org/cass</code> → " in page and OLD_FORUM_ZH in page and NEW_FORUM_ZH in page
    assert json.loads(client.get("/releases/2.0.0/changelog.json").data)["moved"] == [{"old": BASE + "id/org/cass", "new": BASE + "id/org/cass-academy"}]


def test_a_moved_iri_answers_301_with_its_new_iri(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/id/org/cass", headers={"Accept": "text/turtle"})
    assert answer.status_code == 301 and answer.headers["Location"] == "/id/org/cass-academy"
    assert client.get("/id/org/cass-academy", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/id/org/never-was").status_code == 404


def test_old_namespace_iris_of_the_recorded_releases_answer_301(rel: TwoReleases) -> None:
    """The repository's own releases: each IRI the namespace move recorded, asked for on its old host, answers 301
    with its new IRI (the same app, reading releases/ of the repository)."""
    releases = list_releases(ROOT / "releases")
    moved = [(old, new) for r in releases for old, new in r.moves().items() if old.split("/")[2] != new.split("/")[2]]
    if not moved:
        pytest.skip("no recorded release moved IRIs to another host")
    app = create_app(rel.settings.with_(releases_dir=str(ROOT / "releases")), rel.served)
    try:
        client = app.test_client()
        for old, new in moved[:: max(1, len(moved) // 25)]:
            for later in releases:  # a later release may move it again (3.0.0 renumbered quotes): the 301 goes to the end
                new = later.moves().get(new, new)
            scheme, _, host, path = old.split("/", 3)
            answer = client.get("/" + path, base_url=f"{scheme}//{host}")
            location = answer.headers.get("Location", "")
            assert answer.status_code == 301 and (location == new or new.endswith(location) and location.startswith("/")), old
    finally:
        app.extensions["ugkg"].close()


# --- citations -------------------------------------------------------------------------------------------------

def test_bibtex_parses_with_bibtexparser(client) -> None:  # type: ignore[no-untyped-def]
    import bibtexparser

    library = bibtexparser.parse_string(client.get("/releases/2.0.0/cite.bib").get_data(as_text=True))
    assert len(library.failed_blocks) == 0 and len(library.entries) == 1
    entry = library.entries[0]
    assert entry["version"] == "2.0.0" and entry["url"] == BASE + "releases/2.0.0" and entry["year"] == "2026"
    resource = bibtexparser.parse_string(client.get(f"/releases/1.0.0/cite.bib?iri={BASE}id/event/forum").get_data(as_text=True)).entries[0]
    assert resource["url"] == BASE + "id/event/forum" and "version 1.0.0" in resource["title"]


def test_ris_parses_with_rispy(client) -> None:  # type: ignore[no-untyped-def]
    import rispy

    (entry,) = rispy.loads(client.get("/cite.ris").get_data(as_text=True))
    assert entry["type_of_reference"] == "DATA" and entry["edition"] == "2.0.0" and entry["urls"] == [BASE + "releases/2.0.0"]


def test_csl_json_renders_with_citeproc(client) -> None:  # type: ignore[no-untyped-def]
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(client.get(f"/releases/2.0.0/cite.json?iri={BASE}id/event/forum").data)
    bib = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False), CiteProcJSON(items), formatter.plain)
    bib.register(Citation([CitationItem(items[0]["id"])]))
    text = str(bib.bibliography()[0])
    assert "Urban Governance Knowledge Graph project (2026)" in text and "version 2.0.0" in text and f"{BASE}id/event/forum" in text


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.scripts: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta.append((str(a["name"]), str(a.get("content"))))
        self._in = a.get("id") if tag == "script" else None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.scripts[self._in] = self.scripts.get(self._in, "") + data


def test_resource_page_has_citation_meta_tags_json_ld_and_the_cite_block(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/id/event/forum", headers={"Accept": "text/html"}).get_data(as_text=True)
    parser = _Meta()
    parser.feed(page)
    tags = dict(parser.meta)
    assert tags["citation_title"].startswith("Forum. In: Urban Governance Knowledge Graph") and tags["DC.identifier"] == BASE + "id/event/forum"
    assert tags["citation_publication_date"] == ISSUED_2.strftime("%Y/%m/%d") and tags["DC.type"] == "Dataset"
    doc = json.loads(parser.scripts["cite-dataset"])
    doc["@context"] = {"@vocab": "https://schema.org/"}  # schema.org's context, offline
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    node = rdflib.URIRef(BASE + "releases/2.0.0")
    assert (node, RDF.type, SCHEMA.Dataset) in g and str(g.value(node, SCHEMA.version)) == "2.0.0"
    assert 'href="/releases/2.0.0/cite.bib?iri=' in page and "Cite this" in page


def test_release_page_cites_that_release(client) -> None:  # type: ignore[no-untyped-def]
    parser = _Meta()
    parser.feed(client.get("/releases/1.0.0", headers={"Accept": "text/html"}).get_data(as_text=True))
    assert dict(parser.meta)["citation_title"] == "Urban Governance Knowledge Graph (UGKG), version 1.0.0"


def test_citation_cff_is_valid_and_cites_the_latest_release() -> None:
    from cffconvert import Citation

    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    Citation(text).validate()
    latest = list_releases(ROOT / "releases")[-1]
    assert re.search(rf'^version: "{re.escape(latest.version)}"$', text, re.M)
    assert re.search(rf'^date-released: "{latest.issued.date().isoformat()}"$', text, re.M)
    with pytest.raises(Exception):
        Citation(text.replace("cff-version: 1.2.0", "cff-version: 1.2.0\nnot-a-key: 1")).validate()


# --- Memento ---------------------------------------------------------------------------------------------------

def test_accept_datetime_between_the_releases_gives_release_1(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/id/event/forum", headers={"Accept-Datetime": "Sun, 01 Mar 2026 00:00:00 GMT", "Accept": "text/turtle"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/releases/1.0.0/id/event/forum"
    assert "Accept-Datetime" in answer.headers["Vary"]
    memento = client.get(answer.headers["Location"], headers={"Accept": "application/n-triples"})
    assert memento.status_code == 200
    assert memento.headers["Memento-Datetime"] == "Sat, 10 Jan 2026 08:00:00 GMT" == ISSUED_1.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert f'<{BASE}id/event/forum>; rel="original timegate"' in memento.headers["Link"] and 'rel="timemap"' in memento.headers["Link"]
    body = memento.get_data(as_text=True)
    assert f'"{OLD_FORUM_ZH}"@zh' in body and NEW_FORUM_ZH not in body


def test_accept_datetime_after_release_2_gives_release_2_and_before_release_1_the_first(client) -> None:  # type: ignore[no-untyped-def]
    later = client.get("/id/event/forum", headers={"Accept-Datetime": "Tue, 01 Dec 2026 00:00:00 GMT"})
    assert later.headers["Location"] == "/releases/2.0.0/id/event/forum"
    earlier = client.get("/id/event/forum", headers={"Accept-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT"})
    assert earlier.headers["Location"] == "/releases/1.0.0/id/event/forum"
    assert client.get("/id/event/forum", headers={"Accept-Datetime": "yesterday"}).status_code == 400


def test_a_moved_resource_as_it_was_under_its_old_iri(client) -> None:  # type: ignore[no-untyped-def]
    memento = client.get("/releases/1.0.0/id/org/cass-academy", headers={"Accept": "application/n-triples"})
    assert memento.status_code == 200 and f"<{BASE}id/org/cass>" in memento.get_data(as_text=True)


def test_timemap_lists_each_release_that_describes_the_resource(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/timemap/id/event/forum")
    assert answer.status_code == 200 and answer.content_type == "application/link-format"
    entries = re.findall(r'<([^>]+)>; rel="([^"]+)"(?:; datetime="([^"]+)")?', answer.get_data(as_text=True))
    mementos = [(url, dt) for url, rel, dt in entries if "memento" in rel.split()]
    assert mementos == [("http://localhost/releases/1.0.0/id/event/forum", "Sat, 10 Jan 2026 08:00:00 GMT"),
                        ("http://localhost/releases/2.0.0/id/event/forum", "Sat, 20 Jun 2026 08:00:00 GMT")]
    new_only = re.findall(r'rel="memento[^"]*"', client.get("/timemap/id/org/new").get_data(as_text=True))
    assert len(new_only) == 1
    current = client.get("/id/event/forum", headers={"Accept": "text/turtle"})
    assert 'rel="timemap"' in current.headers["Link"] and "Accept-Datetime" in current.headers["Vary"]


def test_landing_page_carries_the_citation_of_the_current_release(client) -> None:  # type: ignore[no-untyped-def]
    parser = _Meta()
    parser.feed(client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True))
    tags = dict(parser.meta)
    assert tags["citation_title"] == "Urban Governance Knowledge Graph (UGKG), version 2.0.0"
    assert json.loads(parser.scripts["cite-dataset"])["version"] == "2.0.0"


def test_a_release_past_releases_kept_keeps_its_page_but_its_dump_is_gone(rel: TwoReleases, tmp_path: Path) -> None:
    import shutil

    from server.build.release import prune

    kept = tmp_path / "releases"
    shutil.copytree(rel.releases_dir, kept)
    prune(kept, keep=1)
    app = create_app(rel.settings.with_(releases_dir=str(kept)), rel.served)
    try:
        client = app.test_client()
        assert client.get("/releases/1.0.0/dataset.nq.gz").status_code == 410
        assert client.get("/releases/1.0.0", headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/releases/2.0.0/dataset.nq.gz").status_code == 200
    finally:
        app.extensions["ugkg"].close()


def test_an_iri_a_release_removed_answers_410_naming_the_release_that_last_described_it(rel: TwoReleases) -> None:
    """ugkg:weaklySupported was defined up to release 2.0.0 and removed in 3.0.0 (issue 17): Gone, not a bare 404."""
    app = create_app(rel.settings.with_(releases_dir=str(ROOT / "releases")), rel.served)
    try:
        answer = app.test_client().get("/def/weaklySupported", headers={"Accept": "application/json"})
        assert answer.status_code == 410
        body = answer.get_json()
        assert body["last_release"] == "2.0.0" and body["memento"].endswith("/releases/2.0.0/def/weaklySupported")
        assert app.test_client().get("/def/noSuchTermEver").status_code == 404  # never described: still a 404
    finally:
        app.extensions["ugkg"].close()


def test_a_fact_changed_by_a_release_names_its_source_file_not_the_delta_graph(client) -> None:  # type: ignore[no-untyped-def]
    """The forum's new Chinese label is in graph/delta/2.0.0/insertions too: that records the change, it is not a
    source of the fact, so the page's source links name only the data graph."""
    page = client.get("/id/event/forum", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert NEW_FORUM_ZH in page
    sources = re.findall(r'<a class="src[^"]*" href="([^"]+)"', page)
    assert sources and not any("/graph/delta/" in href for href in sources)
