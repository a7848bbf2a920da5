"""Rename IRIs of ours everywhere in the repository, from one old → new table (issue 17: names that say what they mean).

Why a script: several branches edit the same data files at once. A rename done by hand in one branch is undone
(or half-done) by the merge of another; this table is re-run after every merge instead, and it is idempotent
(no new name contains an old one in a form that is rewritten, so a second run changes nothing).

Run from the repository root:  python tools/rename-iris.py  [--check] [--no-regenerate] [--verify-moves]
  --check          write nothing; exit 1 when a file still mentions an old IRI (lists them)
  --verify-moves   after `ugkg build` (UGKG_DATA_DIR as for it): exit 1 unless the next `ugkg release` will record
                   every rename of the table as a move (301), i.e. the renamed resource kept its types and labels
  --no-regenerate  do not re-run the generators afterwards (tools/geometries.py, tools/quotes.py), whose output
                   depends on the IRIs (the sort order of geometries, the quote graphs and translation marks)

What is rewritten: every text file under data/ ontology/ shapes/ queries/ tests/ server/ docs/ tools/ and the top-level
*.md, in each form an IRI is written there: the full IRI, a CURIE (``ugkg:coSponsor``, ``ugs:ForumShape-coSponsor``,
``ugr:city\\/xiongan``), a relative IRI under ``@base <https://w3id.org/ugkg/id/>`` (``<city/xiongan>``), the path
in code and tests (``"city/xiongan"``, ``{ns}administrativeType``, ``UGKG.coSponsor``). Never releases/ (the
immutable record: the release machinery answers the old IRIs with 301 from the moves it records), never vendored
files. A line that must keep an old name (a "before" column in docs/model.md) carries ``ugkg-rename: keep``.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- The table ------------------------------------------------------------------------------------------------
# Terms of the ontology (https://w3id.org/ugkg/def/<name>): old local name → new local name.
TERMS: dict[str, str] = {
    "coSponsor": "coHost",  # 共同主办: the organisations that jointly hosted the forum; "co-sponsored" is the MT's word
    # four terms whose local name differed only in case from a class: the property gets a verb-like name
    "consensus": "precededByConsensus",  # vs ugkg:Consensus; label "preceded by consensus"
    "guidingIdeology": "hasGuidingIdeology",  # vs ugkg:GuidingIdeology; label "has guiding ideology"
    "theoreticalBasis": "hasTheoreticalBasis",  # vs ugkg:TheoreticalBasis; label "has theoretical basis"
    "administrativeType": "hasAdministrativeType",  # vs ugkg:AdministrativeType; label "has administrative type"
}
# Shapes (https://w3id.org/ugkg/shapes/<name>) named after a renamed term.
SHAPES: dict[str, str] = {
    "ForumShape-coSponsor": "ForumShape-coHost",
    "DeclarationShape-consensus": "DeclarationShape-precededByConsensus",
    "DeclarationShape-guidingIdeology": "DeclarationShape-hasGuidingIdeology",
    "DeclarationShape-theoreticalBasis": "DeclarationShape-hasTheoreticalBasis",
    "CityShape-administrativeType": "CityShape-hasAdministrativeType",
}
# Resources (https://w3id.org/ugkg/id/<path>): old path → new path (any path that ends with one of these, e.g.
# geometry/city/xiongan, moves with it).
FIELDS = ("compulsory-education", "entrepreneurship", "employment", "elderly-care", "medical-care")
PATHS: dict[str, str] = {
    "city/xiongan": "new-area/xiongan",  # a state-level new area (ugkg:NewArea), not a city
    **{f"index/cuggi/indicator/{f}": f"index/cuggi/assessment-field/{f}" for f in FIELDS},  # fields (领域), not indicators
}

DIRS = ("data", "ontology", "shapes", "queries", "tests", "server", "docs", "tools")
SUFFIXES = {".ttl", ".rq", ".py", ".md", ".nq", ".trig", ".jsonld", ".json", ".html", ".js", ".csv", ".toml", ".txt", ".po", ".tsv", ".yaml", ".yml", ".conf", ".htaccess"}
SKIP_PARTS = {"releases", "vendor", "__pycache__", ".venv", "node_modules", ".git"}
KEEP = "ugkg-rename: keep"
SELF = Path(__file__).resolve()

W = r"A-Za-z0-9_"  # characters that continue a local name or an identifier


def rules() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, replacement) pairs, in the order they are applied."""
    out: list[tuple[re.Pattern[str], str]] = []
    for old, new in SHAPES.items():  # before the terms: a shape name contains a term name
        out.append((re.compile(rf"(?<![{W}-]){re.escape(old)}(?![{W}-])"), new))
    for old, new in TERMS.items():
        # prefixed forms, always: ugkg:x, …/def/x, {ns}x, UGKG.x, UGKG["x"], a shape name …Shape-x
        out.append((re.compile(rf"(ugkg:|/ugkg/def/|\{{ns\}}|UGKG\.|UGKG\[[\"']){re.escape(old)}(?![{W}-])"), rf"\g<1>{new}"))
        if old != "consensus":  # distinctive enough to rename as a bare word too ("coSponsor" in a test message)
            out.append((re.compile(rf"(?<![{W}]){re.escape(old)}(?![{W}])"), new))
    for old, new in PATHS.items():
        out.append((re.compile(rf"(?<![{W}-]){re.escape(old)}(?![{W}-])"), new))
        esc_old, esc_new = old.replace("/", "\\/"), new.replace("/", "\\/")  # ugr:city\/xiongan in Turtle
        out.append((re.compile(rf"(?<![{W}-]){re.escape(esc_old)}(?![{W}-])"), esc_new.replace("\\", "\\\\")))
    return out


