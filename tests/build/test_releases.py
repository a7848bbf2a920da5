"""Releases from snapshots: release form, version chain, RDF Patch (applied by an independent applier), the
computed changelog, delta graphs and the stored release queries (queries/50-59) with exact answers."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from server.build.diff import canonical_nquads
from server.build.release import list_releases, make_release, prune
from server.errors import ReleaseError
from tests.release_support import BASE, NEW_FORUM_ZH, OLD_FORUM_ZH, ROOT, TwoReleases, two_releases

FORUM, CASS, CASS_NEW, NEW = (BASE + p for p in ("id/event/forum", "id/org/cass", "id/org/cass-academy", "id/org/new"))
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def rel(tmp_path_factory: pytest.TempPathFactory) -> TwoReleases:
    return two_releases(tmp_path_factory.mktemp("releases"))


# --- an applier written from the RDF Patch description alone (not server.build.patch) -------------------------

TERM = re.compile(r'<[^>]*>|_:[A-Za-z0-9_]+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?')


def apply_rdf_patch(nquads: str, patch: str) -> set[tuple[str, ...]]:
    """Rows ``H``, ``TX``, ``TC``, ``A``/``D`` with 3 or 4 terms; the dataset as a set of term tuples."""
    quads = {tuple(TERM.findall(line)) for line in nquads.splitlines() if line.strip()}
    in_tx = False
    for row in patch.splitlines():
        op = row.split(" ", 1)[0]
        if op == "TX":
            in_tx = True
        elif op == "TC":
            in_tx = False
        elif op in ("A", "D"):
            assert in_tx, "a change outside a transaction"
            terms = tuple(TERM.findall(row[2:]))
            assert len(terms) in (3, 4), row
            (quads.add if op == "A" else quads.discard)(terms)
        else:
            assert op == "H", row
    return quads


def test_the_patch_applied_to_release_1_gives_release_2_exactly(rel: TwoReleases) -> None:
    patch = gzip.decompress(rel.second.file("patch.rdfp.gz").read_bytes()).decode()
    got = apply_rdf_patch(rel.first.dataset().decode(), patch)
    want = {tuple(TERM.findall(line)) for line in rel.second.dataset().decode().splitlines()}
    assert got == want
    # and as RDF: pyoxigraph reads the patched lines as the same quads as release 2
    patched = "".join(" ".join(q) + " .\n" for q in sorted(got)).encode()
    assert set(ox.parse(patched, format=ox.RdfFormat.N_QUADS)) == set(ox.parse(rel.second.dataset(), format=ox.RdfFormat.N_QUADS))
    assert not apply_rdf_patch(rel.first.dataset().decode(), "TX .\nTC .\n") == want  # the applier can tell them apart


def test_the_patch_has_jena_headers_and_one_transaction(rel: TwoReleases) -> None:
    rows = gzip.decompress(rel.second.file("patch.rdfp.gz").read_bytes()).decode().splitlines()
    assert rows[0] == f"H id <{rel.second.record['patch_id']}> ."
    assert rows[1] == f"H prev <{rel.first.record['patch_id']}> ."
    assert rows[2] == "TX ." and rows[-1] == "TC ." and sum(r.startswith("TX") for r in rows) == 1
    assert f'A <{FORUM}> <{LABEL}> "{NEW_FORUM_ZH}"@zh <{BASE}graph/data/a> .' in rows
    assert f'D <{FORUM}> <{LABEL}> "{OLD_FORUM_ZH}"@zh <{BASE}graph/data/a> .' in rows


def test_release_records_checksums_and_the_chain(rel: TwoReleases) -> None:
    assert [r.version for r in list_releases(rel.releases_dir)] == ["1.0.0", "2.0.0"]
    assert rel.second.previous == "1.0.0" and rel.first.previous is None
    for r in (rel.first, rel.second):
        raw = gzip.decompress(r.file("dataset.nq.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == r.record["files"]["dataset.nq"]["sha256"]
        assert hashlib.sha256(r.file("dataset.nq.gz").read_bytes()).hexdigest() == r.record["files"]["dataset.nq.gz"]["sha256"]
    assert rel.second.record["notes"] == {"en": "Second release: cass renamed", "zh": "第二版：重命名"}


def test_release_form_is_byte_stable_across_builds(rel: TwoReleases) -> None:
    """The same sources built again give the same release bytes (blank nodes and order do not depend on the run)."""
    again = canonical_nquads(rel.first_snapshot.dataset_path.read_bytes())
    other = canonical_nquads(b"".join(reversed(rel.first_snapshot.dataset_path.read_bytes().splitlines(keepends=True))))
    assert again == other
    stripped = [l for l in again.decode().splitlines() if "graph/meta" not in l and "graph/validation" not in l]
    assert stripped == [l for l in rel.first.dataset().decode().splitlines() if "graph/meta" not in l and "graph/validation" not in l]


def test_a_move_makes_a_major_version_and_the_changelog_lists_the_change(rel: TwoReleases) -> None:
    assert rel.second.version == "2.0.0"
    log = rel.second.changelog()
    assert log is not None
    assert log["moved"] == [{"old": CASS, "new": CASS_NEW}]
    assert log["relabelled"] == [{"iri": FORUM, "lang": "zh", "old": [OLD_FORUM_ZH], "new": [NEW_FORUM_ZH]}]
    assert log["resources_added"] == [NEW] and log["resources_removed"] == []
    props = {r["key"]: (r["added"], r["removed"]) for r in log["properties"]}
    assert props == {LABEL: (3, 1)}
    graphs = {r["key"]: (r["added"], r["removed"]) for r in log["graphs"]}
    assert graphs[BASE + "graph/data/a"] == (3, 1)
    classes = {r["key"]: (r["added"], r["removed"]) for r in log["classes"]}
    assert classes[BASE + "def/Forum"] == (1, 1)
    assert rel.second.moves() == {CASS: CASS_NEW}


def test_nothing_changed_is_no_release(rel: TwoReleases) -> None:
    with pytest.raises(ReleaseError, match="nothing changed"):
        make_release(rel.served, rel.releases_dir, notes_en="again", notes_zh="再次")
    with pytest.raises(ReleaseError, match="both languages"):
        make_release(rel.served, rel.releases_dir, notes_en="only English", notes_zh=" ")


def test_prune_keeps_records_but_drops_old_dumps(tmp_path: Path, rel: TwoReleases) -> None:
    import shutil

    copy = tmp_path / "r"
    shutil.copytree(rel.releases_dir, copy)
    prune(copy, keep=1)
    first, second = list_releases(copy)
    assert not first.has_dump() and (first.path / "release.json").exists() and second.has_dump()


def _store(rel: TwoReleases) -> ox.Store:
    store = ox.Store()
    store.load(path=str(rel.served.dataset_path), format=ox.RdfFormat.N_QUADS)
    return store


def test_delta_graphs_hold_exactly_the_change(rel: TwoReleases) -> None:
    store = _store(rel)

    def graph(name: str) -> set[tuple[str, str, str]]:
        return {(q.subject.value, q.predicate.value, q.object.value) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}graph/delta/2.0.0/{name}"))}

    assert graph("insertions") == {(FORUM, LABEL, NEW_FORUM_ZH), (NEW, LABEL, "New organisation"), (NEW, LABEL, "新组织")}
    assert graph("deletions") == {(FORUM, LABEL, OLD_FORUM_ZH)}
    assert graph("moves") == {(CASS, "http://purl.org/dc/terms/isReplacedBy", CASS_NEW)}
    assert rel.served.graphs[f"{BASE}graph/delta/2.0.0/insertions"]["kind"] == "history"  # named only, never the default graph


def run(store: ox.Store, name: str, **bindings: ox.NamedNode | ox.Literal) -> list[tuple[str | None, ...]]:
    (path,) = (ROOT / "queries").glob(f"{name}*.rq")
    text = path.read_text(encoding="utf-8")
    values = "".join(f" VALUES ?{k} {{ {v} }}" for k, v in bindings.items())  # as the REST binder does: first in WHERE
    result = store.query(text.replace("WHERE {", "WHERE {" + values, 1))
    return [tuple(row[v].value if row[v] is not None else None for v in result.variables) for row in result]  # type: ignore[union-attr]


def test_query_50_whats_new_since_version_1(rel: TwoReleases) -> None:
    rows = run(_store(rel), "50-", version=ox.Literal("1.0.0"))
    assert sorted(rows) == sorted([
        ("2.0.0", "added", FORUM, LABEL, NEW_FORUM_ZH),
        ("2.0.0", "added", NEW, LABEL, "New organisation"),
        ("2.0.0", "added", NEW, LABEL, "新组织"),
        ("2.0.0", "moved", CASS, "http://purl.org/dc/terms/isReplacedBy", CASS_NEW),
        ("2.0.0", "removed", FORUM, LABEL, OLD_FORUM_ZH),
    ])
    assert run(_store(rel), "50-", version=ox.Literal("2.0.0")) == []


def test_query_51_history_of_a_resource(rel: TwoReleases) -> None:
    issued = "2026-06-20T08:00:00Z"  # ISSUED_2 as xsd:dateTime writes it
    assert sorted(run(_store(rel), "51-", resource=ox.NamedNode(FORUM))) == [
        ("2.0.0", issued, "added", LABEL, NEW_FORUM_ZH), ("2.0.0", issued, "removed", LABEL, OLD_FORUM_ZH)]
    assert run(_store(rel), "51-", resource=ox.NamedNode(CASS_NEW)) == [("2.0.0", issued, "moved from", "http://purl.org/dc/terms/isReplacedBy", CASS)]


def test_ugkg_diff_prints_the_same_summary(rel: TwoReleases) -> None:
    done = subprocess.run([sys.executable, "-m", "server.cli", "diff", "1.0.0", "2.0.0", "--releases-dir", str(rel.releases_dir), "--json"],
                          capture_output=True, check=True, cwd=ROOT)
    summary = json.loads(done.stdout)
    log = rel.second.changelog()
    assert log is not None
    for key in ("moved", "relabelled", "resources_added", "resources_removed", "graphs", "classes", "properties", "patch", "content"):
        assert summary[key] == log[key], key
    text = subprocess.run([sys.executable, "-m", "server.cli", "diff", "1.0.0", "2.0.0", "--releases-dir", str(rel.releases_dir)],
                          capture_output=True, check=True, cwd=ROOT).stdout.decode()
    assert f"{CASS} → {CASS_NEW}" in text and f"@zh: ['{OLD_FORUM_ZH}'] → ['{NEW_FORUM_ZH}']" in text


def test_ugkg_release_builds_like_ugkg_build_with_extra_datasets(tmp_path: Path) -> None:
    """The command itself: `ugkg release --with FILE` records a release whose dump holds the extra graph."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", src)
    extra = tmp_path / "extra.nt"
    extra.write_text('<https://example.net/x> <http://www.w3.org/2000/01/rdf-schema#label> "extra" .\n', encoding="utf-8")
    args = ["--sources-dir", str(src), "--releases-dir", str(tmp_path / "releases"), "--data-dir", str(tmp_path / "data"), "--store", "memory"]
    done = subprocess.run([sys.executable, "-m", "server.cli", "release", *args, "--with", str(extra), "--notes-en", "one", "--notes-zh", "一"],
                          capture_output=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    (release,) = list_releases(tmp_path / "releases")
    assert release.version == "1.0.0" and '<https://example.net/x>' in release.dataset().decode()
    again = subprocess.run([sys.executable, "-m", "server.cli", "release", *args, "--with", str(extra), "--notes-en", "two", "--notes-zh", "二"],
                           capture_output=True, cwd=ROOT)
    # the same sources again: only the build's timestamps differ, which is no release
    assert again.returncode == 2 and b"nothing changed since release 1.0.0" in again.stderr
    assert [r.version for r in list_releases(tmp_path / "releases")] == ["1.0.0"]


def test_the_repository_releases_are_whole() -> None:
    """What a fresh clone serves: every kept dump matches its record, and every patch turns the previous release
    into this one (the independent applier above)."""
    chain = list_releases(ROOT / "releases")
    assert chain, "releases/ records at least release 1"
    assert chain[0].version == "1.0.0" and chain[0].record["source"]["commit"].startswith("2b0ed25")
    by_version = {r.version: r for r in chain}
    for r in chain:
        if not r.has_dump():
            continue
        data = r.dataset()  # raises on a checksum mismatch
        previous = by_version.get(r.previous or "")
        if previous is not None and previous.has_dump():
            patch = gzip.decompress(r.file("patch.rdfp.gz").read_bytes())
            assert hashlib.sha256(patch).hexdigest() == r.record["files"]["patch.rdfp"]["sha256"]
            want = {tuple(TERM.findall(line)) for line in data.decode().splitlines()}
            assert apply_rdf_patch(previous.dataset().decode(), patch.decode()) == want, r.version
