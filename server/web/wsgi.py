"""Production serving with gunicorn (threaded workers), configured from Settings.

Each gunicorn worker builds its own app (no preload): its evaluator processes are started after the fork.
`kill -HUP <master pid>` makes every worker reload the newest snapshot.
"""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from server.settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options: dict[str, Any] = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.web_workers,
            "threads": s.web_threads,
            "worker_class": "gthread",
            "timeout": int(s.query_timeout_s + s.queue_timeout_s + 30),
            "graceful_timeout": 10,
            "keepalive": 5,
            "limit_request_line": 0,  # our own limit (max_query_chars) answers 414 with a message
            "accesslog": None,
            "loglevel": s.log_level.lower(),
            # gunicorn 27's control socket defaults to one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
            # a second server (tests, benchmarks, two deployments) would take it over or fail on it. We do not
            # use gunicornc; the master still answers signals (HUP reloads the snapshot).
            "control_socket_disable": True,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from server.web.app import create_app

        return create_app(self.settings)


def serve(settings: Settings) -> None:
    _Gunicorn(settings).run()
