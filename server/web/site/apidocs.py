"""The REST API's reference page (``/api``), rendered on the server in the page's language.

Swagger UI cannot be translated (its buttons, "Try it out", "Execute", "Parameters", "Responses", are fixed English
strings in the library), so the page people read is this one: built from the same functions as the OpenAPI
document (api.openapi), in the page language through the catalogue, with each operation's question, parameters
(type, required, allowed values, default, example), example URLs and curl lines, the columns of its answer, and a
plain ``<form method="get">`` that calls it without JavaScript. Swagger UI stays at ``/api/explorer`` as an
optional extra for OpenAPI tool users, and says that its controls are English.
"""
from __future__ import annotations

import re
import shlex
from typing import Any
from urllib.parse import quote, urlencode

from flask import request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from server.web.api import openapi
from server.web.api.operations import Operation
from server.web.site.i18n import translate

_CODE = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """``text`` (an OpenAPI description, Markdown-ish) as HTML: `x` becomes <code>x</code>, the rest escaped."""
    parts = _CODE.split(text)
    return Markup("").join(Markup("<code>{}</code>").format(part) if i % 2 else escape(part) for i, part in enumerate(parts))


def formats() -> list[dict[str, str]]:
    """The answer formats a table-shaped operation offers (``format=`` value, media type, what it is)."""
    return [
        {"format": "json", "media_type": openapi.JSON, "text": _("A list of records, one object per row; the default.")},
        {"format": "csv", "media_type": openapi.CSV, "text": _("A header line, then one line per row; add bom=true so that Excel reads Chinese correctly.")},
        {"format": "srj", "media_type": openapi.SRJ, "text": _("SPARQL 1.1 Query Results JSON: typed values, as the endpoint answers.")},
        {"format": "srx", "media_type": openapi.SRX, "text": _("SPARQL 1.1 Query Results XML.")},
        {"format": "tsv", "media_type": openapi.TSV, "text": _("SPARQL 1.1 Query Results TSV.")},
    ]


def _example_args(op: Operation) -> dict[str, str]:
    return {p.name: p.example for p in op.params if p.example is not None and p.example != p.default}


def _url(path: str, args: dict[str, str]) -> str:
    return path + ("?" + urlencode(args) if args else "")


def operation_doc(op: Operation, spec: dict[str, Any], lang: str, absolute: str) -> dict[str, Any]:
    """One operation as the page shows it; ``spec`` is the OpenAPI document in ``lang`` (its column schemas)."""
    path = url_for("api.call_operation", name=op.name)
    text_url = url_for("api.query_text", name=op.name)
    example = _example_args(op)
    get = spec["paths"].get(f"/api/v1/{op.name}", {}).get("get", {})
    record = get.get("responses", {}).get("200", {}).get("content", {}).get(openapi.JSON, {}).get("schema", {}).get("items", {}).get("$ref", "")
    properties = spec["components"]["schemas"].get(record.rsplit("/", 1)[-1], {}).get("properties", {}) if record else {}
    columns = [{"name": name, "type": " | ".join(p["type"]) if isinstance(p["type"], list) else p["type"],
                "description": code_spans(p.get("description", ""))} for name, p in properties.items()]
    params = []
    for param in op.params:
        known = openapi.known_values(param)
        params.append({
            "name": param.name, "type": openapi.type_label(param), "required": param.required and param.default is None,
            "description": code_spans(openapi.param_description(param, lang)), "classes": param.classes,
            "choices": list(param.values) or known, "default": param.default, "example": param.example,
        })
    examples = [{"label": _("JSON records"), "url": _url(path, example)},
                {"label": _("CSV"), "url": _url(path, dict(example, format="csv"))}] if op.shape.form == "SELECT" else [
                {"label": _("The answer"), "url": _url(path, example)}]
    if example and op.shape.form == "SELECT":
        examples.append({"label": _("everything (no parameter)"), "url": _url(path, {"limit": "10"})})
    curl = [f"curl {shlex.quote(absolute + examples[0]['url'])}"]
    if op.shape.form == "SELECT":
        curl.append(f"curl -o {op.name}.csv {shlex.quote(absolute + _url(path, dict(example, format='csv', bom='true')))}")
    return {
        "name": op.name, "stem": op.stem, "anchor": "op-" + op.name, "title": translate(op.title, lang),
        "question": translate(op.question, lang), "tag": openapi.tag_of(op), "path": path, "form": op.shape.form,
        "file": f"queries/{op.path.name}", "text_url": _url(text_url, example),
        "ui_url": url_for("ui.home") + "#" + urlencode({"api": _url(text_url, example)}, safe="/", quote_via=quote),
        "params": params, "examples": examples, "curl": curl, "columns": columns,
    }


def model(operations: list[Operation], lang: str) -> dict[str, Any]:
    """Everything api.html shows: the common rules, then each operation, grouped by tag."""
    spec = openapi.document(operations, server_url=request.script_root or "/", lang=lang)
    absolute = request.host_url.rstrip("/")
    docs = [operation_doc(op, spec, lang, absolute) for op in operations]
    groups = [{"name": tag["name"], "description": tag["description"], "operations": [d for d in docs if d["tag"] == tag["name"]]}
              for tag in openapi.tags()]
    common = [{"name": name, "description": code_spans(p["description"]), "choices": p["schema"].get("enum", []),
               "default": p["schema"].get("default")} for name, p in openapi.common_parameters().items()]
    return {"groups": [g for g in groups if g["operations"]], "common": common, "formats": formats(),
            "errors": {status: code_spans(text) for status, text in openapi.errors().items()}, "count": len(docs), "info": spec["info"]}
