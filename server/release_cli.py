"""`ugkg release` and `ugkg diff` (on top, like server.cli: may import any stage)."""
from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

from server.errors import ReleaseError
from server.settings import CANONICAL_BASE_IRI, Settings

SOURCE_DIRS = ("ontology", "data", "shapes", "queries")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8").strip()


def sources_at_commit(repo: Path, rev: str, into: Path, source_base: str | None) -> str:
    """Extract the sources of commit ``rev`` (git archive) into ``into``; when they were written in another base
    (``source_base``, e.g. https://ugkg.example.org/ before the namespace move), rewrite it to the canonical base the
    build expects — the build then rebases to --base-iri as for any source. Returns the full commit id."""
    commit = _git(repo, "rev-parse", "--verify", rev + "^{commit}")
    if not commit:
        raise ReleaseError(f"{rev} is not a commit of the repository at {repo}")
    tar = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", commit, *SOURCE_DIRS], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    if source_base and source_base != CANONICAL_BASE_IRI:
        for path in into.rglob("*"):
            if path.is_file() and path.suffix in (".ttl", ".toml", ".csv", ".rq", ".md"):
                text = path.read_text(encoding="utf-8")
                if source_base in text:
                    path.write_text(text.replace(source_base, CANONICAL_BASE_IRI), encoding="utf-8")
    return commit


def update_citation_cff(path: Path, version: str, issued: date) -> bool:
    """Set ``version`` and ``date-released`` in CITATION.cff (the rest of the file is left as written)."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version: .*$', f'version: "{version}"', text)
    text = re.sub(r'(?m)^date-released: .*$', f'date-released: "{issued.isoformat()}"', text)
    path.write_text(text, encoding="utf-8")
    return True


def cmd_release(args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    from server.build.diff import format_summary
    from server.build.history import attach_history
    from server.build.pipeline import build
    from server.build.release import make_release, releases_root
    from server.build.sources import sources_root

    settings = settings_of(args)
    root = releases_root(settings)
    repo = sources_root(settings)
    with tempfile.TemporaryDirectory(prefix="ugkg-release-") as tmp:
        if args.from_commit:
            commit = sources_at_commit(repo, args.from_commit, Path(tmp), args.source_base)
            source: dict[str, Any] = {"commit": commit, "sources": "git archive " + " ".join(SOURCE_DIRS)}
            if args.source_base:
                source["source_base"] = args.source_base
            build_settings = settings.with_(sources_dir=tmp)
        else:
            commit = _git(repo, "rev-parse", "HEAD")
            dirty = _git(repo, "status", "--porcelain", "--", *SOURCE_DIRS)
            source = {"commit": commit, "modified_sources": bool(dirty)} if commit else {}
            build_settings = settings
        result = build(build_settings)
    release = make_release(result.snapshot, root, notes_en=args.notes_en, notes_zh=args.notes_zh, version=args.version,
                           source=source, keep=settings.releases_kept)
    snapshot = attach_history(result.snapshot, root)
    if settings.store == "oxigraph":
        from server.engine.embedded import ensure_disk_store

        ensure_disk_store(snapshot)
    if update_citation_cff(repo / "CITATION.cff", release.version, release.issued.date()):
        print(f"CITATION.cff now cites {release.version}", file=sys.stderr)
    print(f"release {release.version} ({release.issued.isoformat()}) recorded in {release.path}; serving snapshot {snapshot.build_id}")
    changelog = release.changelog()
    if changelog:
        print(format_summary(changelog))
    return 0


def _side(name: str, settings: Settings) -> tuple[bytes, str, dict[str, Any]]:
    """A release version, a snapshot directory, or an N-Quads file (.nq, .nq.gz) → (release-form bytes, base, meta)."""
    from server.build.diff import canonical_nquads
    from server.build.release import find, releases_root

    release = find(releases_root(settings), name)
    if release is not None:
        return release.dataset(), release.base_iri, release.record
    path = Path(name)
    if path.is_dir() and (path / "manifest.json").exists():
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        return canonical_nquads((path / "dataset.nq").read_bytes()), str(manifest["base_iri"]), {"conforms": manifest.get("conforms"), "version": path.name}
    if path.is_file():
        data = path.read_bytes()
        return canonical_nquads(gzip.decompress(data) if name.endswith(".gz") else data), settings.base_iri, {"version": path.name}
    raise ReleaseError(f"{name} is neither a release in {releases_root(settings)}, a snapshot directory nor an N-Quads file")


def cmd_diff(args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    from server.build.diff import format_summary, summarise

    settings = settings_of(args)
    started = time.perf_counter()
    old, old_base, old_meta = _side(args.old, settings)
    new, new_base, new_meta = _side(args.new, settings)
    summary, _ = summarise(old, new, old_base, new_base, old_meta=old_meta, new_meta=new_meta, limit=args.limit)
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        sys.stdout.write(format_summary(summary))
    print(f"compared in {time.perf_counter() - started:.2f}s", file=sys.stderr)
    return 0


def add_parsers(sub: Any, add_settings: Callable[..., None], settings_of: Callable[[argparse.Namespace], Settings]) -> None:
    common = ("data_dir", "sources_dir", "base_iri", "releases_dir", "releases_kept")
    p = sub.add_parser("release", help="build from the sources (as `ugkg build`) and record the snapshot as the next release in releases/")
    p.add_argument("--notes-en", required=True, help="release notes in English")
    p.add_argument("--notes-zh", required=True, help="release notes in Chinese")
    p.add_argument("--version", help="MAJOR.MINOR.PATCH (default: computed from the change: IRIs removed or moved → major, additions → minor, else patch)")
    p.add_argument("--from-commit", help="build the sources of this git commit instead of the working tree (git archive of ontology/ data/ shapes/ queries/)")
    p.add_argument("--source-base", help="with --from-commit: the base IRI those sources are written in, when it is not the canonical one")
    p.add_argument("--with", dest="extra_datasets", action="append", help="an extra RDF file or directory, as for `ugkg build --with`; repeatable")
    add_settings(p, common + ("validate_extra", "reason_extra", "store"))
    p.set_defaults(func=lambda a: cmd_release(a, settings_of))

    p = sub.add_parser("diff", help="print what changed between two releases, snapshots or N-Quads files (the changelog's summary)")
    p.add_argument("old", help="a release version, a snapshot directory, or an N-Quads file (.nq or .nq.gz)")
    p.add_argument("new", help="the same, for the newer side")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--limit", type=int, default=200, help="list at most this many IRIs per section (default 200)")
    add_settings(p, ("data_dir", "sources_dir", "base_iri", "releases_dir"))
    p.set_defaults(func=lambda a: cmd_diff(a, settings_of))
