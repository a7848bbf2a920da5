"""Stage 2, engine: answer one query job over a snapshot, within a time limit that really stops it.

Owns the backend interface (``store``), the backends (``embedded`` Oxigraph, ``remote`` SPARQL server) and
the one place that chooses between them (``factory``), the evaluator processes and their executor, the slow
lane, the result writers and cache, exports of a snapshot, and the index of a release's data (Memento). It reads snapshots from ``server.build`` but
never parses HTTP requests or renders pages.
"""
