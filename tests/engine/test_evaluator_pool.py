"""The evaluator pool on demand (setting ``evaluator_idle_s``): evaluators start when queries need them, up to
``query_workers``, and stop after ``evaluator_idle_s`` without work; the time limit still kills a runaway query,
and a killed master leaves no evaluator behind. ``evaluator_idle_s = 0`` keeps the fixed pool."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from server.engine.embedded import ensure_disk_store
from server.engine.executor import QueryExecutor
from server.engine.factory import spec_for
from server.engine.store import QueryJob
from server.errors import Overloaded, QueryTimeout

from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
# never finishes on the mini data (~40^8 rows): only the time limit ends it
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }"
ASK_FORUM = "ASK { <https://w3id.org/ugkg/id/event/forum> a <https://schema.org/Event> }"
JOIN = "SELECT ?s ?o WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 3"
JSON = "application/sparql-results+json"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc (Linux)")


def job(query: str) -> QueryJob:
    return QueryJob(query=query, form="ASK" if query.startswith("ASK") else "SELECT", media_type=JSON, max_rows=10)


def wait_until(condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def processes(executor: QueryExecutor) -> list[subprocess.Popen[bytes]]:
    return [e.process for e in list(executor._every)]


@pytest.fixture()
def spec(mini_snapshot):  # type: ignore[no-untyped-def]
    ensure_disk_store(mini_snapshot)
    return spec_for("oxigraph", mini_snapshot)


@pytest.fixture()
def pools() -> Iterator[list[QueryExecutor]]:
    made: list[QueryExecutor] = []
    yield made
    for pool in made:
        pool.close()


def test_an_on_demand_pool_starts_one_evaluator_and_stops_it_after_idle_s(spec, pools) -> None:  # type: ignore[no-untyped-def]
    pool = QueryExecutor(spec, 2, timeout_s=5.0, queue_timeout_s=5.0, idle_s=0.5)
    pools.append(pool)
    (first,) = processes(pool)
    assert pool.started == 1 and first.poll() is None
    wait_until(lambda: first.poll() is not None, 10, "the idle evaluator was stopped")
    assert pool.retired == 1 and processes(pool) == []
    # the next query starts one and is answered by it
    assert b"true" in pool.run(job(ASK_FORUM)).body
    assert pool.started == 2 and len(processes(pool)) == 1


def test_a_busy_pool_grows_to_query_workers_and_no_further(spec, pools) -> None:  # type: ignore[no-untyped-def]
    pool = QueryExecutor(spec, 2, timeout_s=8.0, queue_timeout_s=3.0, idle_s=60.0)
    pools.append(pool)
    outcomes: list[str] = []
    lock = threading.Lock()

    def endless() -> None:
        try:
            pool.run(job(ENDLESS))
            outcome = "answered"
        except QueryTimeout:
            outcome = "timeout"
        except Overloaded:
            outcome = "overloaded"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=endless) for _ in range(3)]
    for thread in threads[:2]:
        thread.start()
    # the second query found no idle evaluator and started one: both now run their query
    running = wait_until(lambda: len(p := processes(pool)) == 2 and not pool._idle and p, 10, "two evaluators busy")
    threads[2].start()  # a third finds both busy and may not start a third evaluator
    time.sleep(1.0)
    assert len(processes(pool)) == 2
    for thread in threads:
        thread.join(30)
    # two ran until the time limit, which killed their evaluators; the third found none free in 3 s
    assert sorted(outcomes) == ["overloaded", "timeout", "timeout"]
    assert pool.started == 2 and pool.timeouts == 2
    assert all(p.poll() is not None for p in running), "a timed-out evaluator is still running"
    assert b"true" in pool.run(job(ASK_FORUM)).body  # a fresh one, started on demand
    assert pool.started == 3


def test_a_fixed_pool_starts_every_evaluator_and_replaces_a_timed_out_one(spec, pools) -> None:  # type: ignore[no-untyped-def]
    pool = QueryExecutor(spec, 2, timeout_s=1.0, queue_timeout_s=5.0, idle_s=0)
    pools.append(pool)
    before = processes(pool)
    assert pool.started == 2 and len(before) == 2
    with pytest.raises(QueryTimeout):
        pool.run(job(ENDLESS))
    wait_until(lambda: pool.started == 3 and len(pool._idle) == 2, 30, "the killed evaluator was replaced")
    assert sum(p.poll() is not None for p in before) == 1
    time.sleep(1.5)  # a fixed pool never retires an idle evaluator
    assert pool.retired == 0 and len(processes(pool)) == 2


# --- a real server: evaluators started on demand follow a killed master ----------------------------------------

def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2:].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return raw[raw.rindex(")") + 2:].split()[0] != "Z"


@pytest.mark.slow
def test_on_demand_evaluators_retire_when_idle_and_leave_with_a_killed_master(mini_settings, mini_snapshot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = dict(os.environ, UGKG_DATA_DIR=mini_settings.data_dir, UGKG_SOURCES_DIR=mini_settings.sources_dir,
               UGKG_LOG_LEVEL="WARNING", UGKG_EVALUATOR_IDLE_S="2", UGKG_RESULT_CACHE_ENTRIES="0", UGKG_SHARED_CACHE_MIB="0")
    with (tmp_path / "serve.log").open("wb") as log:
        master = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--web-workers", "2", "--query-workers", "2"], env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    seen: set[int] = set()

    def evaluators() -> set[int]:
        workers = children(master.pid)
        found = {e for w in workers for e in children(w)}
        seen.update(workers | found)
        return found

    def healthy() -> bool:
        if master.poll() is not None:
            return True
        try:
            return requests.get(url + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(healthy, 60, "the server answers")
        assert master.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
        wait_until(lambda: not evaluators(), 30, "the evaluators started with the workers retired after 2 s idle")
        # concurrent joins (answered by evaluators, not in the web process): evaluators start again
        results: list[int] = []

        def client(k: int) -> None:
            session = requests.Session()
            for n in range(20):
                results.append(session.get(url + "/sparql", params={"query": f"{JOIN} # {k}-{n}"}, headers={"Accept": JSON}, timeout=30).status_code)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert results and set(results) == {200}
        running = wait_until(evaluators, 5, "evaluators started on demand")
        assert 1 <= len(running) <= 4
        master.kill()  # an unclean stop: workers and evaluators must leave by themselves
        master.wait(timeout=30)
        wait_until(lambda: not [p for p in seen if alive(p)], 30, "the orphaned workers and evaluators exited")
    finally:
        if master.poll() is None:
            master.kill()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_memory_store_keeps_its_evaluators_whatever_evaluator_idle_s(mini_snapshot, pools) -> None:  # type: ignore[no-untyped-def]
    """A 'memory' evaluator loads the whole snapshot when it starts: on demand, its first query would wait for it."""
    pool = QueryExecutor(spec_for("memory", mini_snapshot), 2, timeout_s=5.0, queue_timeout_s=5.0, idle_s=0.3)
    pools.append(pool)
    assert pool.started == 2
    time.sleep(1.5)
    assert pool.retired == 0 and len(processes(pool)) == 2
