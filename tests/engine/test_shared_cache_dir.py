"""The shared answer cache's directories: one per data directory, pruned only by servers of that data directory."""
from __future__ import annotations

from pathlib import Path

from server.engine.cache import SharedCache, shared_cache_dir


def _snapshots(root: Path, *build_ids: str) -> Path:
    snapshots = root / "snapshots"
    for build_id in build_ids:
        (snapshots / build_id).mkdir(parents=True)
    return snapshots


def test_a_server_of_another_data_directory_never_removes_this_ones_live_cache(tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    first = shared_cache_dir(str(cache_root), _snapshots(tmp_path / "a", "20260101T000000Z"), "20260101T000000Z", "f1")
    cache: SharedCache[str] = SharedCache(first, 1 << 20, 10)
    cache.put("k", "v", 1)
    cache.put("k", "v", 1)  # second sight: written to the shared level
    assert (first / "k").exists()
    shared_cache_dir(str(cache_root), _snapshots(tmp_path / "b", "20260202T000000Z"), "20260202T000000Z", "f1")
    assert first.is_dir() and (first / "k").exists()


def test_a_server_removes_the_cache_of_its_own_data_directorys_pruned_snapshots(tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    snapshots = _snapshots(tmp_path / "a", "20260101T000000Z", "20260202T000000Z")
    old = shared_cache_dir(str(cache_root), snapshots, "20260101T000000Z", "f1")
    old.mkdir()
    (snapshots / "20260101T000000Z").rmdir()  # pruned by a newer build
    new = shared_cache_dir(str(cache_root), snapshots, "20260202T000000Z", "f1")
    assert not old.exists() and new.parent == old.parent
