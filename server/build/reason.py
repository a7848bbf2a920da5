"""OWL RL closure with owlrl; only the new triples are kept, so asserted and inferred stay apart.

owlrl applies every rule to every triple of the graph on every cycle, in pure Python, so its time grows with
the whole graph: 7 s for the 10k asserted triples, most of them quotes, annotation bodies and reification
statements that no rule can use. The closure is therefore computed over the part of the graph an OWL 2 RL
rule can read (``reasoning_input``) and is the same set of triples as over the whole graph, for this reason:
apart from the schema rules (whose premises use only RDF/RDFS/OWL terms), a rule reads a triple ``s p o``
only through its predicate ``p`` (when ``p`` is given a domain, range, super-, inverse or equivalent property,
a characteristic, a restriction, a chain, a key…: then ``p`` occurs in a triple whose predicate is an RDFS/OWL
term), through its class when ``p`` is ``rdf:type`` (when the class occurs in such a triple other than as a
type), through a literal's lexical form (owlrl checks every typed literal against its datatype), or through
``owl:sameAs`` (eq-rep-s/p/o copy every triple of a node equal to another). The first three are kept; for the
last, when the closure of the part holds a ``sameAs`` between two different nodes, the whole graph is reasoned
over instead. ``tests/build/test_reason.py`` compares both closures on the real graph and on fixtures.
"""
from __future__ import annotations

import owlrl
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from server.build.parallel import Forked

BUILTIN_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(XSD))
SCHEMA_NAMESPACES = (str(OWL), str(RDFS))
REFLEXIVE_NOISE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
# RDFS terms that no OWL 2 RL rule has in a premise: a triple with one of them as predicate is data like any other.
ANNOTATION_PREDICATES = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy}
UNTYPED = (None, XSD.string, RDF.langString)

Triple = tuple[Node, Node, Node]


def _is_schema_predicate(p: Node) -> bool:
    """Predicates that state axioms: rdf:type, list cells, and every OWL/RDFS term but the annotations."""
    return p in (RDF.type, RDF.first, RDF.rest) or (str(p).startswith(SCHEMA_NAMESPACES) and p not in ANNOTATION_PREDICATES)


def reasoning_input(graph: Graph) -> Graph:
    """The triples of ``graph`` an OWL 2 RL rule can read (see the module docstring for why the rest cannot)."""
    in_axioms: set[Node] = set()
    for s, p, o in graph:
        if _is_schema_predicate(p):
            in_axioms.add(s)
            if p != RDF.type:
                in_axioms.add(o)
    part = Graph()
    for s, p, o in graph:
        if p == RDF.type:
            keep = o in in_axioms or str(o).startswith(SCHEMA_NAMESPACES)
        else:
            keep = p in in_axioms or _is_schema_predicate(p)
        if keep or (isinstance(o, Literal) and o.datatype not in UNTYPED):
            part.add((s, p, o))
    return part


def _closure(graph: Graph) -> Graph:
    closure = Graph()
    for prefix, ns in graph.namespaces():
        closure.bind(prefix, ns)
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    return closure


def _equates_nodes(closure: Graph) -> bool:
    return any(s != o for s, o in closure.subject_objects(OWL.sameAs))


def closure_of(asserted: Graph, *, whole: bool = False) -> Graph:
    """The OWL RL closure of ``asserted``: over its reasoning input unless ``whole`` or nodes are made equal."""
    if whole:
        return _closure(asserted)
    closure = _closure(reasoning_input(asserted))
    return _closure(asserted) if _equates_nodes(closure) else closure


def infer(asserted: Graph, *, whole: bool = False) -> Graph:
    """Return the triples the OWL 2 RL rules add to ``asserted`` (without the axiomatic ones).

    Dropped, because OWL RL derives them for every term and they tell a user nothing: reflexive
    sameAs/equivalence/subsumption, membership of owl:Thing, triples about literals, and triples about the
    built-in vocabularies themselves (OWL, RDF, RDFS, XSD).
    """
    inferred = Graph()
    for s, p, o in closure_of(asserted, whole=whole):
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


def _inferred_triples(asserted: Graph) -> list[Triple]:
    return list(infer(asserted))


class Reasoning:
    """``infer`` run beside the validation (server/build/parallel.py says how and when)."""

    def __init__(self, asserted: Graph) -> None:
        self._forked = Forked("OWL RL reasoning", _inferred_triples, asserted)

    def result(self) -> tuple[Graph, float, bool]:
        """(the inferred triples, the seconds the reasoning itself took, whether it ran beside the validation)."""
        triples, seconds, beside = self._forked.result()
        inferred = Graph()
        for triple in triples:
            inferred.add(triple)
        return inferred, seconds, beside

    def cancel(self) -> None:
        self._forked.cancel()
