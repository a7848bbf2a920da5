"""The SHACL-SPARQL queries of the validation, answered first by Oxigraph in a child process with a time limit.

Why a child process: Oxigraph's optimiser picks the order of a group's filters differently from one call to the
next (measured on ArticleGraphQuotesShape, whose constant ``FILTER NOT EXISTS`` makes it inert in the union of
the data: 10 ms when that filter goes first, 25–70 s when the costly one does, about one call in three).
pyoxigraph cannot cancel a query, so the store copy is evaluated in a forked child (copy-on-write: no second
load) that is killed past ``QUERY_LIMIT_S`` and forked again; a query that runs out of time ``TRIES`` times is
left to rdflib, whose answer is always the reference. The child ends when its socket closes, so it never
outlives the build.
"""
from __future__ import annotations

import os
import signal
import socket
from multiprocessing.connection import Connection
from typing import Any, Mapping

import pyoxigraph as ox
from pyshacl.graph_abstraction import RdfLibDataGraph
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

QUERY_LIMIT_S = 2.0
TRIES = 3

Term = tuple[str, str, str | None, str | None]  # kind, value, language, datatype


class OxigraphQueryGraph(RdfLibDataGraph):
    """pySHACL's data graph over an rdflib graph, whose SPARQL queries Oxigraph answers first, and rdflib only when
    Oxigraph's rows hold literals (a violation to report) or Oxigraph ran out of time.

    The Oxigraph copy is made at the first query, after pySHACL has mixed the ontology into this graph (it works
    in place: the graph is our own copy); ``add`` drops the copy, so a later change is never missed. ``$this``
    and the other pre-bound variables are substituted (SHACL's pre-binding; SEP-0007 in Oxigraph).
    """

    _child: "_Child | None" = None
    reevaluated: int = 0  # queries evaluated again by rdflib (rows with literals)
    timed_out: int = 0  # Oxigraph evaluations killed at QUERY_LIMIT_S

    def add(self, triple: Any) -> Any:
        self.close()
        return super().add(triple)

    def close(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None

    def _oxigraph(self) -> "_Child":
        if self._child is None:
            store = ox.Store()
            store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in self.impl)  # type: ignore[arg-type]
            self._child = _Child(store)
        return self._child

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and not kwargs:
            request = (
                query_object,
                {str(p): str(ns) for p, ns in (initNs or {}).items()},
                [(str(k), _plain(v)) for k, v in (initBindings or {}).items()],
            )
            for _ in range(TRIES):
                answer = self._oxigraph().ask(request)
                if answer is not None:
                    break
                self.timed_out += 1
            else:
                answer = ("unknown",)
            if answer[0] == "rows":
                found = Result("SELECT")  # no rows, or only IRIs and blank nodes: they map back exactly
                found.vars = [Variable(n) for n in answer[1]]
                found.bindings = [{Variable(n): _node(t) for n, t in zip(answer[1], row) if t is not None} for row in answer[2]]
                return found
            if answer[0] == "ask" and not answer[1]:
                false = Result("ASK")
                false.askAnswer = False
                return false
            self.reevaluated += 1
        # Rows with literals, or no answer in time: rdflib evaluates it, so each result is exactly pySHACL's own.
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


class _Child:
    """A forked process that answers queries on ``store`` over a socket pair, killed when it overruns."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the child: serve until the socket closes, then leave without running the parent's cleanup
            ours.close()
            code = 0
            for _ in range(os.urandom(1)[0] % 16):  # a fork inherits the parent's hash keys, hence its plans: vary them
                bool(self.store.query("ASK { FILTER (1 = 1) }"))
            try:
                _serve(self.store, Connection(theirs.detach()))
            except BaseException:  # noqa: BLE001 — whatever happens, the child must not return into the parent's code
                code = 1
            os._exit(code)
        theirs.close()
        self.pid = pid
        self.conn = Connection(ours.detach())

    def ask(self, request: tuple) -> tuple | None:
        """The answer, or None when it did not come within QUERY_LIMIT_S (the child is then replaced)."""
        try:
            self.conn.send(request)
            if self.conn.poll(QUERY_LIMIT_S):
                return self.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            pass
        self.close()
        self._start()
        return None

    def close(self) -> None:
        self.conn.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _serve(store: ox.Store, conn: Connection) -> None:
    while True:
        try:
            text, prefixes, bindings = conn.recv()
        except EOFError:
            return
        try:
            answer = store.query(
                text, prefixes=prefixes or None, substitutions={ox.Variable(k): _ox(t) for k, t in bindings} or None
            )
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
        rows: list[list[Term | None]] = []
        for solution in answer:
            row = [solution[n] for n in names]
            if any(isinstance(term, ox.Literal) for term in row):
                rows = None  # type: ignore[assignment]
                break
            rows.append([None if t is None else ("bnode" if isinstance(t, ox.BlankNode) else "iri", t.value, None, None) for t in row])
        conn.send(("unknown",) if rows is None else ("rows", names, rows))


def to_ox(term: Any) -> Any:
    return _ox(_plain(term))


def _plain(term: Any) -> Term:
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, Literal):
        return ("literal", str(term), term.language, str(term.datatype) if term.datatype else None)
    return ("iri", str(term), None, None)


def _ox(term: Term) -> Any:
    kind, value, language, datatype = term
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind == "literal":
        if language:
            return ox.Literal(value, language=language)
        return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
    return ox.NamedNode(value)


def _node(term: Term) -> Any:
    return BNode(term[1]) if term[0] == "bnode" else URIRef(term[1])
