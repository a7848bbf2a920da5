"""Load test of our endpoint: concurrency, slow-query storms, errors and memory.

    python -m bench.load [--duration-s 60] [--size 10k] [--timeout-s 2]

Phases (each --duration-s long), against `ugkg serve` (2 web workers × 8 threads, 2 evaluators each) over
generated data, on 127.0.0.1:
  1. cheap   — 16 clients, cheap queries only (point lookups, small joins): the baseline p99;
  2. storm   — the same 16 cheap clients plus 8 clients sending cartesian products that hit the time limit;
  3. mix-16  — 16 clients, 90 % cheap / 10 % slow;
  4. mix-64  — 64 clients, same mix.
Reports requests/s, p50/p99, status counts; errors are any answer other than 200, or 503 (time limit, full
pool; with Retry-After), or 429 (a proxy's rate limit). RSS of the gunicorn master, workers and evaluators
is read from /proc before and after. Nothing is asserted about speed; unexpected errors make the exit code 1.
"""
from __future__ import annotations

import argparse
import collections
import os
import platform
import random
import tempfile
import threading
import time
from pathlib import Path

import requests

from . import common, generate
from .run import query_mix

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Phase:
    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.status: collections.Counter[str] = collections.Counter()
        self.unexpected: list[str] = []
        self.elapsed = 0.0

    def record(self, kind: str, ms: float, status: int, retry_after: str | None, code: str) -> None:
        with self.lock:
            self.latency[kind].append(ms)
            self.status[f"{status} {code}".strip()] += 1
            ok = status == 200 or status == 429 or (status == 503 and retry_after is not None)
            if not ok and len(self.unexpected) < 20:
                self.unexpected.append(f"{kind}: {status} {code}")

    def all_latencies(self) -> list[float]:
        return [x for v in self.latency.values() for x in v]


def client(url: str, phase: Phase, stop_at: float, seed: int, slow_share: float, mix) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    session = requests.Session()
    cheap = [mix["point"], mix["join"]]
    while time.monotonic() < stop_at:
        if rng.random() < slow_share:
            kind, query, accept = "slow", SLOW, "application/sparql-results+json"
        else:
            kind = "cheap"
            query, accept = rng.choice(cheap)(rng)
        t = time.perf_counter()
        try:
            r = session.post(url, data={"query": query}, headers={"Accept": accept}, timeout=120)
            code = ""
            if r.status_code != 200 and r.headers.get("Content-Type", "").startswith("application/json"):
                code = r.json().get("error", "")
            phase.record(kind, (time.perf_counter() - t) * 1000, r.status_code, r.headers.get("Retry-After"), code)
        except requests.RequestException as exc:
            phase.record(kind, (time.perf_counter() - t) * 1000, 0, None, type(exc).__name__)


def run_phase(name: str, url: str, groups: list[tuple[int, float]], duration_s: float, mix) -> Phase:  # type: ignore[no-untyped-def]
    """groups: (number of clients, share of slow queries)."""
    phase = Phase(name)
    stop_at = time.monotonic() + duration_s
    threads = []
    seed = 0
    for count, slow_share in groups:
        for _ in range(count):
            seed += 1
            threads.append(threading.Thread(target=client, args=(url, phase, stop_at, seed, slow_share, mix), daemon=True))
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration_s + 180)
    phase.elapsed = time.monotonic() - started
    return phase


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration-s", type=float, default=float(os.environ.get("UGKG_LOAD_DURATION_S", "60")), help="seconds per phase (default 60; env UGKG_LOAD_DURATION_S)")
    ap.add_argument("--size", default="10k", help="generated data size (default 10k triples)")
    ap.add_argument("--timeout-s", type=float, default=2.0, help="the server's query_timeout_s (default 2)")
    ap.add_argument("--json", help="also write the raw figures to this file")
    args = ap.parse_args(argv)
    triples = generate.parse_size(args.size)
    mix = query_mix(triples)
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="ugkg-load-") as tmp:
        data_dir = Path(tmp) / "data"
        common.make_snapshot(data_dir, triples)
        process, base = common.start_ours(data_dir, timeout_s=args.timeout_s, cache=0)
        url = base + "/sparql"
        try:
            requests.post(url, data={"query": "ASK {}"}, timeout=30)
            rss_before = common.tree_rss_detail(process.pid)
            phases.append(run_phase("cheap (16)", url, [(16, 0.0)], args.duration_s, mix))
            phases.append(run_phase("storm (16 cheap + 8 slow)", url, [(16, 0.0), (8, 1.0)], args.duration_s, mix))
            phases.append(run_phase("mix-16 (10% slow)", url, [(16, 0.1)], args.duration_s, mix))
            phases.append(run_phase("mix-64 (10% slow)", url, [(64, 0.1)], args.duration_s, mix))
            time.sleep(3)  # let replacement evaluators finish starting
            rss_after = common.tree_rss_detail(process.pid)
            healthy = requests.get(base + "/healthz", timeout=10).status_code
        finally:
            common.stop(process)

    rows = []
    unexpected = 0
    for p in phases:
        cheap = p.latency.get("cheap", [])
        every = p.all_latencies()
        rows.append([p.name, len(every) / p.elapsed, common.median(every), common.percentile(every, 99),
                     common.median(cheap), common.percentile(cheap, 99), ", ".join(f"{k}: {v}" for k, v in sorted(p.status.items())), len(p.unexpected)])
        unexpected += len(p.unexpected)
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs; phases of {args.duration_s:g} s; data {args.size}; query_timeout_s={args.timeout_s:g}\n")
    print(common.table(["phase", "req/s", "p50 ms", "p99 ms", "cheap p50", "cheap p99", "statuses", "unexpected"], rows))
    print("\nRSS (MiB) per process, before → after")
    before_total, after_total = sum(rss_before.values()), sum(rss_after.values())
    for name, mib in rss_before.items():
        print(f"  before {mib:8.1f}  {name}")
    for name, mib in rss_after.items():
        print(f"  after  {mib:8.1f}  {name}")
    print(f"  total: {before_total:.1f} → {after_total:.1f} MiB; /healthz after the run: {healthy}")
    for p in phases:
        for line in p.unexpected:
            print(f"  UNEXPECTED in {p.name}: {line}")
    if args.json:
        common.dump_json(Path(args.json), {"phases": [{"name": p.name, "status": dict(p.status), "elapsed": p.elapsed} for p in phases], "rss_before": rss_before, "rss_after": rss_after})
    return 1 if unexpected or healthy != 200 else 0


if __name__ == "__main__":
    raise SystemExit(main())
