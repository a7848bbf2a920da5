"""The build: load the sources, validate them, reason over them, and write a snapshot.

load (rdflib, one graph per file) → validate (pySHACL against shapes/) → reason (owlrl, OWL 2 RL) →
snapshot (N-Quads + manifest, atomic). Any failure raises BuildError before anything is written.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD

from server.build import extra, tables
from server.build.coverage import check_coverage
from server.build.fingerprint import fingerprint
from server.errors import BuildError
from server.build.reason import Reasoning
from server.settings import CANONICAL_BASE_IRI, Settings
from server.build.snapshot import Snapshot, write_snapshot
from server.build.sources import (
    INFERRED_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    VALIDATION_GRAPH,
    SourceFile,
    source_files,
    sources_root,
)
from server.build.validate import Report, validate
from server.build.history import history_nquads, with_history
from server.build.parallel import Forked
from server.build.release import releases_root

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class LoadedSources:
    """The parsed sources, one rdflib graph per named graph."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[SourceFile]] = field(default_factory=dict)
    _unions: dict[tuple[str, ...], Graph] = field(default_factory=dict, repr=False)

    def data_graphs(self) -> dict[str, Graph]:
        return {iri: graph for iri, graph in self.graphs.items() if self.kinds[iri] == "data"}

    def add(self, iri: str, graph: Graph, kind: str, files: list[SourceFile]) -> None:
        """A graph made after loading (a table's observations); the unions made so far no longer hold."""
        self.graphs[iri], self.kinds[iri], self.files[iri] = graph, kind, files
        self._unions.clear()

    def union(self, *kinds: str) -> Graph:
        """One graph of every graph of ``kinds``, made once per set of kinds (the build asks for the same unions
        several times): the caller must not change it."""
        key = tuple(sorted(kinds))
        if key not in self._unions:
            self._unions[key] = self._merge(kinds)
        return self._unions[key]

    def _merge(self, kinds: tuple[str, ...]) -> Graph:
        merged = Graph()
        for iri, graph in self.graphs.items():
            if self.kinds[iri] in kinds:
                for prefix, ns in graph.namespaces():
                    merged.bind(prefix, ns, override=False)
                merged += graph
        return merged


@dataclass
class BuildResult:
    snapshot: Snapshot
    report: Report
    counts: dict[str, int]
    durations_s: dict[str, float]


def load_sources(root: Path) -> LoadedSources:
    """Parse every source file; a syntax error names the file and line."""
    loaded = LoadedSources()
    files = source_files(root)
    if not any(f.kind == "ontology" for f in files) or not any(f.kind == "data" for f in files):
        raise BuildError(f"no ontology/*.ttl or data/*.ttl under {root}", exit_code=2)
    for source in files:
        graph = loaded.graphs.setdefault(source.graph, Graph())
        loaded.kinds[source.graph] = source.kind
        loaded.files.setdefault(source.graph, []).append(source)
        _check_syntax(source.path)
        try:
            graph.parse(source.path, format="turtle")
        except Exception as exc:  # rdflib raises many parser exception types; all mean "cannot load"
            raise BuildError(f"{source.path}: cannot parse Turtle: {exc}", exit_code=2) from exc
    _load_tables(root, loaded)
    return loaded


def city_context(loaded: LoadedSources) -> tuple[tables.Labels, set[str]]:
    """What a table needs from our graph: the label of each city (to label observations) and the set of
    cities (a row about anything else is an error)."""
    data = loaded.union("data")
    cities = {str(c) for c in data.subjects(RDF.type, URIRef(CANONICAL_BASE_IRI + "def/City"))}

    def labels(iri: str) -> dict[str, str]:
        return {lit.language: str(lit) for lit in data.objects(URIRef(iri), RDFS.label) if isinstance(lit, Literal) and lit.language}

    return labels, cities


def _load_tables(root: Path, loaded: LoadedSources) -> None:
    """Indicator tables under data/tables/ (CSV + mapping), each its own named graph of Data Cube observations."""
    found = tables.discover(root / "data" / "tables")
    if not found:
        return
    labels, cities = city_context(loaded)
    for table in found:
        graph = Graph()
        graph.parse(data=tables.to_ntriples(tables.triples(table, labels, cities)), format="nt")
        loaded.add(table.graph, graph, "data", [SourceFile(table.csv_path, "data", table.graph), SourceFile(table.mapping_path, "data", table.graph)])


