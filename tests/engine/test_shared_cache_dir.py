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


def test_a_never_repeated_answer_leaves_no_file_and_a_repeated_one_is_shared(tmp_path: Path) -> None:
    """Admission on second sight, across processes (two caches on one directory stand for two workers): the
    first sight only marks the admission table; the second, in the other process, writes the entry."""
    directory = tmp_path / "cache"
    first: SharedCache[bytes] = SharedCache(directory, 1 << 20, 10)
    second: SharedCache[bytes] = SharedCache(directory, 1 << 20, 10)
    assert second.get("k1") is None
    first.put("k1", b"answer", 6)
    assert not (directory / "k1").exists() and second.get("k1") is None
    second.put("k1", b"answer", 6)  # seen before by the first: written now
    assert (directory / "k1").exists()
    third: SharedCache[bytes] = SharedCache(directory, 1 << 20, 10)
    assert third.get("k1") == b"answer" and third.shared_hits == 1


def test_an_answer_asked_for_twice_in_one_process_is_shared(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    cache: SharedCache[bytes] = SharedCache(directory, 1 << 20, 10)
    cache.put("k2", b"answer", 6)
    assert cache.get("k2") == b"answer"  # the local hit writes it for the others
    assert SharedCache(directory, 1 << 20, 10).get("k2") == b"answer"
