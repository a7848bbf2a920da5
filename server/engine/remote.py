"""The remote backend: the same endpoint, pages and policies in front of an existing SPARQL 1.1 server.

Queries go to the server's query endpoint by the SPARQL Protocol; results come back in a format we parse
(SPARQL JSON, N-Triples) and are re-serialised by our own writers, so row limits, truncation signals and
media types are exactly those of the embedded engine.

Data gets there in one of two layouts, found out by one ASK on the first query:

- *with union graphs*: ``ugkg publish --to GSP_URL`` (Graph Store PUT of every named graph plus the two union
  graphs), or the engine's bulk loader given ``ugkg export --format nq --for-engines`` (the named graphs and the
  two union graphs as named graphs). The default graph is then one graph, a set.
- *named graphs only*: the engine's bulk loader given the published N-Quads dump (``ugkg export --format nq``,
  ``/dumps/dataset.nq``). The default graph is then named as the list of the ontology, data, extra (and
  inferred) graphs; engines that merge such a list as a bag (Oxigraph) repeat a triple stated in two graphs
  in ``SELECT *`` without DISTINCT and in COUNT, so the engine dump is the one to load for exact counts.
"""
from __future__ import annotations

import io
import json
import re
import sys

import pyoxigraph as ox
import requests

from server.engine import results
from server.engine.failures import classify
from server.errors import MalformedQuery, QueryTimeout, UpstreamError
from server.build.snapshot import Snapshot
from server.engine.store import (
    ALL_UNION, ASSERTED_UNION, EMPTY_GRAPH, SERVICE_DEFAULT_GRAPH, UNION_KINDS_ALL, UNION_KINDS_ASSERTED, QueryJob, StoreSpec,
    error_position, load_snapshot_into,
)


