"""The front cache for public deployments (docs/deploy/nginx-front.conf) and replicas behind it, for real:
Debian's nginx on 127.0.0.1 in front of two `ugkg serve` replicas on one snapshot directory."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from conftest import MINI, ROOT, free_port, quiet, start_server, stop_server
from server.build.pipeline import build
from server.settings import Settings

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx (Debian package nginx-light) is not installed; `make sysdeps` installs it"),
]
JSON = {"Accept": "application/sparql-results+json"}
LABEL_QUERY = 'SELECT ?l WHERE { <https://w3id.org/ugkg/id/event/forum> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") }'
MAX_AGE_S = 1


def render(listen: str, upstreams: list[str], run_dir: Path) -> Path:
    """The shipped config with its placeholders filled in for this test."""
    lines = (ROOT / "docs" / "deploy" / "nginx-front.conf").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for name, value in {
        "@USER@": "root" if os.getuid() == 0 else os.environ.get("USER", "nobody"),
        "@RUN_DIR@": str(run_dir), "@CACHE_DIR@": str(run_dir / "cache"), "@LISTEN@": listen,
        "@UPSTREAMS@": "\n        ".join(f"server {u};" for u in upstreams),
    }.items():
        text = text.replace(name, value)
    assert not re.search(r"@[A-Z_]+@", text)  # every placeholder filled
    conf = run_dir / "nginx.conf"
    conf.write_text(text.replace("worker_processes auto;", "worker_processes 1;"), encoding="utf-8")
    return conf


@pytest.fixture()
def deployment(tmp_path: Path) -> Iterator[dict]:
    sources = tmp_path / "sources"
    shutil.copytree(MINI, sources)
    settings = Settings(data_dir=str(tmp_path / "data"), sources_dir=str(sources), log_level="WARNING", http_max_age_s=MAX_AGE_S)
    build(settings, progress=quiet)
    env = {"UGKG_HTTP_MAX_AGE_S": str(MAX_AGE_S), "UGKG_WEB_WORKERS": "1"}
    replicas = [start_server(settings, env) for _ in range(2)]
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    port = free_port()
    conf = render(f"127.0.0.1:{port}", [url.removeprefix("http://") for _, url in replicas], run_dir)
    started = subprocess.run([NGINX, "-c", str(conf), "-p", str(run_dir)], capture_output=True, text=True, timeout=30)
    assert started.returncode == 0, started.stderr
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    try:
        yield {"url": url, "replicas": replicas, "settings": settings, "sources": sources}
    finally:
        pid = int((run_dir / "nginx.pid").read_text())
        os.kill(pid, signal.SIGQUIT)
        for process, _ in replicas:
            stop_server(process)


def label(response: requests.Response) -> str:
    return response.json()["results"]["bindings"][0]["l"]["value"]


def test_repeated_gets_are_answered_by_nginx(deployment: dict) -> None:
    url = deployment["url"] + "/sparql"
    first = requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10)
    second = requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS" and second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content and label(second) == "Forum"
    page = [requests.get(deployment["url"] + "/id/event/forum", headers={"Accept": "text/turtle"}, timeout=10) for _ in range(2)]
    assert [p.headers["X-Cache-Status"] for p in page] == ["MISS", "HIT"]


def test_live_state_passes_through_nginx_uncached(deployment: dict) -> None:
    statuses = {requests.get(deployment["url"] + "/healthz", timeout=10).headers["X-Cache-Status"] for _ in range(3)}
    assert statuses == {"MISS"} or statuses == {"BYPASS"} or "HIT" not in statuses


def test_both_replicas_serve_behind_nginx(deployment: dict) -> None:
    upstreams = set()
    for i in range(12):
        answer = requests.get(deployment["url"] + "/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {i}"}, headers=JSON, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        upstreams.add(answer.headers["X-Upstream"])
    assert upstreams == {url.removeprefix("http://") for _, url in deployment["replicas"]}


def test_a_new_build_replaces_the_cached_answers(deployment: dict) -> None:
    url = deployment["url"] + "/sparql"
    assert label(requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10)) == "Forum"
    assert requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10).headers["X-Cache-Status"] == "HIT"
    data = deployment["sources"] / "data" / "a.ttl"
    data.write_text(data.read_text(encoding="utf-8").replace('"Forum"@en', '"Forum 2022"@en'), encoding="utf-8")
    new = build(deployment["settings"], progress=quiet).snapshot
    for process, replica in deployment["replicas"]:
        os.kill(process.pid, signal.SIGHUP)
    for _, replica in deployment["replicas"]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(replica + "/healthz", timeout=2).json()["snapshot"] == new.build_id:
                    break
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.2)
        else:
            pytest.fail(f"{replica} did not reload the new snapshot")
    time.sleep(MAX_AGE_S + 0.5)
    # past max-age the config serves the stale answer once while it revalidates in the background
    # (proxy_cache_background_update); the revalidation brings the new answer, cached from then on
    first = requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10)
    assert label(first) == "Forum 2022" or first.headers["X-Cache-Status"] in ("STALE", "UPDATING")
    deadline, answers = time.monotonic() + 10, []
    while time.monotonic() < deadline:
        answer = requests.get(url, params={"query": LABEL_QUERY}, headers=JSON, timeout=10)
        answers.append((label(answer), answer.headers["X-Cache-Status"]))
        if answers[-1] == ("Forum 2022", "HIT"):
            break
        time.sleep(0.1)
    assert answers[-1] == ("Forum 2022", "HIT"), answers


def long_ask(chars: int, pad: str = "x") -> str:
    """An ASK of exactly ``chars`` characters, padded by a comment of ``pad``."""
    head = "ASK { ?s ?p ?o } #"
    return head + pad * (chars - len(head))


def test_a_get_over_granians_request_target_limit_is_answered_through_the_front(deployment: dict) -> None:
    """granian alone answers a bare 414 past 65,534 bytes; behind the front the same GET reaches a replica as a
    form POST and is answered, up to the replica's max_query_chars, in ASCII and in Chinese text alike."""
    for query in (long_ask(99_000), long_ask(99_000, "北")):
        answer = requests.get(deployment["url"] + "/sparql", params={"query": query}, headers=JSON, timeout=30)
        assert len(answer.request.path_url) > 65_534
        assert answer.status_code == 200, answer.text[:300]
        assert answer.json()["boolean"] is True


