"""The generated suite as kept in bench/sparqloscope: every query listed parses, has a category and a file; the
reference's data is exactly the all-union graph of the engine export (bench.suite_data.union_triples)."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest

from bench import suite_data

SUITES = sorted(p.parent for p in (Path(__file__).resolve().parents[2] / "bench" / "sparqloscope").glob("*/manifest.json"))


def test_there_is_a_suite_for_the_benchmark_size() -> None:
    assert "1M" in [s.name for s in SUITES]


@pytest.mark.parametrize("suite", SUITES, ids=lambda p: p.name)
def test_every_listed_query_exists_parses_and_has_a_category(suite: Path) -> None:
    manifest = json.loads((suite / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["commit"] and len(manifest["queries"]) >= 90
    store = pyoxigraph.Store()
    for entry in manifest["queries"]:
        assert entry["category"] and entry["category"] != "other", entry["name"]
        text = (suite / "queries" / entry["file"]).read_text(encoding="utf-8")
        store.query(text)  # raises SyntaxError on a query Oxigraph cannot parse
    listed = {e["file"] for e in manifest["queries"]}
    assert listed == {p.name for p in (suite / "queries").glob("*.rq")}


def test_union_triples_keeps_only_the_all_union_graph_as_triples(tmp_path: Path) -> None:
    nq = tmp_path / "in.nq"
    nq.write_text(
        '<https://e.org/a> <https://e.org/p> "x" <https://w3id.org/ugkg/graph/data/a> .\n'
        '<https://e.org/a> <https://e.org/p> "x" <urn:ugkg:graph:all-union> .\n'
        '_:b1 <https://e.org/p> "y"@en <urn:ugkg:graph:all-union> .\n'
        '<https://e.org/s> <https://e.org/p> <https://e.org/o> <https://w3id.org/ugkg/graph/shapes> .\n'
        '<https://e.org/a> <https://e.org/q> "z" <urn:ugkg:graph:asserted-union> .\n', encoding="utf-8")
    out = tmp_path / "out.nt"
    assert suite_data.union_triples(nq, out) == 2
    assert out.read_text(encoding="utf-8") == '<https://e.org/a> <https://e.org/p> "x" .\n_:b1 <https://e.org/p> "y"@en .\n'
