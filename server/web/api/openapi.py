"""The OpenAPI 3.1 description of the API, generated from the operations (that is, from the query files).

Response schemas name each operation's columns with the JSON types seen in its answer to the example parameters
(run once per snapshot through the SPARQL service); a query that cannot be run for its example still gets its
columns from the SELECT clause, typed loosely.

Every human text is written in one language (``document(..., lang=)``): the fixed wording through the site's
gettext catalogue (extracted from this module by tools/messages.py), the query files' titles, questions and
parameter descriptions through ``site.i18n.translate``. Names, IRIs and values stay as they are, in backticks.
The API documentation page (site.apidocs) is rendered from the same functions, so page and document agree.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext as _

from server.errors import ApiError
from server.web.api import tables
from server.web.api.execute import CSV, JSON, SRJ, SRX, TSV, check, records_table
from server.web.api.operations import Operation
from server.web.api.params import Param, local_name
from server.web.runtime import current
from server.web.site.i18n import translate

COMMON = ("lang", "limit", "offset", "format", "bom")
ERROR_STATUSES = ("400", "404", "406", "503")
STANDARD_TAG = "standard vocabularies"
MAX_KNOWN = 40  # an IRI parameter lists its accepted local names when there are at most this many


def errors() -> dict[str, str]:
    """The error statuses every operation may answer, with what they mean (in the current language)."""
    return {
        "400": _("A parameter is unknown, missing or invalid; the body names it (`parameter`)."),
        "404": _("No such operation."),
        "406": _("None of the media types in Accept can be produced."),
        "503": _("The query time limit was reached, or the service is busy (see Retry-After)."),
    }


def tag_of(op: Operation) -> str:
    return STANDARD_TAG if "standard vocabularies only" in op.title else "competency queries"


def tags() -> list[dict[str, str]]:
    return [{"name": "competency queries", "description": _("Questions the graph was built to answer")},
            {"name": STANDARD_TAG, "description": _("The same graph through schema.org, SKOS, ORG, DCTERMS and Data Cube only")}]


def document(operations: list[Operation], server_url: str, lang: str = "en") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for ``operations``, its texts in ``lang`` (en or zh)."""
    with force_locale(lang):
        return _document(operations, server_url, lang)


