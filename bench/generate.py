"""Synthetic governance data: cities × indicators × years as RDF Data Cube observations (streamed N-Quads).

The observations have the shape of our city statistics tables (ugkg:cityStatisticsStructure: refArea,
refPeriod, ugkg:statisticalIndicator, sdmx-measure:obsValue, sdmx-attribute:unitMeasure), so the benchmark's
queries are the queries a user runs over imported tables. Each observation is 7 triples (type, data set,
refArea, refPeriod, indicator, value, unit); each city adds 3 (type, two labels), each indicator 2. ``python -m bench.generate 100k out.nq`` writes about 100,000 quads.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import IO, Iterator

BASE = "https://w3id.org/ugkg/"
UGKG = BASE + "def/"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
OBS_VALUE = "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
UNIT_MEASURE = "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = BASE + "graph/bench"
DATASET = BASE + "id/dataset/bench"
TRIPLES_PER_OBSERVATION = 7
YEARS = list(range(2000, 2025))
INDICATORS = 40


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def city(i: int) -> str:
    return f"{BASE}id/city/c{i}"


def indicator(i: int) -> str:
    return f"{BASE}id/indicator/i{i}"


def observation(c: int, i: int, year: int) -> str:
    return f"{BASE}id/observation/c{c}-i{i}-{year}"


def shape(triples: int) -> tuple[int, int, list[int]]:
    """(cities, indicators, years) so that the observations give about ``triples`` triples."""
    observations = max(1, triples // TRIPLES_PER_OBSERVATION)
    years = YEARS if observations >= INDICATORS * len(YEARS) else YEARS[:5]
    cities = max(1, math.ceil(observations / (INDICATORS * len(years))))
    return cities, INDICATORS, years


def quads(triples: int, seed: int = 42) -> Iterator[str]:
    rng = random.Random(seed)
    g = f"<{GRAPH}>"
    cities, indicators, years = shape(triples)
    budget = max(1, triples // TRIPLES_PER_OBSERVATION)
    for i in range(indicators):
        yield f"<{indicator(i)}> <{RDF_TYPE}> <{SKOS_CONCEPT}> {g} .\n"
        yield f"<{indicator(i)}> <{RDFS_LABEL}> \"Indicator {i}\"@en {g} .\n"
    for c in range(cities):
        yield f"<{city(c)}> <{RDF_TYPE}> <{UGKG}City> {g} .\n"
        yield f"<{city(c)}> <{RDFS_LABEL}> \"City {c}\"@en {g} .\n"
        yield f"<{city(c)}> <{RDFS_LABEL}> \"城市{c}\"@zh {g} .\n"
        for i in range(indicators):
            for year in years:
                if budget <= 0:
                    break
                budget -= 1
                o = f"<{observation(c, i, year)}>"
                yield f"{o} <{RDF_TYPE}> <{QB}Observation> {g} .\n"
                yield f"{o} <{QB}dataSet> <{DATASET}> {g} .\n"
                yield f"{o} <{SDMX_DIM}refArea> <{city(c)}> {g} .\n"
                yield f"{o} <{SDMX_DIM}refPeriod> \"{year}\"^^<{XSD}gYear> {g} .\n"
                yield f"{o} <{UGKG}statisticalIndicator> <{indicator(i)}> {g} .\n"
                yield f"{o} <{OBS_VALUE}> \"{rng.uniform(0, 1000):.2f}\"^^<{XSD}decimal> {g} .\n"
                yield f"{o} <{UNIT_MEASURE}> <{BASE}id/unit/percent> {g} .\n"


def write(triples: int, out: IO[str]) -> int:
    n = 0
    for line in quads(triples):
        out.write(line)
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("size", help="about how many triples: 10k, 100k, 1M")
    ap.add_argument("output", help="N-Quads file to write ('-' for standard output)")
    args = ap.parse_args(argv)
    if args.output == "-":
        n = write(parse_size(args.size), sys.stdout)
    else:
        with Path(args.output).open("w", encoding="utf-8") as fh:
            n = write(parse_size(args.size), fh)
    print(f"{n} quads", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
