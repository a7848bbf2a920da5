"""What a query may reach, decided before it runs, without a full parse.

Parsing with rdflib costs more than Oxigraph's whole evaluation, and pyoxigraph exposes no algebra, so a
small lexer finds the query's form and its keywords outside strings, IRIs and comments: SERVICE (refused
unless allow-listed), FROM / FROM NAMED (only the dataset's own graphs), and update operations (refused on
this read-only endpoint). Oxigraph then parses the query for real.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\u00B7\u00C0-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass
class QueryShape:
    """What the lexer saw: the form, the FROM graphs, the SERVICE targets, update keywords."""

    form: str | None = None
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    update_keywords: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def dataset_in_query(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def scan(query: str) -> QueryShape:
    """Lex ``query`` and report its shape. Unknown characters are left for Oxigraph's parser to reject."""
    shape = QueryShape()
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query) if m.lastgroup not in ("ws", "comment")]
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        word = text.upper()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else (None, "")
        if word == "PREFIX" and i + 2 < len(tokens) and nxt[0] == "pname" and tokens[i + 2][0] == "iri":
            shape.prefixes[nxt[1][:-1]] = tokens[i + 2][1][1:-1]
        elif word in QUERY_FORMS and shape.form is None:
            shape.form = word
        elif word in UPDATE_KEYWORDS:
            shape.update_keywords.append(word)
        elif word == "FROM":
            if nxt[0] == "word" and nxt[1].upper() == "NAMED":
                target = tokens[i + 2] if i + 2 < len(tokens) else (None, "")
                shape.from_named_graphs.append(_resolve(target, shape.prefixes))
            else:
                shape.from_graphs.append(_resolve(nxt, shape.prefixes))
        elif word == "SERVICE":
            target = nxt
            if target[0] == "word" and target[1].upper() == "SILENT":
                target = tokens[i + 2] if i + 2 < len(tokens) else (None, "")
            shape.services.append(_resolve(target, shape.prefixes))
    return shape


def _resolve(token: tuple[str | None, str], prefixes: dict[str, str]) -> str:
    kind, text = token
    if kind == "iri":
        return text[1:-1]
    if kind == "pname" and ":" in text:
        prefix, local = text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
    return text  # a variable or something Oxigraph will reject: never allow-listed


def enforce(shape: QueryShape, allowed_graphs: set[str], service_allowlist: tuple[str, ...]) -> None:
    """Raise QueryRefused when the query would reach outside the dataset or change it."""
    if shape.form is None and shape.update_keywords:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL Update ({', '.join(sorted(set(shape.update_keywords)))}) is refused",
            details={"reason": "update"},
        )
    for target in shape.services:
        if target not in service_allowlist:
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: federated queries may call only the endpoints of the "
                "setting service_allowlist",
                details={"reason": "service", "target": target},
            )
    for target in shape.from_graphs + shape.from_named_graphs:
        if target not in allowed_graphs:
            raise QueryRefused(
                f"FROM <{target}> names a graph outside this dataset; nothing is fetched from the web or read "
                "from disk. The dataset's graphs are listed in the service description (GET /sparql).",
                details={"reason": "from", "target": target},
            )
