"""Releases on the web: the list, one page per versioned IRI (its dumps, patch, changelog, citation), the
changelog in both languages, citations (BibTeX, RIS, CSL-JSON), 301 for IRIs a release moved, and Memento
(RFC 7089): ``/releases/<version>/<path>`` is the resource as that release described it (a Memento),
``Accept-Datetime`` on a resource IRI redirects (302) to the Memento of the release in force at that date, and
``/timemap/<path>`` lists a resource's Mementos.

Release records are read from ``releases_dir`` (the repository's releases/): a fresh clone serves the same
releases, files and checksums.
"""
from __future__ import annotations

import email.utils
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from server.build.history import dcat_graph
from server.build.release import CHANGELOG, DUMP, MOVES, PATCH, Release, list_releases, releases_root
from server.engine.releases import index_of
from server.engine.results import content_type
from server.errors import BadAcceptDatetime, Gone, NotFound
from server.web import citation, pages
from server.web.runtime import current

bp = Blueprint("releases", __name__)
RESOURCE_PREFIXES = ("id/", "def/", "graph/", "shapes/")
CITE_TYPES = {"bib": "application/x-bibtex; charset=utf-8", "ris": "application/x-research-info-systems; charset=utf-8", "json": "application/vnd.citationstyles.csl+json"}


def chain() -> list[Release]:
    """The recorded releases, oldest first (re-read when the directory changes)."""
    root = releases_root(current().settings)
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in root.glob("*/release.json"))) if root.is_dir() else ()
    cached = current().__dict__.get("_releases")
    if not cached or cached[0] != stamp:
        cached = (stamp, list_releases(root))
        current().__dict__["_releases"] = cached
    return cached[1]


def release(version: str) -> Release:
    found = next((r for r in chain() if r.version == version), None)
    if found is None:
        raise NotFound(f"no release {version[:40]!r}; the releases are listed at /releases", details={"releases": [r.version for r in chain()]})
    return found


def release_url(version: str) -> str:
    return f"{pages.base_iri()}releases/{version}"


# --- citations -------------------------------------------------------------------------------------------------

def citation_of(version: str | None = None, iri: str | None = None) -> citation.Citation | None:
    releases = chain()
    if not releases:
        return None
    chosen = release(version) if version else releases[-1]
    label = None
    if iri:
        names = pages.labels_for([iri]).get(iri)
        label = names.any if names else None
    url = release_url(chosen.version)
    return citation.Citation(chosen.version, chosen.issued, url, f"{url}/{DUMP}" if chosen.has_dump() else None, iri, label)


@bp.app_context_processor
def cite_context() -> dict[str, Any]:
    def citation_for(iri: str | None = None) -> dict[str, Any] | None:
        parts = request.path.split("/")
        version = parts[2] if len(parts) > 2 and parts[1] == "releases" and any(r.version == parts[2] for r in chain()) else None
        c = citation_of(version, iri if iri and iri.startswith(pages.base_iri()) else None)
        if c is None:
            return None
        query = f"?iri={iri}" if c.resource_iri else ""
        links = {fmt: f"{request.script_root}/releases/{c.version}/cite.{fmt}{query}" for fmt in CITE_TYPES}
        return {"c": c, "bibtex": citation.bibtex(c), "jsonld": citation.jsonld_script(c), "meta": citation.meta_tags(c), "links": links}

    return {"citation_for": citation_for}


@bp.get("/cite.<fmt>")
def cite_current(fmt: str) -> Response:
    if not chain():
        raise NotFound("no release has been made yet: nothing to cite")
    return cite(chain()[-1].version, fmt)


