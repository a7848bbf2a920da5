"""Which queries may run in the web process itself: a single triple pattern, whose every row costs O(1).

A query normally goes to an evaluator process, because pyoxigraph cannot cancel a query and only a process
can be killed at the time limit. The hop costs more than a point lookup itself. But Oxigraph evaluates lazily:
for one triple pattern with distinct variables, each row is the next entry of an index range scan (SPO, POS
or OSP cover every combination of bound terms), so producing a row is bounded and the web process can stop
between rows when the deadline passes, honouring the same time limit without a process to kill.

Only that exact shape qualifies, recognised on the lexer's tokens (anything unexpected: not inline):

    PREFIX p: <iri> ...   SELECT [?v ... | *] [WHERE] { s p o [.] }  [LIMIT n] [OFFSET n]
                          ASK [WHERE] { s p o [.] }

with s, p, o each an IRI, a prefixed name, a variable, ``a`` (predicate) or a plain, language-tagged or
typed string literal (object); no variable twice (``?x ?p ?x`` would filter a whole scan inside one row);
no FROM, GRAPH, FILTER, OPTIONAL, DISTINCT, ORDER BY, OFFSET (skipped inside the first row), expressions
or sub-queries.
"""
from __future__ import annotations

from dataclasses import dataclass

Token = tuple[str | None, str]
TERM_KINDS = ("iri", "pname", "var")


@dataclass(frozen=True)
class SinglePattern:
    """A query of the bounded shape; ``limit`` is its LIMIT, if it has one (then no row limit can cut it)."""

    limit: int | None


def single_pattern(tokens: list[Token]) -> SinglePattern | None:
    """The bounded shape above, when ``tokens`` (from ``policy._tokens``) are exactly that; else None."""
    return SinglePattern(limit) if (limit := _shape(tokens)) is not False else None


def _shape(tokens: list[Token]) -> int | None | bool:
    """The query's LIMIT (None without one) when it has the bounded shape, else False."""
    i, n = 0, len(tokens)
    while i + 2 < n and _word(tokens[i], "PREFIX"):
        if tokens[i + 1][0] != "pname" or not tokens[i + 1][1].endswith(":") or tokens[i + 2][0] != "iri":
            return False
        i += 3
    if i >= n:
        return False
    if _word(tokens[i], "SELECT"):
        i += 1
        if i < n and tokens[i] == ("other", "*"):
            i += 1
        else:
            start = i
            while i < n and tokens[i][0] == "var":
                i += 1
            if i == start:
                return False
    elif _word(tokens[i], "ASK"):
        i += 1
    else:
        return False
    if i < n and _word(tokens[i], "WHERE"):
        i += 1
    if i >= n or tokens[i] != ("other", "{"):
        return False
    i += 1
    variables: list[str] = []
    for position in ("subject", "predicate", "object"):
        i = _term(tokens, i, position, variables)
        if i < 0:
            return False
    if len(variables) != len(set(variables)):
        return False
    if i < n and tokens[i] == ("other", "."):
        i += 1
    if i >= n or tokens[i] != ("other", "}"):
        return False
    i += 1
    limit = None
    if i < n and _word(tokens[i], "LIMIT"):  # no OFFSET: Oxigraph skips it inside the first row
        end = _integer(tokens, i + 1)
        if end < 0:
            return False
        limit = int("".join(text for _, text in tokens[i + 1:end]))
        i = end
    return limit if i == n else False


def _word(token: Token, word: str) -> bool:
    return token[0] == "word" and token[1].upper() == word


def _term(tokens: list[Token], i: int, position: str, variables: list[str]) -> int:
    """Index after one term at ``i``, or -1."""
    if i >= len(tokens):
        return -1
    kind, text = tokens[i]
    if kind in TERM_KINDS and not (kind == "pname" and text.startswith("_:")):
        if kind == "var":
            variables.append(text[1:])
        return i + 1
    if position == "predicate" and kind == "word" and text == "a":
        return i + 1
    if position == "object" and kind == "string":
        i += 1
        if i < len(tokens) and tokens[i] == ("other", "@"):
            if i + 1 >= len(tokens) or tokens[i + 1][0] != "word":
                return -1
            i += 2
            while i + 1 < len(tokens) and tokens[i] == ("other", "-") and tokens[i + 1][0] == "word":
                i += 2
        elif i + 2 < len(tokens) and tokens[i] == ("other", "^") and tokens[i + 1] == ("other", "^"):
            if tokens[i + 2][0] not in ("iri", "pname"):
                return -1
            i += 3
        return i
    return -1


def _integer(tokens: list[Token], i: int) -> int:
    start = i
    while i < len(tokens) and tokens[i][0] == "other" and tokens[i][1].isdigit():
        i += 1
    return i if i > start else -1
