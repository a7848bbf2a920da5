"""The embedded backend: pyoxigraph in this process, holding the snapshot in memory or in an on-disk store.

Oxigraph evaluates and, when a SELECT answer is whole (within the row limit), writes it in Rust; otherwise our
writers in ``results`` serialise, so the row limit can stop the stream and say so.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox

from server.build.snapshot import Snapshot
from server.engine import results
from server.engine.store import ASSERTED_UNION, EMPTY_GRAPH, SERVICE_DEFAULT_GRAPH, QueryJob, StoreSpec, error_position, load_snapshot_into
from server.engine.failures import classify
from server.errors import MalformedQuery, QueryTimeout, UpstreamError


# In the one-pass path no clock is read while Rust writes the rows: its work is bounded by the row limit, so it
# is taken only while that bound stays small (one index step a row: well under a second on this machine)
NATIVE_BOUND_ROWS = 50_000
GEOF = "http://www.opengis.net/def/function/geosparql/"  # ``geo.GEOF``, named here so that ``geo`` loads on first use


@functools.cache
def geo_functions() -> dict[ox.NamedNode, Any]:
    """The GeoSPARQL functions pyoxigraph lacks (``geo``), imported by the first query that names them: ``geo``
    brings shapely and numpy, ~21 MiB RSS and ~0.3 s a process (measured), which no other query needs."""
    from server.engine.geo import custom_functions

    return custom_functions()


class OxigraphEngine:
    """The embedded engine: pyoxigraph evaluates, our serialisers enforce the row limit."""

    def __init__(self, spec: StoreSpec) -> None:
        self.graphs = {iri: kind for iri, kind in spec.graph_kinds}
        self.public_graphs = [ox.NamedNode(iri) for iri in self.graphs]
        snapshot_dir = Path(spec.snapshot_path)
        if spec.kind == "oxigraph":
            self.store = ox.Store.read_only(str(disk_store_path(snapshot_dir)))
        else:
            self.store = ox.Store()
            load_snapshot_into(self.store, snapshot_dir, self.graphs)

    @staticmethod
    def _graph(iri: str, inference: bool) -> ox.NamedNode | ox.DefaultGraph:
        """A default-graph member: the service default graph placeholder is the union (or asserted union)."""
        if iri == SERVICE_DEFAULT_GRAPH:
            return ox.DefaultGraph() if inference else ox.NamedNode(ASSERTED_UNION)
        return ox.NamedNode(iri)

    def evaluate(self, job: QueryJob) -> results.Serialised:
        if not job.federated:
            return self._evaluate(job)
        try:
            return self._evaluate(job)
        except (OSError, RuntimeError) as exc:
            # Oxigraph's SERVICE client: refused connection, HTTP error, a redirect (it follows none), an
            # unparsable answer. The other endpoint failed, not this one: 502, with the engine's reason.
            raise UpstreamError(f"a SERVICE call failed: {exc}", details={"reason": "service"}) from None

    def _evaluate(self, job: QueryJob) -> results.Serialised:
        kwargs: dict[str, Any] = {}
        if job.default_graphs is not None or job.named_graphs is not None:
            # SPARQL Protocol §2.1.4: the dataset is exactly what was named; no default graph named → an empty one
            kwargs["default_graph"] = [self._graph(g, job.inference) for g in (job.default_graphs or ())] or [ox.NamedNode(EMPTY_GRAPH)]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in (job.named_graphs or ())]
        elif not job.dataset_in_query:
            if not job.inference:
                kwargs["default_graph"] = ox.NamedNode(ASSERTED_UNION)
            kwargs["named_graphs"] = self.public_graphs
        answer = self._query(job, kwargs)
        if isinstance(answer, ox.QueryBoolean):
            return results.serialise_boolean(bool(answer), job.media_type)
        if isinstance(answer, ox.QuerySolutions):
            if job.media_type in results.NATIVE_SOLUTION_FORMATS:
                # written in Rust when whole; else the query runs again for our writer, which cuts and says so
                # (this runs in an evaluator: the time limit kills it whichever writer is at work)
                whole = results.native_solutions(answer, job.media_type, job.max_rows)
                if whole is not None:
                    return whole
                answer = self._query(job, kwargs)
            variables = [v.value for v in answer.variables]
            return results.serialise_solutions(variables, answer, job.media_type, job.max_rows)
        return results.serialise_triples(answer, job.media_type, job.max_rows)

    def _query(self, job: QueryJob, dataset: dict[str, Any]) -> Any:
        try:
            # only a query naming the GeoSPARQL function namespace gets them: passing them costs ~7 µs a query
            # (36 → 43 µs on a trivial one, measured), and no other query can call them
            functions = {"custom_functions": geo_functions()} if GEOF in job.query else {}
            return self.store.query(job.query, base_iri=job.base_iri, **functions, **dataset)
        except SyntaxError as exc:
            raise MalformedQuery(f"the query does not parse: {exc}", details={"position": error_position(str(exc))}) from None
        except (RuntimeError, OSError) as exc:  # an evaluation error: the client's when it depends only on the query
            classified = classify(exc, job.query)
            if classified is None:
                raise
            raise classified from None

    def evaluate_pattern(self, job: QueryJob, deadline: float, *, limit: int | None) -> results.Serialised:
        """Evaluate a single-triple-pattern query (``sparql.inline``) here, stopping at ``deadline``.

        Such a query has no GRAPH, so its named graphs need not be listed, and each row is one index step. In a
        format pyoxigraph writes, the query runs once with a LIMIT one past the row limit (its own LIMIT when
        that is no larger), so the Rust writer does bounded work; the rows are counted in the body. Only when
        that shows more rows than the limit (or in another format) do the rows come into Python, where our
        writer checks the clock between rows, cuts at the row limit and says so. ``limit`` is the query's LIMIT.
        """
        dataset = {} if job.inference else {"default_graph": ox.NamedNode(ASSERTED_UNION)}
        if job.media_type in results.NATIVE_SOLUTION_FORMATS and job.max_rows <= NATIVE_BOUND_ROWS and (limit is None or limit <= job.max_rows):
            # the shape (sparql.inline) ends with its group or LIMIT: after a line break, even a trailing comment
            # cannot swallow the added LIMIT
            bounded = job if limit is not None else dataclasses.replace(job, query=f"{job.query}\nLIMIT {job.max_rows + 1}")
            answer = self._query(bounded, dataset)
            if isinstance(answer, ox.QueryBoolean):
                return results.serialise_boolean(bool(answer), job.media_type)
            whole = results.native_solutions(answer, job.media_type, job.max_rows, bounded_rows=True)
            if whole is not None:
                return whole
        answer = self._query(job, dataset)
        if isinstance(answer, ox.QueryBoolean):
            return results.serialise_boolean(bool(answer), job.media_type)
        variables = [v.value for v in answer.variables]
        return results.serialise_solutions(variables, _until(answer, deadline), job.media_type, job.max_rows)


def _until(rows: Iterator[Any], deadline: float, every: int = 256) -> Iterator[Any]:
    """``rows`` until ``deadline`` (time.monotonic()), looking at the clock every ``every`` rows."""
    for count, row in enumerate(rows, 1):
        if count % every == 0 and time.monotonic() > deadline:
            raise QueryTimeout("the query ran longer than its time limit (setting query_timeout_s) and was stopped",
                               headers={"Retry-After": "1"})
        yield row



def disk_store_path(snapshot_dir: Path) -> Path:
    return snapshot_dir / "oxigraph"


def ensure_disk_store(snapshot: Snapshot) -> Path:
    """Create the on-disk Oxigraph store of a snapshot once (before evaluators open it read-only).

    Every gunicorn worker calls this at start: an exclusive lock on a file beside the store makes the first
    one build it (in a temporary directory renamed into place) while the others wait and then find it done.
    """
    import fcntl
    import shutil

    path = disk_store_path(snapshot.path)
    if (path / "CURRENT").exists():
        return path
    with (snapshot.path / "oxigraph.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / "CURRENT").exists():
            return path
        tmp = snapshot.path / f"oxigraph.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            store = ox.Store(str(tmp))
            load_snapshot_into(store, snapshot.path, {iri: info["kind"] for iri, info in snapshot.graphs.items()})
            store.flush()
            store.optimize()
            del store
            tmp.rename(path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return path
