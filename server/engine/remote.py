"""The remote backend: the same endpoint, pages and policies in front of an existing SPARQL 1.1 server.

Queries go to the server's query endpoint by the SPARQL Protocol; results come back in a format we parse
(SPARQL JSON, N-Triples) and are re-serialised by our own writers, so row limits, truncation signals and
media types are exactly those of the embedded engine. Data gets there by ``ugkg publish --to GSP_URL``
(Graph Store Protocol PUT of every named graph, plus the two union graphs).
"""
from __future__ import annotations

import io
import sys

import pyoxigraph as ox
import requests

from server.engine import results
from server.errors import MalformedQuery, QueryTimeout, UpstreamError
from server.build.snapshot import Snapshot
from server.engine.store import ALL_UNION, ASSERTED_UNION, UNION_KINDS_ALL, UNION_KINDS_ASSERTED, QueryJob, StoreSpec, error_position, load_snapshot_into


class RemoteEngine:
    def __init__(self, spec: StoreSpec) -> None:
        self.endpoint = spec.endpoint
        self.public_graphs = [iri for iri, _ in spec.graph_kinds]
        self.session = requests.Session()
        self.timeout_s = spec.timeout_s + 1.0  # the executor's limit fires first; this only bounds a stuck socket

    def evaluate(self, job: QueryJob) -> results.Serialised:
        params: list[tuple[str, str]] = [("query", job.query)]
        if job.default_graphs is not None or job.named_graphs is not None:
            params += [("default-graph-uri", g) for g in job.default_graphs or ()]
            params += [("named-graph-uri", g) for g in job.named_graphs or ()]
        elif not job.dataset_in_query:
            # name the dataset explicitly, so GRAPH ?g sees only the public graphs, never the union copies
            params.append(("default-graph-uri", ALL_UNION if job.inference else ASSERTED_UNION))
            params += [("named-graph-uri", g) for g in self.public_graphs]
        graph_form = job.form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        try:
            response = self.session.post(self.endpoint, data=params, headers={"Accept": accept}, timeout=self.timeout_s)
        except requests.Timeout:
            raise QueryTimeout(f"the SPARQL server at {self.endpoint} did not answer within {self.timeout_s:g} s") from None
        except requests.RequestException as exc:
            raise UpstreamError(f"the SPARQL server at {self.endpoint} cannot be reached: {type(exc).__name__}") from None
        if response.status_code == 400:
            message = response.text[:500]
            raise MalformedQuery(f"the query does not parse: {message}", details={"position": error_position(message)})
        if response.status_code != 200:
            raise UpstreamError(f"the SPARQL server at {self.endpoint} answered {response.status_code}")
        if graph_form:
            return results.serialise_triples(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES), job.media_type, job.max_rows)
        answer = ox.parse_query_results(io.BytesIO(response.content), format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            return results.serialise_boolean(bool(answer), job.media_type)
        return results.serialise_solutions([v.value for v in answer.variables], answer, job.media_type, job.max_rows)


def publish(snapshot: Snapshot, gsp_url: str, timeout_s: float = 300.0) -> dict[str, int]:
    """PUT every named graph of ``snapshot``, the union default graph and the asserted union to a Graph Store.

    Returns triples sent per graph. Replaces what the server held in those graphs (PUT semantics).
    """
    store = ox.Store()
    graphs = {iri: info["kind"] for iri, info in snapshot.graphs.items()}
    load_snapshot_into(store, snapshot.path, graphs)
    sent: dict[str, int] = {}
    session = requests.Session()
    targets: list[tuple[dict[str, str], ox.NamedNode | ox.DefaultGraph, str]] = [
        ({"graph": iri}, ox.NamedNode(iri), iri) for iri in sorted(graphs)
    ]
    targets.append(({"default": ""}, ox.DefaultGraph(), "DEFAULT (union of " + ", ".join(UNION_KINDS_ALL) + ")"))
    targets.append(({"graph": ALL_UNION}, ox.DefaultGraph(), "all union (" + ", ".join(UNION_KINDS_ALL) + ")"))
    targets.append(({"graph": ASSERTED_UNION}, ox.NamedNode(ASSERTED_UNION), "asserted union (" + ", ".join(UNION_KINDS_ASSERTED) + ")"))
    for params, graph, name in targets:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        response = session.put(gsp_url, params=params, data=body, headers={"Content-Type": "application/n-triples"}, timeout=timeout_s)
        if response.status_code not in (200, 201, 204):
            raise UpstreamError(f"PUT {name} to {gsp_url} answered {response.status_code}: {response.text[:300]}")
        sent[name] = len(triples)
        print(f"published {len(triples):>8} triples → {name}", file=sys.stderr)
    return sent
