"""The package layout is the data flow: imports run down it, never back, and modules stay small.

Stages, in flow order: build → engine → sparql → web. A module may import its own stage, an earlier stage,
and the shared top-level modules (``server.settings``, ``server.errors``); ``server.cli`` may import anything.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "server"
STAGES = ("build", "engine", "sparql", "web")
SHARED = {"server", "server.settings", "server.errors"}
MAX_MODULE_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every ``server.*`` module a file imports (top level or inside functions), relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "server"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] == "server":
                found.append((node.lineno, base))
                found += [(node.lineno, f"{base}.{a.name}") for a in node.names if base in ("server", *[f"server.{s}" for s in STAGES])]
    return found


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def backwards_imports(files: list[Path]) -> list[str]:
    problems = []
    for path in files:
        me = module_name(path)
        if me == "server.cli":
            continue
        mine = stage_of(me)
        for line, target in imported_modules(path):
            theirs = stage_of(target)
            if target in SHARED or theirs is None and target.split(".")[1:2] in (["settings"], ["errors"]):
                continue
            if me in SHARED and theirs is not None:
                problems.append(f"{path.name}:{line} shared module {me} imports stage module {target}")
            elif theirs is None and target not in SHARED:
                problems.append(f"{path.name}:{line} {me} imports {target}, which is neither a stage nor shared")
            elif mine is not None and theirs is not None and STAGES.index(theirs) > STAGES.index(mine):
                problems.append(f"{path.name}:{line} {me} ({mine}) imports {target} ({theirs}), a later stage")
    return problems


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_imports_run_down_the_flow() -> None:
    assert backwards_imports(python_files()) == []


def test_backwards_import_is_caught(tmp_path: Path) -> None:
    """The checker itself can fail: a build module importing the web stage is reported."""
    fake = PACKAGE / "build" / "_layout_probe.py"
    fake.write_text("from server.web.app import create_app\nfrom ..sparql import policy\n", encoding="utf-8")
    try:
        problems = backwards_imports([fake])
    finally:
        fake.unlink()
    assert len(problems) == 3 and "later stage" in problems[0]


def test_no_module_over_the_size_limit() -> None:
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in python_files()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_owns(stage: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "Owns" in doc


def test_engine_backends_do_not_import_each_other() -> None:
    for backend, other in (("embedded", "remote"), ("remote", "embedded")):
        targets = {t for _, t in imported_modules(PACKAGE / "engine" / f"{backend}.py")}
        assert f"server.engine.{other}" not in targets
