"""Benchmark: our endpoint on each backend vs `oxigraph serve-read-only` vs pyoxigraph in-process, on generated data.

    python -m bench.run [--sizes 10k,100k,1M] [--backends memory,oxigraph,remote] [--duration-s 10] [--requests 40] [--clients 16]

For each size: `ugkg build --with` time and peak memory (the real load path), each backend's start-up time
(remote: plus `ugkg publish` into a writable `oxigraph serve`) and memory, then a fixed query mix (point
lookup, join, aggregate, CONSTRUCT):
sequential median / p99 latency, and throughput with N concurrent clients (threads, one requests.Session
each). Everything runs on 127.0.0.1 and is bounded in time; nothing is asserted about speed.
Our server runs with its result cache off (UGKG_RESULT_CACHE_ENTRIES=0) so both servers evaluate every query.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
import requests

from . import common, generate

PREFIXES = (
    "PREFIX ugkg: <https://w3id.org/ugkg/def/> PREFIX qb: <http://purl.org/linked-data/cube#> "
    "PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> "
    "PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)


def query_mix(triples: int) -> dict[str, Callable[[random.Random], tuple[str, str]]]:
    """name → (rng → (query, Accept)); constants vary per call so no cache can answer."""
    cities, indicators, years = generate.shape(triples)
    cities = max(1, min(cities, (triples // generate.TRIPLES_PER_OBSERVATION) // (indicators * len(years)) or 1))

    def point(rng: random.Random) -> tuple[str, str]:
        o = generate.observation(rng.randrange(cities), rng.randrange(indicators), rng.choice(years))
        return PREFIXES + f"SELECT ?v ?area WHERE {{ <{o}> sdmx-measure:obsValue ?v ; sdmx-dimension:refArea ?area }}", "application/sparql-results+json"

    def join(rng: random.Random) -> tuple[str, str]:
        i, year = rng.randrange(indicators), rng.choice(years)
        return PREFIXES + (
            f"SELECT ?city ?label ?v WHERE {{ ?o ugkg:statisticalIndicator <{generate.indicator(i)}> ; "
            f"sdmx-dimension:refPeriod \"{year}\"^^xsd:gYear ; sdmx-dimension:refArea ?city ; sdmx-measure:obsValue ?v . "
            "?city rdfs:label ?label FILTER(LANG(?label) = 'en') } ORDER BY DESC(?v) LIMIT 20"
        ), "application/sparql-results+json"

    def aggregate(rng: random.Random) -> tuple[str, str]:
        c = rng.randrange(cities)
        return PREFIXES + (
            f"SELECT ?ind (AVG(?v) AS ?avg) (MAX(?v) AS ?max) (COUNT(*) AS ?n) WHERE {{ ?o sdmx-dimension:refArea <{generate.city(c)}> ; "
            "ugkg:statisticalIndicator ?ind ; sdmx-measure:obsValue ?v } GROUP BY ?ind ORDER BY ?ind"
        ), "application/sparql-results+json"

    def construct(rng: random.Random) -> tuple[str, str]:
        c, i = rng.randrange(cities), rng.randrange(indicators)
        return PREFIXES + (
            f"CONSTRUCT {{ ?o ?p ?x }} WHERE {{ ?o sdmx-dimension:refArea <{generate.city(c)}> ; "
            f"ugkg:statisticalIndicator <{generate.indicator(i)}> ; ?p ?x }}"
        ), "application/n-triples"

    return {"point": point, "join": join, "aggregate": aggregate, "construct": construct}


class HttpTarget:
    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def call(self, session: requests.Session, query: str, accept: str) -> int:
        r = session.get(self.url, params={"query": query}, headers={"Accept": accept}, timeout=60)
        _ = r.content
        return r.status_code


def sequential(call: Callable[[str, str], int], mix, requests_per_query: int, budget_s: float) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    out = {}
    for name, make in mix.items():
        times, errors, started = [], 0, time.monotonic()
        call(*make(rng))  # warm-up
        for _ in range(requests_per_query):
            if time.monotonic() - started > budget_s:
                break
            query, accept = make(rng)
            t = time.perf_counter()
            status = call(query, accept)
            times.append((time.perf_counter() - t) * 1000)
            errors += status != 200
        out[name] = {"median_ms": common.median(times), "p99_ms": common.percentile(times, 99), "n": len(times), "errors": errors}
    return out


def throughput(target: HttpTarget, mix, clients: int, duration_s: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    makers = list(mix.values())
    stop_at = time.monotonic() + duration_s
    counts = {"ok": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        k = seed
        while time.monotonic() < stop_at:
            query, accept = makers[k % len(makers)](rng)
            k += 1
            t = time.perf_counter()
            try:
                status = target.call(session, query, accept)
            except requests.RequestException:
                status = 0
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
                counts["ok" if status == 200 else "errors"] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration_s + 120)
    elapsed = time.monotonic() - started
    return {"rps": counts["ok"] / elapsed, "errors": counts["errors"], "p50_ms": common.median(latencies), "p99_ms": common.percentile(latencies, 99)}


def in_process(nq: Path, mix, requests_per_query: int, budget_s: float) -> tuple[dict, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - started

    def call(query: str, accept: str) -> int:
        answer = store.query(query, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryTriples):
            answer.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            answer.serialize(format=ox.QueryResultsFormat.JSON)
        return 200

    return sequential(call, mix, requests_per_query, budget_s), load_s


def build_ours(data_dir: Path, nq: Path) -> tuple[float, float]:
    """`ugkg build --with nq` — the real load path (our sources validated and reasoned, the extra streamed);
    returns (seconds, peak RSS MiB of the build process)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "build", "--data-dir", str(data_dir), "--with", str(nq)],
                               cwd=str(common.ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("ugkg build --with failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def measure(target: HttpTarget, mix, args: argparse.Namespace, pid: int) -> dict:  # type: ignore[no-untyped-def]
    session = requests.Session()
    out = {"rss_mib": common.tree_rss_mib(pid),
           "seq": sequential(lambda q, a: target.call(session, q, a), mix, args.requests, args.duration_s * 3),
           "tput": throughput(target, mix, args.clients, args.duration_s)}
    out["rss_after_mib"] = common.tree_rss_mib(pid)
    return out


def bench_ours(backend: str, data_dir: Path, work: Path, label: str, mix, args: argparse.Namespace) -> dict:  # type: ignore[no-untyped-def]
    """Our endpoint on one backend: start-up (and publish, for remote) time, memory, latency, throughput."""
    helper = None
    prepare_s = 0.0
    store = backend
    if backend == "remote":
        helper, base = common.start_oxigraph(work / f"remote-{label}", timeout_s=30, writable=True)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "server.cli", "publish", "--data-dir", str(data_dir), "--to", base + "/store"],
                              cwd=str(common.ROOT), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"publish failed: {done.stderr[-500:]}")
        prepare_s = time.perf_counter() - t
        store = base + "/query"
    try:
        t = time.perf_counter()
        process, url = common.start_ours(data_dir, timeout_s=30, extra=("--store", store))
        start_s = time.perf_counter() - t
        try:
            result = measure(HttpTarget(f"ours-{backend}", url + "/sparql"), mix, args, process.pid)
            if helper is not None:
                result["rss_mib"] += common.tree_rss_mib(helper.pid)
                result["rss_after_mib"] += common.tree_rss_mib(helper.pid)
        finally:
            common.stop(process)
    finally:
        if helper is not None:
            common.stop(helper)
    result.update(start_s=start_s, prepare_s=prepare_s)
    print(f"   ours/{backend}: start {start_s:.1f} s (+{prepare_s:.1f} s publish), RSS {result['rss_mib']:.0f} MiB", flush=True)
    return result