def test_a_long_get_beyond_max_query_chars_gets_the_replicas_error_naming_the_limit(deployment: dict) -> None:
    answer = requests.get(deployment["url"] + "/sparql", params={"query": long_ask(100_001)}, headers=JSON, timeout=30)
    assert answer.status_code == 413
    body = answer.json()
    assert (body["error"], body["limit"], body["query_chars"]) == ("payload-too-large", 100_000, 100_001)


def test_a_long_get_goes_upstream_as_a_post_and_is_not_stored(deployment: dict) -> None:
    query = long_ask(70_000)
    answers = [requests.get(deployment["url"] + "/sparql", params={"query": query}, headers=JSON, timeout=30) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert all(a.headers.get("X-Cache-Status") is None for a in answers)  # POSTed upstream: nothing stored
    assert all(a.headers["X-Upstream"] for a in answers)


def test_a_request_line_over_the_fronts_limit_is_a_414_in_the_error_format(deployment: dict) -> None:
    answer = requests.get(deployment["url"] + "/sparql", params={"query": long_ask(130_000, "北")}, headers=JSON, timeout=30)
    assert answer.status_code == 414
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert (body["status"], body["error"], body["limit_bytes"]) == (414, "uri-too-long", 1_048_576)
    assert "POST" in body["message"] and body["lang"] == "en"
    # nginx refuses the request line before reading headers, so the body carries both languages
    assert "POST" in body["message_zh"] and "查询" in body["explanation_zh"]
