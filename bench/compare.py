"""Comparing two SPARQL answers the way the query allows them to differ (used by bench.suite, unit-tested).

A SELECT answer is a *bag* of rows unless the query orders it; what may legitimately differ between two correct
engines, and what may not:

- no ORDER BY: the rows in any order — compared as bags (multisets), duplicates counted;
- ORDER BY: the sequence of sort keys must be the same, and the rows of each run of equal keys the same bag
  (rows that tie may come in any order); with a LIMIT, the last run may be cut at a different place, so there
  only the number of rows is judged;
- LIMIT without ORDER BY: any rows of the answer may be chosen — only the number of rows is judged, and, when the
  full answer (the query without its LIMIT) is at hand, that every row returned belongs to it (as a sub-bag);
- our row limit (``max_result_rows``, signalled by ``X-Result-Truncated`` and ``"truncated": true``): our rows must
  be as many as the limit, the reference must have more, and ours must be a sub-bag of the reference (of its full
  answer when the reference is itself a LIMIT without ORDER BY), or its prefix when the query orders.

Terms are compared as written (``"1.50"^^xsd:decimal`` is not ``"1.5"^^xsd:decimal``); an answer that is equal only
once numeric and boolean literals are put in canonical form is reported as such (``same-values``), not as
identical. Blank-node labels are local to an answer, so every blank node compares equal to every other.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Optional, Sequence

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                   "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
                                   "unsignedByte")}
FLOAT_TYPES = {XSD + "double", XSD + "float"}
Row = tuple[Optional[str], ...]

# verdicts: the first three are the same answer; the others are differences to explain
IDENTICAL = "identical"
LIMIT_CONSISTENT = "limit-consistent"  # LIMIT without ORDER BY: as many rows, each of the full answer
TIES = "same-up-to-ties"  # ORDER BY: equal keys in another order, or another choice among ties at the LIMIT
TRUNCATED = "truncated-consistent"  # cut at our row limit, the rows we gave are right
SAME_VALUES = "same-values"  # equal only once numeric/boolean literals are canonical
DIFFERENT = "different"
ERROR = "error"
SAME = frozenset({IDENTICAL, LIMIT_CONSISTENT, TIES, TRUNCATED})


@dataclass
class Result:
    """A parsed answer: variables and rows of term keys, or the boolean of an ASK; ``truncated`` as signalled."""
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: Optional[bool] = None
    truncated: bool = False


@dataclass
class Verdict:
    status: str
    detail: str = ""

    @property
    def same(self) -> bool:
        return self.status in SAME


@dataclass(frozen=True)
class Shape:
    """What the query's solution modifiers allow: its top-level ORDER BY keys and LIMIT."""
    ordered: bool
    order_keys: Optional[tuple[str, ...]]  # variables of a plain ORDER BY (None: an expression we do not evaluate)
    limit: Optional[int]


def term_key(binding: Optional[dict[str, Any]]) -> Optional[str]:
    """A comparable string for one SPARQL JSON term (None when unbound)."""
    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return "_:"
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return f'"{value}"@{binding["xml:lang"].lower()}'
        datatype = binding.get("datatype", XSD + "string")
        return f'"{value}"' if datatype == XSD + "string" else f'"{value}"^^<{datatype}>'
    if kind == "triple":
        inner = binding.get("value", {})
        return "<<" + " ".join(str(term_key(inner.get(k))) for k in ("subject", "predicate", "object")) + ">>"
    return f"?{kind}:{value}"


def canonical_literal(value: str, datatype: str) -> tuple[str, str]:
    """Numeric and boolean literals in canonical form (XSD canonical lexical mappings, integers as xsd:integer)."""
    try:
        if datatype in INTEGER_TYPES:
            return str(int(value.strip())), XSD + "integer"
        if datatype == XSD + "decimal":
            number = Decimal(value.strip())
            text = format(number.normalize(), "f") if number != 0 else "0"
            return (text if "." in text else text + ".0"), datatype
        if datatype in FLOAT_TYPES:
            return repr(float(value.strip().replace("INF", "inf"))), datatype
        if datatype == XSD + "boolean":
            return ("true" if value.strip() in ("true", "1") else "false"), datatype
    except (ValueError, InvalidOperation):
        pass
    return value, datatype


