"""The honest benchmark: our server beside `oxigraph serve-read-only` on the same data, driven by wrk.

    python -m bench.wrk [--sizes real,100k,1M] [--duration-s 6] [--rounds 2] [--out var/bench/wrk.json]

wrk (Debian's package, a C load generator; `make bench` installs it) sends the load, so the client is never
what saturates first. For each size — the real graph, the real graph + 100k and + 1M generated observation
triples (`ugkg build --with`, the real load path) — and for each workload (point lookup, join, aggregate,
CONSTRUCT), each with a new query text per request and with one repeated text, it measures:

- one client (wrk -t1 -c1 --latency): p50 and p99 latency;
- 16 clients (wrk -t2 -c16): requests per second;

on our server with its default settings and on `oxigraph serve-read-only --union-default-graph` over an
`oxigraph load` of `ugkg export --format nq`, alternating in the same run, `--rounds` times; medians are
reported, with the ratio ours / oxigraph. Then the RSS of each whole process tree (master, workers,
evaluators). Nothing is asserted: these are figures.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from server.build.snapshot import current_snapshot

from . import common, generate

WRK_THREADS, WRK_CLIENTS = 2, 16
REAL_SUBJECTS = [
    "https://w3id.org/ugkg/id/event/forum-2022", "https://w3id.org/ugkg/id/document/beijing-declaration",
    "https://w3id.org/ugkg/id/city/beijing", "https://w3id.org/ugkg/id/org/cass", "https://w3id.org/ugkg/id/index/cuggi",
]
PREFIXES = (
    "PREFIX ugkg: <https://w3id.org/ugkg/def/> PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> "
    "PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX schema: <https://schema.org/> "
)
JSON, NT = "application/sparql-results+json", "application/n-triples"


def workloads(size: str, triples: int) -> dict[str, tuple[str, str, list[str]]]:
    """name → (query template, Accept, values for {X}); {X} is one of the values, chosen per request."""
    if size == "real":
        return {
            "point": ("SELECT ?p ?o WHERE { <{X}> ?p ?o }", JSON, REAL_SUBJECTS),
            "join": (PREFIXES + "SELECT ?s ?label ?o WHERE { <{X}> ?p ?s . ?s rdfs:label ?label . OPTIONAL { ?s a ?o } } LIMIT 50", JSON, REAL_SUBJECTS),
            "aggregate": ("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c . ?s ?p ?o FILTER(?s != <{X}>) } GROUP BY ?c ORDER BY DESC(?n) LIMIT 10", JSON, REAL_SUBJECTS),
            "construct": ("CONSTRUCT { <{X}> ?p ?o . ?o ?q ?r } WHERE { <{X}> ?p ?o OPTIONAL { ?o ?q ?r FILTER(isBlank(?o)) } }", NT, REAL_SUBJECTS),
        }
    cities, indicators, years = generate.shape(triples)
    observations = [generate.observation(c, i, y) for c in range(min(cities, 20)) for i in range(0, indicators, 7) for y in years[:3]]
    city_iris = [generate.city(c) for c in range(min(cities, 50))]
    return {
        "point": ("SELECT ?p ?o WHERE { <{X}> ?p ?o }", JSON, observations),
        "join": (PREFIXES + "SELECT ?ind ?v ?label WHERE { ?o sdmx-dimension:refArea <{X}> ; ugkg:statisticalIndicator ?ind ; "
                 "sdmx-measure:obsValue ?v . ?ind rdfs:label ?label } LIMIT 100", JSON, city_iris),
        "aggregate": (PREFIXES + "SELECT ?ind (AVG(?v) AS ?avg) (COUNT(*) AS ?n) WHERE { ?o sdmx-dimension:refArea <{X}> ; "
                      "ugkg:statisticalIndicator ?ind ; sdmx-measure:obsValue ?v } GROUP BY ?ind ORDER BY ?ind", JSON, city_iris),
        "construct": (PREFIXES + "CONSTRUCT { ?o ?p ?x } WHERE { ?o sdmx-dimension:refArea <{X}> ; ?p ?x } LIMIT 2000", NT, city_iris[:10]),
    }


LUA = r"""
local values = {%(values)s}
local template = %(template)s
local accept = %(accept)s
local path = %(path)s
local new_text = %(new_text)s
local counter, prefix = 0, ""
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
  prefix = tostring(tid or 0) .. "-" .. tostring(math.random(1, 2000000000))
