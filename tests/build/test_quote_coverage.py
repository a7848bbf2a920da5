"""The build enforces per-article quote coverage, which SHACL (one union data graph, no named graphs) cannot.

Each case adds the two files of a fixture under tests/build/fixtures/quote-coverage/<case>/ (an article graph and
its quote graph) to a private copy of the mini sources, then builds or validates.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.build.pipeline import build
from server.build.snapshot import current_snapshot
from server.cli import main
from server.errors import BuildError
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
CASES = Path(__file__).resolve().parent / "fixtures" / "quote-coverage"
ARTICLE_GRAPH = "https://w3id.org/ugkg/graph/data/article-x"


def quiet(_: str) -> None:
    pass


def sources_with(tmp_path: Path, case: str | None) -> Path:
    """A copy of the mini sources, with the fixture ``case`` (if any) added to its data/."""
    target = tmp_path / "src"
    shutil.copytree(MINI, target)
    if case is not None:
        for path in (CASES / case).glob("*.ttl"):
            shutil.copy(path, target / "data" / path.name)
    return target


def settings_for(sources: Path, tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), sources_dir=str(sources))


def test_article_graph_whose_every_triple_is_quoted_builds(tmp_path: Path) -> None:
    result = build(settings_for(sources_with(tmp_path, "valid"), tmp_path), progress=quiet)
    assert ARTICLE_GRAPH in result.snapshot.graphs
    assert current_snapshot(tmp_path / "data" / "snapshots").build_id == result.snapshot.build_id


def test_mini_sources_without_article_graphs_are_not_checked(tmp_path: Path) -> None:
    """The mini fixture's facts have no quotes, but no graph of it declares itself an article graph."""
    assert build(settings_for(sources_with(tmp_path, None), tmp_path), progress=quiet).report.conforms


def test_triple_without_a_quote_fails_the_build_naming_graph_and_triple(tmp_path: Path) -> None:
    sources = sources_with(tmp_path, "valid")
    settings = settings_for(sources, tmp_path)
    first = build(settings, progress=quiet).snapshot
    shutil.copy(CASES / "invalid-unquoted-triple" / "article-x.ttl", sources / "data" / "article-x.ttl")
    with pytest.raises(BuildError) as err:
        build(settings, progress=quiet)
    message = str(err.value)
    assert err.value.exit_code == 1
    assert f"<{ARTICLE_GRAPH}>: 1 of 3 triples have no quote from <https://w3id.org/ugkg/id/article/x>" in message
    assert '<https://w3id.org/ugkg/id/event/meeting> <https://schema.org/startDate> "2022-12-18"' in message
    assert "coHost" not in message  # the quoted triples are not reported
    assert current_snapshot(settings.snapshots_dir).build_id == first.build_id


def test_a_quote_from_another_article_does_not_cover(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as err:
        build(settings_for(sources_with(tmp_path, "invalid-quote-from-other-article"), tmp_path), progress=quiet)
    assert "2 of 2 triples have no quote" in str(err.value) and ARTICLE_GRAPH in str(err.value)


def test_a_quote_of_a_triple_the_graph_does_not_state_fails(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as err:
        build(settings_for(sources_with(tmp_path, "invalid-quote-of-unstated-triple"), tmp_path), progress=quiet)
    message = str(err.value)
    assert "1 quotes of <https://w3id.org/ugkg/id/article/x> support triples the graph does not state" in message
    assert "<https://w3id.org/ugkg/id/org/pku>" in message


def test_validate_command_exits_1_on_an_uncovered_triple(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = sources_with(tmp_path, "valid")
    assert main(["validate", "--sources-dir", str(sources)]) == 0
    shutil.copy(CASES / "invalid-unquoted-triple" / "article-x.ttl", sources / "data" / "article-x.ttl")
    assert main(["validate", "--sources-dir", str(sources)]) == 1
    assert "no quote from" in capsys.readouterr().err