def bench_size(label: str, args: argparse.Namespace, work: Path) -> dict:
    triples = generate.parse_size(label)
    mix = query_mix(triples)
    result: dict = {"size": label}
    nq = work / f"generated-{label}.nq"
    with nq.open("w", encoding="utf-8") as fh:
        result["quads"] = generate.write(triples, fh)
    data_dir = work / f"data-{label}"
    result["build_s"], result["build_peak_mib"] = build_ours(data_dir, nq)
    print(f"\n== {label}: {result['quads']} generated quads; ugkg build --with: {result['build_s']:.1f} s, peak RSS {result['build_peak_mib']:.0f} MiB", flush=True)
    for backend in args.backends.split(","):
        result[f"ours-{backend}"] = bench_ours(backend, data_dir, work, label, mix, args)

    location = work / f"oxigraph-{label}"
    load_s, load_rss = common.oxigraph_load(location, nq)
    process, url = common.start_oxigraph(location, timeout_s=30)
    try:
        result["oxigraph"] = {"load_s": load_s, "load_peak_rss_mib": load_rss / 1024, **measure(HttpTarget("oxigraph", url + "/query"), mix, args, process.pid)}
    finally:
        common.stop(process)
    print(f"   oxigraph serve: load {load_s:.1f} s", flush=True)

    seq, load_s = in_process(nq, mix, args.requests, args.duration_s * 3)
    result["in_process"] = {"load_s": load_s, "seq": seq}
    print("   in-process done", flush=True)
    return result


