"""Two releases of the tiny fixture graph, the second after a change — shared by the build and web release tests.

Release 1.0.0 is tests/fixtures/mini as it is. Release 2.0.0 renames ``org/cass`` to ``org/cass-academy`` (same
types and labels: a move), changes the Chinese label of ``event/forum`` and adds ``org/new``; the two stored
release queries (queries/50-59) are copied in so that they are REST operations of this app too.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from server.build.history import attach_history
from server.build.pipeline import build
from server.build.release import Release, make_release
from server.build.snapshot import Snapshot
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
BASE = "https://w3id.org/ugkg/"
ISSUED_1 = datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc)
ISSUED_2 = datetime(2026, 6, 20, 8, 0, tzinfo=timezone.utc)
OLD_FORUM_ZH, NEW_FORUM_ZH = "论坛", "论坛（改）"


@dataclass
class TwoReleases:
    settings: Settings
    first: Release
    second: Release
    first_snapshot: Snapshot
    served: Snapshot  # the second build with the history graphs attached
    releases_dir: Path


def quiet(_: str) -> None:
    pass


def two_releases(tmp: Path) -> TwoReleases:
    src = tmp / "src"
    shutil.copytree(MINI, src)
    for query in sorted((ROOT / "queries").glob("5[0-9]-*.rq")):
        shutil.copy(query, src / "queries" / query.name)
    releases_dir = tmp / "releases"
    settings = Settings(data_dir=str(tmp / "data"), sources_dir=str(src), releases_dir=str(releases_dir), store="memory",
                        query_workers=1, max_result_rows=50, log_level="WARNING", shared_cache_mib=0)
    first_snapshot = build(settings, progress=quiet).snapshot
    first = make_release(first_snapshot, releases_dir, notes_en="First release", notes_zh="第一版", issued=ISSUED_1)
    data = src / "data" / "a.ttl"
    text = data.read_text(encoding="utf-8").replace("org:cass", "org:cass-academy").replace(f'"{OLD_FORUM_ZH}"@zh', f'"{NEW_FORUM_ZH}"@zh')
    data.write_text(text + '\norg:new rdfs:label "New organisation"@en , "新组织"@zh .\n', encoding="utf-8")
    second_snapshot = build(settings, progress=quiet).snapshot
    second = make_release(second_snapshot, releases_dir, notes_en="Second release: cass renamed", notes_zh="第二版：重命名", issued=ISSUED_2)
    served = attach_history(second_snapshot, releases_dir)
    return TwoReleases(settings, first, second, first_snapshot, served, releases_dir)
