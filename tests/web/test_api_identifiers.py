"""The identifier columns' machinery without a graph: which columns a query's text yields, how the projection is
extended, where the columns go."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from server.web.api.binding import project, shape
from server.web.api.operations import identifiers
from server.web.api.tables import Table, with_identifiers


def test_a_label_pair_of_a_matched_variable_makes_an_injected_identifier() -> None:
    query = "SELECT DISTINCT ?city_en ?city_zh ?n WHERE { ?d <urn:by> ?city . ?city <urn:l> ?city_en , ?city_zh ; <urn:n> ?n }"
    found = identifiers(shape(query), [])
    assert [(i.base, i.iri_column, i.injected) for i in found] == [("city", "city_iri", True)]
    extended = project(query, shape(query), {"city_iri": "city"})
    assert extended.startswith("SELECT DISTINCT (?city AS ?city_iri) ?city_en")
    ox.Store().query(extended)  # still a query


@pytest.mark.parametrize("query", [
    "SELECT ?x_en (COUNT(*) AS ?n) WHERE { ?x <urn:l> ?x_en } GROUP BY ?x_en",  # grouped: nothing can be added
    "SELECT * WHERE { ?x <urn:l> ?x_en }",  # SELECT *: already everything
    "SELECT ?title_en WHERE { ?w <urn:t> ?title_en }",  # no ?title in the query
    "ASK { ?x <urn:l> ?x_en }",
])
def test_queries_that_cannot_or_need_not_project_more_get_no_injected_identifier(query: str) -> None:
    assert [i for i in identifiers(shape(query), []) if i.injected] == []


def test_a_declared_resource_is_projected_or_kept() -> None:
    query = "SELECT ?resource ?text_en WHERE { ?initiative <urn:t> ?text_en . ?resource <urn:p> ?initiative }"
    found = {i.base: i for i in identifiers(shape(query), ["resource", "initiative"])}
    assert not found["resource"].injected and found["resource"].iri_column == "resource"
    assert found["initiative"].injected and found["initiative"].iri_column == "initiative_iri"


def test_identifier_columns_go_before_the_labels_with_short_id_and_wikidata() -> None:
    query = "SELECT ?n ?city_en ?city_zh WHERE { ?city <urn:l> ?city_en , ?city_zh ; <urn:n> ?n }"
    ids = identifiers(shape(query), [])
    data = Table(("city_iri", "n", "city_en", "city_zh"), [
        {"city_iri": "https://w3id.org/ugkg/id/city/beijing", "n": 1, "city_en": "Beijing", "city_zh": "北京"},
        {"city_iri": "https://w3id.org/ugkg/id/new-area/xiongan", "n": 2, "city_en": "Xiong'an", "city_zh": "雄安"},
    ])
    out = with_identifiers(data, ids, {"https://w3id.org/ugkg/id/city/beijing": "Q956"})
    assert out.columns == ("n", "city_iri", "city_id", "city_wikidata", "city_en", "city_zh")
    assert [(r["city_id"], r["city_wikidata"]) for r in out.records] == [("beijing", "Q956"), ("xiongan", None)]
