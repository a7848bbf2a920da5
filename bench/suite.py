"""The generated suite (Sparqloscope, bench/sparqloscope) on our server and on Oxigraph, same data, same run.

    python -m bench.suite [--size 1M] [--first 2] [--repeat 3] [--out var/bench/suite.json] [--port-base N]

Both servers answer over the same dataset: ours is `ugkg serve` with its default settings on the snapshot of the
real graph + the generated triples (as bench.wrk builds it); the reference is `oxigraph serve-read-only` whose
default graph is exactly our default graph (bench.suite_data: the `urn:ugkg:graph:all-union` graph of `ugkg export
--for-engines`, not `--union-default-graph`). For each query of bench/sparqloscope/manifest.json, alternating the
two servers:

- *first sight*: the query text never seen before (a comment with a fresh nonce appended, so no answer cache of
  ours can know it) and `Cache-Control: no-cache`; ``--first`` rounds (``--first-fast`` when both servers answer
  the first round in under 50 ms: there a round is a few ms and the load's noise is as large), the median;
- *repeated*: the plain text once untimed, then ``--repeat`` times, the median (ours answers from its cache;
  Oxigraph has none);
- the answers of the first round compared by bench.compare (bags; ordered where the query orders; LIMIT without
  ORDER BY against the full answer; our row-limit cut as such).

Before that, a probe checks whether `Cache-Control: no-cache` alone (the same text twice) makes our server
evaluate again: the second answer's `X-Cache` says. Times are wall-clock per HTTP request, the whole body read,
from the same Python client for both. Printed: a table per query, per-category medians of the ratios ours /
Oxigraph, and the answer comparison; the JSON report has every figure.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import requests

from . import common, compare, suite_data

HERE = common.ROOT / "bench" / "sparqloscope"
JSON_RESULTS = "application/sparql-results+json"
CLIENT_TIMEOUT_S = 600.0


class Target:
    """One server: its query URL and a keep-alive session."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url
        self.session = requests.Session()

    def ask(self, query: str, fresh: bool, post: bool = False) -> dict[str, Any]:
        headers = {"Accept": JSON_RESULTS}
        if fresh:
            headers["Cache-Control"] = "no-cache"
        started = time.perf_counter()
        try:
            if post:
                headers["Content-Type"] = "application/sparql-query"
                response = self.session.post(self.url, data=query.encode(), headers=headers, timeout=CLIENT_TIMEOUT_S)
            else:
                response = self.session.get(self.url, params={"query": query}, headers=headers, timeout=CLIENT_TIMEOUT_S)
            body = response.content
        except requests.RequestException as exc:
            return {"status": 0, "ms": (time.perf_counter() - started) * 1000, "error": str(exc)[:300]}
        ms = (time.perf_counter() - started) * 1000
        out: dict[str, Any] = {"status": response.status_code, "ms": ms, "x_cache": response.headers.get("X-Cache"),
                               "x_query_time_ms": response.headers.get("X-Query-Time-Ms"),
                               "truncated_header": response.headers.get("X-Result-Truncated")}
        if response.status_code == 200:
            try:
                out["doc"] = json.loads(body)
            except ValueError as exc:
                out["error"] = f"not JSON: {exc}"
        else:
            out["error"] = body[:300].decode("utf-8", "replace")
        return out


def load_manifest(size: str) -> dict[str, Any]:
    return json.loads((HERE / size / "manifest.json").read_text(encoding="utf-8"))


def probe_no_cache(ours: Target) -> dict[str, Any]:
    """Does `Cache-Control: no-cache` alone make our server evaluate the same text again? The same heavy text
    (a count of every triple) twice with no-cache, by GET (the front cache, then the service's answer cache) and
    by POST (the service's answer cache only): judged by the time, X-Cache and X-Query-Time-Ms reported beside."""
    out: dict[str, Any] = {}
    for method in ("GET", "POST"):
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # no-cache probe {uuid.uuid4()}"
        first, second = (ours.ask(query, fresh=True, post=method == "POST") for _ in range(2))
        out[method] = {"ms": [round(first["ms"], 1), round(second["ms"], 1)], "x_cache": [first.get("x_cache"), second.get("x_cache")],
                       "x_query_time_ms": [first.get("x_query_time_ms"), second.get("x_query_time_ms")],
                       "evaluated_again": second["ms"] > 0.25 * first["ms"]}
    return out


