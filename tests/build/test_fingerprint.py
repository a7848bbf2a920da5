"""`ugkg build --if-changed` (what `make serve` runs): a snapshot carries the fingerprint of its sources and
settings; the build is skipped when it matches and runs when a source or a setting changed. And the serving
install is the package alone: `make serve` installs no test tool."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from server.build.fingerprint import fingerprint
from server.build.snapshot import current_snapshot
from server.cli import main
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    target = tmp_path / "src"
    shutil.copytree(MINI, target)
    return target


def build(sources: Path, data: Path, *extra: str) -> str:
    """Run `ugkg build --if-changed` and return the id of the current snapshot after it."""
    assert main(["build", "--if-changed", "--sources-dir", str(sources), "--data-dir", str(data), *extra]) == 0
    return current_snapshot(data / "snapshots").build_id


def test_an_unchanged_source_tree_is_not_built_again(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = build(sources, tmp_path / "data")
    assert build(sources, tmp_path / "data") == first
    assert "up to date" in capsys.readouterr().out


def test_a_changed_source_file_is_built_again(sources: Path, tmp_path: Path) -> None:
    first = build(sources, tmp_path / "data")
    data_file = sorted((sources / "data").glob("*.ttl"))[0]
    data_file.write_text(data_file.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    second = build(sources, tmp_path / "data")
    assert second != first
    assert build(sources, tmp_path / "data") == second


def test_a_changed_build_setting_is_built_again(sources: Path, tmp_path: Path) -> None:
    first = build(sources, tmp_path / "data")
    assert build(sources, tmp_path / "data", "--base-iri", "https://example.org/kg/") != first


def test_the_fingerprint_is_in_the_manifest_and_ignores_serving_settings(sources: Path, tmp_path: Path) -> None:
    build(sources, tmp_path / "data")
    manifest = current_snapshot(tmp_path / "data" / "snapshots").manifest
    settings = Settings(sources_dir=str(sources))
    assert manifest["fingerprint"] == fingerprint(settings, sources)
    assert fingerprint(settings.with_(port=9999, web_workers=7), sources) == manifest["fingerprint"]
    assert fingerprint(settings.with_(reason_extra="yes"), sources) != manifest["fingerprint"]


def test_make_serve_installs_the_package_without_the_test_extras() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "-B", "serve", "PORT=1"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line and "-e" in line]
    assert installs, plan
    assert not any("[test]" in line for line in installs), installs
    assert "ugkg build --if-changed" in plan
    test_plan = subprocess.run(["make", "-n", "-B", "test-fast"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "'.[test]'" in test_plan
