"""The SHACL-SPARQL queries of the validation, answered first by Oxigraph in a child process with a time limit.

Why a child process: Oxigraph's optimiser picks the order of a group's filters differently from one call to the
next (measured on ArticleGraphQuotesShape, whose constant ``FILTER NOT EXISTS`` made it inert in the union of
the data: 10 ms when that filter goes first, 25–70 s when the costly one does, about one call in three; that
shape now has a SPARQL target that gives it no focus node in the union, but any query may meet the same).
pyoxigraph cannot cancel a query, so the queries are evaluated in a child process
(oxigraph_child.py) that is killed past ``QUERY_LIMIT_S`` and started afresh (a new plan draw; a fork would
inherit the same one); a query that runs out of time ``TRIES`` times is left to rdflib, whose answer is always
the reference. The child ends when its socket closes, so it never outlives the build.
"""
from __future__ import annotations

import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Mapping

from pyshacl.graph_abstraction import RdfLibDataGraph
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from server.build.oxigraph_child import Term

QUERY_LIMIT_S = 1.0  # the slowest of our queries takes ~20 ms on its good plan (load 4)
TRIES = 6

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])  # where `python -m server.build.oxigraph_child` is found


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
            self._child = _Child([(_plain(s), _plain(p), _plain(o)) for s, p, o in self.impl])
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
    """A child process (server/build/oxigraph_child.py) that answers queries on ``triples``, replaced when it
    overruns QUERY_LIMIT_S."""

    def __init__(self, triples: list[tuple[Term, Term, Term]]) -> None:
        self.triples = triples
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.build.oxigraph_child", str(fd)], pass_fds=(fd,), cwd=_PACKAGE_PARENT,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send(self.triples)
        if not self.conn.poll(60) or self.conn.recv() != "ready":
            raise RuntimeError("the Oxigraph child process did not start")

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
        self.process.kill()
        self.process.wait()


def _plain(term: Any) -> Term:
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, Literal):
        return ("literal", str(term), term.language, str(term.datatype) if term.datatype else None)
    return ("iri", str(term), None, None)


def _node(term: Term) -> Any:
    return BNode(term[1]) if term[0] == "bnode" else URIRef(term[1])