FAST_MS = 50.0  # a query both servers answer under this on first sight gets ``--first-fast`` rounds: noise is its size


def run_query(entry: dict[str, Any], targets: list[Target], first: int, repeat: int, max_rows: int, suite: Path,
              first_fast: int = 0) -> dict[str, Any]:
    text = (suite / "queries" / entry["file"]).read_text(encoding="utf-8")
    shape = compare.shape(text)
    times: dict[str, dict[str, list[float]]] = {t.name: {"first": [], "repeated": []} for t in targets}
    answers: dict[str, dict[str, Any]] = {}
    x_cache: dict[str, list[Optional[str]]] = {t.name: [] for t in targets}
    failures: list[dict[str, Any]] = []
    rounds, round_ = first, 0
    while round_ < rounds:
        fresh_text = f"{text}# first sight {uuid.uuid4()}\n"
        order = targets if round_ % 2 == 0 else targets[::-1]
        for target in order:
            got = target.ask(fresh_text, fresh=True)
            if got["status"] == 200:
                times[target.name]["first"].append(got["ms"])
            else:  # e.g. our time limit (503) under load: not a time, reported
                failures.append({"server": target.name, "round": round_, "status": got["status"], "ms": round(got["ms"], 1),
                                 "error": got.get("error", "")[:200]})
            x_cache[target.name].append(got.get("x_cache"))
            if "doc" in got or round_ == rounds - 1:
                answers.setdefault(target.name, got)
        if round_ == 0 and all(times[t.name]["first"] and times[t.name]["first"][0] < FAST_MS for t in targets):
            rounds = max(first, first_fast)
        round_ += 1
    for target in targets:  # the text once, untimed: our cache now holds it (the nonce texts above were others)
        target.ask(text, fresh=False)
    for round_ in range(repeat):
        order = targets if round_ % 2 == 0 else targets[::-1]
        for target in order:
            got = target.ask(text, fresh=False)
            if got["status"] == 200:
                times[target.name]["repeated"].append(got["ms"])
            else:
                failures.append({"server": target.name, "round": f"repeated {round_}", "status": got["status"],
                                 "ms": round(got["ms"], 1), "error": got.get("error", "")[:200]})
            x_cache[target.name].append(got.get("x_cache"))
    ours, ref = answers["ours"], answers["oxigraph"]
    record: dict[str, Any] = {
        "name": entry["name"], "category": entry["category"], "file": entry["file"],
        "ms": {n: {k: statistics.median(v) if v else None for k, v in t.items()} for n, t in times.items()},
        "ms_all": times, "x_cache_ours": x_cache["ours"], "order_by": shape.ordered, "limit": shape.limit,
        "status": {"ours": ours["status"], "oxigraph": ref["status"]}, "failures": failures,
    }
    if "doc" not in ours or "doc" not in ref:
        record["verdict"] = {"status": compare.ERROR, "detail": f"ours: {ours.get('status')} {ours.get('error', '')[:200]} | "
                                                               f"oxigraph: {ref.get('status')} {ref.get('error', '')[:200]}"}
        return record
    ours_result = compare.parse(ours["doc"], ours.get("truncated_header"))
    ref_result = compare.parse(ref["doc"])
    full = None
    if shape.limit is not None and not shape.ordered and len(ref_result.rows) == shape.limit:
        got = targets[1].ask(compare.without_limit(text), fresh=True)  # the reference's full answer
        full = compare.parse(got["doc"]) if "doc" in got else None
        record["full_rows"] = len(full.rows) if full else None
    verdict = compare.compare(ours_result, ref_result, shape, max_rows=max_rows, full=full)
    record["rows"] = {"ours": len(ours_result.rows) if ours_result.boolean is None else ours_result.boolean,
                      "oxigraph": len(ref_result.rows) if ref_result.boolean is None else ref_result.boolean}
    record["truncated_ours"] = ours_result.truncated
    record["verdict"] = {"status": verdict.status, "detail": verdict.detail}
    if len(ours_result.rows) <= 3 and len(ref_result.rows) <= 3:
        record["answers"] = {"ours": ours_result.rows or ours_result.boolean, "oxigraph": ref_result.rows or ref_result.boolean}
    return record


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def geomean(values: list[float]) -> Optional[float]:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    timed = [r for r in records if r["verdict"]["status"] != compare.ERROR]
    for r in records:
        r["ratio"] = {k: ratio(r["ms"]["ours"][k], r["ms"]["oxigraph"][k]) for k in ("first", "repeated")}
    categories: dict[str, dict[str, Any]] = {}
    for r in timed:
        c = categories.setdefault(r["category"], {"queries": 0, "first": [], "repeated": []})
        c["queries"] += 1
        for k in ("first", "repeated"):
            if r["ratio"][k] is not None:
                c[k].append(r["ratio"][k])
    per_category = {name: {"queries": c["queries"], "first_median": statistics.median(c["first"]) if c["first"] else None,
                           "repeated_median": statistics.median(c["repeated"]) if c["repeated"] else None,
                           "first_worst": max(c["first"]) if c["first"] else None} for name, c in sorted(categories.items())}
    verdicts: dict[str, int] = {}
    for r in records:
        verdicts[r["verdict"]["status"]] = verdicts.get(r["verdict"]["status"], 0) + 1
    first = [r["ratio"]["first"] for r in timed if r["ratio"]["first"] is not None]
    repeated = [r["ratio"]["repeated"] for r in timed if r["ratio"]["repeated"] is not None]
    return {
        "queries": len(records), "verdicts": verdicts, "same": sum(1 for r in records if r["verdict"]["status"] in compare.SAME),
        "identical": verdicts.get(compare.IDENTICAL, 0), "per_category": per_category,
        "first_geomean": geomean(first), "first_median": statistics.median(first) if first else None,
        "repeated_geomean": geomean(repeated), "repeated_median": statistics.median(repeated) if repeated else None,
        "first_over_2x": sorted(((r["name"], round(r["ratio"]["first"], 2)) for r in timed if (r["ratio"]["first"] or 0) > 2),
                                key=lambda x: -x[1]),
    }


