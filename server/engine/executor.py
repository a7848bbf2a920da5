"""Enforced query time limits: queries run in a pool of evaluator processes that can be killed.

Neither pyoxigraph nor rdflib can cancel a running query from Python, so the only honest time limit is a
process that can be killed. Each evaluator opens the engine itself (``StoreSpec`` is picklable), takes one
job at a time over a pipe, and answers with a finished body. When a job overruns the limit, the evaluator is
killed, the client gets ``QueryTimeout`` at once, and a replacement starts (in the background, or when a query
next needs one: ``evaluator_idle_s``); other clients keep being served by the remaining evaluators meanwhile.

Evaluators are fresh interpreters (``python -m server.engine.evaluator``), not forks of a pre-loaded template:
the benchmark sums RSS over the process tree, where pages a fork shares copy-on-write still count once per
process, so a template would only add its own ~25 MiB; it would save only start time (~0.3-0.45 s measured,
paid by the first query after an idle spell).
"""
from __future__ import annotations

import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from server.errors import InternalError, Overloaded, QueryTimeout
from server.engine.results import Serialised
from server.engine.store import QueryJob, StoreSpec

log = logging.getLogger(__name__)
START_TIMEOUT_S = 300.0
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent.parent)
# Oxigraph parses and evaluates recursively: with the usual 8 MiB stack a long flat chain (8,000 `1+1+…`,
# 10,000 triple patterns: well under max_query_chars) overflows it and the evaluator dies of SIGSEGV. Evaluators
# get a 1 GiB stack limit (address space only: pages are used as the recursion goes), which covers every query
# up to max_query_chars; such queries then end as answers or as time-limit 503s, never as crashes.
EVALUATOR_STACK_BYTES = 1 << 30
_SPAWN_LOCK = threading.Lock()


def _spawn_with_big_stack(*args, **kwargs) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    """Popen with RLIMIT_STACK raised for the child (inherited through exec; no unsafe preexec_fn)."""
    with _SPAWN_LOCK:
        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        want = EVALUATOR_STACK_BYTES if hard == resource.RLIM_INFINITY else min(hard, EVALUATOR_STACK_BYTES)
        raise_it = soft != resource.RLIM_INFINITY and soft < want
        if raise_it:
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
        try:
            return subprocess.Popen(*args, **kwargs)
        finally:
            if raise_it:
                resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))


@dataclass(eq=False)  # identity: evaluators live in a set
class _Evaluator:
    process: subprocess.Popen[bytes]
    conn: Connection

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        finally:
            self.conn.close()


