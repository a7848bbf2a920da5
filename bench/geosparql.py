"""The GeoSPARQL Compliance Benchmark (Jovanovik, Homburg, Spasić), run through this project's endpoint.

Usage: python -m bench.geosparql [--gsb DIR] [--stock] [--direct] [--json FILE]

The benchmark (GPL-2, data files only) is read from DIR (default ../shared/geosparql-benchmark, or
$UGKG_GSB_DIR) and never copied into this repository: its dataset is copied into a temporary sources
directory, built into a snapshot as any source is (OWL RL closure of the GeoSPARQL vocabulary subset in
ontology/geosparql.ttl: the RDFS entailment of geometry types), and each of its queries is sent to /sparql of
the app over that snapshot (evaluators, limits, GeoSPARQL functions of ``server.engine.geo``).

``--stock`` measures what Oxigraph alone gives: the dataset in a plain pyoxigraph store, no entailment, no
added functions. ``--direct`` skips the app (same engine, faster; for development).

Scoring, as the benchmark's README states it: a query passes when its answer equals the expected
answers/<query>.srx or one of its -alternative-N variants (variables and rows in order; WKT literals compared
without spaces or newlines and lower-cased); each of the 30 requirements weighs 1/30, split equally over its
queries; an error is a failure. Booleans and numbers are compared by value ("1" and "true" are one xsd:boolean). The score per requirement and the total are printed.
The failing queries whose answer is nevertheless *geometrically* equal to an expected one (same shapes, other
vertex order or serialisation) are listed apart, not counted: the benchmark's rule compares text.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the clone (as in CI); beside the worktrees' folder for a git worktree one level deeper
DEFAULT_GSB = Path(os.environ.get("UGKG_GSB_DIR") or next(
    (p for p in (ROOT.parent / "shared" / "geosparql-benchmark", ROOT.parent.parent / "shared" / "geosparql-benchmark") if p.is_dir()),
    ROOT.parent / "shared" / "geosparql-benchmark"))
SRX = "{http://www.w3.org/2005/sparql-results#}"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
GML = "http://www.opengis.net/ont/geosparql#gmlLiteral"
DATASET_GRAPH = "https://w3id.org/ugkg/graph/data/gsb-dataset"
RELATIONS_GRAPH = "https://w3id.org/ugkg/graph/data/gsb-relations"
# The conformance classes whose requirements need more than the asserted triples: RDFS entailment extension
# (r25-r27, marked "# INFERENCE" in the queries) and query rewrite extension (r28-r30). The core and the other
# extensions (r01-r24) are asked of the benchmark's dataset alone, as their expected answers hold only it.
ENTAILMENT = {"r25", "r26", "r27"}
REWRITE = {"r28", "r29", "r30"}
REQUIREMENTS = 30
Term = tuple[str, ...]
Answer = tuple[list[str], list[tuple[Term | None, ...]]] | bool


XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("double", "float", "decimal", "integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


def _literal(value: str, datatype: str | None, lang: str | None, raw: bool = False) -> Term:
    """A literal as compared: WKT without whitespace, lower-cased; booleans and numbers by value (the expected
    answers write "1"^^xsd:boolean and "0.0"^^xsd:double, engines "true" and "0E0": the same RDF values).
    ``raw``: geometry literals as written (for ``same_geometries``)."""
    if raw and datatype in (WKT, GML):
        return ("literal", value.strip(), datatype, "")
    if datatype == WKT:
        value = re.sub(r"\s+", "", value).lower()
    elif datatype == GML and value.strip():
        try:
            value = ET.canonicalize(value.strip(), strip_text=True)
        except ET.ParseError:
            pass
    elif datatype == XSD + "boolean" and value.strip() in ("1", "0", "true", "false"):
        value = "true" if value.strip() in ("1", "true") else "false"
    elif datatype in NUMERIC:
        try:
            value, datatype = repr(float(value)), "numeric"
        except ValueError:
            pass
    return ("literal", value, datatype or "", (lang or "").lower())


def read_srx(path: Path, raw: bool = False) -> Answer:
    root = ET.parse(path).getroot()
    boolean = root.find(f"{SRX}boolean")
    if boolean is not None:
        return boolean.text.strip() == "true"  # type: ignore[union-attr]
    variables = [v.get("name", "") for v in root.iter(f"{SRX}variable")]
    rows = []
    for result in root.iter(f"{SRX}result"):
        row: dict[str, Term] = {}
        for binding in result.findall(f"{SRX}binding"):
            (node,) = list(binding)
            kind = node.tag[len(SRX):]
            if kind == "uri":
                row[binding.get("name", "")] = ("uri", (node.text or "").strip())
            elif kind == "bnode":
                row[binding.get("name", "")] = ("bnode",)
            else:
                row[binding.get("name", "")] = _literal(node.text or "", node.get("datatype"),
                                                        node.get("{http://www.w3.org/XML/1998/namespace}lang"), raw)
        rows.append(tuple(row.get(v) for v in variables))
    return variables, rows


def from_json(doc: dict[str, Any], raw: bool = False) -> Answer:
    if "boolean" in doc:
        return bool(doc["boolean"])
    variables = doc["head"]["vars"]
    rows = []
    for binding in doc["results"]["bindings"]:
        row: list[Term | None] = []
        for v in variables:
            term = binding.get(v)
            if term is None:
                row.append(None)
            elif term["type"] == "uri":
                row.append(("uri", term["value"]))
            elif term["type"] == "bnode":
                row.append(("bnode",))
            else:
                row.append(_literal(term["value"], term.get("datatype"), term.get("xml:lang"), raw))
        rows.append(tuple(row))
    return variables, rows


def expected_answers(gsb: Path, name: str, raw: bool = False) -> list[Answer]:
    paths = [gsb / "answers" / f"{name}.srx", *sorted((gsb / "answers").glob(f"{name}-alternative-*.srx"))]
    return [read_srx(p, raw) for p in paths if p.exists()]


def same_geometries(got: Answer, expected: Answer) -> bool:
    """Whether two answers (read with ``raw``) are equal when geometry literals are compared as shapes
    (topological equality, any vertex order, WKT or GML, any CRS): not the benchmark's rule, a diagnosis."""
    import pyoxigraph as ox

    from server.engine import geo

    def shape(term: Term | None) -> Any:
        if term is None or term[0] != "literal" or term[2] not in (WKT, GML):
            return None
        parsed = geo.parse(ox.Literal(term[1], datatype=ox.NamedNode(term[2])))
        return None if parsed is None else geo.in_crs(parsed, geo.CRS84)

    if isinstance(got, bool) or isinstance(expected, bool) or got[0] != expected[0] or len(got[1]) != len(expected[1]):
        return False
    for got_row, expected_row in zip(got[1], expected[1]):
        for a, b in zip(got_row, expected_row):
            if a == b:
                continue
            sa, sb = shape(a), shape(b)
            if sa is None or sb is None or not geo.holds("sfEquals", sa, sb):
                return False
    return True


