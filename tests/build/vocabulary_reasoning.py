"""Reason over the ontology and data together with the vendored axioms of every vocabulary they use.

Why: the build's own closure (owlrl, server/build/reason.py) sees only ugkg's axioms, so a graph can look fine to it
and still be inconsistent under PROV-O, SKOS or FOAF (e.g. the forum an activity and, through prov:wasDerivedFrom,
an entity; a city a skos:Concept through a SKOS mapping). Here the sources are merged with `vocabularies/*.nq`
(vendored by tools/vendor-vocabularies.sh, cited in vocabularies/SOURCES.md) and given to HermiT, a complete
OWL 2 DL reasoner (the jar shipped by the owlready2 package, run on Debian's Java), which says whether the whole
is consistent, which classes are unsatisfiable and which types each resource has. `wrong_kinds` then compares
those types with the ones its asserted classes give it: a kind (place, agent, entity, concept …) gained only
through a property's domain or range is a resource falling into a class it does not belong to.

Run as a script (``.venv/bin/python tests/build/vocabulary_reasoning.py``) it prints the figures the issue asks
for; tests/build/test_vocabulary_consistency.py asserts them.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent.parent
VOCABULARIES = ROOT / "vocabularies"
SCHEMA_HTTP, SCHEMA = "http://schema.org/", "https://schema.org/"
ID = "https://w3id.org/ugkg/id/"
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
SDO = rdflib.Namespace(SCHEMA)
UGKG = rdflib.Namespace("https://w3id.org/ugkg/def/")

# The kinds of thing the domain keeps apart, and the ones a resource may only have through its own class.
KINDS: dict[URIRef, str] = {
    SDO.Place: "place",
    PROV.Agent: "agent",
    FOAF.Agent: "agent (FOAF)",
    SDO.Organization: "organization",
    SDO.Person: "person",
    SDO.CreativeWork: "document",
    SDO.Event: "event",
    PROV.Activity: "activity",
    PROV.Entity: "entity",
    SKOS.Concept: "concept",
    QB.Observation: "quantity",
    SDO.QuantitativeValue: "quantity (value)",
}
# The kinds the ontology declares pairwise disjoint (owl:AllDisjointClasses in ontology/ugkg.ttl).
DISJOINT_KINDS = (SDO.Place, PROV.Agent, SDO.CreativeWork, SDO.Event, SKOS.Concept, QB.Observation, SDO.QuantitativeValue)


def source_graph(root: Path = ROOT, extra: tuple[Path, ...] = ()) -> rdflib.Graph:
    """The ontology and every data file (each file is one named graph in the build; merged here), plus extras."""
    graph = rdflib.Graph()
    for path in [*sorted((root / "ontology").glob("*.ttl")), *sorted((root / "data").glob("*.ttl")), *extra]:
        graph.parse(path, format="turtle")
    return graph


def _schema_https(term):  # type: ignore[no-untyped-def]
    if isinstance(term, URIRef) and str(term).startswith(SCHEMA_HTTP):
        return URIRef(SCHEMA + str(term)[len(SCHEMA_HTTP):])
    return term


def vocabulary_axioms(used: rdflib.Graph) -> rdflib.Graph:
    """The logical axioms of the vendored vocabularies (labels and comments dropped, owl:imports cut: all offline).

    schema.org (published under http://schema.org/, used here as https://schema.org/, the same terms) is cut to
    the terms the graph uses and their super-classes and super-properties: the rest (some 2,800 terms, no
    disjointness, only rdfs:subClassOf / subPropertyOf and annotations) cannot change the answer but triples the
    reasoner's time.
    """
    axioms = rdflib.Graph()
    schema = rdflib.Graph()
    for path in sorted(VOCABULARIES.glob("*.nq")):
        quads = rdflib.Dataset()
        quads.parse(path, format="nquads")
        target = schema if path.stem == "schema" else axioms
        for s, p, o, _ in quads.quads((None, None, None, None)):
            if p == OWL.imports or (isinstance(o, Literal) and not str(p).startswith(str(OWL))):
                continue
            target.add((_schema_https(s), _schema_https(p), _schema_https(o)))
    wanted = {t for triple in used for t in triple if isinstance(t, URIRef) and str(t).startswith(SCHEMA)}
    todo = list(wanted)
    while todo:
        term = todo.pop()
        for sup in [*schema.objects(term, RDFS.subClassOf), *schema.objects(term, RDFS.subPropertyOf)]:
            if sup not in wanted:
                wanted.add(sup)
                todo.append(sup)
    for s, p, o in schema:
        if s in wanted and not isinstance(o, BNode):
            axioms.add((s, p, o))
    return axioms


@dataclass
class Reasoning:
    """What HermiT says of one merged graph."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    types: dict[str, set[str]] = field(default_factory=dict)  # resource IRI -> classes HermiT gives it
    message: str = ""


def hermit_jar() -> Path:
    import owlready2  # the package ships HermiT; imported here so a module import stays cheap

    return Path(owlready2.__file__).parent / "hermit"


def run_hermit(graph: rdflib.Graph, java_memory_mb: int = 1500) -> Reasoning:
    """Consistency (-k), unsatisfiable classes (-U) and the types of every individual (-I) in one HermiT run."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found: `make sysdeps` installs default-jre-headless")
    jar = hermit_jar()
    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp) / "merged.nt", Path(tmp) / "out.txt"
        graph.serialize(source, format="nt", encoding="utf-8")
        done = subprocess.run(
            [java, f"-Xmx{java_memory_mb}M", "-cp", f"{jar}:{jar / 'HermiT.jar'}", "org.semanticweb.HermiT.cli.CommandLine",
             "-U", "-I", "-o", str(output), "--ignoreUnsupportedDatatypes", source.as_uri()],
            capture_output=True, text=True, timeout=600,
        )
        if "InconsistentOntologyException" in done.stderr:
            return Reasoning(consistent=False, message=done.stderr.strip().splitlines()[0])
        if done.returncode != 0:
            raise RuntimeError(f"HermiT failed ({done.returncode}): {done.stderr[-3000:]}")
        text = output.read_text(encoding="utf-8")
    result = Reasoning(consistent=True)
    nothing = re.search(r"Classes equivalent to 'owl:Nothing':\n((?:\t.*\n)*)", text)
    if nothing:
        result.unsatisfiable = [c.strip() for c in nothing.group(1).splitlines() if c.strip() != "owl:Nothing"]
    for individual, cls in re.findall(r"Type\( <([^>]+)> <([^>]+)> \)", text):
        result.types.setdefault(individual, set()).add(cls)
    return result


def superclasses(graph: rdflib.Graph, classes: set[URIRef]) -> set[URIRef]:
    """The classes and all their named super-classes (rdfs:subClassOf, owl:equivalentClass), transitively."""
    seen, todo = set(classes), list(classes)
    while todo:
        cls = todo.pop()
        for sup in [*graph.objects(cls, RDFS.subClassOf), *graph.objects(cls, OWL.equivalentClass),
                    *graph.subjects(OWL.equivalentClass, cls)]:
            if isinstance(sup, URIRef) and sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return seen


def wrong_kinds(merged: rdflib.Graph, reasoning: Reasoning) -> dict[str, set[str]]:
    """Resources of the graph that HermiT puts into a kind (KINDS) none of their asserted classes gives them.

    Such a type can only come from a property's domain or range: a city becoming a skos:Concept through
    skos:exactMatch, an agent through dcterms:publisher, an entity through prov:wasDerivedFrom. Checked: every
    resource minted by the project (ugr:) and every external item a resource is identified with (schema:sameAs,
    ugkg:seatFeature). One exception: an information resource (a quote, a graph, a translation statement) that is
    none of the disjoint kinds may become a prov:Entity through prov:wasDerivedFrom — that is what it is.
    """
    identified = {o for p in (SDO.sameAs, UGKG.seatFeature) for o in merged.objects(None, p)}
    wrong: dict[str, set[str]] = {}
    for individual, inferred in reasoning.types.items():
        node = URIRef(individual)
        if not individual.startswith(ID) and node not in identified:
            continue
        asserted = superclasses(merged, {c for c in merged.objects(node, RDF.type) if isinstance(c, URIRef)})
        gained = superclasses(merged, {URIRef(c) for c in inferred}) - asserted
        kinds = {KINDS[k] for k in gained if k in KINDS}
        if kinds == {"entity"} and not asserted & set(DISJOINT_KINDS):
            continue
        if kinds:
            wrong[individual] = kinds
    return wrong


def places_as(reasoning: Reasoning, merged: rdflib.Graph, kinds: set[URIRef]) -> set[str]:
    """Places (schema:Place by HermiT) that HermiT also puts into one of ``kinds``."""
    out = set()
    for individual, inferred in reasoning.types.items():
        closure = superclasses(merged, {URIRef(c) for c in inferred})
        if SDO.Place in closure and closure & kinds:
            out.add(individual)
    return out


def main() -> int:
    import time

    started = time.monotonic()
    sources = source_graph()
    merged = sources + vocabulary_axioms(sources)
    result = run_hermit(merged)
    print(f"triples: sources {len(sources)}, with vocabulary axioms {len(merged)}")
    print(f"consistent: {result.consistent} {result.message}")
    print(f"unsatisfiable classes: {result.unsatisfiable}")
    if result.consistent:
        wrong = wrong_kinds(merged, result)
        print(f"resources in a kind their classes do not give them: {len(wrong)}")
        for iri, kinds in sorted(wrong.items()):
            print(f"  {iri}: {sorted(kinds)}")
        print("places typed as concepts:", len(places_as(result, merged, {SKOS.Concept})))
        print("places typed as agents:", len(places_as(result, merged, {PROV.Agent, FOAF.Agent, SDO.Organization})))
    print(f"seconds: {time.monotonic() - started:.1f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
