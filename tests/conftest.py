"""Shared fixtures: settings → snapshot → app → client, and a real server on 127.0.0.1.

Each fixture builds what it needs into a temporary data directory: no test shares a module-level graph.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from server.web.app import create_app
from server.build.pipeline import build
from server.settings import Settings
from server.build.snapshot import Snapshot

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quiet(_: str) -> None:
    """Progress sink for builds inside tests."""


@pytest.fixture(scope="session")
def mini_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the tiny fixture sources (tests/fixtures/mini), with small limits to test them."""
    data_dir = tmp_path_factory.mktemp("mini-data")
    return Settings(data_dir=str(data_dir), sources_dir=str(MINI), query_workers=2, query_timeout_s=2.0, max_result_rows=50, log_level="WARNING")


@pytest.fixture(scope="session")
def mini_snapshot(mini_settings: Settings) -> Snapshot:
    return build(mini_settings, progress=quiet).snapshot


@pytest.fixture(scope="session")
def app(mini_settings: Settings, mini_snapshot: Snapshot) -> Iterator:
    application = create_app(mini_settings, mini_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def start_server(settings: Settings, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`ugkg serve` in a child process on a free loopback port; returns (process, base URL) once healthy.

    The server's log goes to a file in its data directory, never to a pipe: nobody reads a pipe while the tests
    run, and once its 64 KiB buffer is full every thread that logs blocks, so a long session wedged the server."""
    port = free_port()
    log_path = Path(settings.data_dir) / f"serve-{port}.log"
    env = dict(os.environ, **(extra_env or {}))
    env.update({
        "UGKG_DATA_DIR": settings.data_dir,
        "UGKG_SOURCES_DIR": settings.sources_dir,
        "UGKG_QUERY_TIMEOUT_S": str(settings.query_timeout_s),
        "UGKG_MAX_RESULT_ROWS": str(settings.max_result_rows),
        "UGKG_LOG_LEVEL": "WARNING",
    })
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--web-workers", "2", "--query-workers", "2"],
            env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not become healthy in 60 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def live_server(mini_settings: Settings, mini_snapshot: Snapshot) -> Iterator[str]:
    """A real server (`ugkg serve`, granian) over the mini snapshot on 127.0.0.1."""
    process, url = start_server(mini_settings)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def kg_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the real sources (ontology/, data/, shapes/) in a temporary data directory."""
    return Settings(data_dir=str(tmp_path_factory.mktemp("kg-data")), sources_dir=str(ROOT), log_level="WARNING")


@pytest.fixture(scope="session")
def kg_snapshot(kg_settings: Settings) -> Snapshot:
    """The real graph, built exactly as `ugkg build` builds it (SHACL, OWL RL, snapshot)."""
    return build(kg_settings, progress=quiet).snapshot


class EndpointStore:
    """The real graph with the endpoint's dataset: default graph = set union of ontology, data and inferred;
    GRAPH ?g sees the public named graphs."""

    def __init__(self, snapshot: Snapshot) -> None:
        from server.engine.embedded import OxigraphEngine
        from server.engine.factory import spec_for

        self.engine = OxigraphEngine(spec_for("memory", snapshot))

    def query(self, text: str, **_: object):  # type: ignore[no-untyped-def]
        return self.engine.store.query(text, named_graphs=self.engine.public_graphs)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.engine.store)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.engine.store, name)


@pytest.fixture(scope="session")
def store(kg_snapshot: Snapshot) -> EndpointStore:
    return EndpointStore(kg_snapshot)


def start_oxigraph_server(location: Path, timeout_s: int = 30) -> tuple[subprocess.Popen, str]:
    """A writable `oxigraph serve` (PyPI package oxigraph) on a free loopback port; returns (process, base URL)
    once it answers. Skips the test when the CLI is not installed."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        pytest.skip("the oxigraph CLI (PyPI package oxigraph) is not installed")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("oxigraph serve did not answer in 30 s")


@pytest.fixture(scope="session")
def oxigraph_server(mini_settings: Settings, mini_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` on 127.0.0.1 holding the mini snapshot (published by `ugkg publish`); yields its query URL."""
    from server.engine.remote import publish

    process, url = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server"), timeout_s=int(mini_settings.query_timeout_s) + 1)
    publish(mini_snapshot, url + "/store")
    yield url + "/query"
    stop_server(process)


@pytest.fixture(scope="session")
def virtuoso_server(mini_settings: Settings, mini_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Virtuoso on 127.0.0.1 holding the mini snapshot's engine dump (tests/virtuoso_support.py); yields its /sparql."""
    from tests.virtuoso_support import start_virtuoso

    process, url = start_virtuoso(mini_snapshot, tmp_path_factory.mktemp("virtuoso"), free_port(), free_port(), int(mini_settings.query_timeout_s) + 1)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def virtuoso_kg_server(kg_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Virtuoso on 127.0.0.1 holding the real graph's engine dump; yields its /sparql."""
    from tests.virtuoso_support import start_virtuoso

    process, url = start_virtuoso(kg_snapshot, tmp_path_factory.mktemp("virtuoso-kg"), free_port(), free_port(), 30)
    yield url
    stop_server(process)


@pytest.fixture(scope="session", params=["memory", "oxigraph", "remote", "virtuoso"])
def backend_app(request: pytest.FixtureRequest, mini_settings: Settings, mini_snapshot: Snapshot) -> Iterator:
    """The app on each store backend: the protocol tests run against every one of them (remote: Oxigraph and Virtuoso)."""
    store = {"remote": "oxigraph_server", "virtuoso": "virtuoso_server"}.get(request.param)
    store = request.getfixturevalue(store) if store else request.param
    application = create_app(mini_settings.with_(store=store), mini_snapshot)
    yield application
    application.extensions["ugkg"].close()
