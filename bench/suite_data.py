"""The data of the generated suite: our snapshot at a benchmark size, and Oxigraph given exactly our default graph.

Our default graph is the *set* union of the ontology, data, extra and inferred graphs (README, "The SPARQL
endpoint"). `oxigraph serve-read-only --union-default-graph` would instead answer over the *bag* of every named
graph, shapes, validation and meta included: a triple stated in two graphs counts twice in `COUNT(*)` and the
triples that are not in our default graph are added (issue 21 measured 1,011,193 triples there against our 1,009,525 at +1M). So the
reference here is loaded from `ugkg export --format nq --for-engines`, whose `urn:ugkg:graph:all-union` graph is
our engine's default graph as a set: its quads, written as triples, become Oxigraph's own default graph, and
`serve-read-only` runs without `--union-default-graph`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from . import common, generate

ALL_UNION = "<urn:ugkg:graph:all-union>"


def build_snapshot(size: str, work: Path) -> Path:
    """`ugkg build --if-changed` of the real graph (+ the generated triples of ``size``), as bench.wrk builds it;
    the data dir. The generated file is written once (bench.generate is deterministic: seed 42), so an unchanged
    source tree is not built again (the snapshot's fingerprint covers the sources, the settings and the extra file)."""
    data_dir = work / f"data-{size}"
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "server.cli", "build", "--if-changed"]
    if size != "real":
        extra = work / f"extra-{size}.nt"
        if not extra.exists():
            with extra.open("w") as out:
                for quad in generate.quads(generate.parse_size(size)):
                    out.write(quad.rsplit(" <", 1)[0] + " .\n")
        cmd += ["--with", str(extra)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=str(common.ROOT), check=True, capture_output=True, text=True, timeout=3600)
    print(f"[{size}] ugkg build --if-changed: {time.perf_counter() - started:.1f} s ({done.stdout.strip().splitlines()[0] if done.stdout.strip() else ''})", flush=True)
    return data_dir


def snapshot_id(data_dir: Path) -> str:
    return os.readlink(data_dir / "snapshots" / "current")


def union_triples(nquads: Path, out: Path) -> int:
    """Write the quads of the all-union graph as N-Triples (the graph term dropped); the number written.

    A line of N-Quads ends with `<graph> .`; blank-node labels stay as they are, so within this one graph
    they keep naming the same nodes."""
    suffix = " " + ALL_UNION + " .\n"
    written = 0
    with nquads.open("r", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            if line.endswith(suffix):
                dst.write(line[: -len(suffix)] + " .\n")
                written += 1
    return written


def oxigraph_store(size: str, data_dir: Path, work: Path) -> tuple[Path, int]:
    """An Oxigraph store whose default graph is our default graph (kept when already loaded); (location, triples)."""
    location = work / f"oxigraph-union-{size}-{snapshot_id(data_dir)}"  # a new snapshot, a new store
    count_file = location / "ugkg-union-triples.txt"
    if count_file.exists():
        return location, int(count_file.read_text())
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    nq = work / f"engines-{size}.nq"
    subprocess.run([sys.executable, "-m", "server.cli", "export", "--format", "nq", "--for-engines", "-o", str(nq)],
                   env=env, cwd=str(common.ROOT), check=True, timeout=3600)
    nt = work / f"union-{size}.nt"
    triples = union_triples(nq, nt)
    nq.unlink()
    seconds, _ = common.oxigraph_load(location, nt)
    nt.unlink()
    count_file.write_text(str(triples))
    print(f"[{size}] oxigraph load of the all-union graph ({triples:,} triples): {seconds:.1f} s", flush=True)
    return location, triples


def port(base: int, offset: int) -> int:
    """``base + offset`` when a base is given (a session's own port range), else a free port."""
    return base + offset if base else common.free_port()


def start_ours(data_dir: Path, bind_port: int) -> tuple[subprocess.Popen, str]:
    """`ugkg serve` with its default settings, as bench.wrk starts it; its log beside the data."""
    env = dict(os.environ, UGKG_DATA_DIR=str(data_dir), UGKG_LOG_LEVEL="WARNING")
    log = (data_dir / "serve.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(bind_port)],
                               env=env, cwd=str(common.ROOT), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{bind_port}"
    common.wait_healthy(url + "/healthz", process)
    return process, url


def start_oxigraph(location: Path, bind_port: int, log_path: Path, *, writable: bool = False) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve-read-only` on the store (its default graph is ours; no `--union-default-graph`), or the
    writable `oxigraph serve` the generator runs against (the issue asks for it; its SERVICE client is the same)."""
    log = log_path.open("ab")
    mode = "serve" if writable else "serve-read-only"
    process = subprocess.Popen([common.oxigraph_cli(), mode, "--location", str(location), "--bind", f"127.0.0.1:{bind_port}"],
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{bind_port}"
    common.wait_healthy(url + "/query?query=ASK%7B%7D", process, timeout_s=120)
    return process, url
