"""The releases as RDF: the DCAT version chain and the skos-history delta graphs, added to the served snapshot.

``graph/releases`` holds the version chain (DCAT 3 versioning: ``dcat:version``, ``dcat:previousVersion``,
``dcat:isVersionOf``, ``dcat:hasCurrentVersion``, ``adms:versionNotes``, ``dcterms:issued``, each dump with its
``spdx:checksum``). For every release that keeps its dump and has a previous one with a dump, two named graphs
hold what it changed, after the IRI moves it records (skos-history's "versions and deltas as named graphs"):
``graph/delta/<version>/insertions`` and ``…/deletions``, linked from the release by ``skoshist:hasDelta`` (a
``skoshist:SchemeDelta`` ``…/releases/<version>#delta`` with ``deltaFrom``/``deltaTo`` and the two graphs as ``dcterms:hasPart``); moved IRIs are
``dcterms:isReplacedBy`` their new IRI in ``graph/delta/<version>/moves``. These graphs are named graphs only,
never part of the default graph, and never part of a release's own dump.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from server.build.diff import delta_quads
from server.build.release import DUMP, PATCH, Release, graph_of, list_releases
from server.build.snapshot import Snapshot, write_snapshot
from server.errors import ReleaseError

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 terms (rdflib's closed DCAT namespace predates them)
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SKOSHIST = rdflib.Namespace("http://purl.org/skos-history/")
IANA = "https://www.iana.org/assignments/media-types/"
RDF_PATCH = URIRef("https://jena.apache.org/documentation/rdf-patch/")


def release_iri(base: str, version: str) -> URIRef:
    return URIRef(f"{base}releases/{version}")


def dcat_graph(releases: list[Release], base: str) -> rdflib.Graph:
    """The version chain of ``base + 'dataset'`` (also merged into the DCAT description by the web catalogue)."""
    g = rdflib.Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("adms", ADMS), ("spdx", SPDX), ("skoshist", SKOSHIST)):
        g.bind(prefix, ns)
    dataset = URIRef(base + "dataset")
    for release in releases:
        node = release_iri(base, release.version)
        g.add((dataset, DCAT.hasVersion, node))
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCAT.isVersionOf, dataset))
        g.add((node, DCAT.version, Literal(release.version)))
        g.add((node, DCTERMS.title, Literal(f"Urban Governance Knowledge Graph {release.version}", lang="en")))
        g.add((node, DCTERMS.title, Literal(f"城市治理知识图谱 {release.version} 版", lang="zh")))
        g.add((node, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.dateTime)))
        for lang, text in release.record["notes"].items():
            g.add((node, ADMS.versionNotes, Literal(text, lang=lang)))
        g.add((node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        if release.previous:
            g.add((node, DCAT.previousVersion, release_iri(base, release.previous)))
        if release.record.get("source", {}).get("commit"):
            g.add((node, RDFS.comment, Literal(f"Built from source commit {release.record['source']['commit']}", lang="en")))
        for name, media, title in ((DUMP, "application/n-quads", "N-Quads, gzip-compressed"), (PATCH, "text/plain", "RDF Patch from the previous release, gzip-compressed")):
            info = release.record["files"].get(name)
            if not info:
                continue
            dist = URIRef(f"{node}#{name.replace('.', '-')}")
            url = URIRef(f"{node}/{name}")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(title, lang="en")))
            g.add((dist, DCAT.downloadURL, url))
            g.add((dist, DCAT.accessURL, url))
            g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
            g.add((dist, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.nonNegativeInteger)))
            g.add((dist, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.dateTime)))
            if name == PATCH:
                g.add((dist, DCTERMS.conformsTo, RDF_PATCH))
            checksum = BNode()
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(info["sha256"], datatype=XSD.hexBinary)))
    if releases:
        g.add((dataset, DCAT.hasCurrentVersion, release_iri(base, releases[-1].version)))
        g.add((dataset, DCAT.version, Literal(releases[-1].version)))
    return g


def delta_graphs(releases: list[Release], base: str) -> dict[str, list[ox.Triple]]:
    """graph IRI → triples, for every kept release whose previous release keeps its dump too."""
    by_version = {r.version: r for r in releases}
    out: dict[str, list[ox.Triple]] = {}
    for release in releases:
        previous = by_version.get(release.previous or "")
        if previous is None or not (release.has_dump() and previous.has_dump()):
            continue
        moves = release.moves()
        insertions, deletions = delta_quads(previous.dataset(), release.dataset(), previous.base_iri, release.base_iri, moves)
        node = release_iri(base, release.version)
        graphs = f"{base}graph/delta/{release.version}"
        delta = f"{node}#delta"  # described on the release's own page; its three graphs are named graphs
        out[graphs + "/insertions"] = sorted(insertions, key=str)
        out[graphs + "/deletions"] = sorted(deletions, key=str)
        out[graphs + "/moves"] = [ox.Triple(ox.NamedNode(old), ox.NamedNode(str(DCTERMS.isReplacedBy)), ox.NamedNode(new)) for old, new in sorted(moves.items())]
        chain = out.setdefault(base + "graph/releases", [])
        t = lambda s, p, o: chain.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(str(p)), o))  # noqa: E731
        t(str(node), SKOSHIST.hasDelta, ox.NamedNode(delta))
        t(delta, RDF.type, ox.NamedNode(str(SKOSHIST.SchemeDelta)))
        t(delta, SKOSHIST.deltaFrom, ox.NamedNode(str(release_iri(base, previous.version))))
        t(delta, SKOSHIST.deltaTo, ox.NamedNode(str(node)))
        for part, kind in (("insertions", SKOSHIST.SchemeDeltaInsertions), ("deletions", SKOSHIST.SchemeDeltaDeletions), ("moves", None)):
            t(delta, DCTERMS.hasPart, ox.NamedNode(f"{graphs}/{part}"))
            if kind is not None:
                t(f"{graphs}/{part}", RDF.type, ox.NamedNode(str(kind)))
    return out


def _history_key(releases: list[Release], base: str) -> str:
    """What the history graphs are a function of: the base IRI, every file of every release, and this code."""
    digest = hashlib.sha256(base.encode("utf-8"))
    code = Path(__file__).parent
    for path in [code / "history.py", code / "diff.py", code / "release.py"] + [
        f for release in releases for f in sorted(release.path.iterdir()) if f.is_file()
    ]:
        digest.update(f"{path.parent.name}/{path.name}\0".encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def history_nquads(root: Path, base: str, cache_dir: Path | None = None) -> tuple[bytes, dict[str, int]]:
    """The history graphs as N-Quads, and the size of each graph.

    With ``cache_dir``, kept there by a hash of everything they follow from: published releases do not change,
    and the deltas between them cost more than the rest of a build's writing (3 s for four releases).
    """
    releases = list_releases(root)
    if not releases:
        return b"", {}
    cached = cache_dir / f"history-{_history_key(releases, base)}" if cache_dir is not None else None
    if cached is not None:
        try:
            return cached.with_suffix(".nq").read_bytes(), json.loads(cached.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    data, sizes = _history_nquads(releases, base)
    if cached is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            for suffix, content in ((".nq", data), (".json", json.dumps(sizes).encode("utf-8"))):
                temporary = cached.with_suffix(f"{suffix}.{os.getpid()}.tmp")
                temporary.write_bytes(content)
                os.replace(temporary, cached.with_suffix(suffix))
            for stale in cache_dir.glob("history-*"):  # type: ignore[union-attr]
                if stale.stem != cached.name:
                    stale.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only data directory: the build still works, it only recomputes next time
    return data, sizes


def _history_nquads(releases: list[Release], base: str) -> tuple[bytes, dict[str, int]]:
    graphs: dict[str, list[ox.Triple]] = {}
    chain = dcat_graph(releases, base)
    graphs[base + "graph/releases"] = list(ox.parse(chain.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    try:
        for iri, triples in delta_graphs(releases, base).items():
            graphs.setdefault(iri, []).extend(triples)
    except ReleaseError:
        pass  # a damaged dump: serve the chain without deltas (ugkg release --check names the damage)
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri)) for iri, triples in graphs.items() for t in triples]
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data, {iri: len(set(triples)) for iri, triples in graphs.items()}


def with_history(write: Callable[[BinaryIO], None], manifest: dict[str, Any], root: Path,
                 computed: tuple[bytes, dict[str, int]]) -> Callable[[BinaryIO], None]:
    """For the build: ``write`` followed by the history graphs of the releases in ``root`` (``computed`` by
    ``history_nquads``; none: ``write`` itself), each graph entered in ``manifest`` as kind ``history``."""
    history, sizes = computed
    if not history:
        return write
    for iri, size in sizes.items():
        manifest["graphs"][iri] = {"kind": "history", "triples": size, "sources": ["releases/"]}
    manifest["releases"] = [r.version for r in list_releases(root)]

    def write_all(out: BinaryIO) -> None:
        write(out)
        out.write(history)

    return write_all


def attach_history(snapshot: Snapshot, root: Path) -> Snapshot:
    """A new current snapshot: ``snapshot``'s dataset without old history graphs, plus the history of ``root``."""
    base = str(snapshot.manifest["base_iri"])
    history, sizes = history_nquads(root, base)
    skip = (f"<{base}graph/releases>", f"<{base}graph/delta/")
    kept = [line for line in snapshot.dataset_path.read_text(encoding="utf-8").splitlines(keepends=True) if not graph_of(line).startswith(skip)]
    manifest = dict(snapshot.manifest)
    graphs = {iri: info for iri, info in manifest["graphs"].items() if not iri.startswith((base + "graph/releases", base + "graph/delta/"))}
    for iri, size in sizes.items():
        graphs[iri] = {"kind": "history", "triples": size, "sources": ["releases/"]}
    manifest["graphs"] = graphs
    manifest["releases"] = [r.version for r in list_releases(root)]
    build_id = snapshot.build_id.split("+")[0] + "+history" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%f")

    def write(out):  # type: ignore[no-untyped-def]
        out.write("".join(kept).encode("utf-8"))
        out.write(history)

    return write_snapshot(snapshot.path.parent, build_id, write, manifest)
