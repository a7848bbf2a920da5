"""Indicator tables (CSV) → RDF Data Cube observations, driven by a mapping file.

A table has one row per figure — city, indicator, year, value, unit, source — and a TOML mapping beside it
(``<name>.csv`` + ``<name>.mapping.toml``) that says which column plays which role and what each city,
indicator, unit and source key means as an IRI. The output uses the ontology's ``ugkg:cityStatisticsStructure``
(refArea, refPeriod, ugkg:statisticalIndicator as dimensions; sdmx-measure:obsValue as measure;
sdmx-attribute:unitMeasure as attribute), so every table can be queried the same way, beside the declaration.

Rows are read and turned into triples one at a time (``triples``), so a table of millions of rows can be
converted with ``ugkg table`` into N-Triples and added with ``ugkg build --with`` without holding it in memory.
Tables under ``data/tables/`` are part of our own graph: the build converts, validates and reasons over them.
Every mistake in a table (unknown key, bad number, duplicate row) is reported with the file and line.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox

from server.errors import BuildError
from server.settings import CANONICAL_BASE_IRI
from server.build.sources import GRAPH_BASE

ID = CANONICAL_BASE_IRI + "id/"
UGKG = CANONICAL_BASE_IRI + "def/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
REF_AREA = ox.NamedNode("http://purl.org/linked-data/sdmx/2009/dimension#refArea")
REF_PERIOD = ox.NamedNode("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")
OBS_VALUE = ox.NamedNode("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
UNIT_MEASURE = ox.NamedNode("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")
STATISTICAL_INDICATOR = ox.NamedNode(UGKG + "statisticalIndicator")
STRUCTURE = ox.NamedNode(UGKG + "cityStatisticsStructure")
ROLES = ("city", "indicator", "year", "value", "unit", "source")
DATATYPES = {"integer": XSD + "integer", "decimal": XSD + "decimal"}
LANGS = ("en", "zh")

Labels = Callable[[str], dict[str, str]]


@dataclass(frozen=True)
class Table:
    """A CSV file and its mapping."""

    csv_path: Path
    mapping_path: Path

    @property
    def slug(self) -> str:
        return self.csv_path.stem

    @property
    def graph(self) -> str:
        return f"{GRAPH_BASE}table/{self.slug}"


def discover(directory: Path) -> list[Table]:
    """Every ``*.csv`` under ``directory`` with its ``*.mapping.toml``; a table without a mapping is an error."""
    tables = []
    for path in sorted(directory.glob("*.csv")):
        mapping = path.with_name(path.stem + ".mapping.toml")
        if not mapping.is_file():
            raise BuildError(f"{path}: no mapping file {mapping.name} beside it", exit_code=2)
        tables.append(Table(path, mapping))
    return tables


def _iri(value: str) -> ox.NamedNode:
    """Mapping IRIs are absolute or relative to the instance namespace ``id/``."""
    return ox.NamedNode(value if "://" in value else ID + value)


def _text(table: dict, key: str, where: str) -> dict[str, str]:  # type: ignore[type-arg]
    value = table.get(key, {})
    if not isinstance(value, dict) or any(lang not in LANGS or not isinstance(v, str) for lang, v in value.items()):
        raise BuildError(f"{where}: '{key}' must be a table of 'en' / 'zh' strings", exit_code=2)
    return value


class Mapping:
    """The parsed mapping file: roles of columns and the meaning of every key used in the cells."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise BuildError(f"{path}: cannot read the mapping: {exc}", exit_code=2) from None
        try:
            self.dataset = raw["dataset"]
            self.columns: dict[str, str] = {role: raw.get("columns", {}).get(role, role) for role in ROLES}
            self.city_pattern: str = raw.get("cities", {}).get("pattern", "city/{}")
            self.indicators: dict[str, dict] = raw["indicators"]  # type: ignore[type-arg]
            self.units: dict[str, dict] = raw["units"]  # type: ignore[type-arg]
            self.sources: dict[str, dict] = raw["sources"]  # type: ignore[type-arg]
            self.slug: str = self.dataset["slug"]
            self.scheme: dict | None = raw.get("scheme")  # type: ignore[type-arg]
        except (KeyError, TypeError, AttributeError) as exc:
            raise BuildError(f"{path}: the mapping lacks {exc} (see data/tables/README.md for its form)", exit_code=2) from None
        for key, spec in self.indicators.items():
            if spec.get("datatype", "decimal") not in DATATYPES:
                raise BuildError(f"{path}: indicator '{key}': datatype must be one of {', '.join(DATATYPES)}", exit_code=2)
            if "iri" not in spec:
                raise BuildError(f"{path}: indicator '{key}' needs an 'iri'", exit_code=2)
        for kind, entries in (("unit", self.units), ("source", self.sources)):
            for key, spec in entries.items():
                if "iri" not in spec:
                    raise BuildError(f"{path}: {kind} '{key}' needs an 'iri'", exit_code=2)

    @property
    def table_node(self) -> ox.NamedNode:
        return _iri(f"table/{self.slug}")

    @property
    def dataset_node(self) -> ox.NamedNode:
        return _iri(f"dataset/{self.slug}")

    def city(self, key: str) -> ox.NamedNode:
        return _iri(self.city_pattern.format(key))


