"""The fingerprint of what a build reads: when a snapshot's equals the sources' now, building again would give
the same snapshot, so `ugkg build --if-changed` (what `make serve` runs) skips it.

It hashes the bytes of every source file (ontology/, data/ with its tables, shapes/), the build's own code
(server/build/*.py), the versions of the libraries that shape the output (rdflib, pySHACL, owlrl, pyoxigraph)
and the settings the build reads (base IRI, extra datasets, validate_extra, reason_extra). Extra datasets (up to
millions of triples) are fingerprinted by path, size and modification time, not read: hashing them would cost
what their load costs. Cheap on purpose: it imports only the standard library and runs in milliseconds.
"""
from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from server.settings import Settings

LIBRARIES = ("rdflib", "pyshacl", "owlrl", "pyoxigraph")
SOURCE_DIRS = ("ontology", "data", "shapes")


def fingerprint(settings: Settings, root: Path) -> str:
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    for folder in SOURCE_DIRS:
        for path in sorted(p for p in (root / folder).rglob("*") if p.is_file()):
            add(f"source:{path.relative_to(root)}", path.read_bytes())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        add(f"code:{path.name}", path.read_bytes())
    for name in LIBRARIES:
        try:
            add(f"library:{name}", version(name).encode())
        except PackageNotFoundError:
            add(f"library:{name}", b"")
    for name in ("base_iri", "validate_extra", "reason_extra"):
        add(f"setting:{name}", str(getattr(settings, name)).encode())
    for entry in settings.extra_datasets:
        base = Path(entry)
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            stat = path.stat() if path.exists() else None
            add(f"extra:{path.resolve()}", f"{stat.st_size}:{stat.st_mtime_ns}".encode() if stat else b"missing")
    return digest.hexdigest()
