"""Where a query's parameters and page go, found by a small SPARQL lexer (no rdflib parse: too slow per request).

Parameters are bound by a ``VALUES`` block placed first in the outermost ``WHERE`` group: the values are
pyoxigraph terms written in their N-Triples form (escaped by pyoxigraph), never the client's text, so nothing a
client sends can change the query's structure. First in the group, the block acts like the constant written in
the variable's place: an ``OPTIONAL`` that mentions the variable is correlated with it (a trailing ``VALUES`` would
instead be joined after the ``OPTIONAL`` and let unbound rows through).

Pages are ``LIMIT``/``OFFSET`` appended after the query's own modifiers; a query that has its own top-level
``LIMIT``, ``OFFSET`` or trailing ``VALUES`` is paged by wrapping it as a sub-select instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

import pyoxigraph as ox

# Tokens that can hide braces or keywords: comments, strings (long ones first), IRIs, variables, words.
_TOKEN = re.compile(
    r'''(?P<comment>\#[^\n]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_\-.]*)?)
      | (?P<open>\{) | (?P<close>\}) | (?P<popen>\() | (?P<pclose>\))
      | (?P<other>\S)''',
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(query: str) -> Iterator[Token]:
    """The query's tokens (comments included as tokens so callers can skip them)."""
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start(), match.end())


@dataclass(frozen=True)
class Shape:
    """What the API needs to know of a query's text."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    where_open: int  # index just after the outermost WHERE group's "{"
    where_close: int  # index of that group's "}"
    projection: tuple[str, ...]  # SELECT variables in order (empty for SELECT * and other forms)
    own_modifiers: bool  # top-level LIMIT, OFFSET or trailing VALUES after the WHERE group
    variables: frozenset[str]  # every variable the query mentions
    bindable: bool = True  # False for CONSTRUCT WHERE { … }: its group is also the template, where VALUES cannot go
    select_end: int = -1  # index just after "SELECT [DISTINCT|REDUCED]" (where projected columns can be added), -1 if none
    grouped: bool = False  # GROUP BY or an aggregate: no variable can be added to the projection


AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


class QueryShapeError(ValueError):
    """The text is not a query whose WHERE group can be found."""


def shape(query: str) -> Shape:
    """Find the query form, its outermost WHERE group, its projection and its trailing modifiers."""
    toks = [t for t in tokens(query) if t.kind != "comment"]
    form = ""
    form_at = -1
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form, form_at = tok.text.upper(), i
            break
    if not form:
        raise QueryShapeError("no SELECT, ASK, CONSTRUCT or DESCRIBE keyword")
    open_at = _where_open(toks, form_at, form)
    depth, close_at = 0, -1
    for j in range(open_at, len(toks)):
        if toks[j].kind == "open":
            depth += 1
        elif toks[j].kind == "close":
            depth -= 1
            if depth == 0:
                close_at = j
                break
    if close_at < 0:
        raise QueryShapeError("the WHERE group is not closed")
    projection = _projection(toks[form_at + 1:open_at]) if form == "SELECT" else ()
    tail = {t.text.upper() for t in toks[close_at + 1:] if t.kind == "word"}
    select_end = -1
    if form == "SELECT":
        after = form_at + 1 if form_at + 1 < len(toks) and toks[form_at + 1].text.upper() in ("DISTINCT", "REDUCED") else form_at
        star = after + 1 < len(toks) and toks[after + 1].text == "*"
        select_end = -1 if star else toks[after].end
    head = {t.text.upper() for t in toks[form_at + 1:open_at] if t.kind == "word"}
    return Shape(
        form=form,
        where_open=toks[open_at].end,
        where_close=toks[close_at].start,
        projection=projection,
        own_modifiers=bool(tail & {"LIMIT", "OFFSET", "VALUES"}),
        variables=frozenset(t.text[1:] for t in toks if t.kind == "var"),
        bindable=not (form == "CONSTRUCT" and toks[form_at + 1].text.upper() == "WHERE"),
        select_end=select_end,
        grouped=bool("GROUP" in tail or head & AGGREGATES),
    )


def _where_open(toks: Sequence[Token], form_at: int, form: str) -> int:
    """Index of the "{" opening the WHERE group: after the keyword WHERE, else (SELECT/ASK without WHERE) the first
    "{" after the form keyword that is not inside parentheses (an EXISTS in a projection expression)."""
    paren = 0
    for j in range(form_at + 1, len(toks)):
        tok = toks[j]
        if tok.kind == "popen":
            paren += 1
        elif tok.kind == "pclose":
            paren -= 1
        elif tok.kind == "word" and tok.text.upper() == "WHERE" and paren == 0:
            if j + 1 < len(toks) and toks[j + 1].kind == "open":
                return j + 1
            raise QueryShapeError("WHERE is not followed by '{'")
        elif tok.kind == "open" and paren == 0 and form in ("SELECT", "ASK"):
            return j
        elif tok.kind == "open" and paren == 0 and form == "CONSTRUCT":
            # the template: skip to its end, then look for WHERE
            depth = 0
            for k in range(j, len(toks)):
                depth += {"open": 1, "close": -1}.get(toks[k].kind, 0)
                if depth == 0:
                    return _where_open(toks, k, "CONSTRUCT-WHERE")
    raise QueryShapeError("no WHERE group")


def _projection(toks: Sequence[Token]) -> tuple[str, ...]:
    """SELECT variables in order: bare ?x at depth 0 and the ?x of each (expression AS ?x)."""
    out: list[str] = []
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "popen":
            depth += 1
        elif tok.kind == "pclose":
            depth -= 1
        elif tok.kind == "var" and (depth == 0 or (i > 0 and toks[i - 1].text.upper() == "AS")):
            out.append(tok.text[1:])
    return tuple(dict.fromkeys(out))


def values_block(bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` for one row of bound variables; terms as pyoxigraph writes them."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"\n  VALUES ({names}) {{ ({terms}) }}\n"


def bind(query: str, query_shape: Shape, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``bindings`` placed first in its WHERE group (unchanged when there are none)."""
    if not bindings:
        return query
    if not query_shape.bindable:
        raise QueryShapeError("parameters cannot be bound in the short form CONSTRUCT WHERE { … }")
    at = query_shape.where_open
    return query[:at] + values_block(bindings) + query[at:]


def project(query: str, query_shape: Shape, columns: dict[str, str]) -> str:
    """The query with ``(?variable AS ?column)`` added first to its projection for each ``column: variable``
    (the API's identifier columns: a resource the query matches but does not project)."""
    if not columns or query_shape.select_end < 0 or query_shape.grouped:
        return query
    at = query_shape.select_end
    added = "".join(f" (?{variable} AS ?{column})" for column, variable in columns.items())
    return query[:at] + added + query[at:]


def page(query: str, query_shape: Shape, limit: int | None, offset: int) -> str:
    """The query restricted to one page; ``limit`` None means no LIMIT (the service's row limit still applies)."""
    if limit is None and offset == 0:
        return query
    clause = (f"LIMIT {int(limit)} " if limit is not None else "") + (f"OFFSET {int(offset)}" if offset else "")
    if not query_shape.own_modifiers:
        return query.rstrip() + "\n" + clause.strip() + "\n"
    prologue, body = _split_prologue(query)
    return f"{prologue}\nSELECT * WHERE {{\n{{\n{body}\n}}\n}}\n{clause.strip()}\n"


def _split_prologue(query: str) -> tuple[str, str]:
    """(PREFIX/BASE declarations, the rest): a sub-select may not carry a prologue."""
    for tok in tokens(query):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return query[:tok.start], query[tok.start:]
    return "", query
