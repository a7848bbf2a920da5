"""Answers shaped for tables: SPARQL JSON results → records of plain values, CSV.

A record maps each projected variable to a plain JSON value: an IRI as its string, a number as a number, a
boolean as a boolean, every other literal (dates, years, text in any language) as its lexical form, unbound as
null. With ``lang=en`` or ``lang=zh`` each pair of columns ``x_en``/``x_zh`` (and a lone ``x_en`` or ``x_zh``)
becomes one column ``x`` in that language, falling back to the other where the asked one is missing, so a table
holds one label per thing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
NUMBER_TYPES = {XSD + t for t in ("decimal", "double", "float")}
LANGS = ("en", "zh")
_PAIRED = re.compile(r"(?P<base>.+)_(?P<lang>en|zh)")


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    records: list[dict[str, Any]]


def plain(binding: dict[str, Any] | None) -> Any:
    """One SPARQL JSON binding as a plain JSON value."""
    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value")
    if kind == "uri":
        return value
    if kind == "bnode":
        return f"_:{value}"
    datatype = binding.get("datatype")
    try:
        if datatype in INTEGER_TYPES:
            return int(value)
        if datatype in NUMBER_TYPES:
            number = float(value)
            return number if number == number and abs(number) != float("inf") else value  # NaN/INF stay text
    except (TypeError, ValueError):
        return value
    if datatype == XSD + "boolean":
        return value in ("true", "1")
    return value


def json_type(binding: dict[str, Any] | None) -> str:
    """The JSON Schema type of ``plain(binding)``."""
    return value_type(plain(binding))


def value_type(value: Any) -> str:
    """The JSON Schema type of a record's value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def table(doc: dict[str, Any]) -> Table:
    """Records of a SPARQL JSON results document, in its variable order."""
    columns = tuple(doc.get("head", {}).get("vars", []))
    rows = doc.get("results", {}).get("bindings", [])
    return Table(columns, [{c: plain(row.get(c)) for c in columns} for row in rows])


def _short_id(value: Any) -> Any:
    """The last path segment (or fragment) of an IRI value, else None."""
    if not isinstance(value, str) or not (value.startswith(("http://", "https://", "urn:"))):
        return None
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or None


def with_identifiers(data: Table, identifiers: Any, wikidata: dict[str, str]) -> Table:
    """``data`` with, for each resource column (``operations.Identifier``), its IRI column followed by
    ``{base}_id`` (the IRI's last segment) and ``{base}_wikidata`` (the Wikidata id, or null), placed just before
    the resource's label columns (``{base}_en``/``{base}_zh``) when the API added the IRI, else right after it."""
    present = [i for i in identifiers if i.iri_column in data.columns]
    if not present:
        return data
    injected = {i.iri_column: i for i in present if i.injected}
    kept = {i.iri_column: i for i in present if not i.injected}
    columns: list[str] = []
    placed: set[str] = set()

    def place(identifier: Any) -> None:
        columns.extend([identifier.iri_column, f"{identifier.base}_id", f"{identifier.base}_wikidata"])
        placed.add(identifier.iri_column)

    for column in data.columns:
        if column in injected:
            continue
        for identifier in injected.values():
            if identifier.iri_column not in placed and column in (f"{identifier.base}_en", f"{identifier.base}_zh"):
                place(identifier)
        if column in kept:
            place(kept[column])
        else:
            columns.append(column)
    for identifier in injected.values():
        if identifier.iri_column not in placed:
            place(identifier)
    records = []
    for record in data.records:
        row = dict(record)
        for identifier in present:
            iri = record.get(identifier.iri_column)
            row[f"{identifier.base}_id"] = _short_id(iri)
            row[f"{identifier.base}_wikidata"] = wikidata.get(iri) if isinstance(iri, str) else None
        records.append({c: row.get(c) for c in columns})
    return Table(tuple(columns), records)


def merged_columns(columns: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    """(output column, {lang: source column}) in order; a column without _en/_zh maps to itself under ''. A pair
    whose base name is itself a column is left as it is (never two columns of one name)."""
    out: list[tuple[str, dict[str, str]]] = []
    seen: dict[str, dict[str, str]] = {}
    for column in columns:
        match = _PAIRED.fullmatch(column)
        if match and match.group("base") not in columns:
            base = match.group("base")
            if base not in seen:
                seen[base] = {}
                out.append((base, seen[base]))
            seen[base][match.group("lang")] = column
        else:
            out.append((column, {"": column}))
    return out


def in_language(data: Table, lang: str) -> Table:
    """Each label column in ``lang``, falling back to the other language where it is missing or empty."""
    other = LANGS[1 - LANGS.index(lang)]
    plan = merged_columns(data.columns)
    records = []
    for record in data.records:
        row: dict[str, Any] = {}
        for name, sources in plan:
            if "" in sources:
                row[name] = record[sources[""]]
                continue
            value = record.get(sources.get(lang, ""))
            if value in (None, ""):
                value = record.get(sources.get(other, ""))
            row[name] = value
        records.append(row)
    return Table(tuple(name for name, _ in plan), records)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(data: Table, *, bom: bool) -> bytes:
    """RFC 4180 CSV in UTF-8 (CRLF line ends), with a byte-order mark when ``bom`` (Excel then reads UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(data.columns)
    for record in data.records:
        writer.writerow([_cell(record.get(c)) for c in data.columns])
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")
