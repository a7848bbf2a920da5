"""The build reasons over the part of the graph an OWL 2 RL rule can read (server/build/reason.py); what it
infers must be exactly what owlrl infers over the whole graph — on the real sources and on small graphs that
exercise each way a triple outside the obvious schema can still take part in a rule."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from server.build.pipeline import load_sources
from server.build.reason import infer, reasoning_input

ROOT = Path(__file__).resolve().parents[2]
EX = Namespace("http://example.org/")
PREFIXES = """@prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def test_the_real_sources_get_the_same_inferences_as_from_the_whole_graph() -> None:
    asserted = load_sources(ROOT).union("ontology", "data")
    part = reasoning_input(asserted)
    assert len(part) < len(asserted) / 2, "the reasoning input should leave out the quotes and annotations"
    assert set(infer(asserted)) == set(infer(asserted, whole=True))


# Each case: a graph, and one triple owlrl infers from it only if the reasoning input keeps the triples it needs.
CASES = {
    "a domain on a property of ours": ("ex:worksFor rdfs:domain ex:Person . ex:ann ex:worksFor ex:acme .",
                                      (EX.ann, RDF.type, EX.Person)),
    "a range reached through a sub-property": (
        "ex:leads rdfs:subPropertyOf ex:memberOf . ex:memberOf rdfs:range ex:Group . ex:ann ex:leads ex:team .",
        (EX.team, RDF.type, EX.Group)),
    "an annotation property given a super-property": ("skos:prefLabel rdfs:subPropertyOf rdfs:label . ex:a skos:prefLabel \"A\" .",
                                                      (EX.a, RDFS.label, Literal("A"))),
    "rdfs:label given a super-property": ("rdfs:label rdfs:subPropertyOf ex:name . ex:a rdfs:label \"A\" .",
                                          (EX.a, EX.name, Literal("A"))),
    "a class hierarchy": ("ex:City rdfs:subClassOf ex:Place . ex:beijing a ex:City .", (EX.beijing, RDF.type, EX.Place)),
    "a someValuesFrom restriction": (
        "ex:Signatory owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:signed ; owl:someValuesFrom ex:Declaration ] ."
        " ex:beijing ex:signed ex:d . ex:d a ex:Declaration .", (EX.beijing, RDF.type, EX.Signatory)),
    "an inverse property": ("ex:hosts owl:inverseOf ex:hostedBy . ex:forum ex:hostedBy ex:city .", (EX.city, EX.hosts, EX.forum)),
    "a property chain": (
        "ex:inProvinceOf owl:propertyChainAxiom ( ex:inCity ex:cityProvince ) . ex:x ex:inCity ex:c . ex:c ex:cityProvince ex:p .",
        (EX.x, EX.inProvinceOf, EX.p)),
    "a stated sameAs copies every triple of the equal node": (
        "ex:a owl:sameAs ex:b . ex:a ex:note \"only here\" . ex:a ex:link ex:c .", (EX.b, EX.link, EX.c)),
    "a functional property makes nodes equal": (
        "ex:mayor a owl:FunctionalProperty . ex:city ex:mayor ex:m1 . ex:city ex:mayor ex:m2 . ex:m1 ex:office ex:hall .",
        (EX.m2, EX.office, EX.hall)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule_premise_outside_the_schema_is_kept(name: str) -> None:
    turtle, expected = CASES[name]
    asserted = _graph(turtle)
    inferred = set(infer(asserted))
    assert expected in inferred
    assert inferred == set(infer(asserted, whole=True))


def test_triples_no_rule_reads_are_left_out_of_the_reasoning_input() -> None:
    asserted = _graph("ex:worksFor rdfs:domain ex:Person . ex:ann ex:worksFor ex:acme ; ex:note \"plain\" ; "
                      "rdfs:label \"Ann\"@en ; ex:born \"1990-01-01\"^^xsd:date .")
    part = set(reasoning_input(asserted))
    assert (EX.ann, EX.note, Literal("plain")) not in part
    assert (EX.ann, RDFS.label, Literal("Ann", lang="en")) not in part
    assert (EX.ann, EX.worksFor, EX.acme) in part
    # a typed literal is kept: owlrl checks its lexical form against its datatype
    assert (EX.ann, EX.born, Literal("1990-01-01", datatype=XSD.date)) in part


def test_an_ill_typed_literal_is_reported_as_from_the_whole_graph() -> None:
    asserted = Graph()
    asserted.add((EX.a, EX["count"], Literal("many", datatype=XSD.integer)))
    inferred = infer(asserted)
    assert any("many" in str(o) for o in inferred.objects(None, URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")))
    assert len(inferred) == len(infer(asserted, whole=True))
