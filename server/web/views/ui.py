"""The query page for people (YASGUI, served locally) at /query, and the favicon."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, Response, render_template, url_for

from server.engine.export import PREFIXES as PUBLISHED_PREFIXES
from server.web.runtime import current
from server.web.site import problems
from server.web.site.i18n import translate
from server.web.site.links import canonical_base, serving_base
from flask_babel import gettext
from server.build.sources import header_fields, query_files, sources_root

bp = Blueprint("ui", __name__, template_folder="../templates", static_folder="../static", static_url_path="/static")
log = logging.getLogger("ugkg.ui")

# Prefixes preloaded in the editor and used to shorten IRIs in result tables: a subset of the published ones.
EDITOR_PREFIXES = ("ugkg", "ugr", "schema", "skos", "org", "dcterms", "prov", "qb", "rdfs", "rdf", "owl", "xsd")
PREFIXES: dict[str, str] = {name: PUBLISHED_PREFIXES[name] for name in EDITOR_PREFIXES}

STARTER_BODY = """# Every typed resource and its label (change me, then press the run button or Ctrl+Enter)
SELECT ?thing ?type ?label WHERE {
  ?thing a ?type .
  OPTIONAL { ?thing rdfs:label|skos:prefLabel|schema:name ?label }
}
LIMIT 25
"""


@dataclass(frozen=True)
class Example:
    """One competency query offered as a ready example."""

    id: str  # file stem, e.g. "01-forum"
    title: str
    question: str
    query: str  # the whole file, header comments included


def parse_example(path: Path) -> Example:
    """Read ``# title:`` and ``# question:`` from the leading comment lines of a .rq file."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for key, value in header_fields(text):
        if key in ("title", "question") and key not in header:
            header[key] = value
    return Example(id=path.stem, title=header.get("title") or path.stem, question=header.get("question", ""), query=text)


def load_examples() -> list[Example]:
    """The competency queries of the sources being served (an unreadable file is skipped, never fatal)."""
    examples: list[Example] = []
    for path in query_files(sources_root(current().settings)):
        try:
            examples.append(parse_example(path))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("skipping example query %s: %s", path, exc)
    return examples


def starter_query() -> str:
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n\n" + STARTER_BODY


def has_static(name: str) -> bool:
    """Whether an optional stylesheet exists (linking a missing one would be a 404 in every browser console)."""
    return bp.static_folder is not None and (Path(bp.static_folder) / name).is_file()


def query_page() -> Response:
    """The YASGUI page; also what GET /sparql answers a browser that sends no query."""
    examples = load_examples()
    config = {
        "endpoint": url_for("sparql.endpoint"),
        "prefixes": PREFIXES,
        "starterQuery": starter_query(),
        "examples": [dict(asdict(example), title=translate(example.title), question=translate(example.question)) for example in examples],
        # result links to the dataset's IRIs lead to this server (site.links), not to the canonical base
        "canonicalBase": canonical_base(),
        "linkBase": serving_base(),
        "messages": {"error": gettext("The query could not be run"), "position": gettext("line %(line)s, column %(column)s", line="{line}", column="{column}"),
                     "hint": gettext("Hint:"), "endpoint": gettext("Endpoint:").rstrip(":："), "editor": gettext("SPARQL query"), "tab": gettext("Query"),
                     "problems": problems.for_query_page()},  # what an error means, in the page language
        "serviceAllow": list(current().settings.service_allow),  # templates/_federation.html lists them
        # loaded by query.js on the reader's first interaction (the page itself needs none of them)
        "assets": {"yasguiJs": url_for("ui.static", filename="vendor/yasgui/yasgui.min.js"),
                   "yasguiCss": url_for("ui.static", filename="vendor/yasgui/yasgui.min.css"),
                   "leafletJs": url_for("ui.static", filename="vendor/leaflet/leaflet.js"),
                   "leafletCss": url_for("ui.static", filename="vendor/leaflet/leaflet.css"),
                   "wktmapJs": url_for("ui.static", filename="wktmap.js")},
    }
    body = render_template("query.html", examples=examples, config=config, prefixes=PREFIXES, site_css=has_static("site.css"))
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/query")
def home() -> Response:
    """The query editor's own page (it used to be ``/``; ``/?query=…`` is redirected here by site.landing)."""
    return query_page()


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: the same SVG icon the pages link."""
    response = bp.send_static_file("favicon.svg")
    response.headers["Content-Type"] = "image/svg+xml"
    return response
