"""Dereferenceable IRIs: /id/…, /def, /def/…, /graph/… answer with HTML or RDF, plus the index pages.

Why 200 and not 303: the IRIs are slash IRIs of non-information resources (a city, a forum). The httpRange-14
303 dance costs every client a second round trip and breaks naive consumers; the W3C TAG's 2012 resolution
(and common practice: Wikidata's /entity/, DBpedia behind proxies) allows answering a slash IRI directly with
200 and a description, saying which document that is with ``Content-Location`` (the format URL, e.g.
``/id/city/beijing.ttl``). Every representation also has its own URL (suffix ``.ttl`` or ``?format=ttl``),
announced in ``Link: <…>; rel="alternate"`` headers; responses vary on Accept.
"""
from __future__ import annotations

import math
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from server.errors import NotFound
from server.web import catalog, pages, search
from server.web.pages import Labels, labels_for, link_for
from server.web.site.facts import resource_context
from server.web.site.geo import land_path
from server.web.site.stats import statistics

bp = Blueprint("resources", __name__)
def html(template: str, **context: Any) -> Response:
    """A rendered page; every page knows its primary language and the base of the IRIs."""
    body = render_template(template, lang=pages.chosen_lang(), base_iri=pages.base_iri(), **context)
    return Response(body, content_type="text/html; charset=utf-8")


def resource(path: str) -> Response:
    """Answer one IRI of ours in the negotiated representation (200 directly: see the module docstring)."""
    stem, suffix = pages.split_suffix(path)
    iri = pages.checked_iri(stem)
    media_type = pages.negotiate_page(suffix)
    try:
        triples = pages.describe(iri)
    except NotFound:
        # published by the dataset description only (a void:subset such as graph/meta, the void:vocabulary…)
        triples = [t for t in catalog.catalog_triples() if t.subject == ox.NamedNode(iri) or t.object == ox.NamedNode(iri)]
        if not triples:
            raise
    if media_type != "text/html":
        return pages.rdf_response(triples, media_type, stem)
    context = resource_context(iri, triples, pages.chosen_lang())
    context["statistics"] = statistics(iri) if any(t.predicate.value.endswith("refArea") and t.object == ox.NamedNode(iri) for t in triples) else []
    context["formats"] = [(pages.SUFFIX_OF[m], m) for m in pages.RDF_TYPES]
    context["path"] = stem
    return pages.finish(html("resource.html", **context), stem, media_type)


@bp.get("/id/<path:rest>")
def instance(rest: str) -> Response:
    return resource("id/" + rest)


@bp.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    return resource("graph/" + rest)


@bp.get("/def/<path:rest>")
def term(rest: str) -> Response:
    return resource("def/" + rest)


@bp.get("/shapes/")
def shapes_namespace() -> Response:
    """The namespace of the shape IRIs: the shapes graph that holds them."""
    return resource("graph/shapes")


@bp.get("/shapes/<path:rest>")
def shape(rest: str) -> Response:
    """The SHACL shapes (graph/shapes) mint IRIs under /shapes/: each is described like any resource."""
    return resource("shapes/" + rest)


@bp.get("/project")
@bp.get("/project.<suffix>")
def project(suffix: str | None = None) -> Response:
    """The project as a prov:Agent (the curation graph is attributed to it)."""
    return resource("project" + (f".{suffix}" if suffix else ""))


