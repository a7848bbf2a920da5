"""The landing page at ``/``: what this is, where it comes from, the figures, the ways in, how to cite.

The figures are computed from the graph through ``SparqlService`` (the same limits and cache as every page),
never written into the template. Old links keep working: ``/?query=…`` (the editor's old home) is redirected to
``/query``, and the old YASGUI fragment (``/#query=…``) is forwarded by ``static/pages.js``.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request

from server.web import pages
from server.web.runtime import current

bp = Blueprint("site", __name__)
OA = "http://www.w3.org/ns/oa#"


def article_graphs() -> list[str]:
    """The named graphs of the source articles: those that have a quotes graph beside them."""
    prefix = pages.base_iri() + "graph/data/"
    names = {g[len(prefix):] for g in current().snapshot.graphs if g.startswith(prefix)}
    return sorted(prefix + n for n in names if "quotes-" + n in names)


def figures() -> dict[str, int]:
    """Cities, initiatives, dimensions, indicators, article facts and quotes, counted in the graph."""
    ns = pages.base_iri() + "def/"
    graphs = " ".join(f"<{g}>" for g in article_graphs()) or "<urn:x-none>"
    base = pages.base_iri()
    query = f"""SELECT ?cities ?initiatives ?dimensions ?indicators ?facts ?quotes WHERE {{
  {{ SELECT (COUNT(DISTINCT ?c) AS ?cities) WHERE {{ ?d a <{ns}Declaration> ; <{ns}issuedBy> ?c FILTER(STRSTARTS(STR(?c), "{base}")) }} }}
  {{ SELECT (COUNT(DISTINCT ?i) AS ?initiatives) WHERE {{ ?d a <{ns}Declaration> ; <{ns}hasInitiative> ?i FILTER(STRSTARTS(STR(?i), "{base}")) }} }}
  {{ SELECT (COUNT(DISTINCT ?x) AS ?dimensions) WHERE {{ ?x a <{ns}Dimension> FILTER(STRSTARTS(STR(?x), "{base}")) }} }}
  {{ SELECT (COUNT(DISTINCT ?y) AS ?indicators) WHERE {{ ?y a <{ns}Indicator> FILTER(STRSTARTS(STR(?y), "{base}")) }} }}
  {{ SELECT (COUNT(*) AS ?facts) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {graphs} }} }} }} }}
  {{ SELECT (COUNT(DISTINCT ?a) AS ?quotes) WHERE {{ ?a a <{OA}Annotation> }} }}
}}"""
    rows = pages.select(query)
    return {k: int(v.value) for k, v in (rows[0].items() if rows else [])}


def sources() -> list[dict[str, Any]]:
    """The source articles (ugkg:NewsArticle): title, publisher's page, date."""
    ns = pages.base_iri() + "def/"
    rows = pages.select(f"""SELECT ?a ?pub ?date ?page WHERE {{ ?a a <{ns}NewsArticle> FILTER(STRSTARTS(STR(?a), "{pages.base_iri()}"))
        OPTIONAL {{ ?a dcterms:publisher ?pub }} OPTIONAL {{ ?a dcterms:date ?date }} OPTIONAL {{ ?a <{ns}page> ?page }} }} ORDER BY ?date ?a LIMIT 20""")
    names = pages.labels_for([r["a"].value for r in rows] + [r["pub"].value for r in rows if "pub" in r])
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        out.setdefault(r["a"].value, {"link": pages.link_for(r["a"], names), "publisher": pages.link_for(r["pub"], names) if "pub" in r else None,
                                      "date": r["date"].value[:10] if "date" in r else "", "page": r["page"].value if "page" in r else None})
    return list(out.values())


@bp.get("/")
def landing() -> Response:
    if "query" in request.args:  # the query editor used to live here: /?query=… keeps working
        return redirect(request.script_root + "/query?" + request.query_string.decode("utf-8", "replace"), code=301)  # type: ignore[return-value]
    manifest = current().snapshot.manifest
    body = render_template("landing.html", lang=pages.chosen_lang(), figures=figures(), sources=sources(),
                           created=str(manifest.get("created", ""))[:10], build_id=manifest.get("build_id", ""),
                           base_iri=pages.base_iri())
    return Response(body, content_type="text/html; charset=utf-8")
