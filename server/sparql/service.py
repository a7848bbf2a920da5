"""The SPARQL service: policy, negotiation, cache and the evaluator pool, independent of HTTP.

Views and pages call ``SparqlService.run``; it never parses a query with rdflib (too slow for the hot path).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from server.sparql import dataset, hints, negotiation
from server.engine.cache import SharedCache, cache_key
from server.errors import MalformedQuery, QueryRefused, QueryTimeout
from server.engine.embedded import OxigraphEngine
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
NEGOTIATION_MEMO_ENTRIES = 1024


@dataclass(frozen=True)
class Answer:
    result: Serialised
    form: str
    cached: bool
    seconds: float
    hints: tuple[hints.Hint, ...] = field(default=())  # advice for an empty answer (``sparql.hints``)
    federated: bool = False  # answered with SERVICE calls: not cacheable anywhere


class SparqlService:
    """Answers SPARQL queries over one snapshot with the settings' limits."""

    def __init__(self, settings: Settings, snapshot: Snapshot, spec: StoreSpec, metrics: Metrics, cache: SharedCache[Serialised] | None = None) -> None:
        self.settings = settings
        self.snapshot = snapshot
        self.metrics = metrics
        self.graphs = set(snapshot.graphs)
        self.executor = QueryExecutor(spec, settings.query_workers, settings.query_timeout_s, settings.queue_timeout_s,
                                      settings.evaluator_idle_s)
        self.cache: SharedCache[Serialised] = cache or SharedCache(None, 0, settings.result_cache_entries)
        self.slow_lane = SlowLane(settings.slow_lane_workers, settings.slow_query_s, settings.query_timeout_s)
        # single-pattern queries run here, on the same on-disk store the evaluators read (``sparql.inline``)
        self.inline = OxigraphEngine(spec) if spec.kind == "oxigraph" else None
        self.inline_queries = 0
        self._negotiated: dict[tuple[str | None, str, str | None], str] = {}
        self.known_prefixes = hints.known_prefixes(settings.base_iri)

    def close(self) -> None:
        self.executor.close()
        self.cache.close()

    def offered(self, form: str) -> tuple[str, ...]:
        return negotiation.SELECT_TYPES if form in ("SELECT", "ASK") else negotiation.GRAPH_TYPES

    def _negotiate(self, accept: str | None, form: str, fmt: str | None) -> str:
        """``negotiation.negotiate``, remembered per (Accept, form, format): clients send few distinct headers."""
        key = (accept, form, fmt)
        found = self._negotiated.get(key)
        if found is None:
            graph_form = form in ("CONSTRUCT", "DESCRIBE")
            # RFC 9110 lets a server disregard Accept: a graph asked for with results types only gets Turtle
            fallback = negotiation.SELECT_TYPES if graph_form else ()
            found = negotiation.negotiate(accept, self.offered(form), fmt=fmt, graph=graph_form, fallback_for=fallback)
            if len(self._negotiated) >= NEGOTIATION_MEMO_ENTRIES:
                self._negotiated.clear()
            self._negotiated[key] = found
        return found

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

    def run(self, request: ProtocolRequest, accept: str | None, *, fresh: bool = False) -> Answer:
        """Check, negotiate and evaluate; raise the ApiError that describes what went wrong. ``fresh``: the client
        asked for a new answer (``protocol.asks_fresh``), so the answer cache is not read (the new answer is kept)."""
        assert request.query is not None
        started = time.perf_counter()
        shape = scan(request.query)
        enforce(shape, self.settings.service_allow)
        default_graphs, named_graphs = dataset.resolve(request.default_graphs, request.named_graphs, shape, self.graphs)
        form = shape.form or "SELECT"
        media_type = self._negotiate(accept, form, request.fmt)
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
            federated=bool(shape.services),
        )
        key = cache_key(job.query, job.form, job.media_type, job.max_rows, job.inference, job.default_graphs, job.named_graphs,
                        job.dataset_in_query, job.base_iri)
        # a federated answer depends on the other endpoint's data, not only on this snapshot: never cached
        cached = None if job.federated or fresh else self.cache.get(key)
        if cached is None:
            try:
                if self.inline is not None and default_graphs is None and named_graphs is None and shape.single_pattern:
                    self.inline_queries += 1
                    result = self.inline.evaluate_pattern(job, time.monotonic() + self.settings.query_timeout_s, limit=shape.single_pattern.limit)
                else:
                    result = self._evaluate(job)
            except MalformedQuery as exc:
                if shape.update_keywords and shape.form is None:
                    raise QueryRefused("this endpoint is read-only: SPARQL Update is refused", details={"reason": "update"}) from exc
                self._add_hint(exc, request.query)
                raise
            if not job.federated:
                self.cache.put(key, result, len(result.body))
        else:
            result = cached
        seconds = time.perf_counter() - started
        self.metrics.observe_query(form, seconds)
        empty = (form == "SELECT" and result.rows == 0) or (form == "ASK" and b"false" in result.body)
        return Answer(result, form, cached is not None, seconds,
                      hints=tuple(hints.empty_answer_hints(request.query)) if empty else (), federated=job.federated)

    def _add_hint(self, error: MalformedQuery, query: str) -> None:
        """Put the hint for a common mistake (``sparql.hints``) in the error's body and as its message's last line."""
        try:
            hint = hints.syntax_hint(query, error.message, str(error.details.get("position", "")), self.known_prefixes)
            tidy = hints.tidy_message(error.message)
        except Exception:  # a hint is advice: never let finding one turn a 400 into a 500
            log.exception("finding a hint failed")
            return
        if tidy != error.message:  # the engine's own words stay in the body
            error.details.setdefault("engine_message", error.message)
            error.message = tidy
        if hint is not None:
            error.details.update({"hint": hint.text, "hint_code": hint.code})
            error.message = f"{error.message}\nhint: {hint.text}"
