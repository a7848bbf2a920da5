"""Indicator tables (CSV + TOML mapping) → RDF Data Cube: the shipped table, the build, the CLI, and bad tables."""
from __future__ import annotations

import csv
import subprocess
from decimal import Decimal
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from server.errors import BuildError
from server.build.snapshot import Snapshot
from server.build.tables import Mapping, Table, discover, triples

ROOT = Path(__file__).resolve().parent.parent.parent
TABLES = ROOT / "data" / "tables"
ID = "https://w3id.org/ugkg/id/"
CITIES = {f"{ID}city/{c}" for c in ("beijing", "tianjin")}
PREFIXES = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX ugkg: <https://w3id.org/ugkg/def/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
MAPPING = """
[dataset]
slug = "t"
label = { en = "test table", zh = "测试表" }
[indicators.pop]
iri = "stat/indicator/pop"
datatype = "integer"
label = { en = "population", zh = "人口" }
[units.person]
iri = "unit/person"
label = { en = "person", zh = "人" }
[sources.s1]
iri = "source/s1"
label = { en = "a communiqué", zh = "公报" }
page = "https://example.org/s1"
"""


def labels(iri: str) -> dict[str, str]:
    return {"en": iri.rsplit("/", 1)[-1].title(), "zh": "城"}


def as_store(table: Table, cities: set[str] | None = CITIES) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples(table, labels, cities))
    return store


def make(tmp_path: Path, rows: list[list[str]], mapping: str = MAPPING, header: list[str] | None = None) -> Table:
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header or ["city", "indicator", "year", "value", "unit", "source"])
        writer.writerows(rows)
    (tmp_path / "t.mapping.toml").write_text(mapping, encoding="utf-8")
    return Table(path, tmp_path / "t.mapping.toml")


def test_shipped_table_has_a_mapping_and_every_row_becomes_one_observation() -> None:
    (table,) = discover(TABLES)
    with table.csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    store = as_store(table, cities=None)
    got = {
        (r["city"].value.rsplit("/", 1)[-1], r["ind"].value.rsplit("/", 1)[-1], r["year"].value, Decimal(r["v"].value))
        for r in store.query(PREFIXES + "SELECT ?city ?ind ?year ?v { ?o a qb:Observation ; sdmx-dimension:refArea ?city ; "
                             "ugkg:statisticalIndicator ?ind ; sdmx-dimension:refPeriod ?year ; sdmx-measure:obsValue ?v }")
    }
    assert got == {(r["city"], r["indicator"], r["year"], Decimal(r["value"])) for r in rows}
    assert len(rows) == 19


def test_shipped_table_cites_a_described_source_for_every_figure() -> None:
    (table,) = discover(TABLES)
    store = as_store(table, cities=None)
    uncited = list(store.query(PREFIXES + """SELECT ?o { ?o a qb:Observation .
        FILTER NOT EXISTS { ?o dcterms:source ?s . ?s dcterms:title ?t ; dcterms:publisher ?p ; skos:note ?n } }"""))
    assert uncited == []
    mapping = Mapping(table.mapping_path)
    with table.csv_path.open(encoding="utf-8") as fh:
        assert {r["source"] for r in csv.DictReader(fh)} == set(mapping.sources)
    assert all(("page" in s) or ("index file" in str(s["note"])) for s in mapping.sources.values())


def test_table_is_built_into_its_own_named_graph_with_provenance(kg_snapshot: Snapshot) -> None:
    graph = "https://w3id.org/ugkg/graph/table/city-statistics"
    info = kg_snapshot.manifest["graphs"][graph]
    assert info["kind"] == "data" and info["sources"] == ["data/tables/city-statistics.csv", "data/tables/city-statistics.mapping.toml"]
    assert info["triples"] > 19 * 10


def test_integer_and_decimal_values_keep_their_datatype(tmp_path: Path) -> None:
    mapping = MAPPING + '[indicators.gdp]\niri = "stat/indicator/gdp"\ndatatype = "decimal"\nlabel = { en = "GDP", zh = "地区生产总值" }\n'
    store = as_store(make(tmp_path, [["beijing", "pop", "2020", "21893095", "person", "s1"], ["beijing", "gdp", "2022", "41610.90", "person", "s1"]], mapping))
    values = {r["v"].datatype.value.rsplit("#", 1)[-1]: r["v"].value for r in store.query(PREFIXES + "SELECT ?v { ?o sdmx-measure:obsValue ?v }")}
    assert values == {"integer": "21893095", "decimal": "41610.9"}  # Oxigraph writes decimals canonically


