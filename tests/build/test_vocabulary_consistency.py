"""The graph is consistent with the axioms of every vocabulary it uses, checked by a complete OWL 2 DL reasoner.

HermiT (via the owlready2 package's jar, on Debian's Java: `make sysdeps`) reasons over ontology/ + data/ + the
vendored vocabularies (vocabularies/SOURCES.md). One run answers consistency, unsatisfiable classes and every
resource's types; the run takes about 15-40 s on this 2-core machine (measured: see README "Vocabulary
consistency"), so it is done once per session. The OWL 2 profile the ontology claims (dcterms:conformsTo) is
checked with py-horned-owl's profile checker.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from vocabulary_reasoning import (
    PROV, ROOT, SKOS, Reasoning, places_as, run_hermit, source_graph, vocabulary_axioms, wrong_kinds,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "vocabulary-consistency"
PROFILES = {"http://www.w3.org/ns/owl-profile/RL": "RL", "http://www.w3.org/ns/owl-profile/DL": "DL",
            "http://www.w3.org/ns/owl-profile/EL": "EL", "http://www.w3.org/ns/owl-profile/QL": "QL"}


@lru_cache(maxsize=None)
def reasoned(*extra: str) -> tuple[rdflib.Graph, Reasoning]:
    sources = source_graph(extra=tuple(FIXTURES / name for name in extra))
    merged = sources + vocabulary_axioms(sources)
    return merged, run_hermit(merged)


def test_graph_with_the_vocabularies_axioms_is_consistent() -> None:
    merged, result = reasoned()
    assert result.consistent, result.message


def test_no_class_is_unsatisfiable() -> None:
    assert reasoned()[1].unsatisfiable == []


def test_no_resource_falls_into_a_kind_its_classes_do_not_give_it() -> None:
    merged, result = reasoned()
    assert wrong_kinds(merged, result) == {}


def test_no_place_is_a_concept_an_agent_or_an_entity() -> None:
    merged, result = reasoned()
    assert places_as(result, merged, {SKOS.Concept, PROV.Agent, PROV.Entity}) == set()
    assert any(iri.endswith("/city/beijing") for iri in result.types)  # the check did see the places


def test_no_resource_is_derived_from_itself_nor_a_non_document_derived_from_an_article() -> None:
    graph = source_graph()
    derivations = list(graph.subject_objects(PROV.wasDerivedFrom))
    assert [s for s, o in derivations if s == o] == []
    assert [s for s, o in derivations if "/id/article/" in str(o) and "/id/quote/" not in str(s)
            and not str(s).startswith("https://w3id.org/ugkg/graph/")] == []


@pytest.mark.parametrize("fixture", ["inconsistent-forum-derived-from-article.ttl", "inconsistent-city-skos-mapping.ttl"])
def test_check_fails_on_an_inconsistent_graph(fixture: str) -> None:
    assert not reasoned(fixture)[1].consistent


def test_ontology_conforms_to_the_owl2_profile_it_claims() -> None:
    import pyhornedowl
    from pyhornedowl.profile import check_profile

    graph = rdflib.Graph().parse(ROOT / "ontology" / "ugkg.ttl")
    claimed = [PROFILES[str(o)] for o in graph.objects(URIRef("https://w3id.org/ugkg/def"), rdflib.DCTERMS.conformsTo)]
    assert claimed == ["RL"]
    ontology = pyhornedowl.open_ontology_from_string(graph.serialize(format="xml"), "owl")
    for profile in (*claimed, "DL"):  # RL ontologies are DL ontologies
        report = check_profile(ontology, profile)
        assert report.conformant, [str(v) for v in report.violations]


def test_profile_checker_rejects_a_non_rl_ontology() -> None:
    import pyhornedowl
    from pyhornedowl.profile import check_profile

    graph = rdflib.Graph().parse(ROOT / "ontology" / "ugkg.ttl")
    graph.parse(FIXTURES / "not-rl-axiom.ttl")
    ontology = pyhornedowl.open_ontology_from_string(graph.serialize(format="xml"), "owl")
    assert not check_profile(ontology, "RL").conformant
