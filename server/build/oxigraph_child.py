"""The process that answers the validation's SHACL-SPARQL queries in Oxigraph (see oxigraph_queries.py).

A fresh interpreter that imports only pyoxigraph: it receives the data graph as N-Triples, then one query after
another over its socket, and ends when the socket closes (so it never outlives the build). Fresh, not forked:
a fork inherits the parent's state, and with it the plan Oxigraph's optimiser picks, so a retry in a fork
would pick the same slow plan again.
"""
from __future__ import annotations

import sys
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

Term = tuple[str, str, "str | None", "str | None"]  # kind, value, language, datatype


def to_ox(term: Term) -> Any:
    kind, value, language, datatype = term
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind == "literal":
        if language:
            return ox.Literal(value, language=language)
        return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
    return ox.NamedNode(value)


def serve(conn: Connection) -> None:
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in conn.recv())
    conn.send("ready")
    while True:
        try:
            text, prefixes, bindings = conn.recv()
        except EOFError:
            return
        try:
            answer = store.query(text, prefixes=prefixes or None, substitutions={ox.Variable(k): to_ox(t) for k, t in bindings} or None)
        except (SyntaxError, ValueError, OSError):
            conn.send(("unknown",))  # rdflib decides (and raises what pySHACL expects)
            continue
        if isinstance(answer, ox.QueryBoolean):
            conn.send(("ask", bool(answer)))
            continue
        if not isinstance(answer, ox.QuerySolutions):
            conn.send(("unknown",))
            continue
        names = [v.value for v in answer.variables]
        rows: list[list[Term | None]] | None = []
        for solution in answer:
            row = [solution[n] for n in names]
            if any(isinstance(term, ox.Literal) for term in row):
                rows = None  # literals are left to rdflib (see oxigraph_queries.py)
                break
            rows.append([None if t is None else ("bnode" if isinstance(t, ox.BlankNode) else "iri", t.value, None, None) for t in row])
        conn.send(("unknown",) if rows is None else ("rows", names, rows))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