def test_observation_labels_name_city_indicator_and_year(tmp_path: Path) -> None:
    store = as_store(make(tmp_path, [["beijing", "pop", "2020", "1", "person", "s1"]]))
    got = {r["l"].value for r in store.query(PREFIXES + "SELECT ?l { ?o a qb:Observation ; rdfs:label ?l }")}
    assert got == {"Beijing: population, 2020", "城：人口（2020年）"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["beijing", "nope", "2020", "1", "person", "s1"], "indicator 'nope' is not in the mapping"),
        (["paris", "pop", "2020", "1", "person", "s1"], "city 'paris'"),
        (["beijing", "pop", "20x0", "1", "person", "s1"], "year '20x0'"),
        (["beijing", "pop", "2020", "1,5", "person", "s1"], "value '1,5' is not a number"),
        (["beijing", "pop", "2020", "1.5", "person", "s1"], "value '1.5' is not a finite integer"),
        (["beijing", "pop", "2020", "NaN", "person", "s1"], "value 'NaN' is not a finite integer"),
        (["beijing", "pop", "2020", "1", "kg", "s1"], "unit 'kg'"),
        (["beijing", "pop", "2020", "1", "person", "s9"], "source 's9'"),
    ],
)
def test_bad_row_is_reported_with_file_and_line(tmp_path: Path, row: list[str], message: str) -> None:
    table = make(tmp_path, [["tianjin", "pop", "2020", "2", "person", "s1"], row])
    with pytest.raises(BuildError) as error:
        as_store(table)
    assert f"t.csv:3: {message}" in str(error.value)


def test_duplicate_row_is_refused(tmp_path: Path) -> None:
    table = make(tmp_path, [["beijing", "pop", "2020", "1", "person", "s1"], ["beijing", "pop", "2020", "2", "person", "s1"]])
    with pytest.raises(BuildError, match=r"t.csv:3: a second row for beijing / pop / 2020"):
        as_store(table)


def test_missing_column_and_renamed_columns(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"t.csv:1: missing column\(s\) unit"):
        as_store(make(tmp_path, [["beijing", "pop", "2020", "1", "s1"]], header=["city", "indicator", "year", "value", "source"]))
    renamed = MAPPING + '[columns]\ncity = "城市"\nvalue = "数值"\n'
    store = as_store(make(tmp_path, [["beijing", "pop", "2020", "7", "person", "s1"]], renamed, header=["城市", "indicator", "year", "数值", "unit", "source"]))
    assert [r["v"].value for r in store.query(PREFIXES + "SELECT ?v { ?o sdmx-measure:obsValue ?v }")] == ["7"]


def test_bad_mapping_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="cannot read the mapping"):
        Mapping(make(tmp_path, [], "[dataset\n").mapping_path)
    with pytest.raises(BuildError, match="lacks 'units'"):
        Mapping(make(tmp_path, [], MAPPING.replace("[units.person]", "[unitz.person]")).mapping_path)
    with pytest.raises(BuildError, match="datatype must be one of"):
        Mapping(make(tmp_path, [], MAPPING.replace('"integer"', '"float"')).mapping_path)


def test_table_without_mapping_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "lonely.csv").write_text("city\n", encoding="utf-8")
    with pytest.raises(BuildError, match="no mapping file lonely.mapping.toml"):
        discover(tmp_path)


def test_cli_table_writes_ntriples_that_parse(tmp_path: Path) -> None:
    out = tmp_path / "t.nt"
    done = subprocess.run([sys.executable, "-m", "server.cli", "table", str(TABLES / "city-statistics.csv"), "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    parsed = list(ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))
    assert f"wrote {len(parsed)} triples" in done.stderr
    bad = make(tmp_path, [["paris", "pop", "2020", "1", "person", "s1"]])
    refused = subprocess.run([sys.executable, "-m", "server.cli", "table", str(bad.csv_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "city 'paris'" in refused.stderr and "Traceback" not in refused.stderr
