"""An evaluator process: opens the engine and answers query jobs over a socket until it is closed or killed.

Started by ``executor.QueryExecutor`` as ``python -m server.engine.evaluator FD PARENT_PID`` (a fresh interpreter, so no state,
lock or thread of the web process is inherited, whatever server runs the app).
"""
from __future__ import annotations

import os
import sys
import threading
import time
from multiprocessing.connection import Connection

from server.errors import ApiError
from server.engine.factory import open_engine
from server.engine.failures import classify


PARENT_CHECK_S = 0.5


def exit_with_parent(parent: int) -> None:
    """End this process when the web worker that started it is gone (killed, or stopped while a query ran):
    an orphan would otherwise run its query with no one to time it out. pyoxigraph releases the GIL while it
    evaluates, so this thread runs during a query. (PR_SET_PDEATHSIG fires when the spawning *thread* ends,
    and evaluators are started from short-lived threads, so it cannot be used.) ``parent`` is given by the
    parent: ``getppid()`` here would already be 1 if it died while this interpreter started."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="ugkg-parent-watch", daemon=True).start()


def serve(conn: Connection) -> None:
    spec = conn.recv()
    try:
        engine = open_engine(spec)
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            # the web worker is gone: leave at once. A normal interpreter exit would first close the store
            # (RocksDB's shutdown can take long under load), and once finalisation starts the watch thread can
            # no longer run, so nothing would bound it.
            os._exit(0)
        try:
            conn.send(("ok", engine.evaluate(job)))
        except ApiError as exc:
            conn.send(("api-error", exc))
        except Exception as exc:  # an engine bug (the parent logs it, answers 500), unless the query alone caused it
            classified = classify(exc, getattr(job, "query", ""))
            conn.send(("api-error", classified) if classified is not None else ("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    exit_with_parent(int(sys.argv[2]))
    serve(Connection(int(sys.argv[1])))
