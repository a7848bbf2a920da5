"""Releases: a snapshot with a version, notes and a place in a chain, recorded in the repository.

``releases/<version>/`` holds everything a fresh clone needs to serve the same release byte for byte:
``release.json`` (version, date, notes in both languages, previous version, source commit, checksums),
``dataset.nq.gz`` (the dataset in release form, see ``server.build.diff``; gzip without a timestamp),
``patch.rdfp.gz`` (the RDF Patch from the previous release), ``changelog.json`` (the computed summary) and
``moves.tsv`` (old IRI, tab, new IRI: what the server answers with 301). Only the newest ``releases_kept``
releases keep their dump and patch; older ones keep their record, so the chain and the citations stay whole.

Versions are semantic (MAJOR.MINOR.PATCH) and computed from the change itself unless given: a release that
removes or moves any IRI of ours is a new major version (queries and links written against the previous one may
break), one that adds resources or statements is a minor version, anything else (labels, typos, build metadata)
is a patch. A reader of a citation can tell from the number alone whether the graph they cite still answers the
same IRIs; the date is in the record (``dcterms:issued``) anyway.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from server.build.diff import BUILD_GRAPHS, canonical_nquads, summarise
from server.build.patch import make_patch, patch_id
from server.build.snapshot import Snapshot
from server.build.sources import sources_root
from server.errors import ReleaseError
from server.settings import Settings

RECORD, DUMP, PATCH, CHANGELOG, MOVES = "release.json", "dataset.nq.gz", "patch.rdfp.gz", "changelog.json", "moves.tsv"
HISTORY_GRAPHS = ("graph/releases", "graph/delta/")  # added to the served snapshot, never part of a release
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def releases_root(settings: Settings) -> Path:
    return Path(settings.releases_dir) if settings.releases_dir else sources_root(settings) / "releases"


@dataclass(frozen=True)
class Release:
    path: Path
    record: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.record["version"])

    @property
    def issued(self) -> datetime:
        return datetime.fromisoformat(self.record["issued"])

    @property
    def previous(self) -> str | None:
        return self.record.get("previous")

    @property
    def base_iri(self) -> str:
        return str(self.record["base_iri"])

    def has_dump(self) -> bool:
        return (self.path / DUMP).exists()

    def file(self, name: str) -> Path:
        return self.path / name

    def dataset(self) -> bytes:
        """The release-form N-Quads, checked against the recorded sha256."""
        if not self.has_dump():
            raise ReleaseError(f"release {self.version} no longer keeps its dump (releases_kept)")
        data = gzip.decompress((self.path / DUMP).read_bytes())
        if hashlib.sha256(data).hexdigest() != self.record["files"]["dataset.nq"]["sha256"]:
            raise ReleaseError(f"release {self.version}: dataset.nq does not match the sha256 in {RECORD}")
        return data

    def changelog(self) -> dict[str, Any] | None:
        path = self.path / CHANGELOG
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def moves(self) -> dict[str, str]:
        path = self.path / MOVES
        if not path.exists():
            return {}
        return dict(line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)


def list_releases(root: Path) -> list[Release]:
    """Every recorded release, oldest first (by issue date, then version)."""
    found = []
    if root.is_dir():
        for record in root.glob(f"*/{RECORD}"):
            found.append(Release(record.parent, json.loads(record.read_text(encoding="utf-8"))))
    return sorted(found, key=lambda r: (r.record["issued"], [int(x) for x in r.version.split(".")]))


def find(root: Path, version: str) -> Release | None:
    return next((r for r in list_releases(root) if r.version == version), None)


def release_form(snapshot: Snapshot) -> bytes:
    """The snapshot's dataset in release form, without the history graphs the server adds."""
    base = str(snapshot.manifest["base_iri"])
    skip = tuple(f"<{base}{g}" for g in HISTORY_GRAPHS)
    lines = [line for line in snapshot.dataset_path.read_bytes().decode("utf-8").splitlines(keepends=True) if not graph_of(line).startswith(skip)]
    return canonical_nquads("".join(lines).encode("utf-8"))


def graph_of(line: str) -> str:
    """The graph term of an N-Quads line ('' for the default graph)."""
    body = line.rstrip()[:-1].rstrip()
    return body[body.rfind("<"):] if body.endswith(">") else ""


