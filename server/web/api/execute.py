"""One API call: check the query string, bind the parameters, run through the SPARQL service, shape the answer.

Every query goes through ``SparqlService.run`` exactly as a ``/sparql`` request would (policy, time limit, row
limit, result cache, metrics), so the API can never answer more, or for longer, than the endpoint.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pyoxigraph as ox
from flask import current_app

from server.engine.results import content_type
from server.errors import InvalidParameter
from server.sparql import negotiation
from server.sparql.protocol import ProtocolRequest
from server.sparql.service import Answer
from server.web.api import tables
from server.web.api.binding import bind, page, project
from server.web.api.operations import Operation
from server.web.api.params import Param, literal, resolve_iri
from server.web.runtime import current

JSON, CSV = "application/json", "text/csv"
SRJ, SRX, TSV = "application/sparql-results+json", "application/sparql-results+xml", "text/tab-separated-values"
TABLE_TYPES = (JSON, CSV, SRJ, SRX, TSV)  # in order of preference: records first
FORMATS = {"json": JSON, "csv": CSV, "srj": SRJ, "srx": SRX, "xml": SRX, "tsv": TSV}
MAX_OFFSET = 1_000_000_000


@dataclass(frozen=True)
class Call:
    """A checked request: what to run and how to answer."""

    operation: Operation
    bindings: dict[str, ox.NamedNode | ox.Literal]  # SPARQL variable → term
    given: dict[str, str]  # parameter name → the value as the client gave it (for links)
    lang: str | None
    limit: int | None
    offset: int
    media_type: str
    bom: bool

    @property
    def bound_query(self) -> str:
        """The query file with the parameters bound and the identifier columns projected (what the query UI
        link opens)."""
        op = self.operation
        bound = bind(op.query, op.shape, self.bindings)
        return project(bound, op.shape, {i.iri_column: i.variable for i in op.identifiers if i.injected})

    @property
    def paged_query(self) -> str:
        return page(self.bound_query, self.operation.shape, self.limit, self.offset)


@dataclass(frozen=True)
class Result:
    call: Call
    answer: Answer
    body: bytes
    content_type: str
    rows: int


def _one(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or []
    if len(values) > 1:
        raise InvalidParameter(f"the parameter {name!r} was given {len(values)} times; give it once", details={"parameter": name})
    return values[0] if values else None


def _int(args: Mapping[str, Sequence[str]], name: str, low: int, high: int) -> int | None:
    raw = _one(args, name)
    if raw is None or raw == "":
        return None
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name}={raw[:40]!r} is not valid: expected an integer from {low} to {high}", details={"parameter": name})
    return int(raw)


def check(operation: Operation, args: Mapping[str, Sequence[str]], accept: str | None, *, binding_only: bool = False) -> Call:
    """Validate the query string against the operation; raise InvalidParameter naming the faulty parameter."""
    allowed = {p.name for p in operation.params} | {"lang", "limit", "offset", "format", "bom"}
    for name in args:
        if name not in allowed:
            raise InvalidParameter(f"{name!r} is not a parameter of {operation.name}; its parameters are {', '.join(sorted(allowed))}",
                                   details={"parameter": name, "allowed": sorted(allowed)})
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    given: dict[str, str] = {}
    for param in operation.params:
        raw = _one(args, param.name)
        if raw is None or raw == "":
            if param.required and param.default is None:
                raise InvalidParameter(f"the parameter {param.name!r} is required", details={"parameter": param.name})
            if param.default is None:
                continue
            raw = param.default
        else:
            given[param.name] = raw
        bindings[param.variable] = term(operation, param, raw)
    lang = _one(args, "lang") or None
    if lang is not None and lang not in tables.LANGS:
        raise InvalidParameter(f"lang={lang[:40]!r} is not valid: use en or zh", details={"parameter": "lang", "allowed": list(tables.LANGS)})
    max_rows = current().settings.max_result_rows
    limit = _int(args, "limit", 1, max_rows)
    offset = _int(args, "offset", 0, MAX_OFFSET) or 0
    bom_raw = (_one(args, "bom") or "false").strip().lower()
    if bom_raw not in ("true", "false", "1", "0", "yes", "no"):
        raise InvalidParameter(f"bom={bom_raw[:20]!r} is not valid: use true or false", details={"parameter": "bom"})
    media_type = JSON if binding_only else _media_type(operation, _one(args, "format"), accept)
    return Call(operation, bindings, given, lang, limit, offset, media_type, bom_raw in ("true", "1", "yes"))


def _media_type(operation: Operation, fmt: str | None, accept: str | None) -> str:
    offered = TABLE_TYPES if operation.shape.form == "SELECT" else current().sparql.offered(operation.shape.form)
    if fmt:
        wanted = FORMATS.get(fmt.strip().lower(), fmt.strip().lower())
        if wanted not in offered:
            raise InvalidParameter(f"format={fmt[:40]!r} is not available here; use one of {', '.join(k for k, v in FORMATS.items() if v in offered) or ', '.join(offered)}",
                                   details={"parameter": "format", "available": list(offered)})
        return wanted
    return negotiation.negotiate(accept, offered)  # NotAcceptable (406) when Accept allows none of them


def term(operation: Operation, param: Param, raw: str) -> ox.NamedNode | ox.Literal:
    """The RDF term a parameter value binds."""
    if param.type == "iri":
        return resolve_iri(param, raw, members, operation.prefixes, member_labels(param))
    return literal(param, raw)


def members(param: Param) -> dict[str, str]:
    """IRI → English label of every member of the parameter's classes, cached per snapshot."""
    runtime = current()
    cache: dict[Any, dict[str, str]] = current_app.extensions.setdefault("ugkg.api.members", {})
    key = (runtime.snapshot.build_id, param.classes)
    if key not in cache:
        classes = " ".join(str(ox.NamedNode(c)) for c in param.classes)
        query = (
            "SELECT DISTINCT ?x ?label WHERE { VALUES ?class { " + classes + " } ?x a ?class . FILTER(isIRI(?x)) "
            'OPTIONAL { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(langMatches(lang(?label), "en")) } } ORDER BY ?x ?label'
        )
        doc = run_json(query)
        found: dict[str, str] = {}
        for row in doc["results"]["bindings"]:
            found.setdefault(row["x"]["value"], row.get("label", {}).get("value", ""))
        cache[key] = found
    return cache[key]