def report(results: list[dict], backends: list[str]) -> str:
    out = []
    rows = []
    for r in results:
        rows.append([r["size"], r["quads"], r["build_s"], r["build_peak_mib"]]
                    + [x for b in backends for x in (r[f"ours-{b}"]["start_s"] + r[f"ours-{b}"]["prepare_s"], r[f"ours-{b}"]["rss_after_mib"])]
                    + [r["oxigraph"]["load_s"], r["oxigraph"]["load_peak_rss_mib"], r["oxigraph"]["rss_after_mib"], r["in_process"]["load_s"]])
    out.append("Build / load and memory (RSS of the whole process tree, MiB; remote includes the oxigraph server behind it)\n")
    out.append(common.table(["size", "quads", "ugkg build s", "build peak MiB"]
                            + [h for b in backends for h in (f"{b} start s", f"{b} RSS")]
                            + ["ox load s", "ox load peak", "ox RSS", "pyoxigraph load s"], rows))
    rows = []
    for r in results:
        x, p = r["oxigraph"]["seq"], r["in_process"]["seq"]
        for q in x:
            row = [r["size"], q, x[q]["median_ms"], x[q]["p99_ms"], p[q]["median_ms"]]
            for b in backends:
                o = r[f"ours-{b}"]["seq"][q]
                row += [o["median_ms"], o["p99_ms"], o["median_ms"] / x[q]["median_ms"] if x[q]["median_ms"] else float("nan")]
            rows.append(row)
    out.append("\nSequential latency through HTTP (ms; one client); ratio = ours p50 / oxigraph serve p50 (target <= 2)\n")
    out.append(common.table(["size", "query", "ox p50", "ox p99", "in-proc p50"] + [h for b in backends for h in (f"{b} p50", f"{b} p99", f"{b}/ox")], rows))
    rows = []
    for r in results:
        x = r["oxigraph"]["tput"]
        row = [r["size"], x["rps"], x["p99_ms"], x["errors"]]
        for b in backends:
            o = r[f"ours-{b}"]["tput"]
            row += [o["rps"], o["p99_ms"], o["errors"], o["rps"] / x["rps"] if x["rps"] else float("nan")]
        rows.append(row)
    out.append(f"\nThroughput (query mix, concurrent clients; requests/s); ratio = ours / oxigraph serve (target >= 0.5)\n")
    out.append(common.table(["size", "ox req/s", "ox p99", "ox err"] + [h for b in backends for h in (f"{b} req/s", f"{b} p99", f"{b} err", f"{b}/ox")], rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes in triples (default 10k,100k,1M)")
    ap.add_argument("--backends", default="memory,oxigraph,remote", help="our store backends to measure (default memory,oxigraph,remote)")
    ap.add_argument("--duration-s", type=float, default=10.0, help="seconds of the throughput run per target (default 10)")
    ap.add_argument("--requests", type=int, default=40, help="sequential requests per query kind (default 40)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients of the throughput run (default 16)")
    ap.add_argument("--json", help="also write the raw figures to this file")
    args = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="ugkg-bench-") as tmp:
        for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            results.append(bench_size(label, args, Path(tmp)))
    print(f"\nmachine: {platform.platform()}, {__import__('os').cpu_count()} CPUs, pyoxigraph {ox.__version__}; clients={args.clients}, duration={args.duration_s:g} s\n")
    print(report(results, args.backends.split(",")))
    if args.json:
        common.dump_json(Path(args.json), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