def requirement(name: str) -> str:
    return re.match(r"query-(r\d\d)", name).group(1)  # type: ignore[union-attr]


def score(results: dict[str, bool]) -> tuple[dict[str, float], float]:
    """Per requirement: the fraction of its queries passed; total: each requirement 1/30 of the score."""
    by_requirement: dict[str, list[bool]] = defaultdict(list)
    for name, passed in results.items():
        by_requirement[requirement(name)].append(passed)
    fractions = {r: sum(v) / len(v) for r, v in sorted(by_requirement.items())}
    return fractions, sum(fractions.values()) / REQUIREMENTS


def run(gsb: Path, ask: Callable[[str], dict[str, Any]], geometric: list[str] | None = None) -> dict[str, bool]:
    """Each query's pass/fail; the failing ones whose answer is geometrically equal to an expected one are
    appended to ``geometric`` (not counted)."""
    results = {}
    for path in sorted((gsb / "queries").glob("query-r*.rq")):
        name = path.stem
        try:
            doc: dict[str, Any] | None = ask(path.read_text(encoding="utf-8"))
        except Exception as exc:  # an error is a failure
            print(f"{name}: error {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
            doc = None
        results[name] = doc is not None and any(from_json(doc) == expected for expected in expected_answers(gsb, name))
        if doc is not None and not results[name] and geometric is not None:
            if any(same_geometries(from_json(doc, raw=True), e) for e in expected_answers(gsb, name, raw=True)):
                geometric.append(name)
    return results


def stock_asker(gsb: Path) -> Callable[[str], dict[str, Any]]:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(gsb / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)

    def ask(query: str) -> dict[str, Any]:
        answer = store.query(query)
        body = ox.QueryResultsFormat.JSON
        return json.loads(answer.serialize(format=body))  # type: ignore[no-any-return]

    return ask


def default_graphs(req: str) -> tuple[str, ...] | None:
    """The default graph a requirement's queries are asked of (None: the endpoint's default, with entailment)."""
    if req in ENTAILMENT:
        return None
    return (DATASET_GRAPH, RELATIONS_GRAPH) if req in REWRITE else (DATASET_GRAPH,)


def prepared_sources(gsb: Path, work: Path) -> Path:
    """A sources directory: the benchmark dataset as data, the GeoSPARQL vocabulary subset as ontology."""
    sources = work / "sources"
    for kind in ("ontology", "data", "shapes", "queries"):
        (sources / kind).mkdir(parents=True)
    shutil.copy(ROOT / "ontology" / "geosparql.ttl", sources / "ontology" / "geosparql.ttl")
    shutil.copy(gsb / "dataset.nt", sources / "data" / "gsb-dataset.ttl")  # N-Triples is Turtle; a temporary copy
    (sources / "data" / "gsb-relations.ttl").write_text(materialised_relations(gsb / "dataset.nt"), encoding="utf-8")
    return sources


def materialised_relations(dataset: Path) -> str:
    """The query-rewrite extension, materialised: N-Triples of every topological relation (geo:sfWithin, …)
    between the dataset's geometries and features (a feature stands for its default geometry, named by
    geo:hasDefaultGeometry)."""
    import pyoxigraph as ox
    import rdflib

    from server.engine import geo

    g = rdflib.Graph().parse(dataset, format="nt")
    properties = {rdflib.URIRef(geo.GEO + "hasDefaultGeometry")}  # as stated: the expected answers use no sub-property
    shapes: dict[str, geo.Geometry] = {}
    for prop in (geo.GEO + "asWKT", geo.GEO + "asGML"):  # WKT first: a geometry with both keeps its WKT
        for subject, literal in g.subject_objects(rdflib.URIRef(prop)):
            datatype = str(literal.datatype or (geo.WKT_LITERAL if prop.endswith("WKT") else geo.GML_LITERAL))
            parsed = geo.parse(ox.Literal(str(literal), datatype=ox.NamedNode(datatype)))
            if parsed is not None and isinstance(subject, rdflib.URIRef):
                shapes.setdefault(str(subject), parsed)
    for prop in properties:
        for feature, geometry in g.subject_objects(prop):
            if str(geometry) in shapes:
                shapes.setdefault(str(feature), shapes[str(geometry)])
    asserted = {(str(s), str(p), str(o)) for s, p, o in g}
    return "".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in geo.relations(shapes) if (s, p, o) not in asserted)