def parse(doc: dict[str, Any], truncated_header: Optional[str] = None) -> Result:
    """SPARQL 1.1 JSON results → Result; our truncation flag read from the body and from the header."""
    truncated = bool(doc.get("truncated")) or bool(truncated_header and truncated_header.strip().lower().startswith("true"))
    if "boolean" in doc:
        return Result(boolean=bool(doc["boolean"]), truncated=truncated)
    variables = list(doc.get("head", {}).get("vars", []))
    rows = [tuple(term_key(b.get(v)) for v in variables) for b in doc.get("results", {}).get("bindings", [])]
    return Result(variables, rows, None, truncated)


_STRINGS_AND_IRIS = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_ORDER = re.compile(r"\bORDER\s+BY\s+(.*?)(?=\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)", re.I | re.S)
_LIMIT = re.compile(r"\bLIMIT\s+(\d+)", re.I)
_KEY = re.compile(r"^(?:(?:ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))$", re.I)


def shape(query: str) -> Shape:
    """The top-level solution modifiers: what follows the query pattern's last closing brace (strings, IRIs and
    comments blanked first, so a brace or a keyword inside them does not count)."""
    text = _STRINGS_AND_IRIS.sub(lambda m: " " * len(m.group(0)), query)
    tail = text[text.rfind("}") + 1:] if "}" in text else ""
    order = _ORDER.search(tail)
    limit = _LIMIT.search(tail)
    keys: Optional[tuple[str, ...]] = None
    if order:
        parts = re.findall(r"(?:ASC|DESC)\s*\([^)]*\)|\?\w+|\S+", order.group(1).strip(), re.I)
        found = [_KEY.match(p.strip()) for p in parts]
        if found and all(found):
            keys = tuple((m.group(1) or m.group(2)) for m in found if m)
    return Shape(bool(order), keys, int(limit.group(1)) if limit else None)


def without_limit(query: str) -> str:
    """The query with its top-level LIMIT removed (the full answer a LIMIT without ORDER BY chooses from)."""
    text = _STRINGS_AND_IRIS.sub(lambda m: " " * len(m.group(0)), query)
    start = text.rfind("}") + 1
    found = _LIMIT.search(text, start)
    return query if not found else query[: found.start()] + query[found.end():]


_TYPED = re.compile(r'^"(.*)"\^\^<([^>]*)>$', re.S)


def canonical_key(key: Optional[str]) -> Optional[str]:
    """A term key with a numeric or boolean literal put in canonical form (other terms unchanged)."""
    found = _TYPED.match(key) if key else None
    if not found:
        return key
    value, datatype = canonical_literal(found.group(1), found.group(2))
    return f'"{value}"^^<{datatype}>'


def canonical(result: Result) -> Result:
    return Result(result.variables, [tuple(canonical_key(k) for k in row) for row in result.rows], result.boolean, result.truncated)


def sub_bag(part: Iterable[Row], whole: Iterable[Row]) -> bool:
    return not (Counter(part) - Counter(whole))


def _aligned(ours: Result, ref: Result) -> Optional[list[Row]]:
    """Our rows with their columns in the reference's variable order (None when the variables differ)."""
    if set(ours.variables) != set(ref.variables):
        return None
    index = [ours.variables.index(v) for v in ref.variables]
    return [tuple(row[i] for i in index) for row in ours.rows]


def _runs(rows: Sequence[Row], key_index: Sequence[int]) -> list[tuple[tuple[Optional[str], ...], list[Row]]]:
    runs: list[tuple[tuple[Optional[str], ...], list[Row]]] = []
    for row in rows:
        key = tuple(row[i] for i in key_index)
        if runs and runs[-1][0] == key:
            runs[-1][1].append(row)
        else:
            runs.append((key, [row]))
    return runs


def compare_ordered(ours: Sequence[Row], ref: Sequence[Row], key_index: Optional[Sequence[int]], cut: bool) -> Verdict:
    """Ordered answers: the same sequence, or the same sort keys with each run of ties the same bag (the last run
    only as long when ``cut``: a LIMIT or our row limit may choose other rows among ties there)."""
    if list(ours) == list(ref):
        return Verdict(IDENTICAL)
    if key_index is None:
        if Counter(ours) == Counter(ref):
            return Verdict(DIFFERENT, "same rows in another order (ORDER BY on an expression: ties not judged)")
        return Verdict(DIFFERENT, _bag_detail(ours, ref))
    a, b = _runs(ours, key_index), _runs(ref, key_index)
    if [k for k, _ in a] != [k for k, _ in b] or [len(r) for _, r in a[:-1]] != [len(r) for _, r in b[:-1]]:
        return Verdict(DIFFERENT, "sort keys differ: " + _bag_detail(ours, ref))
    for i, ((_, ra), (_, rb)) in enumerate(zip(a, b)):
        last = i == len(a) - 1
        if last and cut:
            if len(ra) != len(rb):
                return Verdict(DIFFERENT, f"last run of ties: {len(ra)} rows against {len(rb)}")
        elif Counter(ra) != Counter(rb):
            return Verdict(DIFFERENT, f"rows with sort key {a[i][0]} differ: " + _bag_detail(ra, rb))
    return Verdict(TIES, "rows with equal sort keys in another order or another choice at the cut")


