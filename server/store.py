"""Query engines behind one interface: embedded Oxigraph (in memory or on disk) and a remote SPARQL endpoint.

An engine takes a ``QueryJob`` (query text, dataset, wanted media type, row limit) and returns a finished,
serialised body. The default graph a newcomer queries is the union of the asserted graphs (ontology, data)
and the inferred graph, materialised once at load time so it is a set (Oxigraph's multi-graph default graph
would repeat a triple stated by both articles).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

import pyoxigraph as ox

from . import results
from .errors import MalformedQuery
from .snapshot import Snapshot

ASSERTED_UNION = "urn:ugkg:graph:asserted-union"
ALL_UNION = "urn:ugkg:graph:all-union"  # only on remote servers, where the dataset is always named explicitly
UNION_KINDS_ASSERTED = ("ontology", "data", "extra")
UNION_KINDS_ALL = UNION_KINDS_ASSERTED + ("inferred",)


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate; everything an evaluator process needs, and picklable."""

    query: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    media_type: str
    max_rows: int
    inference: bool = True
    default_graphs: tuple[str, ...] | None = None  # from the protocol's default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # from the protocol's named-graph-uri
    dataset_in_query: bool = False  # the query has FROM / FROM NAMED


@dataclass(frozen=True)
class StoreSpec:
    """How to open the engine, in any process: picklable, so evaluator processes can open it themselves."""

    kind: str  # memory | oxigraph | remote
    snapshot_path: str
    graph_kinds: tuple[tuple[str, str], ...]
    endpoint: str = ""
    timeout_s: float = 60.0


class Engine(Protocol):
    def evaluate(self, job: QueryJob) -> results.Serialised: ...


def spec_for(kind: str, snapshot: Snapshot, timeout_s: float = 60.0) -> StoreSpec:
    """``kind`` is the store setting: memory, oxigraph, or the URL of a SPARQL endpoint."""
    graph_kinds = tuple((iri, info["kind"]) for iri, info in sorted(snapshot.graphs.items()))
    if kind in ("memory", "oxigraph"):
        return StoreSpec(kind, str(snapshot.path), graph_kinds, timeout_s=timeout_s)
    if not kind.startswith(("http://", "https://")):
        raise ValueError(f"store must be 'memory', 'oxigraph' or an http(s) URL of a SPARQL endpoint, not {kind!r}")
    return StoreSpec("remote", str(snapshot.path), graph_kinds, endpoint=kind, timeout_s=timeout_s)


def open_engine(spec: StoreSpec) -> Engine:
    if spec.kind == "remote":
        from .remote import RemoteEngine

        return RemoteEngine(spec)
    return OxigraphEngine(spec)


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

    def evaluate(self, job: QueryJob) -> results.Serialised:
        kwargs: dict[str, Any] = {}
        if job.default_graphs is not None or job.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in (job.default_graphs or ())] or [ox.DefaultGraph()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in (job.named_graphs or ())]
        elif not job.dataset_in_query:
            if not job.inference:
                kwargs["default_graph"] = ox.NamedNode(ASSERTED_UNION)
            kwargs["named_graphs"] = self.public_graphs
        try:
            answer = self.store.query(job.query, **kwargs)
        except SyntaxError as exc:
            raise MalformedQuery(f"the query does not parse: {exc}", details={"position": error_position(str(exc))}) from None
        if isinstance(answer, ox.QueryBoolean):
            return results.serialise_boolean(bool(answer), job.media_type)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            return results.serialise_solutions(variables, answer, job.media_type, job.max_rows)
        return results.serialise_triples(answer, job.media_type, job.max_rows)


def error_position(message: str) -> str:
    """LINE:COLUMN from an Oxigraph parser message ("error at 1:25: expected …"), or ""."""
    found = re.search(r"error at (\d+):(\d+)", message)
    return f"{found.group(1)}:{found.group(2)}" if found else ""


def _union_quads(store: ox.Store, graphs: dict[str, str], kinds: tuple[str, ...], target: ox.NamedNode | ox.DefaultGraph) -> Iterator[ox.Quad]:
    """Every triple of the graphs of ``kinds``, placed in ``target``."""
    for iri, kind in sorted(graphs.items()):
        if kind in kinds:
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, target)


def load_snapshot_into(store: ox.Store, snapshot_dir: Path, graphs: dict[str, str]) -> None:
    """Load the snapshot's quads and materialise the two union graphs (a store is a set: a triple in several
    source graphs is in a union once). Bulk insertion, not SPARQL UPDATE: on disk, a transactional INSERT of a
    million triples took most of a minute."""
    from .snapshot import DATASET_FILE

    store.bulk_load(path=str(snapshot_dir / DATASET_FILE), format=ox.RdfFormat.N_QUADS)
    store.bulk_extend(_union_quads(store, graphs, UNION_KINDS_ALL, ox.DefaultGraph()))
    store.bulk_extend(_union_quads(store, graphs, UNION_KINDS_ASSERTED, ox.NamedNode(ASSERTED_UNION)))


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
