"""The RDF dataset a query runs on, with the semantics of Oxigraph and Fuseki.

SPARQL 1.1 Protocol §2.1.4: ``default-graph-uri`` / ``named-graph-uri`` replace the dataset, and win over
``FROM`` / ``FROM NAMED`` in the query. A graph the dataset does not hold is an empty graph, as in Oxigraph and
Fuseki: never an error, and never fetched from the web or read from disk. To make that last guarantee hold on
every backend (an engine behind the remote backend might dereference a ``FROM`` IRI), the graphs of the query's
own ``FROM`` clauses are passed to the engine as a protocol dataset too, and every name the snapshot does not
hold is replaced by ``EMPTY_GRAPH`` before it reaches an engine.

rdflib names the default graph ``urn:x-rdflib:default``; ``Dataset(store=SPARQLStore(url))`` sends it as
``default-graph-uri``. It means this service's default graph.
"""
from __future__ import annotations

from typing import Iterable

from server.engine.store import EMPTY_GRAPH, SERVICE_DEFAULT_GRAPH
from server.sparql.policy import QueryShape

RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"
Dataset = tuple[tuple[str, ...] | None, tuple[str, ...] | None]


def _unique(graphs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(graphs))


def resolve(default_graphs: tuple[str, ...] | None, named_graphs: tuple[str, ...] | None,
            shape: QueryShape, known: set[str]) -> Dataset:
    """(default graphs, named graphs) for the engine, or (None, None) for the service's own dataset."""
    if default_graphs is None and named_graphs is None:
        if not shape.dataset_in_query:
            return None, None
        default_graphs, named_graphs = tuple(shape.from_graphs), tuple(shape.from_named_graphs)
    elif tuple(default_graphs or ()) == (RDFLIB_DEFAULT_GRAPH,) and not named_graphs and not shape.dataset_in_query:
        return None, None  # rdflib's way of saying "the default graph": the whole service dataset

    def default_member(iri: str) -> str:
        if iri == RDFLIB_DEFAULT_GRAPH:
            return SERVICE_DEFAULT_GRAPH
        return iri if iri in known else EMPTY_GRAPH

    defaults = _unique(default_member(g) for g in default_graphs or ())
    named = _unique(g for g in named_graphs or () if g in known)  # an unknown named graph contributes nothing
    return defaults, named

