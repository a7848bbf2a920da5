"""Caches of finished answers: a thread-safe LRU per process, and a cache shared by the processes of a server.

The dataset is read-only between snapshots, so an answer depends only on (snapshot, request): a query job
(query, dataset, inference, media type, row limit) or an HTTP GET (path, query string, Accept headers).
"""
from __future__ import annotations

import hashlib
import logging
import mmap
import os
import pickle
import shutil
import tempfile
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Generic, Hashable, TypeVar

log = logging.getLogger(__name__)
MARKER_BYTES = 256  # what a file is counted as against the size limit at least (its inode and name)
# The admission table: one byte per slot (a key's slot is its CRC-32 modulo the size) in a file of the
# cache directory every process maps: EMPTY, SEEN (asked for once somewhere), STORED (its entry file was written).
ADMISSION_SLOTS = 1 << 20
ADMISSION_FILE = ".admission"
EMPTY, SEEN, STORED = 0, 1, 2

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, capacity: int, max_entry_bytes: int = 1_000_000) -> None:
        self.capacity = capacity
        self.max_entry_bytes = max_entry_bytes
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        if self.capacity <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V, size: int) -> None:
        if self.capacity <= 0 or size > self.max_entry_bytes:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class SharedCache(Generic[V]):
    """Answers shared by every process serving one snapshot: a per-process LRU in front of a file per answer.

    The second level is a directory (in ``/dev/shm`` where there is one, so it is memory, not disk) holding one
    pickled file per key, written to a temporary name and renamed, so readers in other processes see a whole
    entry or none. A lookup that misses is one failed ``open`` (a few µs); diskcache (SQLite) was measured here
    at ~150 µs a miss while another thread wrote, on the path every new query takes. Writes go through a
    request thread; past the size limit the oldest files are removed.
    The directory is named after the snapshot's build id and a fingerprint of the settings that shape answers,
    so two builds or two configurations never share entries.
    """

    def __init__(self, directory: Path | None, size_bytes: int, entries: int, max_entry_bytes: int = 1_000_000) -> None:
        self.local: LruCache[V] = LruCache(entries, max_entry_bytes)
        self.max_entry_bytes = max_entry_bytes
        self.size_bytes = size_bytes
        self.shared_hits = 0
        self.directory = directory if directory is not None and size_bytes > 0 and entries > 0 else None
        self._prefix = f"{self.directory}{os.sep}" if self.directory is not None else ""
        self._written_bytes = 0
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, bool] = OrderedDict()
        self._slots: mmap.mmap | None = None
        self._seen_here = 0
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._slots = _admission_table(self.directory / ADMISSION_FILE)

    @property
    def enabled(self) -> bool:
        return self.local.capacity > 0

    @property
    def hits(self) -> int:
        return self.local.hits

    @property
    def misses(self) -> int:
        return self.local.misses

    def get(self, key: str) -> V | None:
        found = self.local.get(key)
        if found is not None:
            if self._pending and self._pending.pop(key, None) is not None:
                self._write(key, found)  # seen twice here: now worth sharing
            return found
        if self.directory is None:
            return None
        if self._slots is not None and self._slots[_slot(key)] != STORED:
            return None  # no process wrote it: a miss without a system call
        try:
            with open(self._prefix + key, "rb") as entry:
                found = pickle.load(entry)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or vanished entry is a miss, never a failed request
            log.warning("shared cache entry %s unreadable", key, exc_info=True)
            return None
        self.shared_hits += 1
        self.local.put(key, found, 0)
        return found

    def put(self, key: str, value: V, size: int) -> None:
        if size > self.max_entry_bytes:
            return
        self.local.put(key, value, size)
        if self.directory is None:
            return
        # Admission on second sight (nginx's proxy_cache_min_uses 2): the first put of a key only leaves an empty
        # marker, so a stream of never-repeated queries costs one file creation each, not a whole write; the
        # entry is written when the key is asked for again, here (a local hit) or in another process. Written
        # in the request thread: a background writer measured worse here, as the request thread then waited for
        # the GIL at every system call while the writer pickled.
        # The marker is a byte of the admission table, not a file: a never-repeated query then costs no system
        # call at all (two files a new query, a failed open and a created marker, measured ~15 % of a point
        # lookup's time in the web worker). Two keys may share a slot: one of them is then written at first
        # sight, or looked for in a file that is not there; both are only costs. The table is cleared after
        # this process marked an eighth of it, so old markers age out as the files did with the size limit.
        if self._slots is not None:
            slot = _slot(key)
            if self._slots[slot] != EMPTY:
                self._write(key, value)  # another process (or an evicted copy) saw it before
                return
            self._slots[slot] = SEEN
            self._seen_here += 1
            if self._seen_here > ADMISSION_SLOTS // 8:
                self._seen_here = 0
                self._slots[:] = bytes(ADMISSION_SLOTS)
        else:
            self._write(key, value)
            return
        with self._lock:
            self._pending[key] = True  # shared on its first local hit
            while len(self._pending) > max(1, self.local.capacity):
                self._pending.popitem(last=False)

    def _write(self, key: str, value: V) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            temporary = f"{self._prefix}.{key}.{os.getpid()}.{threading.get_ident()}"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.rename(temporary, self._prefix + key)
        except OSError:
            log.warning("shared cache write failed", exc_info=True)
            return
        if self._slots is not None:
            self._slots[_slot(key)] = STORED
        self._account(len(data))

    def _account(self, written: int) -> None:
        with self._lock:
            self._written_bytes += written
            due = self._written_bytes > self.size_bytes // 8
            if due:
                self._written_bytes = 0
        if due:
            self._trim()

    def _trim(self) -> None:
        """Remove the oldest entries until the directory is back under three quarters of its limit."""
        assert self.directory is not None
        entries = []
        for path in self.directory.iterdir():
            if path.name == ADMISSION_FILE:
                continue  # mapped by every process: never aged out like an entry
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            entries.append((info.st_mtime, info.st_size or MARKER_BYTES, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.size_bytes * 3 // 4:
                break
            path.unlink(missing_ok=True)
            total -= size

    def close(self) -> None:
        """Nothing to release: entries stay for the other processes until the snapshot is gone."""


def _slot(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % ADMISSION_SLOTS


def _admission_table(path: Path) -> mmap.mmap | None:
    """The admission table every process of the cache directory shares (created zeroed by the first)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < ADMISSION_SLOTS:
                os.ftruncate(fd, ADMISSION_SLOTS)  # zeroes: every slot EMPTY; two processes truncate to the same size
            return mmap.mmap(fd, ADMISSION_SLOTS)
        finally:
            os.close(fd)
    except (OSError, ValueError):
        log.warning("shared cache admission table unavailable; entries are written at first sight", exc_info=True)
        return None


def shared_cache_dir(configured: str, snapshots_dir: Path, build_id: str, fingerprint: str) -> Path:
    """``<root>/ugkg-cache-<uid>/<data dir key>/<build id>-<fingerprint>``; removes the directories of this data
    directory's snapshots that no longer exist.

    The data directory's own level keeps servers of different data directories on one machine apart: pruning
    judged only by this server's snapshots once removed the live cache of another server (another checkout, a
    test's), whose entries then failed to be written."""
    if configured:
        root = Path(configured)
    else:
        shm = Path("/dev/shm")
        root = (shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())) / f"ugkg-cache-{os.getuid()}"
    root = root / cache_key(str(snapshots_dir.resolve()))[:16]
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        old_build = old.name.rsplit("-", 1)[0]
        if old.is_dir() and old_build != build_id and not (snapshots_dir / old_build).exists():
            shutil.rmtree(old, ignore_errors=True)
    return root / f"{build_id}-{fingerprint}"


def cache_key(*parts: object) -> str:
    """A short, stable key for any tuple of strings and numbers."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