def files() -> list[Path]:
    found = [p for p in ROOT.glob("*.md")]
    for d in DIRS:
        found += [p for p in (ROOT / d).rglob("*") if p.is_file()]
    return sorted(p for p in found if p.resolve() != SELF and not (SKIP_PARTS & set(p.relative_to(ROOT).parts))
                  and (p.suffix in SUFFIXES or p.name == ".htaccess"))


def rewrite(text: str, table: list[tuple[re.Pattern[str], str]]) -> str:
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if KEEP in line:
            continue
        for pattern, replacement in table:
            line = pattern.sub(replacement, line)
        lines[i] = line
    return "".join(lines)


def expected_moves(base: str = "https://w3id.org/ugkg/") -> dict[str, str]:
    """The IRI moves this table makes (shapes have no labels: the release machinery reports them removed, 410)."""
    out = {f"{base}def/{o}": f"{base}def/{n}" for o, n in TERMS.items()}
    for o, n in PATHS.items():
        out[f"{base}id/{o}"] = f"{base}id/{n}"
    out.update({f"{base}id/geometry/{o}": f"{base}id/geometry/{n}" for o, n in PATHS.items() if o.startswith("city/")})
    return out


def verify_moves() -> int:
    """Compare the table with the moves `ugkg release` would record from the newest release to the current snapshot."""
    sys.path.insert(0, str(ROOT))
    from server.build.diff import summarise
    from server.build.release import list_releases, release_form
    from server.build.snapshot import current_snapshot
    from server.settings import Settings

    settings = Settings.from_env()
    snapshot = current_snapshot(settings.snapshots_dir)
    previous = list_releases(Path(settings.releases_dir) if settings.releases_dir else ROOT / "releases")[-1]
    _, moves = summarise(previous.dataset(), release_form(snapshot), previous.base_iri, str(snapshot.manifest["base_iri"]))
    wanted = {o: n for o, n in expected_moves(str(snapshot.manifest["base_iri"])).items() if o in previous.dataset().decode("utf-8")}
    missing = {o: n for o, n in wanted.items() if moves.get(o) != n}
    for o, n in sorted(missing.items()):
        print(f"not recorded as a move from release {previous.version}: {o} -> {n} (types or labels changed?)")
    print(f"{len(wanted) - len(missing)} of {len(wanted)} renames will be recorded as moves")
    return 1 if missing else 0


def main(argv: list[str]) -> int:
    if "--verify-moves" in argv:
        return verify_moves()
    check = "--check" in argv
    table = rules()
    changed: list[Path] = []
    for path in files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = rewrite(text, table)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(("mentions an old IRI: " if check else "rewritten: ") + str(path.relative_to(ROOT)))
    if check:
        return 1 if changed else 0
    if "--no-regenerate" not in argv:
        for tool in ("geometries.py", "quotes.py"):
            subprocess.run([sys.executable, str(ROOT / "tools" / tool)], cwd=ROOT, check=True)
    print(f"{len(changed)} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
