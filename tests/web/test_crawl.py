"""No dead IRI and no dead link: a crawl of the real graph served by a live server.

Every IRI under the base that the graph publishes — in the N-Quads dump, the DCAT/VoID description and the
service description — is asked for as Turtle and as HTML; then every link (href, src) of every HTML page reached
from the home page and from those IRIs is followed. Any 4xx or 5xx fails the test, listing every failure.
"""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
import rdflib
import requests

from server.build.snapshot import Snapshot
from server.settings import Settings
from tests.conftest import start_server, stop_server

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TURTLE = {"Accept": "text/turtle"}
BROWSE_PAGES = {"/query", "/api", "/sparql", "/forum", "/declaration", "/index", "/cities", "/def", "/dataset", "/search", "/validation"}
pytestmark = pytest.mark.slow


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith(("data:", "mailto:", "javascript:", "#")):
                self.found.append(value)


@pytest.fixture(scope="module")
def kg_server(kg_settings: Settings, kg_snapshot: Snapshot) -> Iterator[str]:
    process, url = start_server(kg_settings)
    yield url
    stop_server(process)


def published_iris(url: str, base: str) -> set[str]:
    """IRIs under the base in the dump, the dataset description and the service description (no fragments)."""
    texts = [requests.get(url + "/dumps/dataset.nq", timeout=30).text]
    for path in ("/dataset", "/sparql"):
        texts.append(requests.get(url + path, headers={"Accept": "application/n-triples"}, timeout=30).text)
    found = set()
    for text in texts:
        for iri in re.findall(r"<(" + re.escape(base) + r"[^>]*)>", text):
            found.add(iri.split("#", 1)[0])
    return found


def test_every_published_iri_and_every_link_resolves(kg_server: str, kg_snapshot: Snapshot) -> None:
    base = kg_snapshot.manifest["base_iri"]
    iris = published_iris(kg_server, base)
    assert len(iris) > 300  # the real graph: resources, terms, graphs, shapes, dataset, …
    failures: list[str] = []
    session = requests.Session()
    pages: deque[str] = deque([kg_server + "/"])
    for iri in sorted(iris):
        local = kg_server + "/" + iri[len(base):]
        r = session.get(local, headers=TURTLE, timeout=30)
        if r.status_code == 410:  # removed by a release (named in its delta graph): Gone, pointing at the release
            assert "removed after release" in r.text, r.text[:300]
            continue
        if r.status_code >= 400:
            failures.append(f"{r.status_code} Turtle {iri}")
        elif r.headers.get("Content-Type", "").startswith("text/turtle"):
            try:
                rdflib.Graph().parse(data=r.text, format="turtle", publicID=local)
            except Exception as exc:  # a page that does not parse is as dead as a 404
                failures.append(f"unparsable Turtle {iri}: {exc}")
        pages.append(local)
    seen: set[str] = set()
    reached: set[str] = set()
    host = urlsplit(kg_server).netloc
    while pages:
        page = pages.popleft()
        if page in seen:
            continue
        seen.add(page)
        r = session.get(page, headers=BROWSER, timeout=30)
        if r.status_code == 410:  # removed by a release: Gone, checked above
            continue
        if r.status_code >= 400:
            failures.append(f"{r.status_code} HTML {page}")
            continue
        reached.add(urlsplit(page).path)
        if not r.headers.get("Content-Type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(r.text)
        for link in parser.found:
            target = urljoin(page, link).split("#", 1)[0]
            if target.startswith(base):
                failures.append(f"link to the canonical base {target} (on {page}): links lead to the server that answered")
            if urlsplit(target).netloc != host or target in seen:
                continue
            if "/static/" in target or "/dumps/" in target:  # assets and downloads: checked, not parsed
                seen.add(target)
                status = session.head(target, timeout=30).status_code
                if status >= 400:
                    failures.append(f"{status} link {target} (on {page})")
                continue
            pages.append(target)
    assert not failures, f"{len(failures)} dead IRIs or links:\n" + "\n".join(failures[:80])
    assert BROWSE_PAGES <= reached, f"not reachable from the home page: {BROWSE_PAGES - reached}"
    assert len(seen) > len(iris)


def test_dataset_description_urls_lead_to_the_server_that_answered(kg_server: str, kg_snapshot: Snapshot) -> None:
    """Served at another base than the canonical one (127.0.0.1 here), the DCAT/VoID download and endpoint URLs
    are this server's (setting link_base), and they answer; the dataset's IRIs themselves stay canonical."""
    base = kg_snapshot.manifest["base_iri"]
    text = requests.get(kg_server + "/dataset", headers={"Accept": "application/n-triples"}, timeout=30).text
    graph = rdflib.Graph().parse(data=text, format="nt")
    dcat, void = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://rdfs.org/ns/void#")
    urls = {str(o) for p in (dcat.downloadURL, dcat.endpointURL, void.sparqlEndpoint, void.dataDump) for o in graph.objects(None, p)}
    assert len(urls) >= 8
    assert all(url.startswith(kg_server + "/") for url in urls), sorted(u for u in urls if not u.startswith(kg_server))
    for url in sorted(urls):
        assert requests.head(url, timeout=30).status_code == 200, url
    assert (rdflib.URIRef(base + "dataset"), rdflib.RDF.type, dcat.Dataset) in graph
