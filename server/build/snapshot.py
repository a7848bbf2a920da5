"""Snapshots: the build's only output and the server's only input.

A snapshot is a directory ``snapshots/<build-id>/`` holding ``dataset.nq`` (every named graph) and
``manifest.json`` (counts, checksums, provenance of the build). It is written into a temporary directory and
renamed into place, then the ``current`` link is swapped atomically, so a build that fails or is killed at any
point leaves the previous snapshot untouched and current.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable

from server.errors import SnapshotError

DATASET_FILE = "dataset.nq"
MANIFEST_FILE = "manifest.json"
CURRENT_LINK = "current"
PIN_FILE = "pin.lock"
KEEP_SNAPSHOTS = 3


@dataclass(frozen=True)
class Snapshot:
    path: Path
    manifest: dict[str, Any]

    @property
    def dataset_path(self) -> Path:
        return self.path / DATASET_FILE

    @property
    def build_id(self) -> str:
        return str(self.manifest["build_id"])

    @property
    def graphs(self) -> dict[str, dict[str, Any]]:
        return dict(self.manifest["graphs"])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_snapshot(snapshots_dir: Path, build_id: str, nquads: bytes | Callable[[BinaryIO], None], manifest: dict[str, Any]) -> Snapshot:
    """Write a complete snapshot beside the others and make it current, atomically. ``nquads`` is the
    dataset, or a function that writes it to the file it is given (large datasets are streamed)."""
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-", dir=snapshots_dir))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700: a server running as another user must read it
        dataset = tmp / DATASET_FILE
        with dataset.open("wb") as fh:
            if callable(nquads):
                nquads(fh)
            else:
                fh.write(nquads)
            fh.flush()
            os.fsync(fh.fileno())
        manifest = dict(manifest, build_id=build_id)
        manifest["files"] = {DATASET_FILE: {"sha256": sha256_file(dataset), "bytes": dataset.stat().st_size}}
        with (tmp / MANIFEST_FILE).open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        final = snapshots_dir / build_id
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        _point_current_at(snapshots_dir, build_id)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)  # never made current: a failed build leaves nothing behind
        raise
    _prune(snapshots_dir, keep=KEEP_SNAPSHOTS)
    return Snapshot(final, manifest)


def _point_current_at(snapshots_dir: Path, build_id: str) -> None:
    link_tmp = snapshots_dir / f".current-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(build_id, link_tmp)
    os.replace(link_tmp, snapshots_dir / CURRENT_LINK)


def _prune(snapshots_dir: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` snapshots — never the current one, nor one a server has pinned —
    and what killed builds left behind (temporary directories and links of processes that no longer run)."""
    current = os.readlink(snapshots_dir / CURRENT_LINK)
    builds = sorted(p for p in snapshots_dir.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    for old in builds[:-keep]:
        if old.name != current:
            _remove_unless_pinned(old)
    for stale in snapshots_dir.glob(".tmp-*"):
        if not _running(stale.name.split("-")[1]):
            shutil.rmtree(stale, ignore_errors=True)
    for link in snapshots_dir.glob(f".{CURRENT_LINK}-*"):  # left by a build killed between symlink and replace
        if not _running(link.name.rsplit("-", 1)[-1]):
            link.unlink(missing_ok=True)


def pin(snapshot_dir: Path) -> IO[str]:
    """Keep ``snapshot_dir`` from being pruned while the returned handle is open (a shared lock: any number
    of server processes may pin one snapshot; the lock goes with the process, however it ends)."""
    handle = (snapshot_dir / PIN_FILE).open("a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _remove_unless_pinned(snapshot_dir: Path) -> None:
    try:
        handle = (snapshot_dir / PIN_FILE).open("a")
    except OSError:
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a running server still serves it; a later build prunes it
        shutil.rmtree(snapshot_dir, ignore_errors=True)


def _running(pid: str) -> bool:
    """Whether process ``pid`` may still be using its ``.current-<pid>`` link or ``.tmp-<pid>-`` directory
    (names without a pid are kept)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (ValueError, OSError):
        return True
    return True


def current_snapshot(snapshots_dir: Path, *, verify: bool = True) -> Snapshot:
    """The current snapshot, its checksum verified; SnapshotError with a clear message otherwise."""
    link = snapshots_dir / CURRENT_LINK
    if not link.exists():
        raise SnapshotError(f"no snapshot in {snapshots_dir}: run `ugkg build` first")
    path = link.resolve()
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"snapshot {path} has no readable manifest ({exc}): rebuild with `ugkg build`") from exc
    if verify:
        expected = manifest.get("files", {}).get(DATASET_FILE, {}).get("sha256")
        dataset = path / DATASET_FILE
        if not dataset.exists():
            raise SnapshotError(f"snapshot {path} lacks {DATASET_FILE}: rebuild with `ugkg build`")
        actual = sha256_file(dataset)
        if actual != expected:
            raise SnapshotError(
                f"snapshot {path} is corrupted: {DATASET_FILE} has sha256 {actual}, the manifest says {expected}; "
                "rebuild with `ugkg build`"
            )
    return Snapshot(path, manifest)