def _lit(text: str, lang: str) -> ox.Literal:
    return ox.Literal(text, language=lang)


def _describe(node: ox.NamedNode, spec: dict, derived_from: ox.NamedNode, where: str) -> Iterator[ox.Triple]:  # type: ignore[type-arg]
    """Labels, definitions, notes, types and matches of a resource the mapping defines; one that the mapping
    only refers to (no label: e.g. an indicator of the index) gets nothing, its description is elsewhere."""
    for lang, text in _text(spec, "label", where).items():
        yield ox.Triple(node, RDFS_LABEL, _lit(text, lang))
    for key, prop in (("definition", SKOS + "definition"), ("note", SKOS + "note")):
        for lang, text in _text(spec, key, where).items():
            yield ox.Triple(node, ox.NamedNode(prop), _lit(text, lang))
    for type_iri in spec.get("types", []):
        yield ox.Triple(node, RDF_TYPE, ox.NamedNode(type_iri))
    for prop in ("exactMatch", "closeMatch", "relatedMatch", "related", "broader"):
        for target in spec.get(prop, []):
            yield ox.Triple(node, ox.NamedNode(SKOS + prop), _iri(target))
    if "page" in spec:
        yield ox.Triple(node, ox.NamedNode(FOAF + "page"), ox.NamedNode(spec["page"]))
    if "publisher" in spec:
        yield ox.Triple(node, ox.NamedNode(DCTERMS + "publisher"), ox.Literal(str(spec["publisher"])))
    if "date" in spec:
        yield ox.Triple(node, ox.NamedNode(DCTERMS + "date"), ox.Literal(str(spec["date"]), datatype=ox.NamedNode(XSD + "date")))
    if "label" in spec and derived_from != node:  # nothing is derived from itself (issue 17)
        yield ox.Triple(node, ox.NamedNode(PROV + "wasDerivedFrom"), derived_from)


def header_triples(mapping: Mapping) -> Iterator[ox.Triple]:
    """The table, its data set, and the indicators, units and sources the mapping defines."""
    where = str(mapping.path)
    table, dataset = mapping.table_node, mapping.dataset_node
    derived = ox.NamedNode(PROV + "wasDerivedFrom")
    yield ox.Triple(table, RDF_TYPE, ox.NamedNode(PROV + "Entity"))
    yield from _describe(table, {"label": mapping.dataset.get("table_label", mapping.dataset.get("label", {}))}, table, where)
    for key, spec in mapping.sources.items():
        yield ox.Triple(table, derived, _iri(spec["iri"]))
    yield ox.Triple(dataset, RDF_TYPE, ox.NamedNode(QB + "DataSet"))
    yield ox.Triple(dataset, ox.NamedNode(QB + "structure"), STRUCTURE)
    yield from _describe(dataset, mapping.dataset, table, where)
    for lang, text in _text(mapping.dataset, "description", where).items():
        yield ox.Triple(dataset, ox.NamedNode(DCTERMS + "description"), _lit(text, lang))
    if "license" in mapping.dataset:
        yield ox.Triple(dataset, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(mapping.dataset["license"]))
    scheme = mapping.scheme
    if scheme:
        yield ox.Triple(_iri(scheme["iri"]), RDF_TYPE, ox.NamedNode(SKOS + "ConceptScheme"))
        yield from _describe(_iri(scheme["iri"]), scheme, table, f"{where}: scheme")
    for key, spec in mapping.indicators.items():
        node = _iri(spec["iri"])
        if "label" in spec:
            yield ox.Triple(node, RDF_TYPE, ox.NamedNode(SKOS + "Concept"))
            if scheme:
                yield ox.Triple(node, ox.NamedNode(SKOS + "inScheme"), _iri(scheme["iri"]))
            yield ox.Triple(node, ox.NamedNode(SKOS + "notation"), ox.Literal(key))
        yield from _describe(node, spec, table, f"{where}: indicator '{key}'")
    for key, spec in mapping.units.items():
        yield from _describe(_iri(spec["iri"]), spec, table, f"{where}: unit '{key}'")
    for key, spec in mapping.sources.items():
        node = _iri(spec["iri"])
        if "label" in spec:  # a publication's description is read off the publication itself
            yield ox.Triple(node, RDF_TYPE, ox.NamedNode(DCTERMS + "BibliographicResource"))
            for lang, text in _text(spec, "label", where).items():
                yield ox.Triple(node, ox.NamedNode(DCTERMS + "title"), _lit(text, lang))
        yield from _describe(node, spec, node, f"{where}: source '{key}'")


