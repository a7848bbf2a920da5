"""Extra RDF datasets (`ugkg build --with FILE_OR_DIR`): other governance data beside ours, each its own graph.

They are streamed by Oxigraph's parsers straight into the build's store (no rdflib graph in memory), with a
progress bar on the bytes read. SHACL validation and OWL RL reasoning over them are optional because they cost
time proportional to their size (measured figures in docs/benchmarks.md).
"""
from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import pyoxigraph as ox
from tqdm import tqdm

# tqdm's monitor is a thread that outlives the bar; a process with a thread is not forked (parallel.py), so the
# reasoning would no longer run beside the validation of a build with extra datasets (measured at +100k, +1M)
tqdm.monitor_interval = 0

from server.errors import BuildError
from server.build.sources import GRAPH_BASE

SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
BATCH = 50_000


@dataclass(frozen=True)
class ExtraDataset:
    path: Path
    graph: str
    rdf_format: ox.RdfFormat
    gzipped: bool


def discover(paths: list[str]) -> list[ExtraDataset]:
    """Every RDF file named or found (recursively) under the given files and directories."""
    found: list[ExtraDataset] = []
    for name in paths:
        root = Path(name)
        if not root.exists():
            raise BuildError(f"--with {name}: no such file or directory", exit_code=2)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            dataset = describe(path)
            if dataset is not None:
                found.append(dataset)
            elif not root.is_dir():
                raise BuildError(f"--with {path}: unknown RDF format (use {', '.join(SUFFIX_FORMATS)}, optionally .gz)", exit_code=2)
    return found


def describe(path: Path) -> ExtraDataset | None:
    suffixes = path.suffixes
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if gzipped and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    fmt = SUFFIX_FORMATS.get(suffix.lower())
    if fmt is None:
        return None
    stem = path.name[: -len("".join(suffixes[-2:] if gzipped else suffixes[-1:]))]
    slug = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem).lower()
    return ExtraDataset(path, f"{GRAPH_BASE}extra/{slug}", fmt, gzipped)


class _Progress(io.RawIOBase):
    """A reader that moves a progress bar by the bytes read from the file underneath."""

    def __init__(self, raw: IO[bytes], bar: tqdm) -> None:
        self.raw, self.bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bar.update(len(data))
        return len(data)


def load_into(store: ox.Store, dataset: ExtraDataset, *, show_progress: bool = True) -> tuple[int, str]:
    """Stream ``dataset`` into ``store``; returns (quads loaded, sha256 of the file)."""
    size = dataset.path.stat().st_size
    digest = hashlib.sha256()
    with dataset.path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    count = 0
    with tqdm(total=size, unit="B", unit_scale=True, desc=dataset.path.name, disable=not show_progress, leave=False) as bar:
        with dataset.path.open("rb") as raw:
            reader = io.BufferedReader(_Progress(raw, bar), 1 << 20)
            source: IO[bytes] = gzip.GzipFile(fileobj=reader) if dataset.gzipped else reader
            try:
                for batch in _batches(ox.parse(source, format=dataset.rdf_format), ox.NamedNode(dataset.graph)):
                    store.bulk_extend(batch)
                    count += len(batch)
            except (SyntaxError, OSError, ValueError) as exc:
                raise BuildError(f"{dataset.path}: cannot parse: {exc}", exit_code=2) from None
    return count, digest.hexdigest()


def _batches(quads: Iterator[ox.Quad], graph: ox.NamedNode) -> Iterator[list[ox.Quad]]:
    """Quads in batches, all in the file's own graph: one file, one graph, one provenance record (a dataset
    file's own graph names are not kept)."""
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
