"""The `ugkg` command: build, validate, query, export, serve."""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import Any, Sequence

from server.errors import ApiError, BuildError, SnapshotError, UgkgError
from server.settings import Settings, env_name, split_list

EXIT_OK, EXIT_VIOLATIONS, EXIT_CANNOT_LOAD = 0, 1, 2


def _add_settings(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """Expose the named settings as --flags, with help text, env var and default from Settings."""
    default = Settings()
    for f in fields(Settings):
        if f.name not in names:
            continue
        kind = {"int": int, "float": float}.get(str(f.type), str)
        flag = "--" + f.name.replace("_", "-")
        shown = getattr(default, f.name)
        parser.add_argument(flag, dest=f.name, type=kind, default=None, help=f"{f.metadata['help']} (env {env_name(f.name)}; default {shown!r})")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for f in fields(Settings):
        value = getattr(args, f.name, None)
        if isinstance(value, list):
            overrides[f.name] = tuple(value)
        elif value is not None:
            overrides[f.name] = split_list(f.name, value) if str(f.type).startswith("tuple") else value
    return Settings.from_env(**overrides)


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.if_changed and _up_to_date(settings):
        return EXIT_OK
    from server.build.pipeline import build

    result = build(settings)
    print(f"snapshot {result.snapshot.build_id}: asserted={result.counts['asserted']} inferred={result.counts['inferred']} "
          f"quads={result.counts['quads']} time={result.durations_s['total']:.2f}s")
    if settings.store == "oxigraph":  # the default engine's on-disk store, made now rather than at first serve
        from server.engine.embedded import ensure_disk_store

        started = time.perf_counter()
        ensure_disk_store(result.snapshot)
        print(f"on-disk store ready in {time.perf_counter() - started:.2f}s")
    return EXIT_OK


def _up_to_date(settings: Settings) -> bool:
    """Whether the current snapshot was built from the sources and settings as they are now (its fingerprint)."""
    from server.build.fingerprint import fingerprint
    from server.build.snapshot import current_snapshot
    from server.build.sources import sources_root

    try:
        snapshot = current_snapshot(settings.snapshots_dir, verify=False)
    except SnapshotError:
        return False
    if snapshot.manifest.get("fingerprint") != fingerprint(settings, sources_root(settings)):
        return False
    print(f"snapshot {snapshot.build_id} is up to date (sources and settings unchanged): not rebuilt")
    return True


def cmd_validate(args: argparse.Namespace) -> int:
    from server.build.pipeline import check
    from server.build.sources import sources_root

    _, report = check(sources_root(_settings(args)))
    if report.conforms:
        print(f"conforms: yes ({len(report.results)} non-violation results)")
        for r in report.results:
            print(f"  {r}")
        return EXIT_OK
    print(f"conforms: no ({len(report.violations)} violations)")
    for v in report.violations:
        print(f"  - {v}")
    return EXIT_VIOLATIONS


def _snapshot(settings: Settings):  # type: ignore[no-untyped-def]
    """The current snapshot, building one first when there is none (the build's modules, rdflib, pySHACL and
    owlrl: ~40 MiB, are imported only then, so that `ugkg serve`'s master process does not carry them)."""
    from server.build.snapshot import current_snapshot

    try:
        return current_snapshot(settings.snapshots_dir)
    except SnapshotError:
        if (settings.snapshots_dir / "current").exists():
            raise
        print("no snapshot yet: building one", file=sys.stderr)
        from server.build.pipeline import build

        return build(settings).snapshot


def cmd_query(args: argparse.Namespace) -> int:
    from server.sparql.negotiation import SHORT_NAMES
    from server.sparql.policy import scan
    from server.engine.embedded import OxigraphEngine
    from server.engine.factory import spec_for
    from server.engine.store import QueryJob

    settings = _settings(args)
    text = Path(args.query).read_text(encoding="utf-8") if args.query.endswith(".rq") and Path(args.query).exists() else args.query
    shape = scan(text)
    form = shape.form or "SELECT"
    default = "tsv" if form in ("SELECT", "ASK") else "ttl"
    names = dict(SHORT_NAMES, xml="application/rdf+xml" if form in ("CONSTRUCT", "DESCRIBE") else SHORT_NAMES["xml"])
    media_type = names.get(args.format or default, args.format or default)
    engine = OxigraphEngine(spec_for("memory", _snapshot(settings)))
    job = QueryJob(text, form, media_type, args.max_rows, inference=not args.no_inference, dataset_in_query=shape.dataset_in_query)
    result = engine.evaluate(job)
    sys.stdout.buffer.write(result.body)
    if result.truncated:
        print(f"truncated at {args.max_rows} rows (--max-rows)", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from server.engine.export import dump, engine_dump

    snapshot = _snapshot(_settings(args))
    if args.for_engines:
        if args.format != "nq" or args.graph:
            print("ugkg export: --for-engines writes the whole dataset as N-Quads (--format nq, no --graph)", file=sys.stderr)
            return EXIT_CANNOT_LOAD
        data = engine_dump(snapshot)
    else:
        data = dump(snapshot, args.format, graph=args.graph, inference=not args.no_inference)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {len(data)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_table(args: argparse.Namespace) -> int:
    """Convert one indicator table to N-Triples, streamed (add the result with `ugkg build --with`)."""
    from server.build.pipeline import city_context, load_sources
    from server.build.sources import sources_root
    from server.build.tables import Table, triples, write_ntriples

    csv_path = Path(args.csv)
    mapping = Path(args.mapping) if args.mapping else csv_path.with_name(csv_path.stem + ".mapping.toml")
    labels, cities = city_context(load_sources(sources_root(_settings(args))))
    table = Table(csv_path, mapping)
    if args.output:
        with Path(args.output).open("wb") as out:
            count = write_ntriples(triples(table, labels, None if args.any_area else cities), out)
        print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    else:
        write_ntriples(triples(table, labels, None if args.any_area else cities), sys.stdout.buffer)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from server.web.wsgi import serve

    settings = _settings(args)
    _snapshot(settings)
    serve(settings)
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from server.engine.remote import publish

    sent = publish(_snapshot(_settings(args)), args.to)
    print(f"published {sum(sent.values())} triples in {len(sent)} graphs to {args.to}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ugkg", description="Urban Governance Knowledge Graph: build, validate, query, export and serve.")
    sub = top.add_subparsers(dest="command", required=True)
    common = ("data_dir", "sources_dir", "base_iri")

    p = sub.add_parser("build", help="load, validate, reason and write a snapshot (atomic)")
    p.add_argument("--with", dest="extra_datasets", action="append", help="an extra RDF file or directory (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, optionally .gz) added as its own named graph; repeatable")
    p.add_argument("--if-changed", action="store_true", help="build only when the sources or settings differ from those of the current snapshot (its fingerprint)")
    _add_settings(p, common + ("validate_extra", "reason_extra", "releases_dir"))
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help="validate the sources against the shapes; exit 0 conforms, 1 violations, 2 cannot load")
    _add_settings(p, ("sources_dir",))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", help="run a SPARQL query (text or .rq file) on the current snapshot")
    p.add_argument("query", help="the query text, or the path of a .rq file")
    p.add_argument("--format", help="tsv (default for SELECT), json, xml, csv; ttl (default for CONSTRUCT), nt, jsonld, xml, trig, nq")
    p.add_argument("--max-rows", type=int, default=1_000_000, help="stop after this many rows (default 1000000)")
    p.add_argument("--no-inference", action="store_true", help="query the asserted triples only")
    _add_settings(p, common)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="dump the current snapshot (standard output by default)")
    p.add_argument("--format", default="ttl", choices=["ttl", "nt", "nq", "trig", "jsonld", "xml"], help="output format (default ttl)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--graph", help="one named graph only (triple formats)")
    p.add_argument("--no-inference", action="store_true", help="asserted triples only (triple formats)")
    p.add_argument("--for-engines", action="store_true", help="N-Quads for another engine's bulk loader: every named graph plus the two union graphs the remote backend uses as the default graph (with --format nq)")
    _add_settings(p, common)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("publish", help="upload the current snapshot's graphs to a SPARQL Graph Store (e.g. Oxigraph's /store)")
    p.add_argument("--to", required=True, help="the Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store")
    _add_settings(p, common)
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("table", help="convert an indicator table (CSV + TOML mapping) to RDF Data Cube N-Triples")
    p.add_argument("csv", help="the CSV file (columns city, indicator, year, value, unit, source, or as the mapping names them)")
    p.add_argument("--mapping", help="the TOML mapping (default: <csv stem>.mapping.toml beside the CSV)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--any-area", action="store_true", help="do not require each city to be a ugkg:City of our graph")
    _add_settings(p, ("sources_dir",))
    p.set_defaults(func=cmd_table)

    p = sub.add_parser("serve", help="serve the current snapshot over HTTP (builds one first if there is none)")
    _add_settings(p, [f.name for f in fields(Settings)])
    p.set_defaults(func=cmd_serve)

    from server.release_cli import add_parsers

    add_parsers(sub, _add_settings, _settings)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BuildError as exc:
        print(f"ugkg: build failed: {exc}", file=sys.stderr)
        return exc.exit_code
    except ApiError as exc:
        print(f"ugkg: {exc.title}: {exc.message}", file=sys.stderr)
        return EXIT_CANNOT_LOAD
    except (SnapshotError, UgkgError) as exc:
        print(f"ugkg: {exc}", file=sys.stderr)
        return EXIT_CANNOT_LOAD
    except OSError as exc:
        print(f"ugkg: {exc}", file=sys.stderr)
        return EXIT_CANNOT_LOAD
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
