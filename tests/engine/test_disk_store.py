"""The on-disk Oxigraph backend: every gunicorn worker asks for the snapshot's store at start, at the same time."""
from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pyoxigraph as ox

from server.build.snapshot import Snapshot
from server.engine.embedded import ensure_disk_store


def _open_store(snapshot_dir: str, manifest: dict, queue) -> None:  # type: ignore[no-untyped-def]
    try:
        path = ensure_disk_store(Snapshot(Path(snapshot_dir), manifest))
        queue.put(("ok", len(ox.Store.read_only(str(path)))))
    except BaseException as exc:  # reported to the test, which fails on it
        queue.put(("error", repr(exc)))


def test_workers_creating_the_disk_store_at_once_all_get_the_same_complete_store(mini_snapshot: Snapshot, tmp_path: Path) -> None:
    copy = tmp_path / "snapshot"
    shutil.copytree(mini_snapshot.path, copy, ignore=shutil.ignore_patterns("oxigraph*"))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_open_store, args=(str(copy), mini_snapshot.manifest, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    answers = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert [status for status, _ in answers] == ["ok"] * 4, answers
    assert len({size for _, size in answers}) == 1 and answers[0][1] > 0
    assert not list(copy.glob("oxigraph.tmp*"))  # no half-built store left behind
