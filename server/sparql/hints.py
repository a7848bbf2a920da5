"""Advice for the mistakes newcomers make most: one line naming the fix, found on the query's text alone.

Two kinds, found at two moments:

- **A query that does not parse** (``syntax_hint``, given Oxigraph's message and position): a ``/`` or another
  reserved character inside a prefixed name (``ugr:city/beijing``: the docs write IRIs that way, SPARQL does
  not allow it), and a prefix the query uses without declaring it (offering the declaration when the prefix is
  one this service knows). The hint goes in the error body's ``hint`` and ``hint_code`` fields and as the
  message's last line; the position stays.
- **A query that parses and answers nothing** (``empty_answer_hints``): a plain string compared with the
  graph's language-tagged labels (``?x = "North"`` never equals ``"North"@en``), and a bare number compared with
  a year the graph types ``xsd:gYear`` (``?year = 2020`` is an error inside FILTER, so false). These are not
  errors: a query may rightly answer nothing. They are looked for only when a SELECT has no row or an ASK is
  false, by a scan of the query's text (no second query: the cost is one regular-expression pass, and only on
  empty answers), and reported in the ``X-Query-Hint`` header of the 200 answer, which the query page can show.
  A scan can be wrong (a plain string may be compared with a plain-string value on purpose), so the header
  says "may"; it never changes the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

XSD = "http://www.w3.org/2001/XMLSchema#"
# Prefixes this service knows (the project's own from its base IRI, and the vocabularies its query files use)
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/function/geosparql/",
    "wd": "http://www.wikidata.org/entity/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def known_prefixes(base_iri: str) -> dict[str, str]:
    """Every prefix a hint may offer to declare: the project's (``ugkg:`` terms, ``ugr:`` resources, as
    docs/model.md writes them) under this deployment's base IRI, and the standard ones."""
    return {"ugkg": base_iri + "def/", "ugr": base_iri + "id/", **STANDARD_PREFIXES}


@dataclass(frozen=True)
class Hint:
    code: str  # stable, for clients: reserved-character-in-prefixed-name, undeclared-prefix, ...
    text: str

    def header(self) -> str:
        """The hint as an HTTP header value (ASCII: other characters as \\uXXXX escapes)."""
        return f"{self.code}; " + self.text.encode("ascii", "backslashreplace").decode("ascii").replace("\n", " ")


# an unterminated string runs to the end of its line (possessive, so a failed string never rescans the line: a query
# of 49,000 '"\\' pairs took 42 s with the backtracking form)
_IRI_OR_STRING = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>|"(?:[^"\\\n]|\\.)*+(?:"|(?=[\\\n])|$)|\'(?:[^\'\\\n]|\\.)*+(?:\'|(?=[\\\n])|$)')
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_NAME_START = r"(?<![\w?$:.-])"
# a prefixed name whose local part goes on after a reserved character: ugr:city/beijing, ex:a#b, ex:a?b
_RESERVED_RUN = re.compile(_NAME_START + r"(?P<prefix>[A-Za-z][\w.-]*)?:(?P<head>[\w.-]*)(?P<char>[/#?~!$&()*+,;=@%'])(?P<tail>[\w.\-/]+)(?![\w.-]*:)")
_PNAME = re.compile(_NAME_START + r"(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.-]*)")


def _blank(query: str, pattern: re.Pattern[str]) -> str:
    """``query`` with every match of ``pattern`` replaced by spaces (offsets kept), so IRIs and strings cannot
    look like prefixed names."""
    return pattern.sub(lambda m: " " * len(m.group()), query)


_CHAR_CLASS = re.compile(r"\[(?:[^\[\]'\"]|'(?:[^'\\]|\\.)*'|\"[^\"]*\")*\]")


def tidy_message(message: str) -> str:
    """Oxigraph's "expected one of …" with its character classes (``['A' ..= 'Z' | '\\u{00C0}'..='\\u{00D6}' | …]``,
    lines of Unicode ranges) said in words: a one-character class as that character, any other as "a name
    character"; repeats dropped. Everything else of the message, the position first, is kept."""
    def word(match: re.Match[str]) -> str:
        inner = match.group()[1:-1].strip()
        single = re.fullmatch(r"'(.)'", inner)
        if single:
            return f"'{single.group(1)}'"
        if re.fullmatch(r"'0'\s*\.\.=\s*'9'", inner):
            return "a digit"
        return "a name character" if ".." in inner or "|" in inner else match.group()

    tidied = _CHAR_CLASS.sub(word, message)
    head, sep, items = tidied.partition("expected one of ")
    if not sep:
        return tidied
    seen: list[str] = []
    for item in (part.strip() for part in items.split(", ")):
        if item and item not in seen:
            seen.append(item)
    return head + sep + ", ".join(seen)


def offset_of(query: str, position: str) -> int | None:
    """The 0-based character offset of Oxigraph's 1-based LINE:COLUMN, or None."""
    try:
        line, column = (int(part) for part in position.split(":"))
    except ValueError:
        return None
    lines = query.split("\n")
    if not 1 <= line <= len(lines):
        return None
    return sum(len(text) + 1 for text in lines[:line - 1]) + column - 1


def syntax_hint(query: str, message: str, position: str, prefixes: dict[str, str]) -> Hint | None:
    """The hint for a query Oxigraph could not parse (``message``, ``position`` LINE:COLUMN), or None."""
    at = offset_of(query, position)
    if at is None:
        return None
    text = _blank(query, _IRI_OR_STRING)
    declared = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(query)}
    error_line = query.count("\n", 0, at)
    for run in _RESERVED_RUN.finditer(text):
        # the error is inside the run or after it on the same line: the parser may read on a little ('/' is
        # also a path or division operator), and '#' (a comment from there on) or '?' (a variable) cut the line
        if run.start() <= at and (at <= run.end() + 1 or query.count("\n", 0, run.start()) == error_line):
            return _reserved_hint(run, declared, prefixes)
    if "Prefix not found" in message:
        before = [m for m in _PNAME.finditer(text[:at + 1]) if (m.group("prefix") or "") not in declared]
        if before:
            return _undeclared_hint(before[-1].group("prefix") or "", prefixes)
    return None


