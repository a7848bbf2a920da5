"""The lean path reads a plain GET from the WSGI environ (sparql.protocol.parse_plain_get): it must read exactly
what werkzeug's Request and parse_request read, and hand anything else back to them."""
from __future__ import annotations

from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from server.errors import ApiError
from server.settings import Settings
from server.sparql.protocol import _plain_pairs, parse_plain_get, parse_request

SETTINGS = Settings(max_query_chars=2000)


def _environ(query_string: str) -> dict:
    environ = EnvironBuilder(path="/sparql", base_url="http://example.org:8080").get_environ()
    environ["QUERY_STRING"] = query_string
    return environ


def _both(query_string: str) -> tuple[object, object]:
    environ = _environ(query_string)

    def outcome(read) -> object:  # type: ignore[no-untyped-def]
        try:
            return read()
        except ApiError as error:
            return (type(error).__name__, error.message)

    werkzeug = outcome(lambda: parse_request(Request(environ), SETTINGS))
    plain = outcome(lambda: parse_plain_get(environ, SETTINGS, lambda: Request(environ).base_url))
    return werkzeug, plain


@pytest.mark.parametrize("query_string", [
    "query=" + quote("SELECT ?p ?o { <http://e/s> ?p ?o } # 中文", safe=""),
    "query=ASK+%7B%7D&format=json&inference=false",
    "query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fg&named-graph-uri=http%3A%2F%2Fe%2Fh&output=json",
    "query=a&query=b",  # twice: 400
    "update=" + quote("INSERT DATA { <a> <b> <c> }"),  # refused
    "query=" + "x" * 2001,  # over max_query_chars: 414
    "query=%00",  # NUL: 400
    "query=ASK%7B%7D&inference=maybe",  # 400
    "query=ASK%7B%7D&&&",
    "query=ASK%7B%7D&format",
    "querry=ASK%7B%7D",
])
def test_a_plain_get_is_read_as_werkzeug_reads_it(query_string: str) -> None:
    werkzeug, plain = _both(query_string)
    assert plain == werkzeug


@pytest.mark.parametrize("query_string", ["query=%E4%B8", "query=%zz", "query=100%", "query=%4"])
def test_a_query_string_that_is_not_plain_is_left_to_werkzeug(query_string: str) -> None:
    assert parse_plain_get(_environ(query_string), SETTINGS, lambda: "http://example.org/sparql") is None


@hypothesis_settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab=&+%\\04FEe8z;", max_size=24))
def test_percent_decoding_equals_the_standard_librarys(query_string: str) -> None:
    mine = _plain_pairs(query_string)
    try:
        reference = parse_qsl(query_string, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        reference = None
    if mine is not None:
        assert mine == reference
    else:
        assert "%" in query_string  # only an escape can send a query string back to werkzeug
