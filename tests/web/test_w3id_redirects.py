"""The w3id.org redirect rules (docs/deploy/w3id/ugkg/), for real: Debian's Apache on 127.0.0.1 serves the
``.htaccess`` that tools/w3id-htaccess.py writes under /ugkg/ (as perma-id/w3id.org does), its target a live
``ugkg serve`` over the mini fixture. Every redirect is checked hop by hop, then followed to the deployment's answer.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest
import rdflib
import requests
from rdflib import URIRef

from conftest import ROOT, free_port

pytestmark = pytest.mark.slow
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
TOOL = ROOT / "tools" / "w3id-htaccess.py"
COMMITTED = ROOT / "docs" / "deploy" / "w3id" / "ugkg"
PLACEHOLDER = "https://ugkg-deployment-host.invalid/"
BASE = "https://w3id.org/ugkg/"
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARSERS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml", "application/n-triples": "nt"}
# (path under /ugkg/, the IRI its answer must describe, the deployment path of its representations)
IRIS = [
    ("id/event/forum", BASE + "id/event/forum", "id/event/forum"),
    ("def", BASE + "def", "def"),
    ("def/", BASE + "def", "def"),
    ("def/Forum", BASE + "def/Forum", "def/Forum"),
    ("graph/data/a", BASE + "graph/data/a", "graph/data/a"),
    ("dataset", BASE + "dataset", "dataset"),
]
# (Accept, the suffix the rules pick, the media type the deployment finally answers with)
ACCEPTS = [
    ("text/html", ".html", "text/html"),
    (CHROME, ".html", "text/html"),
    (FIREFOX, ".html", "text/html"),
    ("text/turtle", ".ttl", "text/turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json"),
    ("application/n-triples", ".nt", "application/n-triples"),
    ("application/rdf+xml", ".rdf", "application/rdf+xml"),
    # no type of ours, several, or one excluded: the deployment negotiates (q-values, Turtle for */*)
    ("*/*", "", "text/turtle"),
    ("application/ld+json;q=0.5, text/turtle", "", "text/turtle"),
    ("text/turtle;q=0, application/ld+json", "", "application/ld+json"),
    ("text/html;q=0, */*", "", "text/turtle"),
]


def tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=30)


def apache_config(run_dir: Path, docroot: Path, port: int) -> Path:
    """A whole Apache configuration in the temp dir (not Debian's /etc/apache2): the three modules the rules use
    plus mod_dir (w3id.org's DirectorySlash), the rules' directory with AllowOverride All."""
    lines = [
        f'ServerRoot "{run_dir}"', f'PidFile "{run_dir}/httpd.pid"', f'ErrorLog "{run_dir}/error.log"',
        f'DefaultRuntimeDir "{run_dir}"', "LogLevel warn", f"Listen 127.0.0.1:{port}", "ServerName 127.0.0.1",
        *(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in ("mpm_event", "authz_core", "rewrite", "headers", "setenvif", "dir")),
        f'DocumentRoot "{docroot}"', f'<Directory "{docroot}">', "  AllowOverride All", "  Require all granted", "</Directory>",
    ]
    if os.getuid() == 0:  # Apache refuses to serve as root: its children run as www-data and read the rules
        lines += ["User www-data", "Group www-data"]
    conf = run_dir / "httpd.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


@pytest.fixture(scope="module")
def w3id(live_server: str) -> Iterator[dict[str, str]]:
    """Apache on a free loopback port serving the generated rules under /ugkg/, their target the live server."""
    if not Path(APACHE).exists():
        if os.getuid() != 0:
            pytest.skip("apache2 (Debian package apache2-bin) is not installed and we are not root to install it; `make sysdeps` does as root")
        pytest.fail("apache2 is not installed: `make sysdeps` (run by `make test`) installs it")
    target = live_server + "/"
    # a world-readable directory of its own (pytest's temp dirs are private to root, and the children are www-data)
    run_dir = Path(tempfile.mkdtemp(prefix="ugkg-w3id-"))
    try:
        if os.getuid() == 0:
            pwd.getpwnam("www-data")
        run_dir.chmod(0o755)
        docroot = run_dir / "www"
        written = tool("--target", target, "--out-dir", str(docroot / "ugkg"))
        assert written.returncode == 0, written.stderr
        for path in [docroot, *docroot.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        port = free_port()
        process = subprocess.Popen([APACHE, "-f", str(apache_config(run_dir, docroot, port)), "-DFOREGROUND"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"apache2 exited: {process.stdout.read().decode(errors='replace')[-2000:]}")  # type: ignore[union-attr]
            try:
                requests.get(url + "/ugkg/", allow_redirects=False, timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    process.kill()
                    pytest.fail("apache2 did not answer in 20 s")
                time.sleep(0.1)
        try:
            yield {"w3id": url + "/ugkg/", "target": target, "error_log": str(run_dir / "error.log")}
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def hop(url: str, accept: str | None = None, method: str = "GET", **kwargs: object) -> requests.Response:
    """One request, redirects not followed."""
    headers = {"Accept": accept} if accept is not None else {}
    return requests.request(method, url, headers=headers, allow_redirects=False, timeout=10, **kwargs)  # type: ignore[arg-type]


def assert_w3id_headers(response: requests.Response) -> None:
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    assert response.headers.get("Vary") == "Accept"


def describes(body: bytes, media_type: str, iri: str) -> bool:
    """The answer names the IRI: as a node of the parsed RDF, or (HTML) in the page."""
    if media_type == "text/html":
        return iri.encode() in body
    graph = rdflib.Graph().parse(data=body, format=PARSERS[media_type])
    node = URIRef(iri)
    return (node, None, None) in graph or (None, None, node) in graph


# --- the files to submit --------------------------------------------------------------------------------

def test_the_committed_rules_are_what_the_tool_writes_for_the_placeholder_target(tmp_path: Path) -> None:
    written = tool("--target", PLACEHOLDER, "--out-dir", str(tmp_path))
    assert written.returncode == 0, written.stderr
    for name in (".htaccess", "README.md"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (COMMITTED / name).read_text(encoding="utf-8")
    rules = (COMMITTED / ".htaccess").read_text(encoding="utf-8")
    # the deployment is one variable: the host appears on that one line only
    assert [line for line in rules.splitlines() if PLACEHOLDER in line] == [f"SetEnvIf Request_URI ^ UGKG_TARGET={PLACEHOLDER}"]
    assert "contacts" in written.stderr  # the placeholders left are named before submitting


def test_the_tool_fills_in_target_and_contacts(tmp_path: Path) -> None:
    written = tool("--target", "https://kg.example.net/ugkg/", "--maintainer", "Ada Li", "--github", "adali", "--out-dir", str(tmp_path))
    assert written.returncode == 0 and written.stderr == ""
    for name in (".htaccess", "README.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "https://kg.example.net/ugkg/" in text and "adali" in text and "UGKG-MAINTAINER" not in text and PLACEHOLDER not in text


@pytest.mark.parametrize("target", ["ftp://kg.example.net/", "https://kg.example.net", "https://kg.example.net/?x=1", "kg.example.net/", "https://kg.example.net/a b/"])
def test_the_tool_refuses_a_target_the_rules_cannot_append_a_path_to(target: str, tmp_path: Path) -> None:
    written = tool("--target", target, "--out-dir", str(tmp_path))
    assert written.returncode == 2 and "target" in written.stderr
    assert not (tmp_path / ".htaccess").exists()


# --- the IRIs of things: 303 to the representation asked for ----------------------------------------------

@pytest.mark.parametrize("path, iri, doc", IRIS, ids=[p for p, _, _ in IRIS])
@pytest.mark.parametrize("accept, suffix, media_type", ACCEPTS, ids=[a[:30] for a, _, _ in ACCEPTS])
def test_an_iri_redirects_303_to_the_representation_that_describes_it(w3id: dict, path: str, iri: str, doc: str, accept: str, suffix: str, media_type: str) -> None:
    first = hop(w3id["w3id"] + path, accept)
    assert first.status_code == 303, (first.status_code, first.headers)
    assert first.headers["Location"] == w3id["target"] + doc + suffix
    assert_w3id_headers(first)
    answer = hop(first.headers["Location"], accept)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == media_type
    assert describes(answer.content, media_type, iri)


def test_an_iri_without_accept_gets_the_deployments_default_turtle(w3id: dict) -> None:
    first = hop(w3id["w3id"] + "id/event/forum")
    assert first.status_code == 303 and first.headers["Location"] == w3id["target"] + "id/event/forum"
    answer = hop(first.headers["Location"])
    assert answer.headers["Content-Type"].startswith("text/turtle") and describes(answer.content, "text/turtle", BASE + "id/event/forum")


def test_an_iris_query_string_is_kept(w3id: dict) -> None:
    first = hop(w3id["w3id"] + "id/event/forum?lang=zh", "text/html")
    assert first.status_code == 303 and first.headers["Location"] == w3id["target"] + "id/event/forum.html?lang=zh"
    page = hop(first.headers["Location"], "text/html")
    assert page.status_code == 200 and 'lang="zh' in page.text


# --- everything else: as is -------------------------------------------------------------------------------

def test_the_sparql_endpoint_keeps_the_query_string_and_answers(w3id: dict) -> None:
    query = 'SELECT ?l WHERE { <https://w3id.org/ugkg/id/event/forum> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en" && ?l != "a&b+c%") }'
    qs = "query=" + quote(query, safe="") + "&format=json"
    first = hop(w3id["w3id"] + "sparql?" + qs, "text/html")
    assert first.status_code == 307
    assert first.headers["Location"] == w3id["target"] + "sparql?" + qs  # byte for byte
    assert_w3id_headers(first)
    answer = hop(first.headers["Location"])
    assert answer.status_code == 200
    assert [b["l"]["value"] for b in answer.json()["results"]["bindings"]] == ["Forum"]


def test_a_post_to_the_sparql_endpoint_is_redirected_with_its_body(w3id: dict) -> None:
    query = 'ASK { <https://w3id.org/ugkg/id/event/forum> a <https://w3id.org/ugkg/def/Forum> }'
    first = hop(w3id["w3id"] + "sparql", "application/sparql-results+json", "POST", data={"query": query})
    assert first.status_code == 307 and first.headers["Location"] == w3id["target"] + "sparql"
    followed = requests.post(w3id["w3id"] + "sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert [r.status_code for r in followed.history] == [307]
    assert followed.status_code == 200 and followed.json()["boolean"] is True


@pytest.mark.parametrize("path, media_type", [
    ("", "text/html"), ("api", "text/html"), ("dumps/dataset.nt", "application/n-triples"),
    ("id/event/forum.ttl", "text/turtle"), ("def/Forum.jsonld", "application/ld+json"), (".well-known/void", "text/turtle"),
])
def test_every_other_url_is_redirected_as_is(w3id: dict, path: str, media_type: str) -> None:
    accept = "text/html" if media_type == "text/html" else "*/*"
    first = hop(w3id["w3id"] + path, accept)
    assert first.status_code == 307 and first.headers["Location"] == w3id["target"] + path
    assert_w3id_headers(first)
    answer = hop(first.headers["Location"], accept)
    assert answer.status_code == 200 and answer.headers["Content-Type"].split(";")[0] == media_type
    if media_type in PARSERS:
        assert describes(answer.content, media_type, BASE + "id/event/forum")


def test_the_namespace_without_a_slash_reaches_the_home_page(w3id: dict) -> None:
    answer = requests.get(w3id["w3id"].rstrip("/"), headers={"Accept": "text/html"}, timeout=10)
    assert [(r.status_code, r.headers["Location"]) for r in answer.history] == [(301, w3id["w3id"]), (307, w3id["target"])]
    assert answer.status_code == 200 and answer.url == w3id["target"]


@pytest.mark.parametrize("path, accept, location", [
    ("nothing/here", "text/turtle", "nothing/here"),
    ("id/event/nothing", "text/turtle", "id/event/nothing.ttl"),
    ("def/Nothing", "application/ld+json", "def/Nothing.jsonld"),
])
def test_an_unknown_path_gets_the_deployments_404(w3id: dict, path: str, accept: str, location: str) -> None:
    first = hop(w3id["w3id"] + path, accept)
    assert first.status_code in (303, 307) and first.headers["Location"] == w3id["target"] + location
    answer = hop(first.headers["Location"], "application/json")
    assert answer.status_code == 404 and answer.json()["status"] == 404
