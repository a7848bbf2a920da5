"""An evaluator process: opens the engine and answers query jobs over a socket until it is closed or killed.

Started by ``executor.QueryExecutor`` as ``python -m server.evaluator FD`` (a fresh interpreter, so no state,
lock or thread of the web process is inherited, whatever server runs the app).
"""
from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from .errors import ApiError
from .store import open_engine


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
            return
        try:
            conn.send(("ok", engine.evaluate(job)))
        except ApiError as exc:
            conn.send(("api-error", exc))
        except Exception as exc:  # an engine bug: the parent logs it and answers a bare 500
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
