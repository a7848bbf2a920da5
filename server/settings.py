"""All settings in one typed object, read from CLI flags or ``UGKG_*`` environment variables.

Each field names its unit in its name where it has one and carries its help text, so ``ugkg serve --help``,
the README table and the service description are generated from this one place.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

CANONICAL_BASE_IRI = "https://w3id.org/ugkg/"


def _default_data_dir() -> str:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(xdg) / "ugkg")


def setting(default: Any, help: str, *, env: str | None = None, separator: str = ",") -> Any:
    """A dataclass field with help text (shown by the CLI and the README); ``separator`` splits a list setting
    (" ": any whitespace, for IRIs, which may hold commas)."""
    kw: dict[str, Any] = {"metadata": {"help": help, "env": env, "separator": separator}}
    if callable(default):
        kw["default_factory"] = default
    else:
        kw["default"] = default
    return field(**kw)


@dataclass(frozen=True)
class Settings:
    host: str = setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = setting(8000, "TCP port the HTTP server listens on.")
    base_iri: str = setting(CANONICAL_BASE_IRI, "Public base IRI of minted IRIs; the build rewrites the canonical base to it.")
    link_base: str = setting("request", "Where links to the dataset's IRIs lead in pages, query results, the DCAT download/endpoint URLs and API answers: 'request' (the server that answered), 'canonical' (base_iri itself) or a base URL; the data keeps its IRIs.")
    data_dir: str = setting(_default_data_dir, "Directory holding snapshots (the build writes here, the server reads).")
    sources_dir: str = setting("", "Directory with ontology/, data/, shapes/, queries/ (empty: the checkout or the installed copy).")
    store: str = setting("oxigraph", "Query engine: 'oxigraph' (embedded, on disk: one copy of the data shared by every evaluator), 'memory' (embedded, in RAM: one copy per evaluator, faster on heavy queries) or the URL of a SPARQL 1.1 endpoint.")
    http_server: str = setting("granian", "HTTP server layer: 'granian' (Rust HTTP, measured fastest here) or 'gunicorn' (threaded workers).")
    web_workers: int = setting(2, "HTTP worker processes.")
    web_threads: int = setting(8, "Threads per HTTP worker process that run the application (granian: blocking threads).")
    query_workers: int = setting(2, "Query evaluator processes per HTTP worker, at most (they start on demand: evaluator_idle_s); a timed-out one is killed and replaced.")
    evaluator_idle_s: float = setting(30.0, "Seconds a query evaluator process may stay idle before it is stopped; evaluators start on demand, up to query_workers (the first query after a quiet spell waits for one to start: ~0.3 s on the real graph). 0: all query_workers evaluators start with the server and stay (always so with store 'memory', whose evaluators load the data when they start).")
    query_timeout_s: float = setting(10.0, "Query time limit in seconds; past it the query is stopped and the client gets 503.")
    queue_timeout_s: float = setting(5.0, "Seconds a query may wait for a free evaluator before the client gets 503 with Retry-After.")
    slow_query_s: float = setting(1.0, "A query that ran longer than this (seconds) or hit the time limit is remembered as slow; it then runs only in the slow lane.")
    slow_lane_workers: int = setting(1, "Evaluators per HTTP worker that remembered slow queries may occupy at once (0: no slow lane); when busy, such queries get 503 with Retry-After at once.")
    max_result_rows: int = setting(10000, "Maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; more is truncated and signalled.")
    max_body_bytes: int = setting(1_000_000, "Maximum request body in bytes (413 past it).")
    max_query_chars: int = setting(100_000, "Maximum query length in characters (413 for POST, 414 for GET past it).")
    service_allow: tuple[str, ...] = setting(tuple, "SERVICE endpoints a query may call (space-separated IRIs, compared after normalisation); empty: SERVICE refused.", separator=" ")
    result_cache_entries: int = setting(512, "Entries of each web worker's in-process cache of answers (0 disables caching); a new snapshot starts empty.")
    shared_cache_mib: int = setting(256, "Size in MiB of the answer cache shared by every web worker of a server (and by replicas on one host); 0 disables it.")
    shared_cache_dir: str = setting("", "Directory of the shared answer cache (empty: /dev/shm, else the temporary directory); one subdirectory per snapshot.")
    http_max_age_s: int = setting(60, "Seconds a client or front cache may reuse a GET answer without asking again (Cache-Control max-age); answers carry an ETag, so after that a revalidation is a cheap 304.")
    access_log: str = setting("no", "Log one line per request ('yes'/'no'), written by the HTTP server layer; off by default, as it cost a third of the throughput of cached answers here.")
    extra_datasets: tuple[str, ...] = setting(tuple, "Extra RDF files or directories added by the build as their own named graphs (comma-separated paths).")
    validate_extra: str = setting("no", "Validate extra datasets against the shapes too ('yes'/'no'); costs time in proportion to their size.")
    reason_extra: str = setting("no", "Include extra datasets in the OWL RL closure ('yes'/'no'); costs time and memory in proportion to their size.")
    log_level: str = setting("INFO", "Logging level.")
    releases_dir: str = setting("", "Directory of the release records (empty: releases/ beside the sources); `ugkg release` writes there, the server serves every release in it.")
    releases_kept: int = setting(10, "Releases that keep their dump and patch in releases_dir (older ones keep their record, notes and IRI moves); `ugkg release` prunes the rest.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``UGKG_<FIELD>`` environment variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(env_name(f.name))
            if raw is not None:
                values[f.name] = coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    @property
    def snapshots_dir(self) -> Path:
        return Path(self.data_dir) / "snapshots"


def env_name(field_name: str) -> str:
    return "UGKG_" + field_name.upper()


def field_help() -> list[tuple[str, str, Any, str]]:
    """(name, env var, default, help) for every setting, for docs and --help."""
    default = Settings()
    return [(f.name, env_name(f.name), getattr(default, f.name), f.metadata["help"]) for f in fields(Settings)]


def coerce(name: str, raw: str) -> Any:
    """Turn an environment string into the field's type."""
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        return split_list(name, raw)
    return raw


def split_list(name: str, raw: str) -> tuple[str, ...]:
    """The items of list setting ``name`` written as one string, split on its separator."""
    separator = {f.name: f.metadata.get("separator", ",") for f in fields(Settings)}[name]
    parts = raw.split() if separator == " " else raw.split(separator)
    return tuple(part.strip() for part in parts if part.strip())
