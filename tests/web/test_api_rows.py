"""Rows you can join and cite (issue 22): identifier columns beside every resource's labels, the cities operation,
the initiatives' short titles, every signatory selectable (Xiong'an too) by local name, IRI or label, documented
columns, and pandas reading the CSVs. Expected values come from the graph itself (queried outside the API)."""
from __future__ import annotations

import io
import re
from typing import Any, Iterator

import pyoxigraph as ox
import pytest

from server.web.app import create_app

SAME_AS = "https://schema.org/sameAs"  # a city and its Wikidata item (issue 17)
WIKIDATA = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def kg_app(kg_settings, kg_snapshot) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    application = create_app(kg_settings, kg_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture()
def api(kg_app):  # type: ignore[no-untyped-def]
    return kg_app.test_client()


@pytest.fixture(scope="module")
def signatories(store) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """IRI → {en, zh, wikidata} of every signatory, read from the graph."""
    found: dict[str, dict[str, str]] = {}
    for row in store.query("PREFIX ugkg: <https://w3id.org/ugkg/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                           "SELECT ?c ?en ?zh ?w WHERE { ?d a ugkg:Declaration ; ugkg:issuedBy ?c . ?c rdfs:label ?en , ?zh "
                           'FILTER(lang(?en) = "en" && lang(?zh) = "zh") OPTIONAL { ?c <' + SAME_AS + "> ?w "
                           f'FILTER(STRSTARTS(STR(?w), "{WIKIDATA}")) }} }}'):
        found[row["c"].value] = {"en": row["en"].value, "zh": row["zh"].value,
                                 "wikidata": row["w"].value[len(WIKIDATA):] if row["w"] else None}
    return found


def operations(api) -> list[str]:  # type: ignore[no-untyped-def]
    return [path.rsplit("/", 1)[1] for path in api.get("/api/v1/openapi.json").get_json()["paths"]]


def test_there_are_13_signatories_and_xiongan_is_one(signatories) -> None:  # type: ignore[no-untyped-def]
    assert len(signatories) == 13 and "https://w3id.org/ugkg/id/new-area/xiongan" in signatories


def test_signatory_rows_carry_iri_short_id_and_wikidata_beside_both_labels(api, signatories) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/declaration-signatories").get_json()
    assert list(rows[0]) == ["city_iri", "city_id", "city_wikidata", "city_en", "city_zh"]
    assert {r["city_iri"] for r in rows} == set(signatories)
    for row in rows:
        expected = signatories[row["city_iri"]]
        assert row["city_id"] == row["city_iri"].rsplit("/", 1)[1]
        assert (row["city_en"], row["city_zh"], row["city_wikidata"]) == (expected["en"], expected["zh"], expected["wikidata"])
    assert sum(1 for r in rows if r["city_wikidata"]) >= 1 and all(re.fullmatch(r"Q\d+", r["city_wikidata"]) for r in rows if r["city_wikidata"])


def test_lang_keeps_the_identifiers_and_merges_the_labels(api) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/declaration-signatories?lang=zh").get_json()
    assert list(rows[0]) == ["city_iri", "city_id", "city_wikidata", "city"]
    assert "雄安" in [r["city"] for r in rows]


def test_every_operation_gives_each_identifier_column_its_iri_id_and_wikidata(api) -> None:  # type: ignore[no-untyped-def]
    spec = api.get("/api/v1/openapi.json").get_json()
    for name in operations(api):
        rows = api.get(f"/api/v1/{name}").get_json()
        if not isinstance(rows, list) or not rows:
            continue
        for column in [c for c in rows[0] if c.endswith("_wikidata")]:
            base = column[: -len("_wikidata")]
            iri_column = f"{base}_iri" if f"{base}_iri" in rows[0] else base
            assert iri_column in rows[0] and f"{base}_id" in rows[0], (name, list(rows[0]))
            for row in rows:
                if isinstance(row[iri_column], str) and row[iri_column].startswith("http"):
                    assert row[f"{base}_id"] == re.split(r"[/#]", row[iri_column].rstrip("/"))[-1], (name, row)
                assert row[column] is None or re.fullmatch(r"Q\d+", row[column]), (name, row)
        # the OpenAPI record schema names exactly the columns of the answer, in order
        record = spec["components"]["schemas"][spec["paths"][f"/api/v1/{name}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]]
        assert record["x-csv-columns"] == list(rows[0]), name


def test_operations_with_resources_in_their_labels_now_carry_them(api) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "declaration-signatories": "city", "municipality-signatories": "city", "ten-initiatives": "initiative",
        "forum-organisers": "sponsor", "index-dimensions-indicators": "indicator", "fact-provenance": "publisher",
        "index-presenter-posts": "person", "signatory-population": "city", "cities": "city",
    }
    for name, base in expected.items():
        rows = api.get(f"/api/v1/{name}").get_json()
        assert {f"{base}_iri", f"{base}_id", f"{base}_wikidata"} <= set(rows[0]), (name, list(rows[0]))


def test_cities_lists_all_13_signatories_with_place_facts_identifiers_and_figures(api, signatories, store) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/cities").get_json()
    assert len(rows) == 13 and {r["city_iri"] for r in rows} == set(signatories)
    by_id = {r["city_id"]: r for r in rows}
    assert by_id["xiongan"]["type_en"] and by_id["xiongan"]["province_en"] and by_id["xiongan"]["population"] is None
    for row in rows:
        assert row["region_en"] in ("East", "Central", "West") and row["north_south_en"] in ("North", "South")
        assert isinstance(row["latitude"], float) and isinstance(row["longitude"], float)
        assert row["geonames_id"] is None or row["geonames_id"].isdigit()
        if row["population"] is not None:  # every figure carries its year and its source
            assert row["population_year"] == "2020" and row["population_source_iri"] and (row["population_source_en"] or row["population_source_zh"])
        if row["gdp"] is not None:
            assert re.fullmatch(r"\d{4}", row["gdp_year"]) and row["gdp_source_iri"] and row["gdp_unit_en"]
    # the figures are the graph's: population as the census observations give it
    census = {r["c"].value: int(r["v"].value) for r in store.query(
        "SELECT ?c ?v WHERE { ?o <https://w3id.org/ugkg/def/statisticalIndicator> <https://w3id.org/ugkg/id/stat/indicator/resident-population> ; "
        "<http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?c ; <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }")}
    assert {r["city_iri"]: r["population"] for r in rows if r["population"] is not None} == census
    seats = {r["c"].value: r["g"].value for r in store.query("SELECT ?c ?g WHERE { ?c <https://w3id.org/ugkg/def/seatFeature> ?g }")}
    for row in rows:
        assert (row["geonames_id"] is None) == (row["city_iri"] not in seats)
        if row["geonames_id"]:
            assert seats[row["city_iri"]].rstrip("/").endswith("/" + row["geonames_id"])


def test_ten_initiatives_carry_their_iri_and_short_titles_in_both_languages(api) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/ten-initiatives").get_json()
    assert [r["ordinal"] for r in rows] == list(range(1, 11))
    assert all(r["title_en"] and r["title_zh"] and r["initiative_iri"].endswith(f"/initiative/{r['ordinal']}") for r in rows)
    assert len({r["title_en"] for r in rows}) == 10 and len({r["title_zh"] for r in rows}) == 10
    zh = api.get("/api/v1/ten-initiatives?lang=zh&topic=digital-governance").get_json()
    assert [r["title"] for r in zh] == [rows[6]["title_zh"]]


@pytest.mark.parametrize("value", ["xiongan", "new-area/xiongan", "https://w3id.org/ugkg/id/new-area/xiongan", "Xiong'an", "xiong'an", "雄安", "XIONGAN"])
@pytest.mark.parametrize("name", ["declaration-signatories", "signatory-population", "cities"])
def test_xiongan_is_selectable_by_local_name_iri_or_label(api, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/{name}", query_string={"city": value})
    assert response.status_code == 200, response.get_json()
    assert [r["city_id"] for r in response.get_json()] == ["xiongan"]


@pytest.mark.parametrize("value", ["beijing", "Beijing", "北京"])
def test_a_city_is_selectable_by_label_in_either_language(api, value: str) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/signatory-population", query_string={"city": value}).get_json()
    assert [r["city_id"] for r in rows] == ["beijing"] and rows[0]["population"] and rows[0]["year"] == "2020"


@pytest.mark.parametrize("name", ["declaration-signatories", "signatory-population", "cities"])
def test_the_error_for_an_unknown_signatory_lists_all_13(api, signatories, name: str) -> None:  # type: ignore[no-untyped-def]
    body = api.get(f"/api/v1/{name}?city=atlantis").get_json()
    assert body["error"] == "invalid-parameter" and body["parameter"] == "city"
    known = {iri.rsplit("/", 1)[1] for iri in signatories}
    assert set(body["known"]) == known and all(k in body["message"] for k in known)


def test_signatory_population_carries_city_zh_the_year_and_the_source_in_both_languages(api) -> None:  # type: ignore[no-untyped-def]
    rows = api.get("/api/v1/signatory-population").get_json()
    assert {"city_iri", "city_id", "city_wikidata", "city_en", "city_zh", "year", "source_en", "source_zh"} <= set(rows[0])
    assert all(r["year"] == "2020" and r["city_zh"] for r in rows)


@pytest.mark.parametrize("name", ["cities", "declaration-signatories", "signatory-population", "ten-initiatives"])
def test_pandas_reads_the_csv_with_the_documented_columns(api, name: str) -> None:  # type: ignore[no-untyped-def]
    pandas = pytest.importorskip("pandas")
    spec = api.get("/api/v1/openapi.json").get_json()
    ref = spec["paths"][f"/api/v1/{name}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    documented = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["x-csv-columns"]
    frame = pandas.read_csv(io.BytesIO(api.get(f"/api/v1/{name}?format=csv").data), dtype=str, keep_default_na=False)
    assert list(frame.columns) == documented
    records = api.get(f"/api/v1/{name}").get_json()
    assert len(frame) == len(records)
    assert frame["city_iri" if "city_iri" in frame else "initiative_iri"].tolist() == [r["city_iri" if "city_iri" in r else "initiative_iri"] for r in records]
