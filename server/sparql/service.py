"""The SPARQL service: policy, negotiation, cache and the evaluator pool, independent of HTTP.

Views and pages call ``SparqlService.run``; it never parses a query with rdflib (too slow for the hot path).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from server.sparql import dataset, negotiation
from server.engine.cache import LruCache
from server.errors import MalformedQuery, QueryRefused, QueryTimeout
from server.engine.executor import QueryExecutor
from server.engine.lanes import SlowLane
from server.sparql.metrics import Metrics
from server.sparql.policy import enforce, scan
from server.sparql.protocol import ProtocolRequest
from server.engine.results import Serialised
from server.settings import Settings
from server.build.snapshot import Snapshot
from server.engine.store import QueryJob, StoreSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    result: Serialised
    form: str
    cached: bool
    seconds: float


class SparqlService:
    """Answers SPARQL queries over one snapshot with the settings' limits."""

    def __init__(self, settings: Settings, snapshot: Snapshot, spec: StoreSpec, metrics: Metrics) -> None:
        self.settings = settings
        self.snapshot = snapshot
        self.metrics = metrics
        self.graphs = set(snapshot.graphs)
        self.executor = QueryExecutor(spec, settings.query_workers, settings.query_timeout_s, settings.queue_timeout_s)
        self.cache: LruCache[Serialised] = LruCache(settings.result_cache_entries)
        self.slow_lane = SlowLane(settings.slow_lane_workers, settings.slow_query_s, settings.query_timeout_s)

    def close(self) -> None:
        self.executor.close()

    def offered(self, form: str) -> tuple[str, ...]:
        return negotiation.SELECT_TYPES if form in ("SELECT", "ASK") else negotiation.GRAPH_TYPES

    def _evaluate(self, job: QueryJob) -> Serialised:
        """Run ``job`` on an evaluator, through the slow lane if it was slow before; remember it if it is now."""
        if self.slow_lane.is_known(job):
            with self.slow_lane.slot():
                return self._timed(job)
        return self._timed(job)

    def _timed(self, job: QueryJob) -> Serialised:
        started = time.perf_counter()
        try:
            result = self.executor.run(job)
        except QueryTimeout:
            self.slow_lane.observe(job, time.perf_counter() - started, timed_out=True)
            raise
        self.slow_lane.observe(job, time.perf_counter() - started, timed_out=False)
        return result

    def run(self, request: ProtocolRequest, accept: str | None) -> Answer:
        """Check, negotiate and evaluate; raise the ApiError that describes what went wrong."""
        assert request.query is not None
        started = time.perf_counter()
        shape = scan(request.query)
        enforce(shape, self.settings.service_allowlist)
        default_graphs, named_graphs = dataset.resolve(request.default_graphs, request.named_graphs, shape, self.graphs)
        form = shape.form or "SELECT"
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        fallback = negotiation.SELECT_TYPES if graph_form else ()
        media_type = negotiation.negotiate(accept, self.offered(form), fmt=request.fmt, graph=graph_form, fallback_for=fallback)
        job = QueryJob(
            query=request.query,
            form=form,
            media_type=media_type,
            max_rows=self.settings.max_result_rows,
            inference=request.inference,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            dataset_in_query=shape.dataset_in_query,
            base_iri=request.base_iri,
        )
        cached = self.cache.get(job)
        if cached is None:
            try:
                result = self._evaluate(job)
            except MalformedQuery as exc:
                if shape.update_keywords and shape.form is None:
                    raise QueryRefused("this endpoint is read-only: SPARQL Update is refused", details={"reason": "update"}) from exc
                raise
            self.cache.put(job, result, len(result.body))
        else:
            result = cached
        seconds = time.perf_counter() - started
        self.metrics.observe_query(form, seconds)
        return Answer(result, form, cached is not None, seconds)
