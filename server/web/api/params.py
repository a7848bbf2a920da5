"""Operation parameters: declared by ``# param:`` header lines of a query file, validated, turned into RDF terms.

Header line (one per parameter, after ``# title:`` and ``# question:``)::

    # param: NAME TYPE [CLASS] [var=VARIABLE] [default=V] [example=V] [values=A|B|C] [required=yes] -- description

TYPE is ``iri`` (CLASS required: a CURIE of the query's prefixes or a full IRI; several joined by ``|``), ``lang``
(a BCP 47 language tag, bound as a plain string), ``integer``, ``year`` (``xsd:gYear``) or ``string``. The
parameter binds the SPARQL variable ``?NAME`` (or ``?VARIABLE``). A header line is a SPARQL comment: the file stays
a valid query that answers for every value, and nothing in its body has to change for a parameter to exist.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

from server.errors import InvalidParameter

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("iri", "lang", "integer", "year", "string")
# Query-string names the API itself uses: a query file may not declare them.
RESERVED = frozenset({"lang", "limit", "offset", "format", "bom"})
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_YEAR = re.compile(r"-?[0-9]{4}")
MAX_STRING = 500


class ParamDeclarationError(ValueError):
    """A ``# param:`` line that cannot be understood (the operation is then not offered)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    variable: str
    classes: tuple[str, ...] = ()  # full IRIs, for type iri
    default: str | None = None
    example: str | None = None
    values: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


def parse_param(line: str, prefixes: dict[str, str]) -> Param:
    """One ``# param:`` line (without the leading ``# param:``) → Param; ParamDeclarationError when malformed."""
    spec, _, description = line.partition(" -- ")
    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise ParamDeclarationError(f"cannot split {spec!r}: {exc}") from None
    if len(words) < 2:
        raise ParamDeclarationError(f"{line!r}: expected 'NAME TYPE ...'")
    name, kind, rest = words[0], words[1], words[2:]
    if not _NAME.fullmatch(name) or name in RESERVED:
        raise ParamDeclarationError(f"{name!r}: a parameter name is lower-case letters, digits, _ and not one of {sorted(RESERVED)}")
    if kind not in TYPES:
        raise ParamDeclarationError(f"{name}: unknown type {kind!r}; types are {', '.join(TYPES)}")
    classes: tuple[str, ...] = ()
    if kind == "iri":
        if not rest or "=" in rest[0]:
            raise ParamDeclarationError(f"{name}: an iri parameter names its class (e.g. 'iri ugkg:City')")
        classes = tuple(_expand(c, prefixes) for c in rest[0].split("|"))
        rest = rest[1:]
    keys: dict[str, str] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep:
            raise ParamDeclarationError(f"{name}: {word!r} is not key=value")
        keys[key] = value
    known = {"var", "default", "example", "values", "required"}
    if set(keys) - known:
        raise ParamDeclarationError(f"{name}: unknown keys {sorted(set(keys) - known)}; known: {sorted(known)}")
    param = Param(
        name=name, type=kind, variable=keys.get("var", name), classes=classes,
        default=keys.get("default"), example=keys.get("example") or keys.get("default"),
        values=tuple(v for v in keys.get("values", "").split("|") if v),
        required=keys.get("required", "no").lower() in ("yes", "true", "1"),
        description=description.strip(),
    )
    for value in (param.default, param.example, *param.values):
        if value is not None and kind != "iri":
            literal(param, value)  # a declared value must itself be valid
    return param


def _expand(curie: str, prefixes: dict[str, str]) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, sep, local = curie.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    if re.match(r"https?://", curie):
        return curie
    raise ParamDeclarationError(f"class {curie!r}: not a full IRI and its prefix is not declared in the query")


def literal(param: Param, raw: str) -> ox.Literal:
    """The literal a non-IRI parameter binds, or InvalidParameter naming the parameter."""
    if param.values and raw not in param.values:
        raise InvalidParameter(f"{param.name}={raw!r} is not allowed; allowed values: {', '.join(param.values)}",
                               details={"parameter": param.name, "allowed": list(param.values)})
    if param.type == "integer":
        if not _INTEGER.fullmatch(raw):
            raise _bad(param, raw, "an integer such as 10")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "year":
        if not _YEAR.fullmatch(raw):
            raise _bad(param, raw, "a year of four digits such as 2020")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "gYear"))
    if param.type == "lang":
        if not _LANG.fullmatch(raw):
            raise _bad(param, raw, "a language tag such as en or zh")
        return ox.Literal(raw.lower())
    if len(raw) > MAX_STRING or any(ord(c) < 32 for c in raw):
        raise _bad(param, raw, f"a string of at most {MAX_STRING} characters without control characters")
    return ox.Literal(raw)


def _bad(param: Param, raw: str, expected: str) -> InvalidParameter:
    return InvalidParameter(f"{param.name}={raw[:80]!r} is not valid: expected {expected}",
                            details={"parameter": param.name, "expected": expected})


def resolve_iri(param: Param, raw: str, members: Callable[[Param], dict[str, str]], prefixes: dict[str, str],
                labels: dict[str, tuple[str, ...]] | None = None) -> ox.NamedNode:
    """An iri parameter's value: a full IRI, a CURIE of the query's prefixes, a local name (``beijing``) or path
    tail (``city/beijing``) of a member of its class, or one of a member's ``labels`` in any language (compared
    without case, spaces and punctuation: ``Xiong'an``, ``xiongan``, ``雄安``). ``members`` maps each member IRI
    to its English label."""
    known = members(param)
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        value = prefixes[prefix] + local
    if value in known:
        return ox.NamedNode(value)
    matches = sorted(iri for iri in known if iri.endswith("/" + value) or iri.endswith("#" + value))
    if not matches and labels is not None:  # a label in either language: Xiong'an, xiongan, 雄安, "Beijing"
        wanted = label_key(value)
        matches = sorted(iri for iri, names in labels.items() if wanted and wanted in {label_key(n) for n in names})
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    what = " or ".join(param.classes)
    if len(matches) > 1:
        raise InvalidParameter(f"{param.name}={raw!r} is ambiguous: it names {len(matches)} resources; give one of them in full",
                               details={"parameter": param.name, "candidates": matches[:20]})
    names = sorted({local_name(iri) for iri in known})
    listed = ", ".join(names) if len(names) <= 30 else ", ".join(names[:8]) + f" … ({len(names)} in all, listed in 'known')"
    raise InvalidParameter(f"{param.name}={raw[:200]!r} is not a <{what}> of this graph; give a local name ("
                           f"{listed or '(none known)'}), a label in English or Chinese, or a full IRI",
                           details={"parameter": param.name, "known": names[:500]})


def label_key(text: str) -> str:
    """A label as compared with a client's value: lower case, without spaces and punctuation."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def local_name(iri: str) -> str:
    """The last path segment (or fragment) of an IRI: what a client may type instead of the whole IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