def _reserved_hint(run: re.Match[str], declared: dict[str, str], prefixes: dict[str, str]) -> Hint:
    prefix = run.group("prefix") or ""
    local = run.group("head") + run.group("char") + run.group("tail")
    name = f"{prefix}:{local}"
    escaped = f"{prefix}:" + re.sub(r"([/#?~!$&()*+,;=@%'])", r"\\\1", local)
    namespace = declared.get(prefix, prefixes.get(prefix))
    full = f"<{namespace}{local}>" if namespace else "<the full IRI>"
    return Hint("reserved-character-in-prefixed-name",
                f"'{name}' has '{run.group('char')}' in the local part of a prefixed name, which SPARQL does not allow: "
                f"write the IRI in full, {full}, or escape the character, {escaped}")


def _undeclared_hint(prefix: str, prefixes: dict[str, str]) -> Hint:
    if prefix in prefixes:
        return Hint("undeclared-prefix", f"the prefix '{prefix}:' is used but not declared: add the line "
                                         f"PREFIX {prefix}: <{prefixes[prefix]}> at the top of the query")
    return Hint("undeclared-prefix", f"the prefix '{prefix}:' is used but not declared: add PREFIX {prefix}: <…namespace IRI…> "
                                     "at the top of the query, or write the IRI in full in <…>")


# ?x = "North", "North" = ?x, ?x != "North", and a plain string as a triple pattern's object (rdfs:label "North")
_PLAIN = r'"(?:[^"\\\n]|\\.)*"(?!\s*(?:@|\^\^))|\'(?:[^\'\\\n]|\\.)*\'(?!\s*(?:@|\^\^))'
_VAR = r"[?$][\w]+"
_STRING_COMPARED = re.compile(rf"(?:{_VAR})\s*!?=\s*(?P<a>{_PLAIN})|(?P<b>{_PLAIN})\s*!?=\s*(?:{_VAR})")
_STRING_OBJECT = re.compile(rf"(?:[\w-]*:[\w.-]*|<[^>\s]*>|\ba\b)\s+(?P<c>{_PLAIN})\s*[.;,}}]")
# a bare number of four digits compared with a variable, or as a triple pattern's object: a year, probably
_YEAR_COMPARED = re.compile(r"(?:[?$]\w+)\s*(?:=|!=|<=|>=|<|>)\s*(?P<a>[12]\d{3})(?![\w.\"'])|(?<![\w.\"'])(?P<b>[12]\d{3})\s*(?:=|!=|<=|>=|<|>)\s*[?$]\w+")
_YEAR_OBJECT = re.compile(r"(?:[\w-]*:[\w.-]*|<[^>\s]*>)\s+(?P<c>[12]\d{3})\s*[.;,}]")
_COMMENT = re.compile(r"#[^\n]*")


# Advice on an empty answer scans the text with backtracking patterns whose cost grows with the square of a long run
# of name characters (measured: 53 s for a 90,000-character literal, 148 s for 98,000 characters of "a-", in the web
# process, which then answered nobody). The mistakes it explains are made in short queries: past this, no advice.
EMPTY_ANSWER_HINT_MAX_QUERY_CHARS = 2000


def empty_answer_hints(query: str) -> list[Hint]:
    """Hints for a query that parsed and answered nothing (no row, or ASK false); none for a query longer than
    ``EMPTY_ANSWER_HINT_MAX_QUERY_CHARS`` (at most ~0.1 s of scanning)."""
    if len(query) > EMPTY_ANSWER_HINT_MAX_QUERY_CHARS:
        return []
    text = _blank(query, re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>"))
    text = _COMMENT.sub(lambda m: " " * len(m.group()), text)  # IRIs first: an IRI may hold '#'
    hints: list[Hint] = []
    found = _STRING_COMPARED.search(text) or _STRING_OBJECT.search(text)
    if found:
        literal = next(group for group in found.groups() if group)
        hints.append(Hint("plain-string-vs-language-tag",
                          f"the query may compare the plain string {literal} with labels, names or texts, which in this graph "
                          f"carry a language tag ({literal}@en, @zh): a plain string never equals a tagged one; "
                          f"compare STR(?x) = {literal}, or write {literal}@en"))
    found = _YEAR_COMPARED.search(text) or _YEAR_OBJECT.search(text)
    if found:
        year = next(group for group in found.groups() if group)
        hints.append(Hint("number-vs-gyear",
                          f"the query may compare the number {year} with a year, which this graph types xsd:gYear "
                          f"(\"{year}\"^^xsd:gYear): a number never equals a gYear and comparing them is an error that "
                          f"FILTER treats as false; write \"{year}\"^^xsd:gYear, or compare xsd:integer(STR(?year)) with {year}"))
    return hints
