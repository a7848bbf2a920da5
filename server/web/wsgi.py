"""Production serving: granian (a Rust HTTP server) by default, gunicorn on request; configured from Settings.

Measured on this project's 2-core machine with wrk (docs/benchmarks.md): the same Flask app answered a cached
SPARQL GET several times faster on granian than on gunicorn's threaded workers, because HTTP parsing, keep-alive
and the access log run in Rust, outside the GIL. Each worker builds its own app after the fork (its evaluator
processes start there); the settings reach it through one environment variable. ``kill -HUP <master pid>``
makes every worker reload the newest snapshot on either server.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from server.settings import Settings

SETTINGS_ENV = "UGKG_SERVE_SETTINGS_JSON"
MASTER_PID_ENV = "UGKG_SERVE_MASTER_PID"
METRICS_DIR_ENV = "UGKG_SERVE_METRICS_DIR"
RESPAWN_INTERVAL_S = 6.0
# granian parses HTTP with hyper, whose request target (the `http` crate's Uri) is at most u16::MAX - 1 bytes: a
# longer GET gets a bare 414 before the app runs, whatever granian is told (measured: 65,534 answered, 65,535 not;
# tests/sparql/test_long_get.py). gunicorn has no such limit (limit_request_line 0), so there max_query_chars rules.
GRANIAN_MAX_TARGET_BYTES = 65_534
MASTER_CHECK_S = 0.5
ORPHAN_CLOSE_S = 5.0


def worker_app() -> Any:
    """The granian factory target: the app for this worker, from the settings the master serialised."""
    from server.web.app import create_app

    closers: list[Callable[[], None]] = []
    _exit_with_master(int(os.environ[MASTER_PID_ENV]), closers)  # before the app: the master may die meanwhile
    raw = json.loads(os.environ[SETTINGS_ENV])
    settings = Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
    app = create_app(settings, metrics_dir=Path(os.environ[METRICS_DIR_ENV]))
    closers.append(app.extensions["ugkg"].close)
    return app


def _exit_with_master(master: int, closers: list[Callable[[], None]]) -> None:
    """End this worker when its master is gone (SIGKILL leaves granian workers running, still accepting on their
    SO_REUSEPORT sockets); its evaluators watch this process in turn and follow. ``master`` comes from the
    master itself, not from ``getppid()`` here, which is already 1 when the master died before this worker ran."""

    def close_all() -> None:
        for close in closers:
            close()

    def watch() -> None:
        while os.getppid() == master:
            time.sleep(MASTER_CHECK_S)
        # close() kills this worker's evaluators; it runs on its own thread so that, whatever it waits for,
        # the worker is gone within ORPHAN_CLOSE_S (its evaluators also leave when their pipe closes)
        closing = threading.Thread(target=close_all, name="ugkg-orphan-close", daemon=True)
        closing.start()
        closing.join(ORPHAN_CLOSE_S)
        os._exit(0)

    threading.Thread(target=watch, name="ugkg-master-watch", daemon=True).start()


def serve(settings: Settings) -> None:
    if settings.http_server not in ("gunicorn", "granian"):
        raise ValueError(f"http_server must be 'granian' or 'gunicorn', not {settings.http_server!r}")
    with _metrics_dir() as metrics_dir:
        if settings.http_server == "gunicorn":
            _serve_gunicorn(settings, metrics_dir)
        else:
            _serve_granian(settings, metrics_dir)


@contextmanager
def _metrics_dir() -> Iterator[Path]:
    """A directory of this server run alone, where its workers leave their counters for /metrics to sum."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    path = Path(tempfile.mkdtemp(prefix="ugkg-metrics-", dir=base))
    owner = os.getpid()
    try:
        yield path
    finally:
        if os.getpid() == owner:  # a forked gunicorn worker leaves through this frame too
            shutil.rmtree(path, ignore_errors=True)


def _serve_granian(settings: Settings, metrics_dir: Path) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
    os.environ[MASTER_PID_ENV] = str(os.getpid())
    os.environ[METRICS_DIR_ENV] = str(metrics_dir)
    level = settings.log_level.lower()
    if settings.max_query_chars > GRANIAN_MAX_TARGET_BYTES // 3:  # a query of non-ASCII text takes 9 bytes a character
        logging.getLogger("ugkg.serve").warning(
            "granian refuses GET request targets over %d bytes (a bare 414 before the app): GET queries up to "
            "max_query_chars = %d are answered with --http-server gunicorn or behind docs/deploy/nginx-front.conf; POST is not limited this way",
            GRANIAN_MAX_TARGET_BYTES, settings.max_query_chars)
    Granian(
        "server.web.wsgi:worker_app",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.web_workers,
        blocking_threads=settings.web_threads,
        backlog=2048,
        respawn_failed_workers=True,  # a worker that dies (killed, out of memory) is replaced
        # on Linux each granian worker listens on its own SO_REUSEPORT socket, bound once its app is loaded: a
        # reload stops an old worker this long after starting its successor, so the successor (evaluators
        # started, store opened) must be up by then or connections are refused; measured up to ~3 s under load
        respawn_interval=RESPAWN_INTERVAL_S,
        workers_kill_timeout=10,
        log_level=LogLevels(level if level in {m.value for m in LogLevels} else "info"),
        log_access=settings.access_log == "yes",
        log_access_format='%(addr)s - "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).3fms',
    ).serve()


def _serve_gunicorn(settings: Settings, metrics_dir: Path) -> None:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.web_workers,
                "threads": settings.web_threads,
                "worker_class": "gthread",
                "timeout": int(settings.query_timeout_s + settings.queue_timeout_s + 30),
                "graceful_timeout": 10,
                "keepalive": 5,
                "limit_request_line": 0,  # our own limit (max_query_chars) answers 414 with a message
                "accesslog": "-" if settings.access_log == "yes" else None,
                "loglevel": settings.log_level.lower(),
                # gunicorn 27's control socket defaults to one fixed path per user: a second server would take
                # it over or fail on it. We do not use gunicornc; the master still answers signals.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from server.web.app import create_app

            return create_app(settings, metrics_dir=metrics_dir)

    Gunicorn().run()
