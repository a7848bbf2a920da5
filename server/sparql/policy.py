"""What a query may reach, decided before it runs, without a full parse.

Parsing with rdflib costs more than Oxigraph's whole evaluation, and pyoxigraph exposes no algebra, so a
small lexer finds the query's form and its keywords outside strings, IRIs and comments: SERVICE (refused
unless its target is a constant absolute IRI equal, after ``normalise_endpoint``, to one of setting service_allow), FROM / FROM NAMED (graphs the dataset does not hold become empty graphs, never fetched),
and update operations (refused on this read-only endpoint). Oxigraph then parses the query for real.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from server.errors import QueryRefused
from server.sparql.inline import SinglePattern, single_pattern

_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"  # SPARQL PN_LOCAL_ESC: ex:a\'b and ex:a\#b are one name
_LOCAL_CHAR = r"(?:[\w\-:%\u00B7\u00C0-\uFFFF]|" + _PN_LOCAL_ESC + ")"
_TOKEN_ALTERNATIVES = r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<badstring>['"].*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  PNAME
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>.)
    """
_PNAME = r"| (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:L(?:(?:L|\.)*L)?)?)".replace("L", _LOCAL_CHAR)
_TOKEN = re.compile(_TOKEN_ALTERNATIVES.replace("PNAME", _PNAME), re.VERBOSE | re.DOTALL)
# the same lexer without prefixed names, for positions inside a name run already known not to end with ':'
_TOKEN_NO_PNAME = re.compile(_TOKEN_ALTERNATIVES.replace("PNAME", ""), re.VERBOSE | re.DOTALL)
_NAME_RUN = re.compile(r"[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*")
# Nesting deeper than this is refused before evaluation: Oxigraph's recursive-descent parser needs stack
# frames per level (about 2,500 nested groups overflow an 8 MiB stack and kill the evaluator process).
MAX_NESTING = 200
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = set(_OPENERS.values())
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
    prefixes: dict[str, str | None] = field(default_factory=dict)
    nesting: int = 0
    single_pattern: SinglePattern | None = None  # may run in the web process (``sparql.inline``)

    @property
    def dataset_in_query(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def scan(query: str) -> QueryShape:
    """Lex ``query`` and report its shape. Unknown characters are left for Oxigraph's parser to reject."""
    shape = QueryShape()
    tokens = _tokens(query)
    shape.nesting = _nesting(tokens)
    shape.single_pattern = single_pattern(tokens)
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        word = text.upper()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else (None, "")
        if word == "PREFIX" and nxt[0] == "pname" and nxt[1].endswith(":"):
            target = tokens[i + 2] if i + 2 < len(tokens) else (None, "")
            # an IRI this lexer cannot read (with \u escapes…) poisons the prefix: never resolved, never allowed;
            # so does a second declaration of the name (which one the engine keeps is then not ours to guess)
            name, value = nxt[1][:-1], target[1][1:-1] if target[0] == "iri" else None
            shape.prefixes[name] = value if name not in shape.prefixes or shape.prefixes[name] == value else None
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


def _tokens(query: str) -> list[tuple[str | None, str]]:
    """The significant tokens of ``query``, in linear time.

    A name run (``a.b-c``) not followed by ':' holds no prefixed name at any of its positions; trying the
    pname alternative again at each of them made ``a.a.a.…`` quadratic (20 kB: 3 s, 100 kB: over a minute in
    the web process, outside any query time limit), and so did ``"\\"\\…`` (unterminated strings). An
    unterminated string now swallows the rest of the query (``badstring``): such a query cannot parse, so
    Oxigraph rejects it and nothing hidden in it ever runs.
    """
    tokens: list[tuple[str | None, str]] = []
    pos, end, no_pname_before = 0, len(query), -1
    while pos < end:
        regex = _TOKEN
        if pos < no_pname_before:
            regex = _TOKEN_NO_PNAME
        else:
            run = _NAME_RUN.match(query, pos)
            if run is not None and not query.startswith(":", run.end()):
                no_pname_before = run.end()
                regex = _TOKEN_NO_PNAME
        m = regex.match(query, pos)
        assert m is not None  # 'other' matches any character
        if m.lastgroup not in ("ws", "comment"):
            tokens.append((m.lastgroup, m.group()))
        pos = m.end()
    return tokens


def _nesting(tokens: list[tuple[str | None, str]]) -> int:
    """The deepest nesting of (), [], {} and << >> outside strings, IRIs and comments."""
    depth = deepest = 0
    previous = ""
    for kind, text in tokens:
        pair = False
        if kind == "other":
            if text in _OPENERS or (text == "<" and previous == "<"):
                depth += 1
                deepest = max(deepest, depth)
                pair = text == "<"
            elif text in _CLOSERS or (text == ">" and previous == ">"):
                depth = max(0, depth - 1)
                pair = text == ">"
        previous = "" if pair or kind != "other" else text  # '<<<<' is two openers, not three
    return deepest


def _resolve(token: tuple[str | None, str], prefixes: dict[str, str | None]) -> str:
    kind, text = token
    if kind == "iri":
        return text[1:-1]
    if kind == "pname" and ":" in text:
        prefix, local = text.split(":", 1)
        base = prefixes.get(prefix)
        if base is not None:
            return base + local
    return text  # a variable or something Oxigraph will reject: never allow-listed


def enforce(shape: QueryShape, service_allow: tuple[str, ...]) -> None:
    """Raise QueryRefused when the query would call another service or change the dataset, or nests too deeply.

    FROM / FROM NAMED are not refused: a graph the dataset does not hold is an empty graph (see
    ``server.sparql.dataset``), and the engine is only ever given the dataset's own graph names."""
    if shape.nesting > MAX_NESTING:
        raise QueryRefused(
            f"the query nests brackets {shape.nesting} levels deep; the limit is {MAX_NESTING}",
            details={"reason": "nesting", "limit": MAX_NESTING},
        )
    if shape.form is None and shape.update_keywords:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL Update ({', '.join(sorted(set(shape.update_keywords)))}) is refused",
            details={"reason": "update"},
        )
    allowed = allowed_endpoints(service_allow)
    for target in shape.services:
        if normalise_endpoint(target) not in allowed:
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: federated queries may call only the endpoints of the "
                "setting service_allow, named by a constant absolute IRI",
                details={"reason": "service", "target": target},
            )


