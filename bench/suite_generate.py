"""Regenerate the Sparqloscope suite for a benchmark size: ``python -m bench.suite_generate [--size 1M]``.

Sparqloscope (ad-freiburg/sparqloscope, Apache-2.0; vendored in bench/sparqloscope/vendor at the commit in
``UPSTREAM_COMMIT``) reads a dataset's own statistics — predicate sizes, join sizes, multiplicities, datatypes,
transitive predicates — with its "precomputed" queries, then fills ~100 query templates with the predicates and
values those statistics pick. Its placeholder queries read the precomputed answers back through `SERVICE
<http://127.0.0.1:PORT/NAME>`, served by a small HTTP server of the generator's own, so the endpoint it runs
against must do SERVICE: that is `oxigraph serve`, started here on the store whose default graph is exactly our
default graph (bench.suite_data).

The generator is run as published except (bench/sparqloscope/UPSTREAM.md says the same):
- one line patched for Python 3.11 (a backslash inside an f-string expression needs 3.12; python311.patch);
- its two cosmetic imports, ``termcolor`` (log colours) and ``argcomplete`` (shell completion), replaced by no-op
  stand-ins, so nothing new is installed;
- its SERVICE helper server bound to 127.0.0.1 instead of every interface.

Output, in bench/sparqloscope/SIZE/: queries/NNN-name.rq (a comment line with the description, then the query),
manifest.json (per query: name, category = the template's ``group``, description, file; the
generated queries Oxigraph cannot parse, with the error, and the templates the data gave no placeholder for),
the generator's own output (ugkg-SIZE.benchmark.yaml) and its log (generation.log: the placeholders chosen).
"""
from __future__ import annotations

import argparse
import http.server
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

import yaml

from . import common, suite_data

HERE = common.ROOT / "bench" / "sparqloscope"
VENDOR = HERE / "vendor"
UPSTREAM_COMMIT = "61ad92f7ae3de202580ab6112aa4f08001990f56"
# prefixes only make the queries readable (the generator abbreviates IRIs with them); names as its parser wants them
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "qb": "http://purl.org/linked-data/cube#",
    "schema": "https://schema.org/", "dcterms": "http://purl.org/dc/terms/", "ugkg": "https://w3id.org/ugkg/def/",
}
# a template without a group upstream (`strlen`, listed under "STRING functions"): the category of its section
CATEGORY_FALLBACK = {"strlen": "str-functions"}


def load_generator() -> types.ModuleType:
    """The vendored generate-benchmark.py as a module, with the stand-ins above."""
    sys.modules.setdefault("termcolor", types.SimpleNamespace(colored=lambda text, *a, **k: text))  # type: ignore[arg-type]
    sys.modules.setdefault("argcomplete", types.SimpleNamespace(autocomplete=lambda *a, **k: None))  # type: ignore[arg-type]
    spec = importlib.util.spec_from_file_location("sparqloscope_generate", VENDOR / "generate-benchmark.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class LocalServer(http.server.ThreadingHTTPServer):
        def __init__(self, address: tuple[str, int], handler: type) -> None:
            super().__init__(("127.0.0.1", address[1]), handler)

    module.http = types.SimpleNamespace(server=types.SimpleNamespace(ThreadingHTTPServer=LocalServer,
                                                                     BaseHTTPRequestHandler=http.server.BaseHTTPRequestHandler))
    return module


def suite_dir(size: str) -> Path:
    """bench/sparqloscope/SIZE: the suite generated for that size of the benchmark data."""
    return HERE / size


def run_generator(endpoint: str, helper_port: int, kg_name: str, workdir: Path, out: Path) -> Path:
    """Run the generator's own ``main`` in ``workdir`` (it writes its caches and output to the current directory)."""
    module = load_generator()
    args = argparse.Namespace(
        query_templates=str(VENDOR / "query-templates.yaml"), sparql_endpoint=endpoint, kg_name=kg_name, kg_title=None,
        kg_description=None, output_format="yaml", prefix_definitions="\n".join(f"PREFIX {p}: <{i}>" for p, i in PREFIXES.items()),
        limit=10, log_level="INFO", overwrite_cached_results=True, external_url=f"http://127.0.0.1:{helper_port}",
        port=helper_port, pause_on_service=False, argmax_timeout=300,
    )
    out.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out / "generation.log", mode="w", encoding="utf-8")  # the placeholders chosen, kept
    module.log.addHandler(handler)
    here = os.getcwd()
    os.chdir(workdir)
    try:
        if module.main(args) != 0:
            raise RuntimeError("the Sparqloscope generator failed (its log is above)")
    finally:
        os.chdir(here)
        module.log.removeHandler(handler)
        handler.close()
    output = workdir / f"{kg_name}.benchmark.yaml"
    shutil.copy(output, out / output.name)
    return output


