"""OWL RL closure with owlrl; only the new triples are kept, so asserted and inferred stay apart."""
from __future__ import annotations

import owlrl
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

BUILTIN_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(XSD))
REFLEXIVE_NOISE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}


def infer(asserted: Graph) -> Graph:
    """Return the triples the OWL 2 RL rules add to ``asserted`` (without the axiomatic ones).

    Dropped, because OWL RL derives them for every term and they tell a user nothing: reflexive
    sameAs/equivalence/subsumption, membership of owl:Thing, triples about literals, and triples about the
    built-in vocabularies themselves (OWL, RDF, RDFS, XSD).
    """
    closure = Graph()
    for prefix, ns in asserted.namespaces():
        closure.bind(prefix, ns)
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) in asserted or isinstance(s, Literal):
            continue
        if s == o and p in REFLEXIVE_NOISE:
            continue
        if o == OWL.Thing and p in (RDF.type, RDFS.subClassOf):
            continue
        if str(s).startswith(BUILTIN_NAMESPACES):
            continue
        inferred.add((s, p, o))
    return inferred
