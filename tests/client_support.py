"""Finding the non-Python clients of the client matrix (tests/sparql/test_clients.py), or saying what is missing.

- roqet: Debian ``rasqal-utils`` puts ``roqet`` on PATH.
- Jena ``rsparql`` and ``riot``: Debian's ``libapache-jena-java`` installs only jars (no ``bin/`` scripts), so
  the commands are run as their main classes (``arq.rsparql``, ``riotcmd.riot`` in ``jena-cmds.jar``) on a
  class path made from ``dpkg -L`` of the package and of the packages it depends on (``dpkg-query`` Depends),
  leaving out the slf4j bindings that clash with each other (Debian's ``libslf4j-java`` ships them all). Debian's
  jena-core 4.5.0 relocates the bundled Xerces classes to ``xerces.*`` but keeps their message resources under
  ``org/apache/jena/ext/xerces/``, so Xerces fails ("internal error") on start; the resources are copied to the
  relocated path in a directory put first on the class path.
- Comunica: ``make sysdeps`` runs ``npm ci`` in tests/clients/node (package.json pins @comunica/query-sparql
  5.4.1 and, through ``overrides``, undici 7: undici 8 crashes on Node 20); node runs tests/clients/node/query.mjs.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "clients" / "node"
CLASHING_SLF4J = re.compile(r"(log4j-over-slf4j|slf4j-log4j12|slf4j-jcl|slf4j-jdk14|jcl-over-slf4j|slf4j-nop|slf4j-reload4j|jul-to-slf4j|slf4j-migrator|slf4j-ext)")
UNVERSIONED_JAR = re.compile(r"^/usr/share/java/[^/]+\.jar$")
VERSIONED = re.compile(r"-\d[\d.]*\.jar$")


def _package_jars(package: str) -> list[str]:
    listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
    if listed.returncode != 0:
        return []
    return [line for line in listed.stdout.splitlines() if UNVERSIONED_JAR.match(line) and not VERSIONED.search(line)]


@lru_cache(maxsize=1)
def jena_classpath(work: str) -> tuple[str | None, str]:
    """(class path, "") when Jena can run, else (None, what is missing)."""
    if shutil.which("java") is None:
        return None, "java (Debian default-jre-headless) is not installed"
    if shutil.which("dpkg") is None:
        return None, "dpkg is not available to find Debian's libapache-jena-java"
    jars = _package_jars("libapache-jena-java")
    if not any(j.endswith("/jena-cmds.jar") for j in jars):
        return None, "Jena (Debian libapache-jena-java: rsparql, riot) is not installed; `make sysdeps` installs it"
    depends = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "libapache-jena-java"], capture_output=True, text=True).stdout
    for package in re.findall(r"(?:^|,\s*)([a-z0-9.+-]+)", depends):
        jars += _package_jars(package)
    jars = [j for j in dict.fromkeys(jars) if not CLASHING_SLF4J.search(Path(j).name)]
    fix = Path(work) / "jena-xerces-resources"
    core = next(j for j in jars if j.endswith("/jena-core.jar"))
    with zipfile.ZipFile(core) as archive:
        for name in archive.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith((".class", "/")):
                target = fix / "xerces" / name[len("org/apache/jena/ext/xerces/"):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    return ":".join([str(fix)] + jars), ""


def jena(work: Path, main_class: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    classpath, _ = jena_classpath(str(work))
    assert classpath is not None
    return subprocess.run(["java", "-cp", classpath, main_class, *args], capture_output=True, text=True, timeout=timeout)


def comunica_missing() -> str:
    """What is missing to run Comunica, or ""."""
    if shutil.which("node") is None:
        return "node (Debian nodejs) is not installed"
    if not (NODE_DIR / "node_modules" / "@comunica" / "query-sparql").is_dir():
        return "@comunica/query-sparql is not installed in tests/clients/node; `make sysdeps` runs npm ci there"
    return ""


def comunica(endpoint: str, query: str, local: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = ["node", str(NODE_DIR / "query.mjs"), endpoint, query] + ([str(local)] if local else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=str(NODE_DIR))
