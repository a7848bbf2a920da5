"""bench.compare judges two SPARQL answers as the query allows them to differ: bags, order, ties, LIMIT without
ORDER BY, our row-limit truncation, literal forms. Pure functions on SPARQL JSON: no server, no timing."""
from __future__ import annotations

from typing import Any, Optional

import pytest

from bench import compare

XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(local: str) -> dict[str, str]:
    return {"type": "uri", "value": f"https://example.org/{local}"}


def num(value: str, datatype: str = "integer") -> dict[str, str]:
    return {"type": "literal", "value": value, "datatype": XSD + datatype}


def select(variables: list[str], *rows: tuple[Any, ...], truncated: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {"head": {"vars": variables},
                           "results": {"bindings": [{v: t for v, t in zip(variables, row) if t is not None} for row in rows]}}
    if truncated:
        doc["truncated"] = True
    return doc


def judge(ours: dict[str, Any], ref: dict[str, Any], query: str, *, max_rows: int = 10_000, full: Optional[dict[str, Any]] = None,
          header: Optional[str] = None) -> compare.Verdict:
    return compare.compare(compare.parse(ours, header), compare.parse(ref), compare.shape(query), max_rows=max_rows,
                           full=compare.parse(full) if full else None)


PLAIN = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o }"


class TestBags:
    def test_same_rows_in_another_order_are_identical_without_order_by(self) -> None:
        a = select(["s"], (iri("a"),), (iri("b"),))
        b = select(["s"], (iri("b"),), (iri("a"),))
        assert judge(a, b, PLAIN).status == compare.IDENTICAL

    def test_a_duplicate_row_more_is_a_difference(self) -> None:
        a = select(["s"], (iri("a"),), (iri("a"),))
        b = select(["s"], (iri("a"),))
        verdict = judge(a, b, PLAIN)
        assert verdict.status == compare.DIFFERENT and "2 rows against 1" in verdict.detail

    def test_columns_are_matched_by_name_not_position(self) -> None:
        a = select(["s", "o"], (iri("a"), iri("x")))
        b = select(["o", "s"], (iri("x"), iri("a")))
        assert judge(a, b, PLAIN).status == compare.IDENTICAL

    def test_other_variables_are_a_difference(self) -> None:
        assert judge(select(["s"], (iri("a"),)), select(["x"], (iri("a"),)), PLAIN).status == compare.DIFFERENT

    def test_unbound_differs_from_bound(self) -> None:
        assert judge(select(["s", "o"], (iri("a"), None)), select(["s", "o"], (iri("a"), iri("x"))), PLAIN).status == compare.DIFFERENT

    def test_blank_node_labels_do_not_matter(self) -> None:
        a = select(["s"], ({"type": "bnode", "value": "b0"},))
        b = select(["s"], ({"type": "bnode", "value": "f7e1"},))
        assert judge(a, b, PLAIN).status == compare.IDENTICAL

    def test_ask_answers_compare_their_boolean(self) -> None:
        assert judge({"boolean": True}, {"boolean": True}, "ASK {}").status == compare.IDENTICAL
        assert judge({"boolean": True}, {"boolean": False}, "ASK {}").status == compare.DIFFERENT