def cite(version: str, fmt: str) -> Response:
    iri = request.args.get("iri")
    if iri is not None:
        pages.checked_iri(iri[len(pages.base_iri()):] if iri.startswith(pages.base_iri()) else "\x00")
    c = citation_of(version, iri)
    assert c is not None
    if fmt not in CITE_TYPES:
        raise NotFound(f"no citation format {fmt[:20]!r}", details={"formats": sorted(CITE_TYPES)})
    body = {"bib": citation.bibtex, "ris": citation.ris}.get(fmt, lambda x: json.dumps(citation.csl_json(x), ensure_ascii=False, indent=1))(c)
    response = Response(body, content_type=CITE_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{c.key}.{fmt}"'
    return response


# --- release pages and files --------------------------------------------------------------------------------------

@bp.get("/releases")
def releases() -> Response:
    releases = list(reversed(chain()))
    media_type = pages.negotiate_page(None)
    if media_type != "text/html":
        return _rdf(dcat_graph(chain(), pages.base_iri()), media_type, "releases")
    body = render_template("releases.html", releases=releases, lang=pages.chosen_lang(), base_iri=pages.base_iri())
    return pages.finish(Response(body, content_type="text/html; charset=utf-8"), "releases", media_type)


def _rdf(graph: Any, media_type: str, path: str) -> Response:
    triples = list(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return pages.rdf_response(triples, media_type, path)


@bp.get("/releases/<version>")
def release_page(version: str) -> Response:
    stem, suffix = pages.split_suffix(version)
    found = release(stem)
    media_type = pages.negotiate_page(suffix)
    node = ox.NamedNode(release_url(found.version))
    if media_type != "text/html":
        graph = dcat_graph(chain(), pages.base_iri())
        triples = [t for t in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]
        keep = {node} | {t.object for t in triples if t.subject == node and isinstance(t.object, (ox.NamedNode, ox.BlankNode))}
        keep |= {t.object for t in triples if t.subject in keep and isinstance(t.object, ox.BlankNode)}
        return pages.rdf_response([t for t in triples if t.subject in keep], media_type, f"releases/{found.version}")
    later = [r for r in chain() if r.previous == found.version]
    body = render_template("release.html", r=found, next=later[0] if later else None, changelog=found.changelog(), iri=None,
                           lang=pages.chosen_lang(), base_iri=pages.base_iri(), url=release_url(found.version))
    return pages.finish(Response(body, content_type="text/html; charset=utf-8"), f"releases/{found.version}", media_type)


@bp.get("/releases/<version>/<path:rest>")
def release_file(version: str, rest: str) -> Response:
    found = release(version)
    if rest.startswith(RESOURCE_PREFIXES):
        return memento(found, rest)
    if rest.startswith("cite."):
        return cite(found.version, rest[5:])
    if rest in (DUMP, PATCH, "patch.rdfp"):
        name = PATCH if rest.startswith("patch") else DUMP
        if name not in found.record["files"]:
            raise NotFound(f"release {found.version} is the first: it has no patch")
        if not found.file(name).exists():
            raise Gone(f"release {found.version} no longer keeps {name} (only the newest releases_kept releases do); its record stays at /releases/{found.version}")
        data = found.file(name).read_bytes()
        if rest == "patch.rdfp":
            data, media = gzip.decompress(data), "text/plain; charset=utf-8"
        else:
            media = "application/gzip"
        from server.web.views.dataset import conditional

        response = conditional(data, media, None)
        response.headers["Content-Disposition"] = f'attachment; filename="ugkg-{found.version}-{rest}"'
        return response
    if rest == MOVES:
        return Response(found.file(MOVES).read_bytes() if found.file(MOVES).exists() else b"", content_type="text/tab-separated-values; charset=utf-8")
    if rest in ("changelog", "changelog.json", "changelog.html"):
        log = found.changelog()
        if log is None:
            raise NotFound(f"release {found.version} is the first release: there is nothing to compare it with")
        if rest == "changelog.json" or (rest == "changelog" and pages.negotiate_page(None, ("text/html", "application/json")) == "application/json"):
            return Response(found.file(CHANGELOG).read_bytes(), content_type="application/json")
        body = render_template("changelog.html", r=found, log=log, lang=pages.chosen_lang(), base_iri=pages.base_iri(), curie=pages.curie, local=pages.local_href)
        return Response(body, content_type="text/html; charset=utf-8")
    raise NotFound(f"release {found.version} has no file {rest[:100]!r}", details={"files": [DUMP, PATCH, "patch.rdfp", MOVES, "changelog", "changelog.json", "cite.bib", "cite.ris", "cite.json"]})


# --- moved IRIs (301) and Memento ----------------------------------------------------------------------------------

def moved() -> dict[str, str]:
    """Every IRI a release moved → where it is now (later moves followed), cached with the chain."""
    cached = current().__dict__.get("_moved")
    if cached and cached[0] is chain():
        return cached[1]
    composed: dict[str, str] = {}
    for r in chain():
        moves = r.moves()
        composed = {old: moves.get(new, new) for old, new in composed.items()}
        composed.update({old: new for old, new in moves.items() if old not in composed})
    current().__dict__["_moved"] = (chain(), composed)
    return composed


def name_in(found: Release, iri: str) -> str:
    """What ``iri`` (an IRI of the latest release) was called in release ``found``: the moves of every later
    release undone, newest first."""
    for later in reversed([r for r in chain() if r.issued > found.issued]):
        inverse = {new: old for old, new in later.moves().items()}
        iri = inverse.get(iri, iri)
    return iri


def http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _timemap_link(path: str) -> str:
    return f'<{request.script_root}/timemap/{path}>; rel="timemap"; type="application/link-format"'


@bp.before_app_request
def redirect_moved_or_dated() -> Response | None:
    path = request.path[1:]
    if request.method not in ("GET", "HEAD") or not chain():
        return None
    stem, _ = pages.split_suffix(path)
    if path.startswith(RESOURCE_PREFIXES) and "Accept-Datetime" in request.headers:
        try:
            wanted = email.utils.parsedate_to_datetime(request.headers["Accept-Datetime"])
        except (TypeError, ValueError):
            wanted = None
        if wanted is None or wanted.tzinfo is None:
            raise BadAcceptDatetime("Accept-Datetime must be an HTTP date such as 'Thu, 01 Jan 2026 00:00:00 GMT' (RFC 7089 §2.1.1)")
        kept = [r for r in chain() if r.has_dump()]
        if kept:
            before = [r for r in kept if r.issued <= wanted]
            chosen = before[-1] if before else kept[0]
            response = Response(status=302)
            response.headers["Location"] = f"{request.script_root}/releases/{chosen.version}/{path}"
            response.headers["Vary"] = "Accept-Datetime"
            response.headers["Link"] = f'<{pages.base_iri()}{stem}>; rel="original", ' + _timemap_link(stem)
            return response
    local = pages.base_iri() + stem
    for candidate, here in ((local, True), (f"{request.scheme}://{request.host}/{stem}", False), (f"https://{request.host}/{stem}", False)):
        target = moved().get(candidate)
        if target and target != candidate and not index_of(chain()[-1]).describes(candidate):
            href = pages.local_href(target) if here else None
            response = Response(status=301)
            response.headers["Location"] = href or target
            return response
    if path.startswith(RESOURCE_PREFIXES) and not index_of(chain()[-1]).describes(local):
        # an IRI an earlier release described and a later one removed: 410, with the release that last had it
        last = next((r for r in reversed(chain()[:-1]) if r.has_dump() and index_of(r).describes(local)), None)
        if last is not None:
            raise Gone(f"{local} was removed after release {last.version}; its description as it was is at "
                       f"{request.script_root}/releases/{last.version}/{stem}",
                       details={"last_release": last.version, "memento": f"{request.script_root}/releases/{last.version}/{stem}"})
    return None


@bp.after_app_request
def memento_headers(response: Response) -> Response:
    """Resource pages name their TimeGate (themselves) and TimeMap, and vary on Accept-Datetime."""
    path = request.path[1:]
    if response.status_code == 200 and path.startswith(RESOURCE_PREFIXES) and chain():
        stem, _ = pages.split_suffix(path)
        link = f'<{pages.base_iri()}{stem}>; rel="original timegate", ' + _timemap_link(stem)
        response.headers["Link"] = ", ".join(x for x in (response.headers.get("Link"), link) if x)
        response.headers["Vary"] = ", ".join(x for x in (response.headers.get("Vary"), "Accept-Datetime") if x)
    return response


def memento(found: Release, path: str) -> Response:
    if not found.has_dump():
        raise Gone(f"release {found.version} no longer keeps its data (releases_kept)")
    stem, suffix = pages.split_suffix(path)
    iri = pages.checked_iri(stem)
    then = name_in(found, iri).replace(pages.base_iri(), found.base_iri, 1) if not name_in(found, iri).startswith(found.base_iri) else name_in(found, iri)
    index = index_of(found)
    if not index.describes(then):
        raise NotFound(f"<{iri}> is not described in release {found.version}", details={"timemap": f"/timemap/{stem}"})
    triples = index.describe(then)
    media_type = pages.negotiate_page(suffix)
    if media_type == "text/html":
        rows = [(pages.curie(t.subject.value) if isinstance(t.subject, ox.NamedNode) else str(t.subject), pages.curie(t.predicate.value),
                 t.object.value if isinstance(t.object, ox.Literal) else str(t.object), getattr(t.object, "language", None)) for t in triples]
        body = render_template("memento.html", r=found, iri=iri, then=then, rows=rows, lang=pages.chosen_lang(), base_iri=pages.base_iri())
        response = Response(body, content_type="text/html; charset=utf-8")
    else:
        response = Response(pages.serialize(triples, media_type), content_type=content_type(media_type))
    response.headers["Memento-Datetime"] = http_date(found.issued)
    response.headers["Link"] = f'<{iri}>; rel="original timegate", ' + _timemap_link(stem) + f', <{release_url(found.version)}>; rel="collection"'
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/timemap/<path:rest>")
def timemap(rest: str) -> Response:
    """RFC 7089 §5: the original, its TimeGate, this TimeMap, and one memento per release that describes it."""
    stem, _ = pages.split_suffix(rest)
    iri = pages.checked_iri(stem)
    mementos = []
    for found in chain():
        if found.has_dump():
            then = name_in(found, iri)
            then = found.base_iri + then[len(pages.base_iri()):] if then.startswith(pages.base_iri()) and not then.startswith(found.base_iri) else then
            if index_of(found).describes(then):
                mementos.append(found)
    if not mementos:
        raise NotFound(f"no release describes <{iri}>")
    root = request.host_url.rstrip("/") + request.script_root
    lines = [f'<{iri}>; rel="original timegate"', f'<{root}/timemap/{stem}>; rel="self"; type="application/link-format"; '
             f'from="{http_date(mementos[0].issued)}"; until="{http_date(mementos[-1].issued)}"']
    for i, found in enumerate(mementos):
        rel = "memento" + (" first" if i == 0 else "") + (" last" if i == len(mementos) - 1 else "")
        lines.append(f'<{root}/releases/{found.version}/{stem}>; rel="{rel}"; datetime="{http_date(found.issued)}"')
    return Response(",\n".join(lines) + "\n", content_type="application/link-format")
