"""Choose and open a backend from the ``store`` setting; the one module that knows every backend."""
from __future__ import annotations

from server.build.snapshot import Snapshot
from server.engine.store import Engine, StoreSpec


def spec_for(kind: str, snapshot: Snapshot, timeout_s: float = 60.0) -> StoreSpec:
    """``kind`` is the store setting: memory, oxigraph, or the URL of a SPARQL endpoint."""
    graph_kinds = tuple((iri, info["kind"]) for iri, info in sorted(snapshot.graphs.items()))
    if kind in ("memory", "oxigraph"):
        return StoreSpec(kind, str(snapshot.path), graph_kinds, timeout_s=timeout_s)
    if not kind.startswith(("http://", "https://")):
        raise ValueError(f"store must be 'memory', 'oxigraph' or an http(s) URL of a SPARQL endpoint, not {kind!r}")
    return StoreSpec("remote", str(snapshot.path), graph_kinds, endpoint=kind, timeout_s=timeout_s)


def open_engine(spec: StoreSpec) -> Engine:
    """Import only the backend in use: an evaluator process then carries no HTTP client (requests: ~20 MiB RSS)."""
    if spec.kind == "remote":
        from server.engine.remote import RemoteEngine

        return RemoteEngine(spec)
    from server.engine.embedded import OxigraphEngine

    return OxigraphEngine(spec)


