"""Pages about the graph itself: the ontology's documentation (every class and property with labels,
definitions, alignments and examples) and the build's SHACL validation report."""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask_babel import gettext as _
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from server.web import pages
from server.web.runtime import current


# --- ontology documentation ---------------------------------------------------------------------------------

CLASS_TYPES = {str(OWL.Class), str(RDFS.Class)}
PROPERTY_TYPES = {str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(OWL.AnnotationProperty), str(RDF.Property),
                  "http://purl.org/linked-data/cube#MeasureProperty", "http://purl.org/linked-data/cube#DimensionProperty",
                  "http://purl.org/linked-data/cube#AttributeProperty"}
RELATIONS = (str(RDFS.subClassOf), str(OWL.equivalentClass), str(RDFS.subPropertyOf), str(OWL.equivalentProperty), str(OWL.inverseOf),
             str(RDFS.domain), "https://schema.org/domainIncludes", str(RDFS.range), "https://schema.org/rangeIncludes")


def relation_names() -> dict[str, str]:
    """The captions of RELATIONS in the page's language (from the catalogue: server/web/translations)."""
    return {
        str(RDFS.subClassOf): _("subclass of"), str(OWL.equivalentClass): _("equivalent class"),
        str(RDFS.subPropertyOf): _("subproperty of"), str(OWL.equivalentProperty): _("equivalent property"),
        str(OWL.inverseOf): _("inverse of"), str(RDFS.domain): _("domain"),
        "https://schema.org/domainIncludes": _("domain includes"), str(RDFS.range): _("range"),
        "https://schema.org/rangeIncludes": _("range includes"),
    }
EXAMPLES_PER_CLASS = 3


def ontology_documentation(graph: str) -> dict[str, Any]:
    """Classes and properties of the ontology graph with labels, definitions, alignments and example instances."""
    base = pages.base_iri()
    ns, onto = base + "def/", base + "def"
    rows = pages.select_all(f"SELECT ?t ?p ?o WHERE {{ GRAPH <{graph}> {{ ?t ?p ?o }} FILTER(isIRI(?t)) }} ORDER BY ?t ?p ?o")
    by_subject: dict[str, list[tuple[str, Any]]] = {}
    for r in rows:
        by_subject.setdefault(r["t"].value, []).append((r["p"].value, r["o"]))
    referenced = {o.value for facts in by_subject.values() for _, o in facts if isinstance(o, ox.NamedNode)}
    names = pages.labels_for(referenced | set(by_subject))
    examples = _examples(base, ns)
    names.update(pages.labels_for(x for xs in examples.values() for x in xs))
    terms: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": [], "others": []}
    captions = relation_names()
    for iri, facts in sorted(by_subject.items()):
        if not iri.startswith(ns) or iri == onto:
            continue
        kinds = {o.value for p, o in facts if p == str(RDF.type)}
        group = "classes" if kinds & CLASS_TYPES else "properties" if kinds & PROPERTY_TYPES else "others"
        definition = pages.Labels()
        for p, o in facts:
            if p in (str(SKOS.definition), str(RDFS.comment)) and isinstance(o, ox.Literal):
                definition.add(o)
        relations = []
        for predicate in RELATIONS:
            targets = [pages.link_for(o, names) for p, o in facts if p == predicate and not isinstance(o, ox.Literal)]
            if targets:
                relations.append({"name": captions[predicate], "predicate": predicate, "targets": targets})
        terms[group].append({
            "iri": iri, "name": iri[len(ns):], "href": pages.local_href(iri), "labels": names.get(iri, pages.Labels(fallback=iri[len(ns):])),
            "definition": definition, "relations": relations, "kinds": sorted(pages.curie(k) for k in kinds),
            "examples": [pages.link_for(ox.NamedNode(x), names) for x in examples.get(iri, [])],
        })
    for group in terms.values():
        group.sort(key=lambda t: t["name"].lower())
    header = pages.Labels()
    meta: dict[str, list[Any]] = {}
    for p, o in by_subject.get(onto, []):
        if p in (str(RDFS.label), str(DCTERMS.title)) and isinstance(o, ox.Literal):
            header.add(o)
        meta.setdefault(pages.curie(p), []).append(o)
    description = pages.Labels()
    for o in meta.get("dcterms:description", []):
        description.add(o)
    return {"iri": onto, "title": header, "description": description, "meta": meta, "terms": terms,
            "graph_href": pages.local_href(graph)}


def _examples(base: str, ns: str) -> dict[str, list[str]]:
    """A few instances of each of our classes (directly typed or inferred), in IRI order."""
    rows = pages.select_all(f"""SELECT ?c ?x WHERE {{ ?x a ?c FILTER(STRSTARTS(STR(?c), "{ns}") && STRSTARTS(STR(?x), "{base}id/")) }} ORDER BY ?c ?x""")
    out: dict[str, list[str]] = {}
    for r in rows:
        found = out.setdefault(r["c"].value, [])
        if len(found) < EXAMPLES_PER_CLASS:
            found.append(r["x"].value)
    return out


# --- the SHACL validation report ------------------------------------------------------------------------------

def validation_report() -> dict[str, Any]:
    """The build's report from graph/validation: when, against which shapes, conforms, and each result."""
    base = pages.base_iri()
    graph = base + "graph/validation"
    head = pages.select(f"""SELECT ?conforms ?when ?shapes WHERE {{ GRAPH <{graph}> {{
        OPTIONAL {{ ?r a sh:ValidationReport ; sh:conforms ?conforms }}
        OPTIONAL {{ <{graph}> prov:generatedAtTime ?when }} OPTIONAL {{ <{graph}> dcterms:conformsTo ?shapes }} }} }} LIMIT 1""")
    results = pages.select_all(f"""SELECT ?res ?focus ?path ?message ?severity ?shape ?value WHERE {{ GRAPH <{graph}> {{
        ?report sh:result ?res . ?res sh:focusNode ?focus ; sh:resultSeverity ?severity .
        OPTIONAL {{ ?res sh:resultPath ?path }} OPTIONAL {{ ?res sh:resultMessage ?message }}
        OPTIONAL {{ ?res sh:sourceShape ?shape }} OPTIONAL {{ ?res sh:value ?value }} }} }} ORDER BY ?severity ?focus ?path ?res""")
    row = head[0] if head else {}
    names = pages.labels_for(r["focus"].value for r in results if isinstance(r["focus"], ox.NamedNode))
    items = []
    for r in results:
        items.append({
            "focus": pages.link_for(r["focus"], names) if not isinstance(r["focus"], ox.Literal) else None,
            "path": pages.curie(r["path"].value) if "path" in r else "",
            "message": r["message"].value if "message" in r else "",
            "severity": r["severity"].value.rsplit("#", 1)[-1],
            "shape": pages.curie(r["shape"].value) if "shape" in r and not r["shape"].value.startswith("_:") else "",
            "value": r["value"].value if "value" in r else "",
        })
    conforms = row.get("conforms")
    return {
        "graph": graph, "graph_href": pages.local_href(graph),
        "conforms": None if conforms is None else conforms.value == "true",
        "when": row["when"].value if "when" in row else current().snapshot.manifest.get("created"),
        "shapes": row["shapes"].value if "shapes" in row else base + "graph/shapes",
        "shapes_href": pages.local_href(row["shapes"].value) if "shapes" in row else pages.local_href(base + "graph/shapes"),
        "results": items,
    }