end
local function enc(s) return (s:gsub("[^%%w%%-_%%.~]", function(c) return string.format("%%%%%%02X", string.byte(c)) end)) end
request = function()
  counter = counter + 1
  local text
  if new_text then
    text = template:gsub("{X}", values[math.random(1, #values)]) .. " # " .. prefix .. "-" .. counter
  else
    text = template:gsub("{X}", values[1])
  end
  return wrk.format("GET", path .. "?query=" .. enc(text), {["Accept"] = accept})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_script(directory: Path, name: str, template: str, accept: str, values: list[str], path: str, new_text: bool) -> Path:
    script = directory / f"{name}-{'new' if new_text else 'same'}-{path.strip('/')}.lua"
    script.write_text(LUA % {
        "values": ", ".join(lua_string(v) for v in values), "template": lua_string(template), "accept": lua_string(accept),
        "path": lua_string(path), "new_text": "true" if new_text else "false",
    })
    return script


def run_wrk(url: str, script: Path, clients: int, threads: int, duration_s: float) -> dict[str, float]:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, round(duration_s))}s", "--timeout", "30s", "-s", str(script), url],
                         capture_output=True, text=True, timeout=duration_s + 60)
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", out.stdout)
    if not found:
        raise RuntimeError(f"wrk gave no result from {url}: {out.stdout[-500:]} {out.stderr[-500:]}")
    requests, errors, p50_us, p99_us, duration_us = map(int, found.groups())
    return {"rps": requests / (duration_us / 1e6), "errors": errors, "p50_ms": p50_us / 1000, "p99_ms": p99_us / 1000}


def prepare(size: str, work: Path) -> tuple[Path, Path]:
    """Build the snapshot (real graph, + generated triples) and the oxigraph store of its N-Quads export."""
    data_dir = work / f"data-{size}"
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "server.cli", "build"]
    if size != "real":
        extra = work / f"extra-{size}.nt"
        with extra.open("w") as out:
            for quad in generate.quads(generate.parse_size(size)):
                out.write(quad.rsplit(" <", 1)[0] + " .\n")
        cmd += ["--with", str(extra)]
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=str(common.ROOT), check=True, capture_output=True, timeout=3600)
    stages = current_snapshot(data_dir / "snapshots", verify=False).manifest.get("durations_s", {})
    print(f"[{size}] ugkg build: {time.perf_counter() - started:.1f} s (stages: "
          + ", ".join(f"{name} {seconds:.2f}" for name, seconds in stages.items()) + ")", flush=True)
    nq = work / f"export-{size}.nq"
    subprocess.run([sys.executable, "-m", "server.cli", "export", "--format", "nq", "-o", str(nq)], env=env, cwd=str(common.ROOT), check=True, timeout=3600)
    location = work / f"oxigraph-{size}"
    seconds, _ = common.oxigraph_load(location, nq)
    print(f"[{size}] oxigraph load: {seconds:.1f} s", flush=True)
    return data_dir, location


