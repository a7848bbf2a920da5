"""Content negotiation: one function picks the media type, or raises NotAcceptable.

Accept headers are parsed with q-values and wildcards (RFC 9110 §12.5.1); a ``format`` parameter (a short
name or a media type) wins over Accept so that browsers and curl users can ask by URL.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.errors import BadRequest, NotAcceptable

SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)
DATASET_TYPES = ("application/n-quads", "application/trig")
HTML = "text/html"

SHORT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "html": HTML,
}
# "xml" and "json" mean the RDF variants when the answer is a graph; N3 clients (SPARQLWrapper's N3) get
# Turtle, which is N3 without its extensions
GRAPH_SHORT_NAMES = dict(SHORT_NAMES, xml="application/rdf+xml", json="application/ld+json", n3="text/turtle")
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/turtle": "text/turtle",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/n3": "text/turtle",
    "application/x-json+ld": "application/ld+json",
}
GRAPH_ALIASES = dict(ALIASES, **{"application/json": "application/ld+json", "application/xml": "application/rdf+xml", "text/xml": "application/rdf+xml"})
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json", "rdf": "application/rdf+xml", "trig": "application/trig", "nq": "application/n-quads", "html": HTML}
EXTENSION_OF = {v: k for k, v in EXTENSIONS.items()}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    specificity: int

    def matches(self, media_type: str) -> bool:
        kind, sub = media_type.split("/", 1)
        return (self.type in ("*", kind)) and (self.subtype in ("*", sub))


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header; malformed members are skipped, as RFC 9110 allows."""
    ranges: list[MediaRange] = []
    for member in header.split(","):
        parts = [p.strip() for p in member.split(";")]
        if "/" not in parts[0]:
            continue
        kind, sub = (x.strip().lower() for x in parts[0].split("/", 1))
        if not kind or not sub:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        specificity = 0 if kind == "*" else (1 if sub == "*" else 2)
        ranges.append(MediaRange(kind, sub, q, specificity))
    return ranges


def _resolve_format(value: str, offered: tuple[str, ...], names: dict[str, str], aliases: dict[str, str]) -> str:
    """One ``format`` value (a short name, a media type, or a comma-separated list of them) → a media type."""
    candidates = [part.split(";")[0].strip().lower() for part in value.split(",") if part.strip()]
    resolved = [names.get(c, aliases.get(c, c)) for c in candidates] or [value.strip().lower()]
    return next((m for m in resolved if m in offered), resolved[0])


def _from_format(fmt: str | tuple[str, ...], offered: tuple[str, ...], graph: bool) -> str:
    """The media type the ``format`` parameter(s) ask for. SPARQLWrapper sends ``format`` twice, a short name
    and a media type (``tsv`` and ``text/tab-separated-values``): values that agree are one request."""
    names = GRAPH_SHORT_NAMES if graph else SHORT_NAMES
    aliases = GRAPH_ALIASES if graph else ALIASES
    values = (fmt,) if isinstance(fmt, str) else tuple(v for v in fmt if v.strip()) or ("",)
    wanted = list(dict.fromkeys(_resolve_format(v, offered, names, aliases) for v in values))
    if len(wanted) > 1:
        raise BadRequest(f"the 'format' values {', '.join(repr(v) for v in values)} ask for different media types ({', '.join(wanted)})")
    if wanted[0] in offered:
        return wanted[0]
    shown = ", ".join(repr(v) for v in values)
    raise NotAcceptable(f"format {shown} is not available here; available: {', '.join(offered)}", details={"available": list(offered)})


def negotiate(accept: str | None, offered: tuple[str, ...], *, fmt: str | tuple[str, ...] | None = None, graph: bool = False,
              fallback_for: tuple[str, ...] = ()) -> str:
    """Pick the media type to answer with; ``offered`` is in order of preference (first is the default).

    ``fallback_for``: media types we know but cannot produce for this answer (the results types, for a
    CONSTRUCT). An Accept header naming only such types gets ``offered[0]`` instead of 406, as RFC 9110
    §12.5.1 allows ("disregard the header field"): roqet asks for results types whatever the query form is.
    An Accept naming only types unknown to us is still 406.
    """
    names = GRAPH_SHORT_NAMES if graph else SHORT_NAMES
    aliases = GRAPH_ALIASES if graph else ALIASES
    if fmt:
        return _from_format(fmt, offered, graph)
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, media_type in enumerate(offered):
        for candidate in {media_type} | {alias for alias, target in aliases.items() if target == media_type}:
            q, spec = _quality(ranges, candidate)
            if q <= 0 or (candidate != media_type and spec < 2):
                continue  # an alias counts only when named exactly, never through a wildcard
            key = (q, spec, -position)
            if best is None or key > best:
                best, chosen = key, media_type
    if chosen is None:
        other = set(fallback_for) | {a for a, t in ALIASES.items() if t in fallback_for}
        if other and all(r.specificity == 2 and f"{r.type}/{r.subtype}" in other for r in ranges if r.q > 0):
            return offered[0]
        raise NotAcceptable(
            f"none of the media types in Accept ({accept[:200]}) can be produced here; available: {', '.join(offered)}",
            details={"available": list(offered)},
        )
    return chosen


def _quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int]:
    """The q of the most specific range matching ``media_type`` (RFC 9110: the most specific wins)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0, -1
    top = max(matching, key=lambda r: r.specificity)
    return top.q, top.specificity