def rows(table: Table, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {role: cell}) for every data row; a missing column is reported once, by name."""
    try:
        handle = table.csv_path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise BuildError(f"{table.csv_path}: cannot read: {exc}", exit_code=2) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in mapping.columns.values() if c not in (reader.fieldnames or [])]
        if missing:
            raise BuildError(f"{table.csv_path}:1: missing column(s) {', '.join(missing)} (mapping {mapping.path.name})", exit_code=2)
        try:
            for record in reader:
                cells = {role: (record.get(column) or "").strip() for role, column in mapping.columns.items()}
                if any(cells.values()):
                    yield reader.line_num, cells
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BuildError(f"{table.csv_path}:{reader.line_num}: cannot read CSV: {exc}", exit_code=2) from None


def observation_triples(table: Table, mapping: Mapping, labels: Labels, known_cities: set[str] | None) -> Iterator[ox.Triple]:
    """The observations, one row at a time; raises BuildError naming file:line at the first bad row."""
    seen: set[tuple[str, str, str]] = set()
    for line, cells in rows(table, mapping):
        where = f"{table.csv_path}:{line}"
        city, key, year = cells["city"], cells["indicator"], cells["year"]
        spec = mapping.indicators.get(key)
        if spec is None:
            raise BuildError(f"{where}: indicator '{key}' is not in the mapping (known: {', '.join(mapping.indicators)})", exit_code=2)
        city_node = mapping.city(city)
        if known_cities is not None and city_node.value not in known_cities:
            raise BuildError(f"{where}: city '{city}' ({city_node.value}) is not a ugkg:City of the graph", exit_code=2)
        if not (len(year) == 4 and year.isdigit()):
            raise BuildError(f"{where}: year '{year}' is not a four-digit year", exit_code=2)
        if cells["unit"] not in mapping.units:
            raise BuildError(f"{where}: unit '{cells['unit']}' is not in the mapping", exit_code=2)
        if cells["source"] not in mapping.sources:
            raise BuildError(f"{where}: source '{cells['source']}' is not in the mapping", exit_code=2)
        value = _number(cells["value"], spec.get("datatype", "decimal"), where)
        if (city, key, year) in seen:
            raise BuildError(f"{where}: a second row for {city} / {key} / {year}", exit_code=2)
        seen.add((city, key, year))
        node = _iri(f"observation/{mapping.slug}/{city}-{key}-{year}")
        yield ox.Triple(node, RDF_TYPE, ox.NamedNode(QB + "Observation"))
        yield ox.Triple(node, ox.NamedNode(QB + "dataSet"), mapping.dataset_node)
        yield ox.Triple(node, REF_AREA, city_node)
        yield ox.Triple(node, REF_PERIOD, ox.Literal(year, datatype=ox.NamedNode(XSD + "gYear")))
        yield ox.Triple(node, STATISTICAL_INDICATOR, _iri(spec["iri"]))
        yield ox.Triple(node, OBS_VALUE, value)
        yield ox.Triple(node, UNIT_MEASURE, _iri(mapping.units[cells["unit"]]["iri"]))
        source = _iri(mapping.sources[cells["source"]]["iri"])
        yield ox.Triple(node, ox.NamedNode(DCTERMS + "source"), source)
        yield ox.Triple(node, ox.NamedNode(PROV + "wasDerivedFrom"), source)
        for lang, text in _observation_labels(labels(city_node.value), spec, city, year).items():
            yield ox.Triple(node, RDFS_LABEL, _lit(text, lang))


def _number(text: str, datatype: str, where: str) -> ox.Literal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BuildError(f"{where}: value '{text}' is not a number", exit_code=2) from None
    if not number.is_finite() or (datatype == "integer" and number != number.to_integral_value()):
        raise BuildError(f"{where}: value '{text}' is not a finite {datatype}", exit_code=2)
    lexical = str(int(number)) if datatype == "integer" else format(number, "f")
    return ox.Literal(lexical, datatype=ox.NamedNode(DATATYPES[datatype]))


def _observation_labels(city: dict[str, str], spec: dict, city_key: str, year: str) -> dict[str, str]:  # type: ignore[type-arg]
    indicator = spec.get("label", {})
    return {
        "en": f"{city.get('en', city_key)}: {indicator.get('en', spec['iri'])}, {year}",
        "zh": f"{city.get('zh', city_key)}：{indicator.get('zh', spec['iri'])}（{year}年）",
    }


def triples(table: Table, labels: Labels, known_cities: set[str] | None = None) -> Iterator[ox.Triple]:
    """Everything a table contributes to its named graph."""
    mapping = Mapping(table.mapping_path)
    yield from header_triples(mapping)
    yield from observation_triples(table, mapping, labels, known_cities)


def to_ntriples(items: Iterable[ox.Triple]) -> bytes:
    out = ox.serialize(list(items), format=ox.RdfFormat.N_TRIPLES)
    assert out is not None
    return out


def write_ntriples(items: Iterable[ox.Triple], out: BinaryIO, batch: int = 10_000) -> int:
    """Stream triples as N-Triples in batches (memory bounded by ``batch``, not by the table); returns the count."""
    count = 0
    chunk: list[ox.Triple] = []
    for triple in items:
        chunk.append(triple)
        if len(chunk) >= batch:
            out.write(to_ntriples(chunk))
            count += len(chunk)
            chunk = []
    if chunk:
        out.write(to_ntriples(chunk))
        count += len(chunk)
    return count