class TestLiterals:
    def test_a_non_canonical_decimal_is_same_values_not_identical(self) -> None:
        verdict = judge(select(["v"], (num("1.50", "decimal"),)), select(["v"], (num("1.5", "decimal"),)), PLAIN)
        assert verdict.status == compare.SAME_VALUES and not verdict.same

    def test_integer_subtypes_compare_equal_only_once_canonical(self) -> None:
        verdict = judge(select(["v"], (num("07", "int"),)), select(["v"], (num("7"),)), PLAIN)
        assert verdict.status == compare.SAME_VALUES

    def test_a_different_number_stays_different(self) -> None:
        assert judge(select(["v"], (num("1.6", "decimal"),)), select(["v"], (num("1.5", "decimal"),)), PLAIN).status == compare.DIFFERENT

    def test_language_tags_compare_case_insensitively_and_plain_strings_equal_xsd_string(self) -> None:
        a = select(["v"], ({"type": "literal", "value": "x", "xml:lang": "EN"},), ({"type": "literal", "value": "y"},))
        b = select(["v"], ({"type": "literal", "value": "x", "xml:lang": "en"},), ({"type": "literal", "value": "y", "datatype": XSD + "string"},))
        assert judge(a, b, PLAIN).status == compare.IDENTICAL

    @pytest.mark.parametrize("value, datatype, expected", [
        ("1.50", XSD + "decimal", "1.5"), ("2", XSD + "decimal", "2.0"), ("-0.0", XSD + "decimal", "0.0"),
        ("1", XSD + "boolean", "true"), ("+12", XSD + "integer", "12"), ("1E0", XSD + "double", "1.0"),
    ])
    def test_canonical_forms(self, value: str, datatype: str, expected: str) -> None:
        assert compare.canonical_literal(value, datatype)[0] == expected


ORDERED = "SELECT ?o (COUNT(?s) AS ?n) { ?s <https://example.org/p> ?o } GROUP BY ?o ORDER BY DESC(?n) LIMIT 3"


class TestOrder:
    def test_the_shape_reads_top_level_order_keys_and_limit_only(self) -> None:
        assert compare.shape(ORDERED) == compare.Shape(True, ("n",), 3)
        inner = "SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 5 } }"
        assert compare.shape(inner) == compare.Shape(False, None, None)
        tricky = 'SELECT ?s { ?s ?p "} ORDER BY ?x LIMIT 1" } # } LIMIT 9\n'
        assert compare.shape(tricky) == compare.Shape(False, None, None)
        assert compare.shape("SELECT ?s { ?s ?p ?o } ORDER BY STRLEN(?s)") == compare.Shape(True, None, None)

    def test_without_limit_removes_only_the_top_level_limit(self) -> None:
        query = "SELECT ?s { { SELECT ?s { ?s ?p ?o } LIMIT 5 } } LIMIT 10"
        assert compare.without_limit(query) == "SELECT ?s { { SELECT ?s { ?s ?p ?o } LIMIT 5 } } "

    def test_swapped_rows_with_different_keys_are_a_difference(self) -> None:
        a = select(["o", "n"], (iri("a"), num("5")), (iri("b"), num("4")))
        b = select(["o", "n"], (iri("b"), num("4")), (iri("a"), num("5")))
        assert judge(a, b, ORDERED.replace("LIMIT 3", "")).status == compare.DIFFERENT

    def test_tied_rows_in_another_order_are_the_same_answer(self) -> None:
        a = select(["o", "n"], (iri("a"), num("5")), (iri("b"), num("5")), (iri("c"), num("1")))
        b = select(["o", "n"], (iri("b"), num("5")), (iri("a"), num("5")), (iri("c"), num("1")))
        assert judge(a, b, ORDERED).status == compare.TIES

    def test_another_choice_among_ties_at_the_limit_is_the_same_answer(self) -> None:
        a = select(["o", "n"], (iri("a"), num("5")), (iri("b"), num("2")), (iri("c"), num("2")))
        b = select(["o", "n"], (iri("a"), num("5")), (iri("b"), num("2")), (iri("d"), num("2")))
        assert judge(a, b, ORDERED).status == compare.TIES

    def test_another_row_among_ties_before_the_last_run_is_a_difference(self) -> None:
        a = select(["o", "n"], (iri("a"), num("5")), (iri("x"), num("5")), (iri("c"), num("1")))
        b = select(["o", "n"], (iri("a"), num("5")), (iri("b"), num("5")), (iri("c"), num("1")))
        assert judge(a, b, ORDERED).status == compare.DIFFERENT

    def test_another_choice_at_the_end_without_a_limit_is_a_difference(self) -> None:
        a = select(["o", "n"], (iri("a"), num("5")), (iri("c"), num("2")))
        b = select(["o", "n"], (iri("a"), num("5")), (iri("d"), num("2")))
        assert judge(a, b, ORDERED.replace("LIMIT 3", "")).status == compare.DIFFERENT


