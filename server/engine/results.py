"""Serialise query results with a row limit, saying in the body (where the format allows) that rows were cut.

pyoxigraph serialises whole result sets only. A SELECT answer within ``max_rows`` is kept as pyoxigraph wrote it
(``native_solutions``: its rows counted in the body); one over the limit is written here instead (the four W3C
result formats are small), stopping at ``max_rows`` and saying so. Graph results are cut before pyoxigraph
serialises them.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TRUNCATED_LINK = "https://w3id.org/ugkg/def/truncatedResult"


@dataclass(frozen=True)
class Serialised:
    """A finished response body."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool


GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
SOLUTION_FORMATS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
NATIVE_SOLUTION_FORMATS = {  # the result formats pyoxigraph itself writes
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
TEXT_MEDIA_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle"}


# A body pyoxigraph writes whole is kept only up to this size; past it (or past the row limit) our writer runs
# instead, which stops at the row limit and says so. Counting the rows of a body this size is cheap.
NATIVE_BODY_CAP_BYTES = 8 << 20


class _BodyTooLarge(Exception):
    """Raised from inside pyoxigraph's writer to stop it at ``NATIVE_BODY_CAP_BYTES``."""


class _CappedBuffer(io.RawIOBase):
    """A write target for pyoxigraph's serialiser that refuses to grow past a cap (it writes ~8 KiB chunks)."""

    def __init__(self, cap_bytes: int) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.size = 0
        self.cap_bytes = cap_bytes

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        self.size += len(chunk)
        if self.size > self.cap_bytes:
            raise _BodyTooLarge
        self.parts.append(bytes(chunk))
        return len(chunk)


def native_solutions(solutions: ox.QuerySolutions, media_type: str, max_rows: int, *, bounded_rows: bool = False) -> Serialised | None:
    """The answer as pyoxigraph writes it (in Rust), when it is whole: within ``max_rows`` and the size cap.

    None means "write it with ``serialise_solutions`` instead": the caller runs the query again and our writer
    cuts it at the row limit with the truncation signal. ``media_type`` must be in ``NATIVE_SOLUTION_FORMATS``.
    ``bounded_rows``: the query's LIMIT already bounds the rows (``embedded.evaluate_pattern``), so pyoxigraph
    writes the whole body in one call instead of through our capped buffer (measured: ~100 µs less for a point
    lookup); the cap still applies to what it wrote.
    """
    if bounded_rows:
        body = solutions.serialize(format=NATIVE_SOLUTION_FORMATS[media_type])
        if len(body) > NATIVE_BODY_CAP_BYTES:
            return None
    else:
        sink = _CappedBuffer(NATIVE_BODY_CAP_BYTES)
        try:
            solutions.serialize(sink, format=NATIVE_SOLUTION_FORMATS[media_type])
        except _BodyTooLarge:
            return None
        body = b"".join(sink.parts)
    rows = count_native_rows(body, media_type)
    return Serialised(body, media_type, rows, False) if rows <= max_rows else None


JSON_START = b'{"head":{"vars":['  # pyoxigraph's compact JSON; anything else is parsed


def count_native_rows(body: bytes, media_type: str) -> int:
    """The number of solutions in a body pyoxigraph wrote in one of ``NATIVE_SOLUTION_FORMATS``.

    Exact for each format: XML escapes ``<`` in values, TSV escapes newlines, CSV quotes them (so CSV is read as
    records). JSON is counted without parsing it (``json.loads`` was ~80 µs of a 50-row answer, more than its
    serialisation): in pyoxigraph's compact writer ``},{"`` occurs only between two rows — never inside a
    string, where ``"`` is escaped, nor inside a row, whose members follow ``},`` with ``"`` and whose terms nest
    only as ``:{`` — so the rows are one more than its occurrences, or none when the bindings array is empty. A
    row binding nothing (``{}``) would start with ``},{}``, which a string may also hold: then the body is parsed.
    Cheaper than taking the rows one by one into Python before writing them in Rust.
    """
    if media_type == "application/sparql-results+json":
        if body.startswith(JSON_START) and b"},{}" not in body:
            return 0 if body.rstrip().endswith(b'"bindings":[]}}') else body.count(b'},{"') + 1
        return len(json.loads(body)["results"]["bindings"])
    if media_type == "application/sparql-results+xml":
        return body.count(b"<result>")
    if media_type == "text/tab-separated-values":
        return body.count(b"\n") - 1
    if media_type == "text/csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    raise ValueError(f"not a native solutions format: {media_type}")


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: charset only where the type has that parameter."""
    return f"{media_type}; charset=utf-8" if media_type in TEXT_MEDIA_TYPES else media_type


def serialise_boolean(value: bool, media_type: str) -> Serialised:
    if media_type == "application/sparql-results+json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif media_type == "application/sparql-results+xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    elif media_type == "text/csv":
        body = f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    else:
        body = f"?_askResult\n{'true' if value else 'false'}\n".encode()
    return Serialised(body, media_type, 1, False)


def serialise_solutions(variables: list[str], solutions: Iterable[Any], media_type: str, max_rows: int) -> Serialised:
    rows = list(islice(solutions, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    writer = {
        "application/sparql-results+json": _json,
        "application/sparql-results+xml": _xml,
        "text/csv": _csv,
        "text/tab-separated-values": _tsv,
    }[media_type]
    return Serialised(writer(variables, rows, truncated), media_type, len(rows), truncated)


def serialise_triples(triples: Iterable[ox.Triple], media_type: str, max_rows: int, prefixes: dict[str, str] | None = None) -> Serialised:
    items = list(islice(triples, max_rows + 1))
    truncated = len(items) > max_rows
    items = items[:max_rows]
    fmt = GRAPH_FORMATS[media_type]
    data: list[Any] = items
    if fmt.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    kwargs: dict[str, Any] = {}
    if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    body = ox.serialize(data, format=fmt, **kwargs) or b""
    if truncated and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        body = f"# truncated: only the first {max_rows} triples are given (setting max_result_rows)\n".encode() + body
    return Serialised(body, media_type, len(items), truncated)


def term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate), "object": term_json(term.object)}}


def _json(variables: list[str], rows: list[Any], truncated: bool) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for var in variables:
            term = row[var]
            if term is not None:
                binding[var] = term_json(term)
        bindings.append(binding)
    head: dict[str, Any] = {"vars": variables}
    if truncated:
        head["link"] = [TRUNCATED_LINK]
    doc: dict[str, Any] = {"head": head, "results": {"bindings": bindings}}
    if truncated:
        doc["truncated"] = True
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _term_xml(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _xml(variables: list[str], rows: list[Any], truncated: bool) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    for var in variables:
        out.write(f"<variable name={quoteattr(var)}/>")
    if truncated:
        out.write(f"<link href={quoteattr(TRUNCATED_LINK)}/>")
    out.write("</head>\n<results>\n")
    for row in rows:
        out.write("<result>")
        for var in variables:
            term = row[var]
            if term is not None:
                out.write(f"<binding name={quoteattr(var)}>{_term_xml(term)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue().encode()


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _csv(variables: list[str], rows: list[Any], truncated: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row[var]) for var in variables])
    return out.getvalue().encode()


def _tsv(variables: list[str], rows: list[Any], truncated: bool) -> bytes:
    lines = ["\t".join(f"?{var}" for var in variables)]
    for row in rows:
        lines.append("\t".join("" if row[var] is None else str(row[var]).replace("\t", "\\t") for var in variables))
    return ("\n".join(lines) + "\n").encode()