def _check_syntax(path: Path) -> None:
    """Oxigraph's Turtle parser first: its messages give line and column in plain words."""
    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            pass
    except SyntaxError as exc:
        raise BuildError(f"{path}: invalid Turtle: {exc}", exit_code=2) from None
    except OSError as exc:
        raise BuildError(f"{path}: cannot read: {exc}", exit_code=2) from None


def check(root: Path) -> tuple[LoadedSources, Report]:
    """Load and validate; used by `ugkg validate` and by the build."""
    loaded = load_sources(root)
    report = validate(loaded.union("data"), loaded.union("shapes"), loaded.union("ontology"))
    if report.conforms:
        check_coverage(loaded.data_graphs())
    return loaded, report


def build(settings: Settings, progress: Progress = stderr_progress) -> BuildResult:
    """Run the whole build and make its snapshot current; raise BuildError and write nothing on failure.

    The releases' history graphs (history.py) depend on nothing the build makes: they are computed from the
    start, beside everything else (server/build/parallel.py), or read from their cache.
    """
    history = Forked("the releases' history graphs", history_nquads, releases_root(settings), settings.base_iri,
                     Path(settings.data_dir) / "cache")
    try:
        return _build(settings, progress, history)
    finally:
        history.cancel()


def _build(settings: Settings, progress: Progress, history: Forked[tuple[bytes, dict[str, int]]]) -> BuildResult:
    root = sources_root(settings)
    t0 = time.perf_counter()
    durations: dict[str, float] = {}

    progress(f"[1/4] loading sources from {root}")
    loaded = load_sources(root)
    durations["load"] = time.perf_counter() - t0
    progress(f"      {durations['load']:.2f} s")

    extras = extra.discover(list(settings.extra_datasets))
    store = ox.Store()
    extra_info: dict[str, dict[str, object]] = {}
    for dataset in extras:
        progress(f"      + extra dataset {dataset.path} → <{dataset.graph}>")
        t = time.perf_counter()
        quads, sha256 = extra.load_into(store, dataset)
        extra_info[dataset.graph] = {"path": dataset.path, "quads": quads, "sha256": sha256, "seconds": time.perf_counter() - t}
    durations["load_extra"] = sum(float(i["seconds"]) for i in extra_info.values())  # type: ignore[arg-type]

    asserted = loaded.union("ontology", "data")
    reasoned = asserted + _as_rdflib(store, extra_info) if settings.reason_extra == "yes" else asserted
    reasoning = Reasoning(reasoned)  # [3/4] runs beside [2/4] when it can (a forked child)
    progress("[2/4] validating data against shapes (pySHACL)")
    t = time.perf_counter()
    try:
        data_graph = loaded.union("data")
        if settings.validate_extra == "yes":
            data_graph = data_graph + _as_rdflib(store, extra_info)
        report = validate(data_graph, loaded.union("shapes"), loaded.union("ontology"))
        durations["validate"] = time.perf_counter() - t
        progress(f"      {durations['validate']:.2f} s ({report.oxigraph_note})")
        if not report.conforms:
            lines = "\n".join(f"  - {v}" for v in report.violations[:50])
            raise BuildError(f"the data does not conform to the shapes ({len(report.violations)} violations):\n{lines}", exit_code=1)
        progress("      + quote coverage of each article graph (named graphs, which SHACL cannot see)")
        check_coverage(loaded.data_graphs())
    except BaseException:
        reasoning.cancel()
        raise

    progress("[3/4] reasoning (OWL 2 RL closure, owlrl)")
    t = time.perf_counter()
    inferred, durations["reason"], beside = reasoning.result()
    durations["reason_wait"] = time.perf_counter() - t
    where = f"in a second process beside the validation; waited {durations['reason_wait']:.2f} s for it" if beside else "after the validation"
    progress(f"      {durations['reason']:.2f} s ({where})")

    progress("[4/4] writing snapshot")
    t = time.perf_counter()
    now = datetime.now(timezone.utc)
    created = now.replace(microsecond=0)
    build_id = now.strftime("%Y%m%dT%H%M%S.%fZ")  # sorts in build order: pruning keeps the newest
    graphs: dict[str, Graph] = dict(loaded.graphs)
    graphs[INFERRED_GRAPH] = inferred
    graphs[VALIDATION_GRAPH] = _validation_graph(report, created)
    kinds = dict(loaded.kinds, **{INFERRED_GRAPH: "inferred", VALIDATION_GRAPH: "validation", META_GRAPH: "meta"})
    extra_counts = {iri: _count(store, iri) for iri in extra_info}
    for iri in extra_info:
        kinds[iri] = "extra"
    graphs[META_GRAPH] = _meta_graph(graphs, kinds, loaded, root, created, extra_info, extra_counts)
    nquads = _nquads_writer(store, graphs, settings.base_iri)
    counts = {
        "asserted": len(asserted),
        "inferred": len(inferred),
        "extra": sum(extra_counts.values()),
        "shapes": len(loaded.union("shapes")),
        "quads": sum(len(g) for g in graphs.values()) + sum(extra_counts.values()),
    }
    graph_sizes = {iri: len(g) for iri, g in graphs.items()} | extra_counts
    sources = {iri: [str(f.path.relative_to(root)) for f in loaded.files.get(iri, [])] for iri in graph_sizes}
    for iri, info in extra_info.items():
        sources[iri] = [str(info["path"])]
    manifest = {
        "format": 1,
        "fingerprint": fingerprint(settings, root),
        "created": created.isoformat(),
        "base_iri": settings.base_iri,
        "conforms": report.conforms,
        "counts": counts,
        "graphs": {
            _rebase(iri, settings.base_iri): {"kind": kinds[iri], "triples": size, "sources": sources[iri]}
            for iri, size in graph_sizes.items()
        },
    }
    # the manifest is written with the snapshot, so its "snapshot" and "total" stop before the files are written
    manifest["durations_s"] = {k: round(v, 3) for k, v in (durations | {"snapshot": time.perf_counter() - t, "total": time.perf_counter() - t0}).items()}
    computed, durations["history"], beside = history.result()
    progress(f"      + the releases' history graphs: {durations['history']:.2f} s ({'beside the other stages' if beside else 'here'})")
    nquads = with_history(nquads, manifest, releases_root(settings), computed)  # releases' graphs (history.py)
    try:
        snapshot = write_snapshot(settings.snapshots_dir, build_id, nquads, manifest)
    except OSError as exc:  # e.g. a full disk: nothing was made current, the previous snapshot stays
        raise BuildError(f"cannot write the snapshot in {settings.snapshots_dir}: {exc}", exit_code=2) from exc
    durations["snapshot"] = time.perf_counter() - t
    durations["total"] = time.perf_counter() - t0
    progress(f"      {durations['snapshot']:.2f} s")
    progress(
        f"built {snapshot.path}: {counts['asserted']} asserted, {counts['inferred']} inferred, "
        f"{counts['extra']} extra triples in {durations['total']:.1f} s"
    )
    return BuildResult(snapshot, report, counts, durations)


