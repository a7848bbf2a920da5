"""The releases' history graphs are kept in the data directory by a hash of everything they follow from
(server/build/history.py): a second build reads them back instead of diffing the releases again, and any change
to a release file makes them be computed anew."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from server.build import history

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/ugkg/"


@pytest.fixture()
def releases(tmp_path: Path) -> Path:
    copy = tmp_path / "releases"
    shutil.copytree(ROOT / "releases", copy)
    return copy


def _without_blank_nodes(nquads: bytes) -> set[bytes]:
    return {line for line in nquads.splitlines() if b"_:" not in line}


def test_a_second_build_reads_the_history_from_the_cache(releases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = history.history_nquads(releases, BASE, cache)
    assert first[0] and first[1], "the repository's releases have deltas"
    fresh = history.history_nquads(releases, BASE)  # without the cache: the same graphs (blank-node labels aside)
    assert fresh[1] == first[1] and _without_blank_nodes(fresh[0]) == _without_blank_nodes(first[0])

    def fail(*_: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(history, "_history_nquads", fail)
    assert history.history_nquads(releases, BASE, cache) == first


def test_a_changed_release_file_is_computed_anew_and_the_old_entry_dropped(releases: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    history.history_nquads(releases, BASE, cache)
    before = sorted(p.name for p in cache.iterdir())
    newest = sorted(releases.iterdir())[-1] / "release.json"
    record = json.loads(newest.read_text(encoding="utf-8"))
    record["notes"]["en"] = record["notes"]["en"] + " (edited)"
    newest.write_text(json.dumps(record), encoding="utf-8")
    data, _ = history.history_nquads(releases, BASE, cache)
    assert b"(edited)" in data
    after = sorted(p.name for p in cache.iterdir())
    assert len(after) == 2 and after != before


def test_an_unwritable_cache_directory_still_gives_the_history(releases: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x", encoding="utf-8")
    assert history.history_nquads(releases, BASE, blocked / "cache")[0]