@bp.get("/def")
@bp.get("/def/")
@bp.get("/def.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology: for machines the whole ontology graph; for browsers documentation generated from it."""
    if suffix is not None and suffix not in pages.SUFFIXES:
        return resource("def." + suffix)  # not a format: NotFound with the usual message
    media_type = pages.negotiate_page(suffix)
    graph = pages.base_iri() + "graph/ontology"
    if media_type != "text/html":
        triples = pages.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return pages.rdf_response(triples, media_type, "def")
    from server.web.documentation import ontology_documentation

    context = ontology_documentation(graph)
    context["formats"] = [(pages.SUFFIX_OF[m], m) for m in pages.RDF_TYPES]
    return pages.finish(html("ontology.html", **context), "def", media_type)


# --- index pages ----------------------------------------------------------------------------------------

def ours(*variables: str) -> str:
    """A FILTER keeping only our own IRIs: owl:sameAs inference copies types and facts onto Wikidata and
    GeoNames IRIs, which would otherwise appear as duplicate cities, signatories, …"""
    base = pages.base_iri()
    return "FILTER(" + " && ".join(f'STRSTARTS(STR({v}), "{base}")' for v in variables) + ")"


@bp.get("/forum")
def forum() -> Response:
    """The forum(s): each described like its resource page, plus what was issued at its closing ceremony."""
    forums = []
    base = pages.base_iri()
    for row in pages.select(f"SELECT DISTINCT ?f WHERE {{ ?f a <{base}def/Forum> {ours('?f')} }} ORDER BY ?f LIMIT 10"):
        iri = row["f"].value
        context = resource_context(iri, pages.describe(iri), pages.chosen_lang())
        issued = pages.select(f"""SELECT DISTINCT ?doc ?c WHERE {{ <{iri}> <{pages.base_iri()}def/closingCeremony> ?c .
            ?doc <{pages.base_iri()}def/issuedAt> ?c {ours('?doc')} }} ORDER BY ?doc""")
        names = labels_for([r["doc"].value for r in issued])
        context["issued"] = [link_for(r["doc"], names) for r in issued]
        forums.append(context)
    return html("forum.html", forums=forums)


@bp.get("/declaration")
def declaration() -> Response:
    """The declaration(s) and their initiatives in order (ugkg:ordinal), with zh and en text (ugkg:text)."""
    ns = pages.base_iri() + "def/"
    rows = pages.select(f"""SELECT ?d ?i ?n ?text WHERE {{ ?d a <{ns}Declaration> ; <{ns}hasInitiative> ?i .
        OPTIONAL {{ ?i <{ns}ordinal> ?n }} OPTIONAL {{ ?i <{ns}text> ?text }} {ours('?d', '?i')} }} ORDER BY ?d ?n ?i LIMIT 2000""")
    signers = pages.select(f"SELECT DISTINCT ?d ?c WHERE {{ ?d a <{ns}Declaration> ; <{ns}issuedBy> ?c {ours('?d', '?c')} }} ORDER BY ?d ?c LIMIT 500")
    names = labels_for([r["d"].value for r in rows + signers] + [r["i"].value for r in rows] + [r["c"].value for r in signers])
    docs: dict[str, dict[str, Any]] = {}
    for r in rows:
        doc = docs.setdefault(r["d"].value, {"link": link_for(r["d"], names), "initiatives": {}, "signers": []})
        item = doc["initiatives"].setdefault(r["i"].value, {"link": link_for(r["i"], names), "n": int(r["n"].value) if "n" in r else None, "text": Labels()})
        if "text" in r:
            item["text"].add(r["text"])
    for r in signers:
        doc = docs.setdefault(r["d"].value, {"link": link_for(r["d"], names), "initiatives": {}, "signers": []})
        doc["signers"].append(link_for(r["c"], names))
    for doc in docs.values():
        doc["initiatives"] = sorted(doc["initiatives"].values(), key=lambda x: (x["n"] is None, x["n"] or 0, x["link"].iri))
        doc["signers"].sort(key=lambda link: link.labels.any)
    return html("declaration.html", declarations=list(docs.values()))


@bp.get("/index")
def indicator_index() -> Response:
    """The indicator system as a tree: dimensions (skos:topConceptOf) and their indicators (skos:broader)."""
    ns = pages.base_iri() + "def/"
    rows = pages.select(f"""SELECT DISTINCT ?sys ?dim ?dn ?ind ?inn WHERE {{ ?sys a <{ns}IndicatorSystem> {ours('?sys')}
        OPTIONAL {{ ?dim a <{ns}Dimension> ; skos:topConceptOf ?sys . OPTIONAL {{ ?dim <{ns}ordinal> ?dn }} {ours('?dim')}
          OPTIONAL {{ ?ind a <{ns}Indicator> ; skos:broader ?dim . OPTIONAL {{ ?ind <{ns}ordinal> ?inn }} {ours('?ind')} }} }}
    }} ORDER BY ?sys ?dn ?dim ?inn ?ind LIMIT 5000""")
    names = labels_for(r[k].value for r in rows for k in ("sys", "dim", "ind") if k in r)
    systems: dict[str, dict[str, Any]] = {}
    for r in rows:
        system = systems.setdefault(r["sys"].value, {"link": link_for(r["sys"], names), "dimensions": {}})
        if "dim" not in r:
            continue
        dim = system["dimensions"].setdefault(r["dim"].value, {"link": link_for(r["dim"], names), "indicators": {}})
        if "ind" in r:
            dim["indicators"].setdefault(r["ind"].value, link_for(r["ind"], names))
    for system in systems.values():
        system["dimensions"] = [dict(d, indicators=list(d["indicators"].values())) for d in system["dimensions"].values()]
    return html("indicators.html", systems=list(systems.values()))


@bp.get("/cities")
def cities() -> Response:
    """The signatory cities in a table and on an SVG map drawn from their coordinates (no tile service)."""
    ns = pages.base_iri() + "def/"
    rows = pages.select(f"""SELECT ?c ?lat ?lon ?type ?prov ?region WHERE {{ ?c a <{ns}UrbanArea> {ours('?c')}
        OPTIONAL {{ ?c schema:latitude ?lat }} OPTIONAL {{ ?c schema:longitude ?lon }}
        OPTIONAL {{ ?c <{ns}hasAdministrativeType> ?type {ours('?type')} }} OPTIONAL {{ ?c <{ns}inProvince> ?prov {ours('?prov')} }}
        OPTIONAL {{ ?c <{ns}inRegion> ?region {ours('?region')} }} }} ORDER BY ?c LIMIT 5000""")
    names = labels_for(r[k].value for r in rows for k in ("c", "type", "prov", "region") if k in r)
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        city = found.setdefault(r["c"].value, {"link": link_for(r["c"], names), "lat": None, "lon": None, "types": {}, "provinces": {}, "regions": {}})
        for key, var in (("lat", "lat"), ("lon", "lon")):
            if var in r and city[key] is None:
                try:
                    city[key] = float(r[var].value)
                except ValueError:
                    pass
        for key, var in (("types", "type"), ("provinces", "prov"), ("regions", "region")):
            if var in r:
                city[key].setdefault(r[var].value, link_for(r[var], names))
    table = sorted(found.values(), key=lambda c: c["link"].labels.any)
    for city in table:
        for key in ("types", "provinces", "regions"):
            city[key] = list(city[key].values())
    return html("cities.html", cities=table, map=city_map(table, pages.chosen_lang()))


def city_map(cities: list[dict[str, Any]], lang: str = "en", height: int = 560) -> dict[str, Any]:
    """An equirectangular sketch fitted to the cities (±3°, x scaled by cos(latitude)), a 5° graticule, and
    labels nudged so that neighbours (Beijing and Xiong'an, Guangzhou and Shenzhen) do not overlap."""
    located = [c for c in cities if c["lat"] is not None and c["lon"] is not None]
    lons, lats = [c["lon"] for c in located] or [73.0, 135.0], [c["lat"] for c in located] or [18.0, 54.0]
    west, east = 5 * ((min(lons) - 3) // 5), 5 * ((max(lons) + 3) // 5 + 1)
    south, north = 5 * ((min(lats) - 3) // 5), 5 * ((max(lats) + 3) // 5 + 1)
    squash = math.cos(math.radians((north + south) / 2))
    scale = height / (north - south)
    width = round((east - west) * squash * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * squash * scale, 1), round((north - lat) * scale, 1)

    placed: list[tuple[float, float, float]] = []  # label boxes: x, y (baseline), width
    points = []
    for c in sorted(located, key=lambda c: -c["lat"]):
        x, y = xy(c["lon"], c["lat"])
        shown = c["link"].labels.pick(lang)[0]  # the label the map shows: one language, the page's
        text_width = 6.6 * sum(2 if ord(ch) > 0x2E80 else 1 for ch in shown) + 2
        for dx, dy, anchor in ((7, 4, "start"), (7, 17, "start"), (7, -9, "start"), (-7, 4, "end"), (-7, 17, "end"), (-7, -9, "end")):
            left = x + dx if anchor == "start" else x + dx - text_width
            if all(abs((y + dy) - py) >= 13 or left + text_width < px or left > px + pw for px, py, pw in placed):
                break
        placed.append((left, y + dy, text_width))
        points.append(dict(city=c, x=x, y=y, lx=round(x + dx, 1), ly=round(y + dy, 1), anchor=anchor))
    meridians = [dict(x=xy(lon, north)[0], label=f"{lon:g}°E") for lon in range(int(west), int(east) + 1, 5)]
    parallels = [dict(y=xy(west, lat)[1], label=f"{lat:g}°N") for lat in range(int(south), int(north) + 1, 5)]
    land = land_path(lambda lon, lat: (float(xy(lon, lat)[0]), float(xy(lon, lat)[1])), (west, east, south, north), width, height)
    return {"width": width, "height": height, "points": points, "meridians": meridians, "parallels": parallels,
            "extent": f"{west:g}–{east:g}°E, {south:g}–{north:g}°N", "land": land}


# --- search ---------------------------------------------------------------------------------------------

@bp.get("/search")
def search_view() -> Response:
    """JSON for programs, an HTML results page when the browser prefers HTML."""
    return search.respond(html)