class QueryExecutor:
    """A pool of at most ``size`` evaluator processes with a time limit per query and a bounded wait for a free one.

    With ``idle_s`` > 0 the pool grows on demand and shrinks when idle: a query that finds no idle evaluator
    starts one (while it waits, one freed by another query serves it just as well), and an evaluator left idle
    for ``idle_s`` is stopped. An idle server then holds no evaluator at all (each is a Python interpreter with
    the store open: ~42 MiB RSS on the real graph, measured), and the first query after a quiet spell pays a
    start. With ``idle_s`` = 0 all ``size`` evaluators start with the pool and stay (a dead one is replaced).
    One evaluator always starts with the pool, so that a store that cannot be opened stops the server at start.
    """

    def __init__(self, spec: StoreSpec, size: int, timeout_s: float, queue_timeout_s: float, idle_s: float = 0.0) -> None:
        self.spec = spec
        self.timeout_s = timeout_s
        self.queue_timeout_s = queue_timeout_s
        self.size = size
        # a 'memory' evaluator loads the whole snapshot when it starts (seconds at 1M triples, measured 30 s for
        # four): started on demand it would keep its first query waiting past queue_timeout_s, so it stays
        self.idle_s = idle_s if spec.kind != "memory" else 0.0
        self._idle: list[tuple[_Evaluator, float]] = []  # (evaluator, idle since): the newest is taken first
        self._free = threading.Condition()  # guards _idle and _live; notified when either changes
        self._live = 0  # evaluators started or starting and not yet stopped: at most ``size``
        self._closed = False
        self._every: set[_Evaluator] = set()  # idle and busy: close() ends them all
        self._every_lock = threading.Lock()
        self.timeouts = 0
        self.crashes = 0
        self.started = 0  # evaluators started since the pool was made (the first ones included)
        self.retired = 0  # evaluators stopped after idle_s without work
        evaluators = [self._start() for _ in range(size if self.idle_s <= 0 else min(size, 1))]
        self._live = len(evaluators)
        for evaluator in evaluators:
            self._await_ready(evaluator)
            self._release(evaluator)
        if self.idle_s > 0:
            threading.Thread(target=self._retire_idle, name="ugkg-evaluator-retire", daemon=True).start()

    def _start(self) -> _Evaluator:
        parent, child = socket.socketpair()
        process = _spawn_with_big_stack(
            [sys.executable, "-m", "server.engine.evaluator", str(child.fileno()), str(os.getpid())],
            pass_fds=(child.fileno(),),
            cwd=PROJECT_ROOT if (Path(PROJECT_ROOT) / "server").is_dir() else None,
            stdin=subprocess.DEVNULL,
        )
        child.close()
        conn = Connection(parent.detach())
        conn.send(self.spec)
        evaluator = _Evaluator(process, conn)
        with self._every_lock:
            self._every.add(evaluator)
        self.started += 1
        return evaluator

    def _await_ready(self, evaluator: _Evaluator) -> None:
        if not evaluator.conn.poll(START_TIMEOUT_S):
            evaluator.kill()
            raise RuntimeError("a query evaluator did not start in time")
        status, message = evaluator.conn.recv()
        if status != "ready":
            evaluator.kill()
            raise RuntimeError(f"a query evaluator could not open the store: {message}")

    def _release(self, evaluator: _Evaluator) -> None:
        with self._free:
            self._idle.append((evaluator, time.monotonic()))
            self._free.notify()

    def _grow(self) -> None:
        """Start one more evaluator off the request thread (the caller counted it in ``_live``); it joins the idle ones."""

        def start() -> None:
            fresh = None
            try:
                if not self._closed:
                    fresh = self._start()
                    self._await_ready(fresh)
            except Exception:
                log.exception("could not start a query evaluator")
                fresh = None
            if fresh is not None and not self._closed:
                self._release(fresh)
                return
            if fresh is not None:
                fresh.kill()
            with self._free:
                self._live -= 1
                self._free.notify()

        threading.Thread(target=start, name="ugkg-evaluator-start", daemon=True).start()

    def _replace(self, dead: _Evaluator) -> None:
        """Kill ``dead``; a fixed pool starts its replacement at once, an on-demand one when a query needs it."""
        dead.kill()
        with self._every_lock:
            self._every.discard(dead)
        with self._free:
            if self.idle_s <= 0 and not self._closed:
                self._grow()  # counted in _live already: the dead one's place
            else:
                self._live -= 1
                self._free.notify()

    def _acquire(self) -> _Evaluator:
        """An idle evaluator, or one started for this query, within ``queue_timeout_s``; else ``Overloaded``."""
        deadline = time.monotonic() + self.queue_timeout_s
        with self._free:
            while True:
                if self._idle:
                    return self._idle.pop()[0]
                if self._live < self.size and not self._closed:
                    self._live += 1
                    self._grow()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._free.wait(remaining)
        raise Overloaded(
            f"all {self.size} query evaluators stayed busy for {self.queue_timeout_s:g} s "
            "(settings query_workers, queue_timeout_s); try again shortly",
            headers={"Retry-After": str(max(1, round(self.timeout_s)))},
        )

    def _retire_idle(self) -> None:
        """Stop evaluators idle for ``idle_s`` (checked a few times per ``idle_s``, at least once a second)."""
        period = min(1.0, self.idle_s / 4)
        while not self._closed:
            time.sleep(period)
            now = time.monotonic()
            with self._free:
                stale = [e for e, since in self._idle if now - since >= self.idle_s]
                if not stale:
                    continue
                self._idle = [(e, since) for e, since in self._idle if now - since < self.idle_s]
                self._live -= len(stale)
            for evaluator in stale:
                with self._every_lock:
                    self._every.discard(evaluator)
                try:
                    evaluator.kill()
                except (OSError, subprocess.TimeoutExpired):
                    pass
                self.retired += 1

    def run(self, job: QueryJob) -> Serialised:
        evaluator = self._acquire()
        started = time.monotonic()
        try:
            evaluator.conn.send(job)
            ready = evaluator.conn.poll(self.timeout_s)
            if not ready:
                self.timeouts += 1
                self._replace(evaluator)
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout_s:g} s (setting query_timeout_s) and was stopped",
                    details={"limit_s": self.timeout_s},
                    headers={"Retry-After": str(max(1, round(self.timeout_s)))},
                )
            status, payload = evaluator.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.crashes += 1
            self._replace(evaluator)
            error = InternalError("the query evaluator stopped unexpectedly; it has been replaced")
            log.error("evaluator stopped during a query, request id %s", error.request_id)
            raise error from None
        self._release(evaluator)
        if status == "ok":
            return payload
        if status == "api-error":
            raise payload
        error = InternalError("the query engine failed")
        log.error("evaluator error after %.3f s, request id %s: %s", time.monotonic() - started, error.request_id, payload)
        raise error

    def close(self) -> None:
        """Stop every evaluator, busy ones included (their clients get an error, not a hang)."""
        self._closed = True
        with self._free:
            self._free.notify_all()
        with self._every_lock:
            every, self._every = list(self._every), set()
        for evaluator in every:
            try:
                evaluator.kill()
            except (OSError, subprocess.TimeoutExpired):
                pass
