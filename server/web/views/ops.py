"""Operations: liveness and readiness at /healthz, Prometheus metrics at /metrics."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, jsonify

from server.web.runtime import Runtime, current

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    runtime = current()
    manifest = runtime.snapshot.manifest
    return jsonify(
        status="ok",
        snapshot=runtime.snapshot.build_id,
        created=manifest.get("created"),
        store=runtime.settings.store,
        counts=manifest.get("counts"),
        conforms=manifest.get("conforms"),
    )


@bp.get("/metrics")
def metrics() -> Response:
    return Response(current().metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


def counted_elsewhere(runtime: Runtime) -> Callable[[], dict[str, float]]:
    """What the engine and caches count on their own objects, read when the metrics are written or scraped."""

    def read() -> dict[str, float]:
        sparql = runtime.sparql
        return {
            "query_timeouts_total": sparql.executor.timeouts,
            "evaluator_crashes_total": sparql.executor.crashes,
            "slow_lane_refused_total": sparql.slow_lane.refused,
            "result_cache_hits_total": sparql.cache.hits,
            "result_cache_misses_total": sparql.cache.misses,
            "result_cache_shared_hits_total": sparql.cache.shared_hits,
            "answer_cache_hits_total": runtime.answers.hits if runtime.answers else 0,
            "answer_cache_shared_hits_total": runtime.answers.shared_hits if runtime.answers else 0,
            "snapshot_quads": runtime.snapshot.manifest.get("counts", {}).get("quads", 0),
        }

    return read
