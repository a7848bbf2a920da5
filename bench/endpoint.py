"""`make bench`: the competency queries over HTTP (sequential latency, 16-client throughput) beside the same
queries evaluated in-process by pyoxigraph, on the real graph. Prints figures; asserts nothing."""
from __future__ import annotations

import statistics
import sys
import re
import tempfile
import threading
import time
from pathlib import Path

import requests

from server.build.pipeline import build
from server.settings import Settings
from server.build.sources import query_files
from server.engine.embedded import OxigraphEngine
from server.engine.factory import spec_for
from server.engine.store import QueryJob
from tests.conftest import start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20
CLIENTS = 16
DURATION_S = 10.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="ugkg-bench-")
    settings = Settings(data_dir=data_dir, sources_dir=str(ROOT), log_level="WARNING", result_cache_entries=0)
    t = time.perf_counter()
    snapshot = build(settings, progress=lambda _: None).snapshot
    print(f"build: {time.perf_counter() - t:.2f} s, counts {snapshot.manifest['counts']}")
    # a query that calls SERVICE (the Wikidata join) needs the network, which benchmarks never use
    queries = [text for p in query_files(ROOT) if not re.search(r"\bSERVICE\b", text := p.read_text(encoding="utf-8"), re.IGNORECASE)]
    engine = OxigraphEngine(spec_for("memory", snapshot))
    local: list[float] = []
    for _ in range(ROUNDS):
        for q in queries:
            t = time.perf_counter()
            engine.evaluate(QueryJob(q, "SELECT", "application/sparql-results+json", 10000))
            local.append(time.perf_counter() - t)
    process, url = start_server(settings)
    try:
        session = requests.Session()
        remote: list[float] = []
        for _ in range(ROUNDS):
            for q in queries:
                t = time.perf_counter()
                r = session.post(url + "/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
                remote.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
        done = [0]
        lock = threading.Lock()
        stop = time.monotonic() + DURATION_S

        def client(i: int) -> None:
            s = requests.Session()
            n = 0
            while time.monotonic() < stop:
                s.post(url + "/sparql", data={"query": queries[(i + n) % len(queries)]}, headers={"Accept": "application/sparql-results+json"})
                n += 1
            with lock:
                done[0] += n

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        stop_server(process)
    print(f"{len(queries)} competency queries x {ROUNDS} rounds (result cache off)")
    print(f"{'':24}{'median ms':>10}{'p99 ms':>10}")
    print(f"{'in-process pyoxigraph':24}{statistics.median(local) * 1000:>10.2f}{percentile(local, 0.99) * 1000:>10.2f}")
    print(f"{'HTTP endpoint':24}{statistics.median(remote) * 1000:>10.2f}{percentile(remote, 0.99) * 1000:>10.2f}")
    print(f"ratio HTTP / in-process (median): {statistics.median(remote) / statistics.median(local):.1f}x")
    print(f"throughput, {CLIENTS} concurrent clients, {DURATION_S:.0f} s: {done[0] / DURATION_S:.0f} queries/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
