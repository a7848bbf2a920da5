"""The build and the CLI: atomic snapshots, readable failures, exit codes, exports, base IRI, installability."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import rdflib
import rdflib.compare

from server.build.pipeline import build
from server.cli import main
from server.errors import BuildError, SnapshotError
from server.settings import Settings
from server.build.snapshot import current_snapshot

ROOT = Path(__file__).resolve().parent.parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


def quiet(_: str) -> None:
    pass


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A private copy of the mini sources that a test may break."""
    target = tmp_path / "src"
    shutil.copytree(MINI, target)
    return target


def settings_for(sources: Path, tmp_path: Path, **kw) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(data_dir=str(tmp_path / "data"), sources_dir=str(sources), **kw)


def test_build_writes_snapshot_with_checksummed_manifest(sources: Path, tmp_path: Path) -> None:
    result = build(settings_for(sources, tmp_path), progress=quiet)
    manifest = json.loads((result.snapshot.path / "manifest.json").read_text())
    assert manifest["conforms"] is True and manifest["counts"]["inferred"] == 2
    kinds = {info["kind"] for info in manifest["graphs"].values()}
    assert kinds == {"ontology", "data", "inferred", "shapes", "validation", "meta"}
    assert current_snapshot(Path(tmp_path / "data" / "snapshots")).build_id == result.snapshot.build_id


def test_syntax_error_names_file_and_line_and_keeps_previous_snapshot(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path)
    first = build(settings, progress=quiet).snapshot
    (sources / "data" / "b.ttl").write_text("@prefix x: <urn:x:> .\nx:a x:b .\n")
    with pytest.raises(BuildError) as err:
        build(settings, progress=quiet)
    assert "b.ttl" in str(err.value) and "line 2" in str(err.value)
    assert current_snapshot(settings.snapshots_dir).build_id == first.build_id


def test_shacl_violation_names_resource_and_shape_and_keeps_previous_snapshot(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path)
    first = build(settings, progress=quiet).snapshot
    bad = (sources / "data" / "b.ttl").read_text().replace('schema:endDate "2022-12-19"^^xsd:date', 'schema:endDate "2022-12-19"^^xsd:date ;\n    schema:startDate "2022-12-20"^^xsd:date')
    (sources / "data" / "b.ttl").write_text(bad)
    with pytest.raises(BuildError) as err:
        build(settings, progress=quiet)
    assert err.value.exit_code == 1
    assert "https://w3id.org/ugkg/id/event/forum" in str(err.value) and "shapes/ForumShape" in str(err.value)
    assert current_snapshot(settings.snapshots_dir).build_id == first.build_id


def test_validate_exit_codes(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--sources-dir", str(sources)]) == 0
    (sources / "data" / "b.ttl").write_text((sources / "data" / "b.ttl").read_text() + '\n<https://w3id.org/ugkg/id/event/forum> <https://schema.org/startDate> "x" .\n')
    assert main(["validate", "--sources-dir", str(sources)]) == 1
    assert "ForumShape" in capsys.readouterr().out
    (sources / "data" / "b.ttl").write_text("this is not turtle")
    assert main(["validate", "--sources-dir", str(sources)]) == 2


def test_corrupted_snapshot_is_detected(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path)
    snapshot = build(settings, progress=quiet).snapshot
    with (snapshot.path / "dataset.nq").open("ab") as fh:
        fh.write(b"<urn:evil> <urn:evil> <urn:evil> .\n")
    with pytest.raises(SnapshotError, match="corrupted"):
        current_snapshot(settings.snapshots_dir)


def test_base_iri_is_rewritten(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path, base_iri="http://127.0.0.1:8000/")
    snapshot = build(settings, progress=quiet).snapshot
    text = snapshot.dataset_path.read_text()
    assert "<http://127.0.0.1:8000/id/event/forum>" in text and "w3id.org/ugkg" not in text
    assert "http://127.0.0.1:8000/graph/inferred" in snapshot.graphs


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_export_triple_formats_roundtrip_to_the_default_graph(sources: Path, tmp_path: Path, fmt: str, rdflib_format: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    settings = settings_for(sources, tmp_path)
    build(settings, progress=quiet)
    assert main(["export", "--format", "nt", "--data-dir", settings.data_dir]) == 0
    reference = rdflib.Graph().parse(data=capsysbinary.readouterr().out, format="nt")
    out = tmp_path / f"dump.{fmt}"
    assert main(["export", "--format", fmt, "-o", str(out), "--data-dir", settings.data_dir]) == 0
    graph = rdflib.Graph().parse(out, format=rdflib_format)
    assert len(reference) == 25 and rdflib.compare.isomorphic(graph, reference)


def test_export_nquads_keeps_named_graphs(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path)
    build(settings, progress=quiet)
    out = tmp_path / "dump.trig"
    assert main(["export", "--format", "trig", "-o", str(out), "--data-dir", settings.data_dir]) == 0
    dataset = rdflib.Dataset().parse(out, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert "https://w3id.org/ugkg/graph/data/a" in names and "https://w3id.org/ugkg/graph/inferred" in names


def test_query_command_reads_rq_files(sources: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    settings = settings_for(sources, tmp_path)
    build(settings, progress=quiet)
    assert main(["query", str(sources / "queries" / "01-forum.rq"), "--format", "csv", "--data-dir", settings.data_dir]) == 0
    assert capsysbinary.readouterr().out.decode().splitlines() == ["event,start", "https://w3id.org/ugkg/id/event/forum,2022-12-18"]


def test_extra_datasets_become_their_own_graphs(sources: Path, tmp_path: Path) -> None:
    import gzip

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "stats.nt.gz").write_bytes(gzip.compress(b'<urn:x:a> <urn:x:p> "1" .\n<urn:x:b> <urn:x:p> "2" .\n'))
    (extra / "more.jsonld").write_text('{"@id": "urn:x:c", "urn:x:p": "3"}')
    snapshot = build(settings_for(sources, tmp_path, extra_datasets=(str(extra),)), progress=quiet).snapshot
    assert snapshot.graphs["https://w3id.org/ugkg/graph/extra/stats"] == {"kind": "extra", "triples": 2, "sources": [str(extra / "stats.nt.gz")]}
    assert snapshot.graphs["https://w3id.org/ugkg/graph/extra/more"]["triples"] == 1


def test_real_graph_builds_and_conforms(kg_snapshot) -> None:  # type: ignore[no-untyped-def]
    counts = kg_snapshot.manifest["counts"]
    assert kg_snapshot.manifest["conforms"] is True
    assert counts["asserted"] > 1500 and counts["inferred"] > 500


@pytest.mark.slow
def test_non_editable_install_serves_outside_the_checkout(tmp_path: Path) -> None:
    """`pip install .` carries the sources: the installed `ugkg` builds and queries from another directory."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    # the dependencies come from the test environment (no download); the package itself is a real wheel install
    site = next(env_dir.glob("lib/python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_test_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", "--no-deps", str(ROOT)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(env_dir / "bin" / "python"), "-c", "import server; print(server.__file__)"], cwd=elsewhere, capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    out = subprocess.run(
        [str(env_dir / "bin" / "ugkg"), "query", "--data-dir", str(tmp_path / "data"), "--format", "csv",
         "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/ugkg/def/UrbanArea> }"],
        cwd=elsewhere, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["n", "13"]