def _document(operations: list[Operation], server_url: str, lang: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Problem": _problem_schema(), "SparqlResults": _sparql_results_schema()}
    for op in operations:
        columns, example = _observed(op)
        record = _schema_name(op)
        schemas[record] = _record_schema(op, columns)
        paths[f"/api/v1/{op.name}"] = {"get": _operation(op, record, example, lang)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("Urban Governance Knowledge Graph REST API"),
            "version": "1.0.0",
            "summary": _("The competency queries of the graph as parameterised table-shaped operations."),
            "description": _(
                "Every SPARQL query in `queries/` is an operation `GET /api/v1/{name}`. Answers are lists of records "
                "(JSON), CSV (`format=csv`, `bom=true` for Excel) or the SPARQL result formats (`format=srj|srx|tsv`), "
                "with `limit`/`offset` paging and `Link` headers naming the query that made the answer. Limits, the time "
                "limit and errors are those of the SPARQL endpoint at `/sparql`. Parameters are declared by `# param:` "
                "header lines of the query files; an IRI parameter also takes a local name such as `beijing`."
            ),
            "license": {"name": _("Data: CC-BY-4.0; code: MIT"), "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server_url}],
        "tags": tags(),
        "paths": paths,
        "components": {"schemas": schemas, "parameters": common_parameters(), "responses": _error_responses()},
    }


def _schema_name(op: Operation) -> str:
    return "".join(part.capitalize() for part in op.name.split("-")) + "Record"


def columns_of(op: Operation) -> list[str]:
    """The operation's columns as observed (``_observed``), in order."""
    return list(_observed(op)[0])


def _operation(op: Operation, record: str, example: list[dict[str, Any]] | None, lang: str) -> dict[str, Any]:
    description = [translate(op.question, lang), "",
                   _("Query file: %(file)s (its text: %(url)s).", file=f"`queries/{op.path.name}`", url=f"`GET /api/v1/{op.name}.rq`")]
    if op.params:
        description.append(_("Without a parameter the answer covers everything the question asks about; each parameter narrows it."))
    json_media: dict[str, Any] = {"schema": {"type": "array", "items": {"$ref": f"#/components/schemas/{record}"}}}
    if example is not None:
        json_media["example"] = example[:3]
    columns = ", ".join(f"`{c}`" for c in (columns_of(op) or []))
    responses: dict[str, Any] = {
        "200": {
            "description": _("The answer: one record per row. `Link` names the query (rel=describedby), the query UI (rel=alternate) and neighbouring pages (rel=next/prev/first)."),
            "content": {
                JSON: json_media,
                CSV: {"schema": {"type": "string", "description": _("A header line, then one line per row; the columns of %(record)s, in its order: %(columns)s",
                                                                    record=record, columns=columns or _("(see the record schema)"))}},
                SRJ: {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
                SRX: {"schema": {"type": "string"}},
                TSV: {"schema": {"type": "string"}},
            },
        },
    }
    if op.shape.form != "SELECT":  # ASK, CONSTRUCT, DESCRIBE: the endpoint's own formats, not tables
        offered = current().sparql.offered(op.shape.form)
        responses["200"]["description"] = _("The %(form)s answer as the SPARQL endpoint gives it.", form=op.shape.form)
        responses["200"]["content"] = {media_type: {"schema": {"type": "string"}} for media_type in offered}
    for status in ERROR_STATUSES:
        responses[status] = {"$ref": f"#/components/responses/Error{status}"}
    return {
        "operationId": op.name.replace("-", "_"),
        "summary": translate(op.title, lang),
        "description": "\n".join(description),
        "tags": [tag_of(op)],
        "parameters": [_parameter(op, p, lang) for p in op.params] + [{"$ref": f"#/components/parameters/{name}"} for name in COMMON],
        "responses": responses,
    }


def type_label(param: Param) -> str:
    """What kind of value a parameter takes, in words (the API page's "type" column)."""
    return {"iri": _("resource (local name, label or IRI)"), "integer": _("integer"), "year": _("year (four digits)"),
            "lang": _("language tag"), "string": _("text")}.get(param.type, param.type)


def known_values(param: Param) -> list[str]:
    """The local names an IRI parameter accepts, when there are at most MAX_KNOWN (else [])."""
    if param.type != "iri":
        return []
    known = sorted({local_name(iri) for iri in _members(param)})
    return known if len(known) <= MAX_KNOWN else []


def param_description(param: Param, lang: str) -> str:
    """The parameter's own description (from its ``# param:`` line), in ``lang``."""
    if param.description:
        return translate(param.description.rstrip("."), lang) + ("" if lang == "zh" else ".")
    return _("Binds %(variable)s.", variable=f"`?{param.variable}`")


def _parameter(op: Operation, param: Param, lang: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    text = param_description(param, lang)
    if param.type == "iri":
        known = known_values(param)
        classes = ", ".join(f"`<{c}>`" for c in param.classes)
        text += " " + _("A resource of class %(classes)s: its local name or its full IRI.", classes=classes)
        if known:
            text += " " + _("Known: %(values)s.", values=", ".join(f"`{name}`" for name in known))
    elif param.type == "integer":
        schema = {"type": "integer"}
    elif param.type == "year":
        schema = {"type": "string", "pattern": "^-?[0-9]{4}$"}
        text += " " + _("A year (%(type)s), four digits.", type="`xsd:gYear`")
    elif param.type == "lang":
        schema = {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"}
    if param.values:
        schema["enum"] = list(param.values)
    if param.default is not None:
        schema["default"] = int(param.default) if param.type == "integer" else param.default
    out: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required and param.default is None,
                           "description": text, "schema": schema}
    if param.example is not None:
        out["example"] = int(param.example) if param.type == "integer" else param.example
    return out


def _members(param: Param) -> dict[str, str]:
    from server.web.api.execute import members

    try:
        return members(param)
    except ApiError:
        return {}


def _observed(op: Operation) -> tuple[dict[str, set[str]], list[dict[str, Any]] | None]:
    """Column → JSON types seen in the answers with and without the example parameters, and the example answer
    (cached per snapshot and query text)."""
    cache: dict[Any, Any] = current_app.extensions.setdefault("ugkg.api.observed", {})
    key = (current().snapshot.build_id, op.path, op.query)
    if key not in cache and op.shape.form != "SELECT":
        cache[key] = ({}, None)
    if key not in cache:
        example_args = {p.name: [p.example] for p in op.params if p.example is not None}
        try:
            columns: dict[str, set[str]] = {}
            records: list[dict[str, Any]] = []
            for args in ({}, example_args):
                data = records_table(check(op, args, JSON))  # the rows as the API answers them (identifier columns too)
                for column in data.columns:
                    columns.setdefault(column, set())
                for row in data.records:
                    for column in data.columns:
                        columns[column].add(tables.value_type(row.get(column)))
                records = data.records
            cache[key] = (columns, records)
        except ApiError:
            cache[key] = ({v: {"string", "number", "boolean", "null"} for v in op.shape.projection}, None)
    return cache[key]


def _column_text(op: Operation, column: str) -> str:
    """What a column holds: identifier columns say how they are made, others name their query variable."""
    for identifier in op.identifiers:
        thing = f"`{identifier.base}`"
        if column == identifier.iri_column:
            return _("The IRI of the %(thing)s (%(variable)s of the query).", thing=thing, variable=f"`?{identifier.variable}`")
        if column == f"{identifier.base}_id":
            return _("The short id of the %(thing)s: the last segment of its IRI (e.g. %(example)s).", thing=thing, example="`beijing`")
        if column == f"{identifier.base}_wikidata":
            return _("The Wikidata id (Q…) of the %(thing)s where the graph links one (%(how)s), else null.", thing=thing,
                     how="`schema:sameAs` / `skos:exactMatch` → `http://www.wikidata.org/entity/…`")
    if column.endswith("_en"):
        return _("%(variable)s: text in English.", variable=f"`?{column}`")
    if column.endswith("_zh"):
        return _("%(variable)s: text in Chinese.", variable=f"`?{column}`")
    return f"`?{column}`"


def _record_schema(op: Operation, columns: dict[str, set[str]]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for column, seen in columns.items():
        props[column] = {"type": _types(seen), "description": _column_text(op, column)}
    for name, sources in tables.merged_columns(tuple(columns)):
        if "" not in sources and name not in props:
            seen = set().union(*(columns[c] for c in sources.values()))
            props[name] = {"type": _types(seen | {"null"}),
                           "description": _("with lang=en or lang=zh: %(columns)s in that language, falling back to the other",
                                            columns=" / ".join(f"`?{c}`" for c in sources.values()))}
    return {"type": "object", "description": _("One row of %(name)s; the CSV answer has these columns, in this order "
                                               "(with lang=en|zh each x_en/x_zh pair is one column x)", name=f"`{op.stem}`"),
            "properties": props, "required": list(columns), "x-csv-columns": list(columns)}


def _types(seen: set[str]) -> list[str] | str:
    order = ["string", "integer", "number", "boolean", "null"]
    found = [t for t in order if t in seen] or ["string", "null"]
    return found[0] if len(found) == 1 else found


def common_parameters() -> dict[str, Any]:
    """The parameters every operation takes (``#/components/parameters``), in the current language."""
    return {
        "lang": {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["en", "zh"]},
                 "description": _("Label language: each x_en/x_zh column pair becomes one column x in this language, falling back to the other.")},
        "limit": {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
                  "description": _("At most this many rows (up to the server's row limit, setting max_result_rows).")},
        "offset": {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0},
                   "description": _("Skip this many rows (the query's own ORDER BY keeps pages stable).")},
        "format": {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "csv", "srj", "srx", "tsv"]},
                   "description": _("Answer format (wins over Accept): json records, csv, or the SPARQL results formats srj (JSON), srx (XML), tsv.")},
        "bom": {"name": "bom", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
                "description": _("CSV only: start with a UTF-8 byte-order mark so that Excel shows Chinese correctly.")},
    }


def _error_responses() -> dict[str, Any]:
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {f"Error{status}": {"description": text, "content": problem} for status, text in errors().items()}


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status", "error", "title", "message"],
        "properties": {
            "status": {"type": "integer"}, "error": {"type": "string", "examples": ["invalid-parameter"]},
            "title": {"type": "string"}, "message": {"type": "string"},
            "parameter": {"type": "string", "description": _("The parameter at fault (400 invalid-parameter).")},
            "known": {"type": "array", "items": {"type": "string"}, "description": _("Every value an IRI parameter accepts, by local name (400 invalid-parameter).")},
            "position": {"type": "string", "description": _("LINE:COLUMN (1-based) where the query stops parsing (400 malformed-query).")},
            "hint": {"type": "string", "description": _("One line of advice when the malformed query matches a common mistake; also the message's last line.")},
            "hint_code": {"type": "string", "enum": ["reserved-character-in-prefixed-name", "undeclared-prefix"],
                          "description": _("Which mistake `hint` is about.")},
            "function": {"type": "string", "description": _("The IRI of the function the engine does not support (400 unsupported-function).")},
            "engine_message": {"type": "string", "description": _("The query engine's own message (400 unsupported-function, query-not-evaluable).")},
            "limit": {"type": "integer", "description": _("The limit that was passed (413, 414: max_query_chars).")},
            "request_id": {"type": "string", "description": _("On a 500: the id under which the fault was logged (also the X-Request-Id header).")},
            "lang": {"type": "string", "enum": ["en", "zh"], "description": _("The language of explanation and advice: Chinese when the request's Accept-Language prefers it, else English (message stays English).")},
            "explanation": {"type": "string", "description": _("What this kind of error means and what to do about it, in the language of lang.")},
            "advice": {"type": "string", "description": _("The advice of hint_code, in the language of lang.")},
        },
    }


def _sparql_results_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": _("SPARQL 1.1 Query Results JSON Format"),
        "properties": {
            "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
            "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {"type": "object"}}}},
        },
    }
