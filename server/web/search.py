"""Label and text search over the snapshot: an in-memory index built once per app and snapshot.

Chinese has no spaces, so there is no tokenising: a query matches by characters (substring), after Unicode
NFKC normalisation and case folding (full-width Latin and case differences match). Ranking, best first: an
exact label match, a label prefix, a label substring, then a match in other text (ugkg:text,
skos:definition); ties go to the shorter matched text. With a few thousand literals a linear scan answers
in about a millisecond, which is simpler and more predictable than an n-gram index.
"""
from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Response, current_app, jsonify, request

from server.sparql import negotiation
from server.web import pages
from server.errors import BadRequest
from server.web.runtime import current

LABEL_PROPS = ("http://www.w3.org/2000/01/rdf-schema#label", pages.SKOS + "prefLabel", pages.SKOS + "altLabel")
TEXT_PROPS = ("def/text", pages.SKOS + "definition")  # ugkg:text is completed with the base at build time
KINDS = ("exact", "prefix", "substring", "text")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
IGNORED_TYPES = {pages.OWL + "Thing", "http://www.w3.org/2000/01/rdf-schema#Resource"}
_lock = threading.Lock()


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


@dataclass
class Entry:
    iri: str
    labels: pages.Labels
    types: list[str] = field(default_factory=list)
    texts: list[tuple[str, str, str, str, bool]] = field(default_factory=list)  # (normalised, text, lang, property, is label)


@dataclass
class Index:
    build_id: str
    entries: list[Entry]

    def search(self, query: str, limit: int) -> list[tuple[int, Entry, tuple[str, str, str, str, bool]]]:
        """(tier, entry, matched text) ranked best first; one hit per resource, its best match."""
        q = normalise(query)
        if not q:
            return []
        hits = []
        for entry in self.entries:
            best = None
            for item in entry.texts:
                norm, _, _, _, is_label = item
                if q not in norm:
                    continue
                tier = (0 if norm == q else 1 if norm.startswith(q) else 2) if is_label else 3
                key = (tier, len(norm))
                if best is None or key < best[0]:
                    best = (key, item)
            if best is not None:
                hits.append((best[0], entry.iri, entry, best[1]))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [(key[0], entry, item) for key, _, entry, item in hits[:limit]]


def build_index() -> Index:
    """Read every label and text literal of the union graph with one paged SELECT, and the subjects' types."""
    base = pages.base_iri()
    props = LABEL_PROPS + tuple(base + p if p.startswith("def/") else p for p in TEXT_PROPS)
    values = " ".join(f"<{p}>" for p in props)
    rows = pages.select_all(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) && STRSTARTS(STR(?s), '{base}')) }} ORDER BY ?s ?p ?o")
    entries: dict[str, Entry] = {}
    for row in rows:
        iri, prop, literal = row["s"].value, row["p"].value, row["o"]
        entry = entries.setdefault(iri, Entry(iri, pages.Labels(fallback=pages.curie(iri))))
        is_label = prop in LABEL_PROPS
        if prop in LABEL_PROPS[:2]:
            entry.labels.add(literal)
        entry.texts.append((normalise(literal.value), literal.value, literal.language or "", pages.curie(prop), is_label))
    for row in pages.select_all(f"SELECT ?s ?t WHERE {{ ?s a ?t FILTER(isIRI(?t) && STRSTARTS(STR(?s), '{base}')) }} ORDER BY ?s ?t"):
        entry = entries.get(row["s"].value)
        if entry is not None and row["t"].value not in IGNORED_TYPES:
            entry.types.append(row["t"].value)
    return Index(current().snapshot.build_id, list(entries.values()))


def index() -> Index:
    """The app's index for its snapshot, built on first use (one thread builds, the others wait)."""
    build_id = current().snapshot.build_id
    found: Index | None = current_app.extensions.get("ugkg.search")
    if found is None or found.build_id != build_id:
        with _lock:
            found = current_app.extensions.get("ugkg.search")
            if found is None or found.build_id != build_id:
                found = build_index()
                current_app.extensions["ugkg.search"] = found
    return found


def snippet(text: str, query: str, width: int = 60) -> str:
    """The part of a long text around the match."""
    if len(text) <= width * 2:
        return text
    at = normalise(text).find(normalise(query))
    start = max(0, at - width // 2) if at >= 0 else 0
    return ("…" if start else "") + text[start:start + width * 2] + ("…" if start + width * 2 < len(text) else "")


def results(query: str, limit: int) -> list[dict[str, Any]]:
    out = []
    for tier, entry, (_, text, lang, prop, _) in index().search(query, limit):
        out.append({
            "iri": entry.iri,
            "href": pages.local_href(entry.iri) or entry.iri,
            "labels": {"en": entry.labels.en, "zh": entry.labels.zh},
            "types": entry.types,
            "matched": {"text": snippet(text, query), "lang": lang or None, "property": prop, "kind": KINDS[tier]},
        })
    return out


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit={raw[:20]!r} is not a number; give 1 to {MAX_LIMIT}") from None
    if value < 1:
        raise BadRequest(f"limit must be at least 1 (at most {MAX_LIMIT})")
    return min(value, MAX_LIMIT)


def respond(render_html: Callable[..., Response]) -> Response:
    """GET /search?q=…&limit=…: JSON by default, HTML when the browser prefers it (or format=html)."""
    fmt = request.args.get("format")
    if fmt in ("json", "html"):
        media_type = "text/html" if fmt == "html" else "application/json"
    else:
        media_type = negotiation.negotiate(request.headers.get("Accept"), ("application/json", "text/html"), fmt=fmt)
    query = request.args.get("q", "").strip()
    limit = _limit()
    if len(query) > 200:
        raise BadRequest("the search text is longer than 200 characters")
    if media_type == "text/html":
        found = results(query, limit) if query else []
        names = {t: pages.curie(t) for r in found for t in r["types"]}
        response = render_html("search.html", query=query, results=found, type_names=names, limit=limit)
    else:
        if not query:  # the bare /search is a published link: it answers, and says how to ask
            response = jsonify(query="", limit=limit, count=0, results=[],
                               hint="give the text to search for in the parameter q, e.g. /search?q=beijing or /search?q=北京")
        else:
            found = results(query, limit)
            response = jsonify(query=query, limit=limit, count=len(found), results=found)
    response.headers["Vary"] = "Accept"
    return response
