"""Benchmark: our endpoint vs `oxigraph serve-read-only` vs pyoxigraph in-process, on generated data.

    python -m bench.run [--sizes 10k,100k,1M] [--duration-s 10] [--requests 40] [--clients 16]

For each size: load time and memory, then a fixed query mix (point lookup, join, aggregate, CONSTRUCT):
sequential median / p99 latency, and throughput with N concurrent clients (threads, one requests.Session
each). Everything runs on 127.0.0.1 and is bounded in time; nothing is asserted about speed.
Our server runs with its result cache off (UGKG_RESULT_CACHE_ENTRIES=0) so both servers evaluate every query.
"""
from __future__ import annotations

import argparse
import platform
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
    "PREFIX ugkg: <https://ugkg.example.org/def/> PREFIX qb: <http://purl.org/linked-data/cube#> "
    "PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)


def query_mix(triples: int) -> dict[str, Callable[[random.Random], tuple[str, str]]]:
    """name → (rng → (query, Accept)); constants vary per call so no cache can answer."""
    cities, indicators, years = generate.shape(triples)
    cities = max(1, min(cities, (triples // generate.TRIPLES_PER_OBSERVATION) // (indicators * len(years)) or 1))

    def point(rng: random.Random) -> tuple[str, str]:
        o = generate.observation(rng.randrange(cities), rng.randrange(indicators), rng.choice(years))
        return PREFIXES + f"SELECT ?v ?area WHERE {{ <{o}> ugkg:value ?v ; sdmx-dimension:refArea ?area }}", "application/sparql-results+json"

    def join(rng: random.Random) -> tuple[str, str]:
        i, year = rng.randrange(indicators), rng.choice(years)
        return PREFIXES + (
            f"SELECT ?city ?label ?v WHERE {{ ?o ugkg:indicator <{generate.indicator(i)}> ; "
            f"sdmx-dimension:refPeriod \"{year}\"^^xsd:gYear ; sdmx-dimension:refArea ?city ; ugkg:value ?v . "
            "?city rdfs:label ?label FILTER(LANG(?label) = 'en') } ORDER BY DESC(?v) LIMIT 20"
        ), "application/sparql-results+json"

    def aggregate(rng: random.Random) -> tuple[str, str]:
        c = rng.randrange(cities)
        return PREFIXES + (
            f"SELECT ?ind (AVG(?v) AS ?avg) (MAX(?v) AS ?max) (COUNT(*) AS ?n) WHERE {{ ?o sdmx-dimension:refArea <{generate.city(c)}> ; "
            "ugkg:indicator ?ind ; ugkg:value ?v } GROUP BY ?ind ORDER BY ?ind"
        ), "application/sparql-results+json"

    def construct(rng: random.Random) -> tuple[str, str]:
        c, i = rng.randrange(cities), rng.randrange(indicators)
        return PREFIXES + (
            f"CONSTRUCT {{ ?o ?p ?x }} WHERE {{ ?o sdmx-dimension:refArea <{generate.city(c)}> ; "
            f"ugkg:indicator <{generate.indicator(i)}> ; ?p ?x }}"
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


def bench_size(label: str, args: argparse.Namespace, work: Path) -> dict:
    triples = generate.parse_size(label)
    mix = query_mix(triples)
    result: dict = {"size": label}
    data_dir = work / f"data-{label}"
    nq, quads, snap_s = common.make_snapshot(data_dir, triples)
    result["quads"] = quads
    print(f"\n== {label}: {quads} quads (snapshot written in {snap_s:.1f} s)", flush=True)

    # ours
    t = time.perf_counter()
    process, url = common.start_ours(data_dir, timeout_s=30)
    start_s = time.perf_counter() - t
    try:
        rss_start = common.tree_rss_mib(process.pid)
        target = HttpTarget("ours", url + "/sparql")
        session = requests.Session()
        result["ours"] = {
            "load_s": snap_s + start_s, "rss_mib": rss_start,
            "seq": sequential(lambda q, a: target.call(session, q, a), mix, args.requests, args.duration_s * 3),
            "tput": throughput(target, mix, args.clients, args.duration_s),
        }
        result["ours"]["rss_after_mib"] = common.tree_rss_mib(process.pid)
    finally:
        common.stop(process)
    print(f"   ours done: start {start_s:.1f} s, RSS {rss_start:.0f} MiB", flush=True)

    # oxigraph serve-read-only
    location = work / f"oxigraph-{label}"
    load_s, load_rss = common.oxigraph_load(location, nq)
    process, url = common.start_oxigraph(location, timeout_s=30)
    try:
        target = HttpTarget("oxigraph", url + "/query")
        session = requests.Session()
        result["oxigraph"] = {
            "load_s": load_s, "load_peak_rss_mib": load_rss / 1024, "rss_mib": common.tree_rss_mib(process.pid),
            "seq": sequential(lambda q, a: target.call(session, q, a), mix, args.requests, args.duration_s * 3),
            "tput": throughput(target, mix, args.clients, args.duration_s),
        }
        result["oxigraph"]["rss_after_mib"] = common.tree_rss_mib(process.pid)
    finally:
        common.stop(process)
    print("   oxigraph done", flush=True)

    seq, load_s = in_process(nq, mix, args.requests, args.duration_s * 3)
    result["in_process"] = {"load_s": load_s, "seq": seq}
    print("   in-process done", flush=True)
    return result


def report(results: list[dict]) -> str:
    out = []
    rows = []
    for r in results:
        rows.append([r["size"], r["quads"], r["ours"]["load_s"], r["ours"]["rss_mib"], r["ours"]["rss_after_mib"],
                     r["oxigraph"]["load_s"], r["oxigraph"]["load_peak_rss_mib"], r["oxigraph"]["rss_after_mib"], r["in_process"]["load_s"]])
    out.append("Load and memory (RSS of the whole process tree, MiB)\n")
    out.append(common.table(["size", "quads", "ours load+start s", "ours RSS", "ours RSS after", "oxigraph load s", "ox load peak", "ox RSS after", "pyoxigraph load s"], rows))
    rows = []
    for r in results:
        for q in r["ours"]["seq"]:
            o, x, p = r["ours"]["seq"][q], r["oxigraph"]["seq"][q], r["in_process"]["seq"][q]
            rows.append([r["size"], q, o["median_ms"], o["p99_ms"], x["median_ms"], x["p99_ms"], p["median_ms"], p["p99_ms"],
                         o["median_ms"] / x["median_ms"] if x["median_ms"] else float("nan"), o["errors"] + x["errors"]])
    out.append("\nSequential latency (ms; one client)\n")
    out.append(common.table(["size", "query", "ours p50", "ours p99", "oxigraph p50", "oxigraph p99", "in-proc p50", "in-proc p99", "ours/ox p50", "errors"], rows))
    rows = []
    for r in results:
        o, x = r["ours"]["tput"], r["oxigraph"]["tput"]
        rows.append([r["size"], o["rps"], o["p50_ms"], o["p99_ms"], o["errors"], x["rps"], x["p50_ms"], x["p99_ms"], x["errors"], o["rps"] / x["rps"] if x["rps"] else float("nan")])
    out.append("\nThroughput (mixed queries, concurrent clients; requests/s)\n")
    out.append(common.table(["size", "ours req/s", "ours p50", "ours p99", "ours err", "ox req/s", "ox p50", "ox p99", "ox err", "ours/ox req/s"], rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k", help="comma-separated sizes in triples (default 10k,100k)")
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
    print(report(results))
    if args.json:
        common.dump_json(Path(args.json), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
