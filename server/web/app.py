"""The Flask application factory: one app per Settings, serving one snapshot."""
from __future__ import annotations

import atexit
import logging
import time

from flask import Flask, Response, g, request

from server.sparql.metrics import Metrics
from server.web.runtime import Runtime
from server.settings import Settings
from server.build.snapshot import Snapshot, current_snapshot, pin
from server.sparql.service import SparqlService
from server.engine.embedded import ensure_disk_store
from server.engine.factory import spec_for
from server.web.guards import add_cors, check_utf8
from server.web.views import dataset, errors, ops, resources, sparql, store, ui

log = logging.getLogger("ugkg.access")


def create_app(settings: Settings | None = None, snapshot: Snapshot | None = None) -> Flask:
    """Build the app; raises SnapshotError when there is no valid snapshot to serve."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    snapshot = snapshot or current_snapshot(settings.snapshots_dir)
    if settings.store == "oxigraph":
        ensure_disk_store(snapshot)
    metrics = Metrics()
    service = SparqlService(settings, snapshot, spec_for(settings.store, snapshot, settings.query_timeout_s), metrics)
    runtime = Runtime(settings, snapshot, service, metrics, pinned=pin(snapshot.path))  # newer builds must not prune it
    atexit.register(runtime.close)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None  # protocol.py enforces max_body_bytes with our own error
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ugkg"] = runtime
    errors.register(app)
    for blueprint in (sparql.bp, store.bp, ops.bp, ui.bp, resources.bp, dataset.bp):
        app.register_blueprint(blueprint)
    app.before_request(_start_timer)
    app.after_request(_finish)
    return app


def _start_timer() -> None:
    g.started = time.perf_counter()
    check_utf8(request)


def _finish(response: Response) -> Response:
    """CORS for everyone (never with credentials), access log with timing, request metrics."""
    add_cors(request, response)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    from server.web.runtime import current

    current().metrics.observe_request(endpoint, response.status_code)
    log.info("%s %s %s %.1fms query=%sms", request.method, request.path, response.status_code, elapsed_ms, response.headers.get("X-Query-Time-Ms", "-"))
    return response