class RemoteEngine:
    def __init__(self, spec: StoreSpec) -> None:
        self.endpoint = spec.endpoint
        self.public_graphs = [iri for iri, _ in spec.graph_kinds]
        self.kinds = dict(spec.graph_kinds)
        self.session = requests.Session()
        self.timeout_s = spec.timeout_s + 1.0  # the executor's limit fires first; this only bounds a stuck socket
        self._has_unions: bool | None = None
        self.virtuoso = False  # found out with the first ASK (Virtuoso answers ASK as a table): see dataset_parameters

    def has_union_graphs(self) -> bool:
        """Whether the engine holds the materialised union graphs (asked once per engine)."""
        if self._has_unions is None:
            answer = self._post([("query", f"ASK {{ GRAPH <{ALL_UNION}> {{ ?s ?p ?o }} }}")], "application/sparql-results+json")
            self._has_unions = ask_answer(answer.json()) if answer.status_code == 200 else False
            self.virtuoso = answer.status_code == 200 and VIRTUOSO_ASK_VARIABLE in answer.text
        return self._has_unions

    def service_default(self, inference: bool) -> list[str]:
        """The graph names that make up this service's default graph on the engine."""
        if self.has_union_graphs():
            return [ALL_UNION if inference else ASSERTED_UNION]
        kinds = UNION_KINDS_ALL if inference else UNION_KINDS_ASSERTED
        return [iri for iri in self.public_graphs if self.kinds[iri] in kinds] or [EMPTY_GRAPH]

    def dataset_parameters(self, job: QueryJob) -> list[tuple[str, str]]:
        if job.default_graphs is not None or job.named_graphs is not None:
            defaults: list[str] = []
            for graph in job.default_graphs or ():
                defaults += self.service_default(job.inference) if graph == SERVICE_DEFAULT_GRAPH else [graph]
            params = [("default-graph-uri", g) for g in dict.fromkeys(defaults or [EMPTY_GRAPH])]
            named = list(job.named_graphs or ())
            if not named and self.has_union_graphs() is not None and self.virtuoso:
                # Virtuoso takes "no named-graph-uri" as every graph it holds (its system graphs too), not as
                # none (SPARQL 1.1 Protocol §2.1.4): name a graph no store holds instead
                named = [EMPTY_GRAPH]
            return params + [("named-graph-uri", g) for g in named]
        # name the dataset explicitly, so GRAPH ?g sees only the public graphs, never the union copies
        params = [("default-graph-uri", g) for g in self.service_default(job.inference)]
        return params + [("named-graph-uri", g) for g in self.public_graphs]

    def _post(self, params: list[tuple[str, str]], accept: str) -> requests.Response:
        try:
            return self.session.post(self.endpoint, data=params, headers={"Accept": accept}, timeout=self.timeout_s)
        except requests.Timeout:
            raise QueryTimeout(f"the SPARQL server at {self.endpoint} did not answer within {self.timeout_s:g} s") from None
        except requests.RequestException as exc:
            raise UpstreamError(f"the SPARQL server at {self.endpoint} cannot be reached: {type(exc).__name__}") from None

    def evaluate(self, job: QueryJob) -> results.Serialised:
        query = f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query
        params: list[tuple[str, str]] = [("query", query)] + self.dataset_parameters(job)
        graph_form = job.form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        response = self._post(params, accept)
        if response.status_code == 400:
            message = response.text[:500]
            classified = classify(RuntimeError(message.strip()), job.query)  # Virtuoso: a wrong-arity cast is a 400 too
            if classified is not None:
                raise classified
            if job.base_iri:  # the BASE line we added is not the client's: report the client's line numbers
                message = re.sub(r"(error at |SPARQL compiler, line )(\d+):", lambda m: f"{m.group(1)}{max(1, int(m.group(2)) - 1)}:", message)
            raise MalformedQuery(f"the query does not parse: {message}", details={"position": error_position(message)})
        if response.status_code != 200:
            # an engine like Oxigraph answers 500 with its message for an error of the query alone (an unsupported
            # function): the client's mistake, classified as for the embedded engine (``failures``)
            classified = classify(RuntimeError(response.text[:500].strip()), job.query) if response.status_code == 500 else None
            if classified is not None:
                raise classified
            raise UpstreamError(f"the SPARQL server at {self.endpoint} answered {response.status_code}")
        if graph_form:
            body = response.content.replace(VIRTUOSO_GEOMETRY_NT, WKT_LITERAL_NT) if self.virtuoso else response.content
            return results.serialise_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), job.media_type, job.max_rows)
        if job.form == "ASK" and VIRTUOSO_ASK_VARIABLE in response.text:
            return results.serialise_boolean(ask_answer(response.json()), job.media_type)
        content = valid_blank_nodes(canonical_booleans(wkt_datatype(response.content)) if self.virtuoso else response.content)
        answer = ox.parse_query_results(io.BytesIO(content), format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            return results.serialise_boolean(bool(answer), job.media_type)
        return results.serialise_solutions([v.value for v in answer.variables], answer, job.media_type, job.max_rows)


VIRTUOSO_ASK_VARIABLE = "__ASK_RETVAL"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def canonical_booleans(content: bytes) -> bytes:
    """SPARQL JSON results with xsd:boolean values in canonical form: Virtuoso 7.2 writes "1" / "0", the same
    values as "true" / "false" but another lexical form, which a client comparing terms would see as different."""
    if XSD_BOOLEAN.encode() not in content:
        return content
    doc = json.loads(content)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("datatype") == XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(doc).encode()


# Virtuoso 7.2 turns every geo:wktLiteral it loads into its own geometry type (virtrdf:Geometry), its
# coordinates stored in single precision (openlink/virtuoso-opensource#456, #808): the datatype is given back, the
# digits cannot be (POINT(116.39723 39.9075) is answered POINT(116.39723205566 39.907501220703); README)
VIRTUOSO_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
VIRTUOSO_GEOMETRY_NT, WKT_LITERAL_NT = f"^^<{VIRTUOSO_GEOMETRY}>".encode(), f"^^<{WKT_LITERAL}>".encode()


def wkt_datatype(content: bytes) -> bytes:
    """SPARQL JSON results with Virtuoso's geometry datatype written as geo:wktLiteral again."""
    if VIRTUOSO_GEOMETRY.encode() not in content:
        return content
    doc = json.loads(content)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("datatype") == VIRTUOSO_GEOMETRY:
                term["datatype"] = WKT_LITERAL
    return json.dumps(doc).encode()


BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def valid_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON results whose blank nodes all have valid labels: Virtuoso 7.2 writes "nodeID://b10006", which
    pyoxigraph's parser refuses (a 500 on the release-history queries, measured). A label only names a blank node
    within one answer, so each distinct label is replaced by one valid label (the hex of its bytes)."""
    if b'"bnode"' not in content:
        return content
    doc = json.loads(content)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and not BLANK_LABEL.fullmatch(term.get("value", "")):
                term["value"] = "x" + term.get("value", "").encode().hex()
    return json.dumps(doc).encode()


def ask_answer(doc: dict) -> bool:  # type: ignore[type-arg]
    """The boolean of an ASK answer in SPARQL JSON; Virtuoso 7.2 answers ASK with a one-row table of
    ``__ASK_RETVAL`` (an integer, 1 or 0) instead of ``{"boolean": …}`` (measured with 7.2.5.1)."""
    if "boolean" in doc:
        return bool(doc["boolean"])
    rows = doc.get("results", {}).get("bindings", [])
    return bool(rows) and rows[0].get(VIRTUOSO_ASK_VARIABLE, {}).get("value") not in (None, "0", "false")


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
