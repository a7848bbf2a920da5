"""The engine interface: what a query job is, how an engine is opened, and how a snapshot becomes a store.

Backends live in their own modules (``embedded``: Oxigraph in this process, ``remote``: any SPARQL 1.1
server); ``factory`` picks one. This module imports neither, so the backends depend on it and not on each other.

An engine takes a ``QueryJob`` (query text, dataset, wanted media type, row limit) and returns a finished,
serialised body. The default graph a newcomer queries is the union of the asserted graphs (ontology, data)
and the inferred graph, materialised once at load time so it is a set (Oxigraph's multi-graph default graph
would repeat a triple stated by both articles).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import pyoxigraph as ox

from server.engine import results
from server.build.snapshot import DATASET_FILE

ASSERTED_UNION = "urn:ugkg:graph:asserted-union"
ALL_UNION = "urn:ugkg:graph:all-union"  # only on remote servers, where the dataset is always named explicitly
# Dataset placeholders a QueryJob may carry in default_graphs / named_graphs (the service maps client IRIs to
# them, so an engine never sees a graph name the dataset does not hold): the service's own default graph (the
# union, or the asserted union with inference=false), and a graph no store ever holds (an empty graph).
SERVICE_DEFAULT_GRAPH = "urn:ugkg:graph:service-default"
EMPTY_GRAPH = "urn:ugkg:graph:empty"
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
    base_iri: str | None = None  # relative IRIs in the query resolve against the request URI (RFC 3986 §5.1.3)
    federated: bool = False  # the query has SERVICE (to allowed endpoints only): a failure there is the other endpoint's


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


def error_position(message: str) -> str:
    """LINE:COLUMN from an Oxigraph parser message ("error at 1:25: expected …"), LINE alone from Virtuoso's
    ("SP030: SPARQL compiler, line 1: syntax error at …", which gives no column), or ""."""
    found = re.search(r"error at (\d+):(\d+)", message)
    if found:
        return f"{found.group(1)}:{found.group(2)}"
    line = re.search(r"SPARQL compiler, line (\d+):", message)
    return line.group(1) if line else ""


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
    store.bulk_load(path=str(snapshot_dir / DATASET_FILE), format=ox.RdfFormat.N_QUADS)
    store.bulk_extend(_union_quads(store, graphs, UNION_KINDS_ALL, ox.DefaultGraph()))
    store.bulk_extend(_union_quads(store, graphs, UNION_KINDS_ASSERTED, ox.NamedNode(ASSERTED_UNION)))
