"""Operations read from the query files: ``queries/NN-name.rq`` → ``GET /api/v1/name``.

Whatever files the served sources hold become operations, re-read when a file changes (keyed by path, size and
mtime), so a new query file is a new operation without code. A file that cannot be read, whose header declares a
parameter badly, or whose parameter variable does not occur in the query, is left out with a warning (and the
test suite fails on it), never fatal for the others.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from server.build.sources import header_fields, query_files, sources_root
from server.settings import Settings
from server.sparql import policy
from server.web.api.binding import QueryShapeError, Shape, shape
from server.web.api.params import Param, ParamDeclarationError, parse_param

log = logging.getLogger("ugkg.api")
_STEM = re.compile(r"(?:\d+-)?(?P<name>[a-z0-9][a-z0-9-]*)")
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Identifier:
    """A resource column of an operation's rows: its IRI (``iri_column``), short id (``{base}_id``) and Wikidata id
    (``{base}_wikidata``) go beside its labels ``{base}_en``/``{base}_zh``. ``injected``: the query matches the
    resource as ``?variable`` without projecting it, so the API adds ``(?variable AS ?{base}_iri)``."""

    base: str
    variable: str
    injected: bool

    @property
    def iri_column(self) -> str:
        return f"{self.base}_iri" if self.injected else self.base


@dataclass(frozen=True)
class Operation:
    name: str  # URL segment: the file stem without its number, e.g. "ten-initiatives"
    stem: str  # the file stem, e.g. "04-ten-initiatives" (the query UI's example id)
    path: Path
    title: str
    question: str
    params: tuple[Param, ...]
    query: str  # the whole file, header included
    shape: Shape
    prefixes: dict[str, str]
    identifiers: tuple[Identifier, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class OperationError(ValueError):
    """A query file that cannot become an operation."""


def parse_operation(path: Path) -> Operation:
    """Read one query file; OperationError says why it cannot be an operation."""
    text = path.read_text(encoding="utf-8")
    match = _STEM.fullmatch(path.stem)
    if not match:
        raise OperationError(f"{path.name}: the file name is not NN-name.rq (lower case, digits and '-')")
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    header: dict[str, str] = {}
    params: list[Param] = []
    declared_resources: list[str] = []
    for key, value in header_fields(text):
        if key == "resource":  # "# resource: var": a projected variable whose values are resources
            declared_resources.extend(value.split())
        if key == "param":
            try:
                params.append(parse_param(value, prefixes))
            except ParamDeclarationError as exc:
                raise OperationError(f"{path.name}: {exc}") from None
        elif key in ("title", "question") and key not in header:
            header[key] = value
    try:
        query_shape = shape(text)
    except QueryShapeError as exc:
        raise OperationError(f"{path.name}: {exc}") from None
    if params and not query_shape.bindable:
        raise OperationError(f"{path.name}: parameters need CONSTRUCT {{ template }} WHERE {{ … }}, not the short form")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise OperationError(f"{path.name}: a parameter is declared twice")
    if len({p.variable for p in params}) != len(params):
        raise OperationError(f"{path.name}: two parameters bind the same variable")
    for param in params:
        if param.variable not in query_shape.variables:
            raise OperationError(f"{path.name}: parameter {param.name} binds ?{param.variable}, which the query does not use")
    return Operation(
        name=match.group("name"), stem=path.stem, path=path, title=header.get("title") or path.stem,
        question=header.get("question", ""), params=tuple(params), query=text, shape=query_shape, prefixes=prefixes,
        identifiers=identifiers(query_shape, declared_resources),
    )


def identifiers(query_shape: Shape, declared: list[str]) -> tuple[Identifier, ...]:
    """The resource columns of a SELECT: each ``?x`` the query matches whose labels it projects as ``x_en``/``x_zh``
    (found from the text: no header needed), and each projected variable named by a ``# resource:`` line. A
    query that groups cannot project more, so only its declared columns count."""
    if query_shape.form != "SELECT":
        return ()
    found: list[Identifier] = []
    can_add = not query_shape.grouped and query_shape.select_end >= 0
    for variable in declared:
        if variable in query_shape.projection:
            found.append(Identifier(variable, variable, injected=False))
        elif can_add and variable in query_shape.variables and f"{variable}_iri" not in query_shape.variables:
            found.append(Identifier(variable, variable, injected=True))
    if not can_add:
        return tuple(found)
    for column in query_shape.projection:
        base = column.rsplit("_", 1)[0] if column.endswith(("_en", "_zh")) else ""
        if (base and base in query_shape.variables and base not in query_shape.projection
                and f"{base}_iri" not in query_shape.variables and all(i.base != base for i in found)):
            found.append(Identifier(base, base, injected=True))
    return tuple(found)


class OperationCatalog:
    """The operations of one sources directory, re-read when its query files change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple = ()
        self._ops: dict[str, Operation] = {}
        self.problems: list[str] = []

    def operations(self, settings: Settings) -> dict[str, Operation]:
        """name → Operation, in file order; the first file of a name wins (a later duplicate is a problem)."""
        paths = query_files(sources_root(settings))
        key = tuple(_stat(path) for path in paths)
        with self._lock:
            if key != self._key:
                self._ops, self.problems = _load(paths)
                self._key = key
            return {name: op for name, op in self._ops.items() if runnable(op, settings)}


def runnable(op: Operation, settings: Settings) -> bool:
    """A federated operation is published only when every endpoint it calls is allowed (setting service_allow):
    with the default empty allow-list it could only answer 400, a dead link in the API's own documentation."""
    services = policy.scan(op.query).services
    allowed = policy.allowed_endpoints(settings.service_allow)
    return all(policy.normalise_endpoint(iri) in allowed for iri in services)


def _stat(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
        return (str(path), st.st_size, st.st_mtime_ns)
    except OSError:
        return (str(path), -1, -1)


def _load(paths: list[Path]) -> tuple[dict[str, Operation], list[str]]:
    ops: dict[str, Operation] = {}
    problems: list[str] = []
    for path in paths:
        try:
            op = parse_operation(path)
        except (OSError, UnicodeDecodeError, OperationError) as exc:
            problems.append(str(exc))
            log.warning("query file left out of the API: %s", exc)
            continue
        if op.name in ops:
            problems.append(f"{path.name}: operation name {op.name!r} already taken by {ops[op.name].path.name}")
            log.warning("query file left out of the API: %s", problems[-1])
            continue
        ops[op.name] = op
    return ops, problems


CATALOG = OperationCatalog()
