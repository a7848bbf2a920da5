"""Serving processes import only what they use: the serve master no build (rdflib, pySHACL, owlrl), web workers
and evaluators no GeoSPARQL stack (shapely, numpy) until a query names ``geof:``. Each costs every process
that carries it memory (measured: build ~40 MiB, shapely + numpy ~21 MiB) in the summed RSS of the tree."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server.engine import embedded, geo
from server.engine.embedded import OxigraphEngine, ensure_disk_store
from server.engine.factory import spec_for
from server.engine.store import QueryJob

ROOT = Path(__file__).resolve().parent.parent.parent
HEAVY = ("rdflib", "pyshacl", "owlrl", "shapely", "numpy")


def imported_after(code: str) -> list[str]:
    probe = code + f"\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=str(ROOT), capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_serve_master_finds_its_snapshot_without_importing_the_build(mini_settings, mini_snapshot) -> None:  # type: ignore[no-untyped-def]
    code = (f"from server.cli import _snapshot\nfrom server.settings import Settings\nimport server.web.wsgi\n"
            f"s = _snapshot(Settings(data_dir={mini_settings.data_dir!r}, sources_dir={mini_settings.sources_dir!r}))\n"
            f"assert s.build_id == {mini_snapshot.build_id!r}")
    assert imported_after(code) == []


def test_an_evaluator_imports_no_geosparql_stack_until_a_query_names_it() -> None:
    assert imported_after("import server.engine.evaluator, server.engine.embedded") == []
    assert embedded.GEOF == geo.GEOF  # the constant the lazy import is keyed on is the module's own


def test_a_geof_query_still_gets_the_custom_functions(mini_snapshot) -> None:  # type: ignore[no-untyped-def]
    ensure_disk_store(mini_snapshot)
    engine = OxigraphEngine(spec_for("oxigraph", mini_snapshot))
    query = ("PREFIX geof: <http://www.opengis.net/def/function/geosparql/> PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
             "SELECT (geof:getSRID(\"POINT(1 2)\"^^geo:wktLiteral) AS ?srid) {}")
    body = engine.evaluate(QueryJob(query, "SELECT", "application/sparql-results+json", 10)).body
    assert "CRS84" in json.loads(body)["results"]["bindings"][0]["srid"]["value"]