def _count(store: ox.Store, graph: str) -> int:
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(solutions))["n"].value)  # type: ignore[index, arg-type]


def _as_rdflib(store: ox.Store, extra_info: dict[str, dict[str, object]]) -> Graph:
    """The extra graphs as one rdflib graph (only when asked to validate or reason over them: it costs memory)."""
    graph = Graph()
    for iri in extra_info:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iri))]
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def _rebase(iri: str, base_iri: str) -> str:
    return base_iri + iri[len(CANONICAL_BASE_IRI):] if iri.startswith(CANONICAL_BASE_IRI) else iri


def _nquads_writer(store: ox.Store, graphs: dict[str, Graph], base_iri: str) -> Callable[[BinaryIO], None]:
    """What writes the snapshot's N-Quads: our graphs sorted (equal sources give equal bytes), then the extra
    datasets already in ``store`` streamed straight from Oxigraph to the file, in the store's own (stable)
    order — a million extra quads never sit in memory as one string. IRIs are moved from the canonical base
    to ``base_iri`` (extras are then rewritten line by line)."""

    def rebase(data: bytes) -> bytes:
        if base_iri == CANONICAL_BASE_IRI:
            return data
        return data.replace(b"<" + CANONICAL_BASE_IRI.encode(), b"<" + base_iri.encode())

    def write(out: BinaryIO) -> None:
        ours = ox.Store()
        for iri, graph in graphs.items():
            ours.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
        out.write(rebase(b"".join(sorted(ours.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)))))
        if base_iri == CANONICAL_BASE_IRI:
            store.dump(out, format=ox.RdfFormat.N_QUADS)
            return
        with tempfile.TemporaryFile() as spool:
            store.dump(spool, format=ox.RdfFormat.N_QUADS)
            spool.seek(0)
            for line in spool:
                out.write(rebase(line))

    return write


