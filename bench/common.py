"""Shared by bench.run and bench.load: a snapshot of generated data, our server and oxigraph's, /proc RSS, stats."""
from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import requests

from . import generate

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_snapshot(data_dir: Path, triples: int) -> tuple[Path, int, float]:
    """Write generated data as a snapshot (no SHACL, no reasoning); returns (nq path, quads, seconds)."""
    from server.build.snapshot import write_snapshot

    started = time.perf_counter()
    lines = list(generate.quads(triples))
    body = "".join(lines).encode()
    manifest = {
        "base_iri": "https://w3id.org/ugkg/",
        "graphs": {generate.GRAPH: {"kind": "data", "triples": len(lines), "sources": []}},
        "counts": {"asserted": len(lines), "inferred": 0, "quads": len(lines)},
        "generator": "bench.generate",
    }
    snapshot = write_snapshot(data_dir / "snapshots", f"bench-{triples}", body, manifest)
    return snapshot.dataset_path, len(lines), time.perf_counter() - started


def wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{url} not healthy in {timeout_s} s")


def start_ours(data_dir: Path, *, timeout_s: float = 10.0, web_workers: int = 2, query_workers: int = 2, cache: int = 0, extra: Sequence[str] = ()) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_QUERY_TIMEOUT_S=str(timeout_s), UGKG_RESULT_CACHE_ENTRIES=str(cache), UGKG_LOG_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--web-workers", str(web_workers), "--query-workers", str(query_workers), *extra]
    process = subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url + "/healthz", process)
    return process, url


def oxigraph_cli() -> str:
    path = VENV_BIN / "oxigraph"
    return str(path) if path.exists() else (shutil.which("oxigraph") or "oxigraph")


def oxigraph_load(location: Path, nq: Path) -> tuple[float, int]:
    """`oxigraph load`; returns (seconds, peak RSS in KiB of the loader)."""
    started = time.perf_counter()
    process = subprocess.Popen([oxigraph_cli(), "load", "--location", str(location), "--file", str(nq)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError("oxigraph load failed")
    return time.perf_counter() - started, int(usage.ru_maxrss)


def start_oxigraph(location: Path, timeout_s: float = 10.0, writable: bool = False) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve-read-only` with the union default graph (the reference), or a writable `oxigraph serve`
    (the engine behind our remote backend, which names its graphs itself)."""
    port = free_port()
    mode = ["serve"] if writable else ["serve-read-only", "--union-default-graph"]
    process = subprocess.Popen(
        [oxigraph_cli(), *mode, "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(timeout_s))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url + "/query?query=ASK%7B%7D", process, timeout_s=120)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                for child in fh.read().split():
                    out.extend(process_tree(int(child)))
    except OSError:
        pass
    return out


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(pid: int) -> float:
    return sum(rss_kib(p) for p in process_tree(pid)) / 1024


def tree_rss_detail(pid: int) -> dict[str, float]:
    """RSS in MiB per process of the tree, keyed 'pid name'."""
    detail = {}
    for p in process_tree(pid):
        try:
            name = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:60]
        except OSError:
            name = "?"
        detail[f"{p} {name}"] = rss_kib(p) / 1024
    return detail


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |", "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells[1:]]
    return "\n".join(lines)


def dump_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