def next_version(previous: str | None, summary: dict[str, Any] | None) -> str:
    if previous is None or summary is None:
        return "1.0.0"
    major, minor, patch = (int(x) for x in previous.split("."))
    if summary["moved_count"] or summary["resources_removed_count"]:
        return f"{major + 1}.0.0"
    if summary["resources_added_count"] or summary["content"]["added"] > summary["content"]["removed"]:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def make_release(snapshot: Snapshot, root: Path, *, notes_en: str, notes_zh: str, version: str | None = None,
                 source: dict[str, Any] | None = None, keep: int = 10, issued: datetime | None = None) -> Release:
    """Record ``snapshot`` as the next release under ``root`` and return it; ReleaseError when the version is taken,
    is not a MAJOR.MINOR.PATCH, or nothing changed since the previous release."""
    if not notes_en.strip() or not notes_zh.strip():
        raise ReleaseError("a release needs notes in both languages (--notes-en and --notes-zh)")
    data = release_form(snapshot)
    base = str(snapshot.manifest["base_iri"])
    chain = list_releases(root)
    previous = chain[-1] if chain else None
    summary: dict[str, Any] | None = None
    moves: dict[str, str] = {}
    patch = None
    if previous is not None:
        old = previous.dataset()
        if old == data:
            raise ReleaseError(f"nothing changed since release {previous.version}: no release made")
        summary, moves = summarise(old, data, previous.base_iri, base, old_meta=previous.record,
                                   new_meta={"conforms": snapshot.manifest.get("conforms")})
        build_graphs = {base + g for g in BUILD_GRAPHS}
        if not moves and all(row["key"] in build_graphs for row in summary["graphs"]):
            raise ReleaseError(f"nothing changed since release {previous.version} but the build's own metadata: no release made")
    version = version or next_version(previous.version if previous else None, summary)
    if not VERSION.match(version):
        raise ReleaseError(f"version {version!r} is not MAJOR.MINOR.PATCH")
    if any(r.version == version for r in chain):
        raise ReleaseError(f"release {version} exists already in {root}")
    sha = hashlib.sha256(data).hexdigest()
    this_id = patch_id(sha)
    if previous is not None:
        patch = make_patch(previous.dataset(), data, this_id, previous.record.get("patch_id"))
    issued = (issued or datetime.now(timezone.utc)).replace(microsecond=0)
    target = root / version
    tmp = root / f".tmp-{version}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    compressed = gzip.compress(data, compresslevel=9, mtime=0)
    (tmp / DUMP).write_bytes(compressed)
    files: dict[str, Any] = {
        "dataset.nq": {"sha256": sha, "bytes": len(data)},
        DUMP: {"sha256": hashlib.sha256(compressed).hexdigest(), "bytes": len(compressed)},
    }
    if patch is not None:
        zipped = gzip.compress(patch, compresslevel=9, mtime=0)
        (tmp / PATCH).write_bytes(zipped)
        files["patch.rdfp"] = {"sha256": hashlib.sha256(patch).hexdigest(), "bytes": len(patch)}
        files[PATCH] = {"sha256": hashlib.sha256(zipped).hexdigest(), "bytes": len(zipped)}
    if summary is not None:
        summary["new"]["version"] = version
        summary["new"]["issued"] = issued.isoformat()
        (tmp / CHANGELOG).write_text(json.dumps(summary, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        (tmp / MOVES).write_text("".join(f"{k}\t{moves[k]}\n" for k in sorted(moves)), encoding="utf-8")
    record = {
        "version": version,
        "issued": issued.isoformat(),
        "previous": previous.version if previous else None,
        "notes": {"en": notes_en.strip(), "zh": notes_zh.strip()},
        "base_iri": base,
        "build_id": snapshot.build_id,
        "conforms": snapshot.manifest.get("conforms"),
        "counts": snapshot.manifest.get("counts", {}),
        "source": source or {},
        "patch_id": this_id,
        "files": files,
    }
    (tmp / RECORD).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.rename(target)
    prune(root, keep)
    return Release(target, record)


def prune(root: Path, keep: int) -> None:
    """Drop the dump and patch of every release but the newest ``keep`` (records, notes and moves stay)."""
    chain = list_releases(root)
    for old in chain[: max(0, len(chain) - keep)]:
        for name in (DUMP, PATCH):
            (old.path / name).unlink(missing_ok=True)
