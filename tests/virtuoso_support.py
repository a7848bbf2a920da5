"""Virtuoso (Debian's virtuoso-opensource 7.2) as a second engine behind the remote backend, started by the tests.

Each run gets its own temporary directory, its own virtuoso.ini (database files there, the SQL and HTTP ports
free ports on 127.0.0.1, no DAV, DirsAllowed = that directory only), bulk-loads ``ugkg export --format nq
--for-engines`` with ``ld_dir`` + ``rdf_loader_run`` over isql, and serves SPARQL at /sparql. Skips the test
when virtuoso-t or isql-vt is missing (``make sysdeps`` installs virtuoso-opensource).
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from server.build.snapshot import Snapshot
from server.engine.export import engine_dump

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 4
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {dir}
MaxQueryExecutionTime = {timeout_s}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxClientConnections = 8
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = {timeout_s}
"""


def start_virtuoso(snapshot: Snapshot, work: Path, sql_port: int, http_port: int, timeout_s: int = 30) -> tuple[subprocess.Popen, str]:
    """Start Virtuoso in ``work``, bulk-load the snapshot's engine dump; returns (process, SPARQL endpoint URL)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        pytest.skip("Virtuoso (Debian package virtuoso-opensource) is not installed: make sysdeps")
    work.mkdir(parents=True, exist_ok=True)
    (work / "virtuoso.ini").write_text(INI.format(dir=work, sql_port=sql_port, http_port=http_port, timeout_s=timeout_s), encoding="utf-8")
    (work / "dataset.nq").write_bytes(engine_dump(snapshot))
    process = subprocess.Popen([server, "+foreground", "+configfile", str(work / "virtuoso.ini")], cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("virtuoso-t exited: " + (work / "virtuoso.log").read_text(errors="replace")[-2000:])
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("Virtuoso did not answer in 60 s")
    load = (f"ld_dir('{work}', 'dataset.nq', 'urn:ugkg:graph:unused'); rdf_loader_run(); checkpoint; "
            "SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_state <> 2 OR ll_error IS NOT NULL;")
    done = subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={load}"], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or "\n0\n" not in done.stdout.replace(" ", ""):
        process.kill()
        raise RuntimeError(f"Virtuoso bulk load failed: {done.stdout[-1500:]} {done.stderr[-500:]}")
    return process, url
