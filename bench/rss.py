"""Memory only: the whole-process-tree RSS of `ugkg serve` (default settings) beside `oxigraph serve-read-only`,
summed over the tree as `bench.wrk` sums it, at three moments, without the whole throughput run.

    python -m bench.rss [--sizes real,100k,1M] [--load-s 4] [--rest-s 40] [--work DIR] [--root DIR]

Per size (data prepared as `bench.wrk` prepares it): both servers started; `start` RSS; then every workload of
`bench.wrk` with a new text per request, 16 clients for ``--load-s`` each, on both; `loaded` RSS at once (every
evaluator a load needed still runs); then ``--rest-s`` without requests and `rest` RSS (evaluators idle longer
than `evaluator_idle_s` have stopped); then one client's first join after the rest (`cold_ms`: includes starting
an evaluator when none is left) and the next one (`warm_ms`). ``--root`` serves another checkout (e.g. an
export of an older commit) with this one's harness, for before/after figures on the same data and machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from . import common, generate, wrk


def start_ours(data_dir: Path, root: Path) -> tuple[subprocess.Popen, str]:
    port = common.free_port()
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    log = (data_dir / "serve.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], env=env, cwd=str(root),
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    common.wait_healthy(url + "/healthz", process)
    return process, url


def rss(pids: dict[str, int]) -> dict[str, float]:
    return {t: round(common.tree_rss_mib(pid), 1) for t, pid in pids.items()}


def first_join_ms(url: str, template: str, accept: str, value: str) -> float:
    text = template.replace("{X}", value) + f" # cold {time.time()}"
    started = time.perf_counter()
    r = requests.get(url + "/sparql", params={"query": text}, headers={"Accept": accept}, timeout=60)
    r.raise_for_status()
    return (time.perf_counter() - started) * 1000


def prepared(size: str, work: Path) -> tuple[Path, Path]:
    """``wrk.prepare``'s data, reused when a previous run left it in ``work``."""
    data_dir, location = work / f"data-{size}", work / f"oxigraph-{size}"
    if (data_dir / "snapshots" / "current").exists() and location.is_dir():
        return data_dir, location
    return wrk.prepare(size, work)


def measure(size: str, args: argparse.Namespace, work: Path) -> dict:
    data_dir, location = prepared(size, work)
    ours, ours_url = start_ours(data_dir, Path(args.root))
    oxi, oxi_url = wrk.start_oxigraph(location, work / f"oxigraph-{size}.log")
    pids = {"ours": ours.pid, "oxigraph": oxi.pid}
    figures: dict = {}
    try:
        time.sleep(2)
        figures["start"] = rss(pids)
        scripts = work / f"lua-rss-{size}"
        scripts.mkdir(exist_ok=True)
        loads = wrk.workloads(size, generate.parse_size(size) if size != "real" else 0)
        for name, (template, accept, values) in loads.items():
            for target, url, path in (("ours", ours_url, "/sparql"), ("oxigraph", oxi_url, "/query")):
                script = wrk.write_script(scripts, name, template, accept, values, path, True)
                wrk.run_wrk(url, script, wrk.WRK_CLIENTS, wrk.WRK_THREADS, args.load_s)
        figures["loaded"] = rss(pids)
        figures["loaded_detail_ours"] = common.tree_rss_detail(ours.pid)
        time.sleep(args.rest_s)
        figures["rest"] = rss(pids)
        figures["rest_detail_ours"] = common.tree_rss_detail(ours.pid)
        template, accept, values = loads["join"]
        figures["cold_ms"] = round(first_join_ms(ours_url, template, accept, values[0]), 1)
        figures["warm_ms"] = round(first_join_ms(ours_url, template, accept, values[0]), 1)
        for moment in ("start", "loaded", "rest"):
            m = figures[moment]
            print(f"[{size}] RSS {moment:6}: ours {m['ours']:6.0f} MiB, oxigraph {m['oxigraph']:5.0f} MiB, ratio {wrk.ratio(m['ours'], m['oxigraph'])}", flush=True)
        print(f"[{size}] one client, first join after the rest {figures['cold_ms']:.0f} ms, the next {figures['warm_ms']:.1f} ms", flush=True)
    finally:
        common.stop(ours)
        common.stop(oxi)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,100k,1M")
    parser.add_argument("--load-s", type=float, default=4.0)
    parser.add_argument("--rest-s", type=float, default=40.0)
    parser.add_argument("--root", default=str(common.ROOT), help="the checkout whose `ugkg serve` is measured")
    parser.add_argument("--work", default=str(common.ROOT / "var" / "bench" / "work"), help="builds and stores (kept, reused)")
    parser.add_argument("--out", default=str(common.ROOT / "var" / "bench" / "rss.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = {size: measure(size, args, work) for size in args.sizes.split(",")}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