def fmt(value: Optional[float], digits: int = 2, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def report(records: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    rows = [[r["file"][:3], r["name"][:44], r["category"], fmt(r["ms"]["ours"]["first"], 1), fmt(r["ms"]["oxigraph"]["first"], 1),
             fmt(r["ratio"]["first"], 2, "x"), fmt(r["ms"]["ours"]["repeated"], 1), fmt(r["ms"]["oxigraph"]["repeated"], 1),
             fmt(r["ratio"]["repeated"], 2, "x"), f"{r.get('rows', {}).get('ours', '-')}/{r.get('rows', {}).get('oxigraph', '-')}",
             r["verdict"]["status"]] for r in records]
    out = [common.table(["#", "query", "category", "ours 1st ms", "oxi 1st ms", "1st ratio", "ours rep ms", "oxi rep ms",
                         "rep ratio", "rows ours/oxi", "answer"], rows), ""]
    cats = [[name, c["queries"], fmt(c["first_median"], 2, "x"), fmt(c["first_worst"], 2, "x"), fmt(c["repeated_median"], 2, "x")]
            for name, c in summary["per_category"].items()]
    out += [common.table(["category", "queries", "first sight (median ratio)", "first sight (worst)", "repeated (median ratio)"], cats), ""]
    out.append(f"answers: {summary['same']} of {summary['queries']} the same ({summary['verdicts']}); ratios ours/Oxigraph, "
               f"first sight geomean {fmt(summary['first_geomean'])}x median {fmt(summary['first_median'])}x, repeated geomean "
               f"{fmt(summary['repeated_geomean'])}x median {fmt(summary['repeated_median'])}x; first sight over 2x: {summary['first_over_2x']}")
    for r in records:
        if r["verdict"]["status"] not in (compare.IDENTICAL,):
            out.append(f"  {r['file']}: {r['verdict']['status']}: {r['verdict']['detail'][:400]}")
        for f in r.get("failures", []):
            out.append(f"  {r['file']}: {f['server']} round {f['round']}: HTTP {f['status']} after {f['ms']} ms "
                       f"(left out of the times) {f['error'][:160]}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="the data size, and the suite generated for it (bench/sparqloscope/SIZE)")
    parser.add_argument("--first", type=int, default=2, help="first-sight rounds per query and server")
    parser.add_argument("--first-fast", type=int, default=7, help=f"first-sight rounds when both servers answered the first under {FAST_MS:.0f} ms")
    parser.add_argument("--repeat", type=int, default=3, help="repeated-text rounds per query and server")
    parser.add_argument("--only", default="", help="comma-separated query names (default: all)")
    parser.add_argument("--work", default=str(common.ROOT / "var" / "bench" / "suite-work"), help="snapshots and stores (kept, reused)")
    parser.add_argument("--port-base", type=int, default=0, help="ours on BASE+2, Oxigraph on BASE+3 (default: free ports)")
    parser.add_argument("--out", default=str(common.ROOT / "var" / "bench" / "suite.json"))
    args = parser.parse_args(argv)
    from server.settings import Settings  # the row limit our server applies with its default settings

    max_rows = Settings().max_result_rows
    manifest = load_manifest(args.size)
    entries = [e for e in manifest["queries"] if not args.only or e["name"] in args.only.split(",")]
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    data_dir = suite_data.build_snapshot(args.size, work)
    location, triples = suite_data.oxigraph_store(args.size, data_dir, work)
    ours_process, ours_url = suite_data.start_ours(data_dir, suite_data.port(args.port_base, 2))
    oxi_process, oxi_url = suite_data.start_oxigraph(location, suite_data.port(args.port_base, 3), work / "oxigraph-suite.log")
    targets = [Target("ours", ours_url + "/sparql"), Target("oxigraph", oxi_url + "/query")]
    records: list[dict[str, Any]] = []
    load: list[tuple[float, float, float]] = [os.getloadavg()]
    try:
        probe = probe_no_cache(targets[0])
        print(f"[suite] {len(entries)} queries, {args.size}: {triples:,} triples in both default graphs; ours {ours_url} "
              f"(pid {ours_process.pid}), oxigraph {oxi_url} (pid {oxi_process.pid}); no-cache probe: {probe}", flush=True)
        for entry in entries:
            record = run_query(entry, targets, args.first, args.repeat, max_rows, HERE / args.size, args.first_fast)
            records.append(record)
            load.append(os.getloadavg())
            print(f"[suite] {entry['file']:55} ours {fmt(record['ms']['ours']['first'], 1):>9} ms | oxigraph "
                  f"{fmt(record['ms']['oxigraph']['first'], 1):>9} ms | {record['verdict']['status']}", flush=True)
    finally:
        common.stop(ours_process)
        common.stop(oxi_process)
    summary = summarise(records)
    loads = [l[0] for l in load]
    common.dump_json(Path(args.out), {
        "size": args.size, "triples": triples, "max_result_rows": max_rows, "nproc": os.cpu_count(),
        "loadavg_1min": {"min": min(loads), "median": statistics.median(loads), "max": max(loads)},
        "generator": {k: manifest.get(k) for k in ("generator", "commit", "data", "engine")}, "no_cache_probe": probe,
        "first_rounds": args.first, "first_rounds_fast": args.first_fast, "repeat_rounds": args.repeat, "summary": summary, "queries": records,
    })
    print(report(records, summary))
    print(f"load average (1 min) during the run: min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f} "
          f"on {os.cpu_count()} cores; report {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