def endpoint_asker(gsb: Path, work: Path, direct: bool) -> tuple[Callable[[str], dict[str, Any]], Callable[[], None]]:
    from server.build.pipeline import build
    from server.settings import Settings

    settings = Settings(data_dir=str(work / "data"), sources_dir=str(prepared_sources(gsb, work)), log_level="WARNING",
                        query_workers=1, query_timeout_s=30.0, result_cache_entries=0, shared_cache_mib=0)
    snapshot = build(settings, progress=lambda _: None).snapshot
    requirement_of = {p.read_text(encoding="utf-8"): requirement(p.stem) for p in (gsb / "queries").glob("query-r*.rq")}
    if direct:
        from server.engine.embedded import OxigraphEngine
        from server.engine.factory import spec_for
        from server.engine.store import QueryJob

        engine = OxigraphEngine(spec_for("memory", snapshot))

        def ask_direct(query: str) -> dict[str, Any]:
            form = "ASK" if re.search(r"\bASK\b", query, re.I) else "SELECT"
            job = QueryJob(query=query, form=form, media_type="application/sparql-results+json", max_rows=100000,
                           default_graphs=default_graphs(requirement_of[query]))
            return json.loads(engine.evaluate(job).body)  # type: ignore[no-any-return]

        return ask_direct, lambda: None

    from server.web.app import create_app

    app = create_app(settings, snapshot)
    client = app.test_client()

    def ask(query: str) -> dict[str, Any]:
        # the benchmark marks the queries that need RDFS entailment ("# INFERENCE"); the others are asked of the
        # asserted triples (the endpoint's inference=false), as their expected answers count only those
        data: dict[str, Any] = {"query": query}
        graphs = default_graphs(requirement_of[query])
        if graphs is not None:
            data["default-graph-uri"] = list(graphs)
        response = client.post("/sparql", data=data, headers={"Accept": "application/sparql-results+json"})
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}")
        return response.get_json()  # type: ignore[no-any-return]

    return ask, app.extensions["ugkg"].close


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gsb", type=Path, default=DEFAULT_GSB, help="the benchmark's data directory")
    parser.add_argument("--stock", action="store_true", help="plain pyoxigraph, nothing added")
    parser.add_argument("--direct", action="store_true", help="the engine without the HTTP app")
    parser.add_argument("--json", type=Path, help="write the per-query results here")
    args = parser.parse_args(argv)
    if not (args.gsb / "queries").is_dir():
        print(f"no benchmark at {args.gsb} (set --gsb or UGKG_GSB_DIR)", file=sys.stderr)
        return 2
    geometric: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ugkg-gsb-") as tmp:
        if args.stock:
            ask, close = stock_asker(args.gsb), (lambda: None)
        else:
            ask, close = endpoint_asker(args.gsb, Path(tmp), args.direct)
        try:
            results = run(args.gsb, ask, geometric)
        finally:
            close()
    fractions, total = score(results)
    label = "stock pyoxigraph" if args.stock else ("engine" if args.direct else "endpoint /sparql")
    print(f"GeoSPARQL Compliance Benchmark, {label}: {sum(results.values())}/{len(results)} queries")
    for req, fraction in fractions.items():
        print(f"  {req}: {fraction * 100:5.1f} %")
    print(f"score: {total * 100:.1f} % (each of {REQUIREMENTS} requirements 1/{REQUIREMENTS})")
    if geometric:
        print(f"not counted: {len(geometric)} failing queries answer a geometry equal to an expected one, written otherwise "
              f"(the benchmark compares text): {' '.join(geometric)}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "requirements": fractions, "score": total, "geometrically_equal": geometric},
                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