def write_suite(generated: Path, size: str, triples: int) -> list[dict[str, str]]:
    """The generated YAML → one .rq per query and the manifest (categories from the templates' ``group``)."""
    templates = {t["name"]: t for t in yaml.safe_load((VENDOR / "query-templates.yaml").read_text())["queries"]}
    queries = yaml.safe_load(generated.read_text())["queries"]
    out = suite_dir(size)
    if (out / "queries").exists():
        shutil.rmtree(out / "queries")
    (out / "queries").mkdir(parents=True)
    entries, not_runnable = [], []
    for number, query in enumerate(queries, 1):
        name = query["name"]
        category = templates[name].get("group") or CATEGORY_FALLBACK.get(name, "other")
        filename = f"{number:03d}-{name}.rq"
        problem = syntax_error(query["query"])
        if problem:  # e.g. a blank node's label written as a subject: no query can name a blank node of the data
            not_runnable.append({"name": name, "category": category, "query": query["query"], "error": problem})
            continue
        (out / "queries" / filename).write_text(f"# {name}: {query['description']} [{category}]\n{query['query'].rstrip()}\n", encoding="utf-8")
        entries.append({"name": name, "category": category, "description": query["description"], "file": filename})
    skipped = sorted(set(templates) - {e["name"] for e in entries})
    common.dump_json(out / "manifest.json", {
        "generator": "ad-freiburg/sparqloscope", "commit": UPSTREAM_COMMIT,
        "data": ("the real graph" if size == "real" else f"the real graph + {size} generated triples (bench.generate, seed 42)")
                + f", our default graph: {triples} triples",
        "engine": f"oxigraph serve {oxigraph_version()}", "regenerate": f"python -m bench.suite_generate --size {size}",
        "queries": entries, "generated_not_runnable": not_runnable,
        "templates_not_generated": [n for n in skipped if n not in {q["name"] for q in not_runnable}],
    })
    return entries


def syntax_error(query: str) -> str:
    """Oxigraph's parse error for the query, or '' (checked on an empty in-memory store)."""
    import pyoxigraph

    try:
        pyoxigraph.Store().query(query)
    except SyntaxError as exc:
        return str(exc).split("\n")[0]
    return ""


def oxigraph_version() -> str:
    import subprocess

    out = subprocess.run([common.oxigraph_cli(), "--version"], capture_output=True, text=True)
    return out.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--work", default=str(common.ROOT / "var" / "bench" / "suite-work"), help="snapshots and stores (kept, reused)")
    parser.add_argument("--port-base", type=int, default=0, help="use ports BASE (oxigraph) and BASE+1 (the helper); default: free ports")
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    data_dir = suite_data.build_snapshot(args.size, work)
    location, triples = suite_data.oxigraph_store(args.size, data_dir, work)
    oxi, url = suite_data.start_oxigraph(location, suite_data.port(args.port_base, 0), work / "oxigraph-generate.log", writable=True)
    scratch = Path(tempfile.mkdtemp(prefix="ugkg-sparqloscope-"))
    try:
        generated = run_generator(url + "/query", suite_data.port(args.port_base, 1), f"ugkg-{args.size}", scratch, suite_dir(args.size))
        entries = write_suite(generated, args.size, triples)
    finally:
        common.stop(oxi)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(entries)} queries written to {suite_dir(args.size).relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