WIKIDATA = "http://www.wikidata.org/entity/"


def wikidata_ids() -> dict[str, str]:
    """IRI → Wikidata id (Q…) of every resource the graph links to a Wikidata item (schema:sameAs for places and
    organisations since issue 17; skos:exactMatch for concepts), per snapshot."""
    runtime = current()
    cache: dict[Any, dict[str, str]] = current_app.extensions.setdefault("ugkg.api.wikidata", {})
    if runtime.snapshot.build_id not in cache:
        doc = run_json("SELECT DISTINCT ?x ?w WHERE { ?x <https://schema.org/sameAs>|<http://www.w3.org/2004/02/skos/core#exactMatch> ?w "
                       f'FILTER(isIRI(?x) && STRSTARTS(STR(?w), "{WIKIDATA}")) }} ORDER BY ?x ?w')
        found: dict[str, str] = {}
        for row in doc["results"]["bindings"]:
            found.setdefault(row["x"]["value"], row["w"]["value"][len(WIKIDATA):])
        cache.clear()
        cache[runtime.snapshot.build_id] = found
    return cache[runtime.snapshot.build_id]


def member_labels(param: Param) -> dict[str, tuple[str, ...]]:
    """IRI → every rdfs:label and skos:altLabel (any language) of the members of the parameter's classes, per snapshot."""
    runtime = current()
    cache: dict[Any, dict[str, tuple[str, ...]]] = current_app.extensions.setdefault("ugkg.api.member-labels", {})
    key = (runtime.snapshot.build_id, param.classes)
    if key not in cache:
        classes = " ".join(str(ox.NamedNode(c)) for c in param.classes)
        doc = run_json("SELECT DISTINCT ?x ?label WHERE { VALUES ?class { " + classes + " } ?x a ?class . FILTER(isIRI(?x)) "
                       "?x <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?label } ORDER BY ?x ?label")
        found: dict[str, list[str]] = {}
        for row in doc["results"]["bindings"]:
            found.setdefault(row["x"]["value"], []).append(row["label"]["value"])
        cache[key] = {iri: tuple(labels) for iri, labels in found.items()}
    return cache[key]


def _run(query: str, media_type: str) -> Answer:
    request = ProtocolRequest(query=query, default_graphs=None, named_graphs=None, inference=True, fmt=None)
    return current().sparql.run(request, media_type)


def run_json(query: str) -> dict[str, Any]:
    return json.loads(_run(query, SRJ).result.body)


def _records(answer: Answer, call: Call) -> tables.Table:
    return tables.with_identifiers(tables.table(json.loads(answer.result.body)), call.operation.identifiers, wikidata_ids())


def records_table(call: Call) -> tables.Table:
    """The call's rows as records (identifier columns added), before ``lang`` merges label pairs."""
    return _records(_run(call.paged_query, SRJ), call)


def execute(call: Call) -> Result:
    """Run the call's query and produce the body in the negotiated form."""
    if call.media_type in (JSON, CSV):
        answer = _run(call.paged_query, SRJ)
        data = _records(answer, call)
        if call.lang:
            data = tables.in_language(data, call.lang)
        if call.media_type == JSON:
            body = json.dumps(data.records, ensure_ascii=False).encode("utf-8")
            return Result(call, answer, body, "application/json", len(data.records))
        return Result(call, answer, tables.to_csv(data, bom=call.bom), "text/csv; charset=utf-8; header=present", len(data.records))
    answer = _run(call.paged_query, call.media_type)
    return Result(call, answer, answer.result.body, content_type(answer.result.media_type), answer.result.rows)