def start_ours(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """`ugkg serve` with its default settings (only the port and the log level chosen); its log beside the data."""
    port = common.free_port()
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    log = (data_dir / "serve.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], env=env, cwd=str(common.ROOT),
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    common.wait_healthy(url + "/healthz", process)
    return process, url


def start_oxigraph(location: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    """The reference: `oxigraph serve-read-only` with the union default graph, its output kept. Without
    `--timeout-s`: with it, oxigraph 0.5.13 starts a thread per query to time it, and under 16 clients here the
    thread could not be created and the server panicked ("failed to set up alternative stack guard page")."""
    port = common.free_port()
    log = log_path.open("ab")
    process = subprocess.Popen([common.oxigraph_cli(), "serve-read-only", "--union-default-graph", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    common.wait_healthy(url + "/query?query=ASK%7B%7D", process, timeout_s=120)
    return process, url


def bench_size(size: str, args: argparse.Namespace, work: Path) -> dict:
    data_dir, location = prepare(size, work)
    ours, ours_url = start_ours(data_dir)
    oxi, oxi_url = start_oxigraph(location, work / f"oxigraph-{size}.log")
    print(f"[{size}] ours pid {ours.pid} at {ours_url}, log {data_dir / 'serve.log'}; oxigraph pid {oxi.pid} at {oxi_url}", flush=True)
    targets = {"ours": (ours_url, "/sparql", ours.pid), "oxigraph": (oxi_url, "/query", oxi.pid)}
    scripts = work / f"lua-{size}"
    scripts.mkdir(exist_ok=True)
    triples = generate.parse_size(size) if size != "real" else 0
    figures: dict = {}
    try:
        for name, (template, accept, values) in workloads(size, triples).items():
            for new_text in (True, False):
                key = f"{name}/{'new' if new_text else 'same'}"
                runs: dict[str, dict[str, list[float]]] = {t: {"rps": [], "p50_ms": [], "p99_ms": [], "errors": []} for t in targets}
                for _ in range(args.rounds):
                    for target, (url, path, _) in targets.items():  # alternating in the same run
                        script = write_script(scripts, name, template, accept, values, path, new_text)
                        loaded = run_wrk(url, script, WRK_CLIENTS, WRK_THREADS, args.duration_s)
                        single = run_wrk(url, script, 1, 1, max(2.0, args.duration_s / 2))
                        runs[target]["rps"].append(loaded["rps"])
                        runs[target]["errors"].append(loaded["errors"] + single["errors"])
                        runs[target]["p50_ms"].append(single["p50_ms"])
                        runs[target]["p99_ms"].append(single["p99_ms"])
                figures[key] = {t: {m: statistics.median(v) if m != "errors" else sum(v) for m, v in r.items()} for t, r in runs.items()}
                f = figures[key]
                print(f"[{size}] {key:16} ours {f['ours']['rps']:9.0f} req/s p50 {f['ours']['p50_ms']:7.3f} ms | oxigraph {f['oxigraph']['rps']:9.0f} req/s "
                      f"p50 {f['oxigraph']['p50_ms']:7.3f} ms | ratio req/s {ratio(f['ours']['rps'], f['oxigraph']['rps'])} "
                      f"p50 {ratio(f['ours']['p50_ms'], f['oxigraph']['p50_ms'])} | errors {f['ours']['errors']}/{f['oxigraph']['errors']}", flush=True)
        memory = {t: common.tree_rss_mib(pid) for t, (_, _, pid) in targets.items()}
        figures["rss_mib"] = memory
        figures["rss_detail_ours"] = common.tree_rss_detail(ours.pid)
        print(f"[{size}] RSS whole tree: ours {memory['ours']:.0f} MiB, oxigraph {memory['oxigraph']:.0f} MiB, ratio {ratio(memory['ours'], memory['oxigraph'])}", flush=True)
    finally:
        common.stop(ours)
        common.stop(oxi)
    return figures


def report(results: dict[str, dict]) -> str:
    rows = []
    for size, figures in results.items():
        for key, f in figures.items():
            if "/" not in key:
                continue
            o, x = f["ours"], f["oxigraph"]
            rows.append([size, key, round(o["rps"]), round(x["rps"]), ratio(o["rps"], x["rps"]), f"{o['p50_ms']:.3f}", f"{x['p50_ms']:.3f}",
                         ratio(o["p50_ms"], x["p50_ms"]), f"{o['p99_ms']:.2f}", f"{x['p99_ms']:.2f}", f"{o['errors']}/{x['errors']}"])
        memory = figures["rss_mib"]
        rows.append([size, "RSS MiB (whole tree)", round(memory["ours"]), round(memory["oxigraph"]), ratio(memory["ours"], memory["oxigraph"]), "", "", "", "", "", ""])
    return common.table(["size", "workload", "ours req/s", "oxigraph req/s", "ratio", "ours p50 ms", "oxi p50 ms", "p50 ratio",
                         "ours p99 ms", "oxi p99 ms", "errors"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,100k,1M")
    parser.add_argument("--duration-s", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=str(common.ROOT / "var" / "bench" / "wrk.json"))
    parser.add_argument("--work", default="", help="keep builds, stores and logs here (default: a temporary directory, removed)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: `make bench` installs Debian's wrk", file=sys.stderr)
        return 2
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="ugkg-wrk-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    try:
        for size in args.sizes.split(","):
            results[size] = bench_size(size.strip(), args, work)
            common.dump_json(Path(args.out), {"nproc": os.cpu_count(), "loadavg_at_end": os.getloadavg(), "results": results})
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