_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?|\[[0-9a-f:.]+\]")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


@functools.lru_cache(maxsize=64)
def allowed_endpoints(service_allow: tuple[str, ...]) -> frozenset[str]:
    """The normalised forms of the allowed endpoints (an entry that cannot be normalised allows nothing)."""
    return frozenset(n for n in (normalise_endpoint(iri) for iri in service_allow) if n is not None)


def normalise_endpoint(iri: str) -> str | None:
    """The RFC 3986 normal form of an http(s) endpoint IRI, or None when it is no acceptable SERVICE target.

    Syntax-based normalisation only (RFC 3986 §6.2.2 plus the default port): scheme and host in lower case,
    percent-encoded unreserved characters decoded and the other escapes in upper case, default port dropped,
    empty path "/". Refused outright: dot segments (Oxigraph sends the path as written, so which resource they
    reach is the other server's choice),, whatever they would resolve to: a relative IRI (it
    would resolve against the request's own URI), userinfo (``https://allowed@other/``), a host with a percent
    escape or characters outside [a-z0-9.-] (so no IDN or alternative spelling of another host), a port that is
    not digits, non-ASCII, backslashes and whitespace (which HTTP clients repair in differing ways).
    """
    if not iri.isascii() or any(c in iri for c in '\\ \t\r\n"<>{}|^`') or any(ord(c) < 0x21 for c in iri):
        return None
    match = re.fullmatch(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?", iri)
    if match is None:
        return None
    scheme, authority, path, query, fragment = match.groups()
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS or "@" in authority or "%" in authority:
        return None
    host, _, port = authority.lower().rpartition(":") if not authority.endswith("]") else (authority.lower(), "", "")
    if not host:
        host, port = port, ""
    if not _HOST.fullmatch(host) or (port and (not port.isdigit() or not port.strip("0"))):
        return None
    port = "" if not port or port.lstrip("0") == _DEFAULT_PORTS[scheme].lstrip("0") else ":" + port.lstrip("0")
    path = _percent_normal(path)
    if _remove_dot_segments(path) != path:
        return None  # sent as written (measured: Oxigraph does not resolve them), so the server would choose
    path = path or "/"
    return f"{scheme}://{host}{port}{path}{_percent_normal(query or '')}{_percent_normal(fragment or '')}"


def _percent_normal(text: str) -> str:
    def fix(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else "%" + m.group(1).upper()
    return _PERCENT.sub(fix, text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut == -1 else cut
            output.append(path[:cut])
            path = path[cut:]
    return "".join(output)