def _validation_graph(report: Report, created: datetime) -> Graph:
    """pySHACL's report, stamped with when it was produced and against which shapes."""
    graph = Graph()
    graph += report.graph
    node = URIRef(VALIDATION_GRAPH)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, Literal("SHACL validation report of the build", lang="en")))
    graph.add((node, RDFS.label, Literal("构建的 SHACL 验证报告", lang="zh")))
    graph.add((node, PROV.generatedAtTime, Literal(created.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, PROV.wasDerivedFrom, URIRef(SHAPES_GRAPH)))
    graph.add((node, DCTERMS.conformsTo, URIRef(SHAPES_GRAPH)))
    return graph


def _meta_graph(
    graphs: dict[str, Graph],
    kinds: dict[str, str],
    loaded: LoadedSources,
    root: Path,
    created: datetime,
    extra_info: dict[str, dict[str, object]],
    extra_counts: dict[str, int],
) -> Graph:
    """VoID statistics and provenance of every named graph."""
    meta = Graph()
    for iri, info in extra_info.items():
        node = URIRef(iri)
        meta.add((node, RDF.type, VOID.Dataset))
        meta.add((node, RDF.type, PROV.Entity))
        meta.add((node, VOID.triples, Literal(extra_counts[iri], datatype=XSD.integer)))
        meta.add((node, DCTERMS.type, Literal("extra")))
        meta.add((node, DCTERMS.source, Literal(Path(str(info["path"])).name)))
        meta.add((node, URIRef("http://spdx.org/rdf/terms#checksumValue"), Literal(str(info["sha256"]))))
        meta.add((node, PROV.generatedAtTime, Literal(created.isoformat(), datatype=XSD.dateTime)))
        meta.add((node, RDFS.comment, Literal("An extra dataset added with `ugkg build --with`; its licence is its publisher's.", lang="en")))
    for iri, graph in graphs.items():
        if iri == META_GRAPH:
            continue
        node = URIRef(iri)
        meta.add((node, RDF.type, VOID.Dataset))
        meta.add((node, RDF.type, PROV.Entity))
        meta.add((node, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
        meta.add((node, VOID.distinctSubjects, Literal(len(set(graph.subjects())), datatype=XSD.integer)))
        meta.add((node, VOID.properties, Literal(len(set(graph.predicates())), datatype=XSD.integer)))
        meta.add((node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        meta.add((node, PROV.generatedAtTime, Literal(created.isoformat(), datatype=XSD.dateTime)))
        meta.add((node, DCTERMS.type, Literal(kinds[iri])))
        for source in loaded.files.get(iri, []):
            meta.add((node, DCTERMS.source, Literal(str(source.path.relative_to(root)))))
        if kinds[iri] == "inferred":
            meta.add((node, PROV.wasDerivedFrom, URIRef(ONTOLOGY_GRAPH)))
            for other, kind in kinds.items():
                if kind == "data":
                    meta.add((node, PROV.wasDerivedFrom, URIRef(other)))
            meta.add((node, RDFS.comment, Literal("Triples added by the OWL 2 RL closure (owlrl) of the ontology and data graphs.", lang="en")))
    return meta