LIMITED = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } LIMIT 2"


class TestLimitWithoutOrder:
    full = select(["s"], (iri("a"),), (iri("b"),), (iri("c"),))

    def test_other_rows_of_the_full_answer_are_consistent(self) -> None:
        verdict = judge(select(["s"], (iri("a"),), (iri("b"),)), select(["s"], (iri("b"),), (iri("c"),)), LIMITED, full=self.full)
        assert verdict.status == compare.LIMIT_CONSISTENT and verdict.same

    def test_a_row_outside_the_full_answer_is_a_difference(self) -> None:
        verdict = judge(select(["s"], (iri("a"),), (iri("z"),)), select(["s"], (iri("b"),), (iri("c"),)), LIMITED, full=self.full)
        assert verdict.status == compare.DIFFERENT

    def test_fewer_rows_is_a_difference(self) -> None:
        verdict = judge(select(["s"], (iri("a"),)), select(["s"], (iri("b"),), (iri("c"),)), LIMITED, full=self.full)
        assert verdict.status == compare.DIFFERENT

    def test_without_the_full_answer_only_the_count_is_judged(self) -> None:
        verdict = judge(select(["s"], (iri("x"),), (iri("y"),)), select(["s"], (iri("b"),), (iri("c"),)), LIMITED)
        assert verdict.status == compare.LIMIT_CONSISTENT and "not fetched" in verdict.detail


class TestTruncation:
    ref = select(["s"], (iri("a"),), (iri("b"),), (iri("c"),))

    def test_our_cut_with_rows_of_the_reference_is_consistent(self) -> None:
        verdict = judge(select(["s"], (iri("c"),), (iri("a"),), truncated=True), self.ref, PLAIN, max_rows=2)
        assert verdict.status == compare.TRUNCATED and verdict.same

    def test_the_header_alone_signals_the_cut(self) -> None:
        verdict = judge(select(["s"], (iri("c"),), (iri("a"),)), self.ref, PLAIN, max_rows=2, header="true; max-rows=2")
        assert verdict.status == compare.TRUNCATED

    def test_a_cut_without_the_signal_is_a_difference(self) -> None:
        assert judge(select(["s"], (iri("c"),), (iri("a"),)), self.ref, PLAIN, max_rows=2).status == compare.DIFFERENT

    def test_a_cut_row_not_in_the_reference_is_a_difference(self) -> None:
        assert judge(select(["s"], (iri("c"),), (iri("z"),), truncated=True), self.ref, PLAIN, max_rows=2).status == compare.DIFFERENT

    def test_a_signalled_cut_short_of_the_limit_is_a_difference(self) -> None:
        assert judge(select(["s"], (iri("c"),), truncated=True), self.ref, PLAIN, max_rows=2).status == compare.DIFFERENT

    def test_a_signalled_cut_of_a_whole_answer_is_a_difference(self) -> None:
        assert judge(select(["s"], (iri("a"),), (iri("b"),), (iri("c"),), truncated=True), self.ref, PLAIN, max_rows=3).status == compare.DIFFERENT

    def test_an_ordered_cut_must_be_the_reference_prefix(self) -> None:
        ordered = "SELECT ?s { ?s ?p ?o } ORDER BY ?s"
        assert judge(select(["s"], (iri("a"),), (iri("b"),), truncated=True), self.ref, ordered, max_rows=2).status == compare.TRUNCATED
        assert judge(select(["s"], (iri("a"),), (iri("c"),), truncated=True), self.ref, ordered, max_rows=2).status == compare.DIFFERENT

    def test_a_cut_of_a_limit_without_order_is_judged_against_the_full_answer(self) -> None:
        query = "SELECT ?s { ?s ?p ?o } LIMIT 3"
        full = select(["s"], (iri("a"),), (iri("b"),), (iri("c"),), (iri("d"),))
        ours = select(["s"], (iri("d"),), (iri("b"),), truncated=True)
        assert judge(ours, self.ref, query, max_rows=2, full=full).status == compare.TRUNCATED
