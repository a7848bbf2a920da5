"""Where the graph sources live and which named graph each file becomes.

The checkout's top-level ``ontology/ data/ shapes/ queries/`` are used when present; an installed wheel carries
a copy under ``server/_sources`` so that ``pip install . && ugkg serve`` works outside the checkout.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.settings import CANONICAL_BASE_IRI, Settings

SOURCE_KINDS = ("ontology", "data", "shapes", "queries")
GRAPH_BASE = CANONICAL_BASE_IRI + "graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
SHAPES_GRAPH = GRAPH_BASE + "shapes"
VALIDATION_GRAPH = GRAPH_BASE + "validation"
META_GRAPH = GRAPH_BASE + "meta"
ONTOLOGY_IRI = CANONICAL_BASE_IRI + "def"


def data_graph_iri(path: Path) -> str:
    return f"{GRAPH_BASE}data/{path.stem}"


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    kind: str  # ontology | data | shapes
    graph: str  # canonical graph IRI


def sources_root(settings: Settings) -> Path:
    """The directory holding ontology/, data/, shapes/ and queries/."""
    if settings.sources_dir:
        return Path(settings.sources_dir)
    package = Path(__file__).resolve().parent.parent  # server/
    checkout = package.parent
    if (checkout / "ontology").is_dir() and (checkout / "data").is_dir():
        return checkout
    return package / "_sources"


def source_files(root: Path) -> list[SourceFile]:
    """Every graph source, in a stable order."""
    files: list[SourceFile] = []
    for path in sorted((root / "ontology").glob("*.ttl")):
        files.append(SourceFile(path, "ontology", ONTOLOGY_GRAPH))
    for path in sorted((root / "data").glob("*.ttl")):
        files.append(SourceFile(path, "data", data_graph_iri(path)))
    for path in sorted((root / "shapes").glob("*.ttl")):
        files.append(SourceFile(path, "shapes", SHAPES_GRAPH))
    return files


def query_files(root: Path) -> list[Path]:
    return sorted((root / "queries").glob("*.rq"))


def header_fields(text: str) -> list[tuple[str, str]]:
    """``# key: value`` lines at the top of a query file (before its first line that is not a comment), keys in
    lower case, in order: the title, the question and the API parameters of a competency query."""
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        if sep:
            found.append((key.strip().lower(), value.strip()))
    return found