def _bag_detail(ours: Sequence[Row], ref: Sequence[Row], shown: int = 3) -> str:
    only_ours = list((Counter(ours) - Counter(ref)).elements())
    only_ref = list((Counter(ref) - Counter(ours)).elements())
    return (f"{len(ours)} rows against {len(ref)}; only ours {len(only_ours)} e.g. {only_ours[:shown]}; "
            f"only the reference's {len(only_ref)} e.g. {only_ref[:shown]}")


def compare(ours: Result, ref: Result, query_shape: Shape, *, max_rows: int, full: Optional[Result] = None,
            literal_forms: bool = True) -> Verdict:
    """Judge our answer against the reference's (Oxigraph's) for a query of ``query_shape``.

    ``full``: the reference's answer to the query without its LIMIT, when the query has a LIMIT and no ORDER BY
    (or when ours was truncated). A difference is judged again with canonical literals (``literal_forms``), to
    tell a literal-form difference from a real one."""
    if ref.boolean is not None or ours.boolean is not None:
        return Verdict(IDENTICAL) if ours.boolean == ref.boolean else Verdict(DIFFERENT, f"ASK {ours.boolean} against {ref.boolean}")
    rows = _aligned(ours, ref)
    if rows is None:
        return Verdict(DIFFERENT, f"variables {ours.variables} against {ref.variables}")
    pool = full.rows if full is not None and _aligned(full, ref) is not None else None
    key_index = [ref.variables.index(k) for k in query_shape.order_keys] if query_shape.order_keys and all(
        k in ref.variables for k in query_shape.order_keys) else None
    if ours.truncated:
        if len(rows) != max_rows:
            return Verdict(DIFFERENT, f"signalled truncated with {len(rows)} rows, the row limit is {max_rows}")
        total = len(pool) if pool is not None else len(ref.rows)
        if total <= max_rows:
            return Verdict(DIFFERENT, f"signalled truncated at {max_rows} rows but the whole answer has {total}")
        if query_shape.ordered:
            verdict = compare_ordered(rows, ref.rows[:max_rows], key_index, cut=True)
            return Verdict(TRUNCATED, f"first {max_rows} of {len(ref.rows)} rows, in order") if verdict.same else verdict
        whole = pool if pool is not None else ref.rows
        if not sub_bag(rows, whole):
            return Verdict(DIFFERENT, "truncated, and some rows are not in the reference's answer: " + _bag_detail(rows, whole))
        return Verdict(TRUNCATED, f"{max_rows} of the reference's {len(ref.rows)} rows, each in its answer")
    if ref.truncated:
        return Verdict(ERROR, "the reference signalled a truncation")
    if query_shape.ordered:
        verdict = compare_ordered(rows, ref.rows, key_index, cut=query_shape.limit is not None and len(ref.rows) >= query_shape.limit)
    elif Counter(rows) == Counter(ref.rows):
        verdict = Verdict(IDENTICAL)
    elif query_shape.limit is not None and len(ref.rows) == query_shape.limit:
        if len(rows) != len(ref.rows):
            verdict = Verdict(DIFFERENT, f"LIMIT {query_shape.limit} without ORDER BY: {len(rows)} rows against {len(ref.rows)}")
        elif pool is None:
            verdict = Verdict(LIMIT_CONSISTENT, "as many rows (the full answer was not fetched)")
        elif sub_bag(rows, pool) and sub_bag(ref.rows, pool):
            verdict = Verdict(LIMIT_CONSISTENT, f"{len(rows)} rows each, both sub-bags of the full answer ({len(pool)} rows)")
        else:
            verdict = Verdict(DIFFERENT, "LIMIT without ORDER BY, rows outside the full answer: " + _bag_detail(rows, pool))
    else:
        verdict = Verdict(DIFFERENT, _bag_detail(rows, ref.rows))
    if not verdict.same and literal_forms:
        again = compare(canonical(ours), canonical(ref), query_shape, max_rows=max_rows,
                        full=canonical(full) if full is not None else None, literal_forms=False)
        if again.same:
            return Verdict(SAME_VALUES, "equal once numeric/boolean literals are canonical; as written: " + verdict.detail)
    return verdict
