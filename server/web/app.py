"""The Flask application factory: one app per Settings, serving one snapshot."""
from __future__ import annotations

import atexit
import logging
import time
from pathlib import Path

from flask import Flask, Response, g, request

from server.engine.cache import SharedCache, shared_cache_dir

from server.sparql.metrics import Metrics
from server.web.runtime import Runtime
from server.settings import Settings
from server.build.snapshot import Snapshot, current_snapshot, pin
from server.sparql.service import SparqlService
from server.engine.embedded import ensure_disk_store
from server.engine.factory import spec_for
from server.web import httpcache
from server.web.front import CachedAnswer, Front
from server.web.guards import add_cors, check_utf8
from server.web.hot import SparqlFastPath
from server.web.views import dataset, errors, ops, resources, sparql, store, ui
from server.web.views import api as rest_api
from server.web.views import releases as release_views
from server.web.site import i18n, landing

log = logging.getLogger("ugkg.access")


def create_app(settings: Settings | None = None, snapshot: Snapshot | None = None, metrics_dir: Path | None = None) -> Flask:
    """Build the app; raises SnapshotError when there is no valid snapshot to serve.

    ``metrics_dir``: the directory the server's workers share their counters through (see server.sparql.metrics);
    None for an app alone in its process."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    snapshot = snapshot or current_snapshot(settings.snapshots_dir)
    if settings.store == "oxigraph":
        ensure_disk_store(snapshot)
    metrics = Metrics(metrics_dir)
    cache_dir = None
    if settings.shared_cache_mib > 0 and settings.result_cache_entries > 0:
        cache_dir = shared_cache_dir(settings.shared_cache_dir, settings.snapshots_dir, snapshot.build_id, answer_fingerprint(settings))
    # GET answers are shared by every worker; query jobs (POSTs, the pages' own queries) stay per process, since a
    # second shared write on every new query cost more than it saved
    answers: SharedCache[CachedAnswer] = SharedCache(cache_dir, settings.shared_cache_mib << 20, settings.result_cache_entries)
    service = SparqlService(settings, snapshot, spec_for(settings.store, snapshot, settings.query_timeout_s), metrics)
    runtime = Runtime(settings, snapshot, service, metrics, pinned=pin(snapshot.path), answers=answers)  # pinned: newer builds must not prune it
    atexit.register(runtime.close)
    metrics.watch(ops.counted_elsewhere(runtime))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None  # protocol.py enforces max_body_bytes with our own error
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ugkg"] = runtime
    errors.register(app)
    i18n.init_app(app)
    app.register_blueprint(landing.bp)
    for blueprint in (sparql.bp, store.bp, ops.bp, ui.bp, resources.bp, dataset.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(rest_api.bp)
    app.register_blueprint(release_views.bp)
    app.before_request(_start_timer)
    app.after_request(_finish)
    # outermost first: the answer cache, then the lean SPARQL path, then Flask for everything else
    app.wsgi_app = Front(SparqlFastPath(app, runtime, app.wsgi_app), answers, metrics.observe_request)  # type: ignore[method-assign]
    return app


ANSWER_SHAPING_SETTINGS = ("base_iri", "store", "max_result_rows", "service_allow", "http_max_age_s", "sources_dir", "link_base",
                           "releases_dir", "releases_kept")


def answer_fingerprint(settings: Settings) -> str:
    """What, besides the snapshot, shapes an answer: servers that differ here never share cached answers."""
    from server.engine.cache import cache_key

    return cache_key(*(getattr(settings, name) for name in ANSWER_SHAPING_SETTINGS))[:12]


def _start_timer() -> None:
    g.started = time.perf_counter()
    check_utf8(request)


def _finish(response: Response) -> Response:
    """CORS for everyone (never with credentials), access log with timing, request metrics."""
    add_cors(request, response)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    from server.web.runtime import current

    runtime = current()
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    runtime.metrics.observe_request(endpoint, response.status_code)
    if log.isEnabledFor(logging.DEBUG):  # the HTTP server layer writes the access log; this adds the timings
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.debug("%s %s %s %.1fms query=%sms", request.method, request.path, response.status_code, elapsed_ms, response.headers.get("X-Query-Time-Ms", "-"))
    return httpcache.finalize(request, response, runtime.settings.http_max_age_s)
