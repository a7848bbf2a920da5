"""Property-based fuzzing of every HTTP entry point (Flask test client, real evaluator processes).

Properties, for every generated request:
- never a 5xx, except 503 from the query time limit / a full pool, on /sparql only, and always with Retry-After;
- never a stack trace or a source path in the body;
- the body matches its Content-Type (JSON parses, XML parses, RDF parses, text is UTF-8).

Routes are read from ``app.url_map``, so routes added later are fuzzed too. The number of examples comes from
UGKG_FUZZ_EXAMPLES (total over all tests; default 6,000, `make fuzz` uses 100,000); runs are derandomised so
CI is reproducible.
"""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.web.app import create_app

TOTAL_EXAMPLES = int(os.environ.get("UGKG_FUZZ_EXAMPLES", "6000"))
# share of the total per test (sums to 1)
WEIGHTS = {"queries": 0.3, "params": 0.15, "headers": 0.15, "bodies": 0.1, "paths": 0.2, "routes": 0.1}


def fuzz_settings(name: str):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=max(10, int(TOTAL_EXAMPLES * WEIGHTS[name])),
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def fuzz_app(mini_settings, mini_snapshot):  # type: ignore[no-untyped-def]
    application = create_app(mini_settings.with_(query_timeout_s=1.0, queue_timeout_s=5.0, result_cache_entries=64), mini_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture(scope="module")
def fc(fuzz_app):  # type: ignore[no-untyped-def]
    return fuzz_app.test_client()


# --- the property -----------------------------------------------------------------------------------------

ROOT = str(Path(__file__).resolve().parent.parent.parent)
# a trace, or a path of the installation (request paths are echoed in 404 messages, so relative names are not)
TRACE_MARKERS = re.compile(r'Traceback \(most recent call last\)|File "[^"]*", line \d+|site-packages/|' + re.escape(ROOT) + r'|werkzeug\.exceptions')
RDF_PARSERS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def check(response, path: str, method: str) -> None:  # type: ignore[no-untyped-def]
    status = response.status_code
    body = response.get_data()
    if status >= 500:
        assert status in (503, 504) and path.rstrip("/") == "/sparql", (status, body[:300])
        assert response.headers.get("Retry-After", "").isdigit(), response.headers
    text = body.decode("utf-8", errors="replace")
    assert not TRACE_MARKERS.search(text), text[:500]
    if method == "HEAD" or status in (204, 304) or not body:
        return
    ctype = response.headers.get("Content-Type", "")
    assert ctype, (status, body[:200])
    media = ctype.split(";")[0].strip().lower()
    if media in RDF_PARSERS:
        list(ox.parse(body, format=RDF_PARSERS[media]))
    elif media == "application/json" or media.endswith("+json"):
        json.loads(body)
    elif media.endswith("+xml") or media in ("application/xml", "text/xml"):
        ET.fromstring(body)
    elif media == "text/html":
        assert b"<html" in body[:500].lower() or b"<!doctype" in body[:500].lower(), body[:200]
    elif media.startswith("text/") or media in ("application/javascript",):
        body.decode("utf-8")


def send(client, method: str, path: str, check_path: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    response = client.open(path, method=method, **kwargs)
    try:
        check(response, check_path if check_path is not None else path.split("?")[0], method)
    finally:
        response.close()
    return response


# --- generators -----------------------------------------------------------------------------------------------

FORUM = "https://w3id.org/ugkg/id/event/forum"
SEEDS = [
    "ASK { <%s> a <https://schema.org/Event> }" % FORUM,
    "SELECT ?d WHERE { <%s> <https://schema.org/startDate> ?d }" % FORUM,
    "PREFIX s: <https://schema.org/> SELECT ?x (COUNT(*) AS ?n) WHERE { ?x a s:Event ; s:name ?l } GROUP BY ?x LIMIT 5",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    "DESCRIBE <%s>" % FORUM,
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } FILTER(REGEX(STR(?o), '^a', 'i')) } ORDER BY DESC(?s) LIMIT 3",
    "SELECT ?s WHERE { ?s <https://schema.org/name> ?n FILTER(LANG(?n) = 'zh') } OFFSET 1",
    'SELECT * WHERE { VALUES ?x { 1 "a"@en <urn:x> } OPTIONAL { ?x ?p ?o } MINUS { ?x a ?t } }',
    "SELECT * FROM <https://w3id.org/ugkg/graph/data/a> WHERE { ?s ?p ?o } LIMIT 2",
    # functions the engine lacks (issue 22: these were 500s), and a prefixed name with a "/" (a hint)
    "SELECT ?s WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }",
    "PREFIX geof: <http://www.opengis.net/def/function/geosparql/> SELECT (geof:buffer(?o, 1, 2) AS ?b) WHERE { ?s ?p ?o }",
    "PREFIX ugr: <https://w3id.org/ugkg/id/> SELECT ?p WHERE { ugr:city/beijing ?p ?o FILTER(?o = \"North\") }",
]
KEYWORDS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE",
    "SILENT", "FROM", "NAMED", "BIND", "VALUES", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "HAVING", "INSERT",
    "DELETE", "LOAD", "CLEAR", "DROP", "WITH", "PREFIX", "BASE", "a", "*", "?x", "$y", "_:b", "<<", ">>", "{", "}",
    "(", ")", "[", "]", ".", ";", ",", "|", "/", "^", "!", "+", "?", "'", '"', '"""', "#", "\\", "\\u0053", "@en",
    "^^<urn:t>", "1e99", "-0.5", "true", "ex:a\\'b", ":x", "<file:///etc/passwd>", "<http://127.0.0.1/>", "\x00",
    "\ufeff", "\u202e", "\ud7ff", "é", "中国", "\r\n", "\t", "%00", "%2e%2e", "../", "COUNT(*)", "REGEX(?x, '(a+)+$')",
]
special_chars = st.sampled_from(list("\x00\x01\x7f\"'<>{}()[]\\#?$%&;:,./|^!*+-=@_~`\n\r\t ") + ["\u0085", "\u2028", "\ufffd", "\U0001F600"])


@st.composite
def mutated_query(draw) -> str:  # type: ignore[no-untyped-def]
    query = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["delete", "insert_char", "insert_keyword", "duplicate", "truncate", "swap_case"]))
        pos = draw(st.integers(0, len(query)))
        if op == "delete" and query:
            length = draw(st.integers(1, 10))
            query = query[:pos] + query[pos + length:]
        elif op == "insert_char":
            query = query[:pos] + draw(special_chars) + query[pos:]
        elif op == "insert_keyword":
            query = query[:pos] + " " + draw(st.sampled_from(KEYWORDS)) + " " + query[pos:]
        elif op == "duplicate":
            query = query[:pos] + query[pos:pos + draw(st.integers(1, 30))] * draw(st.integers(2, 5)) + query[pos:]
        elif op == "truncate":
            query = query[:pos]
        else:
            query = query.swapcase()
    return query


queries = st.one_of(
    mutated_query(),
    st.text(max_size=200),
    st.lists(st.sampled_from(KEYWORDS), max_size=25).map(" ".join),
    st.builds(lambda k, n: k * n, st.sampled_from(["{", "(", "a.", "'", "\\", "<", "?", "#"]), st.integers(1, 3000)),
)
media_ranges = st.one_of(
    st.sampled_from([
        "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
        "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "application/trig",
        "application/n-quads", "application/json", "application/xml", "text/xml", "text/html", "text/plain",
        "*/*", "text/*", "application/*", "image/png", "*/json", "/", "*", ";", ",", "", "text/html;q=abc",
    ]),
    st.text(max_size=40),
)
accept_headers = st.lists(
    st.tuples(media_ranges, st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True).map(str), st.text(max_size=6)))
    .map(lambda t: t[0] if t[1] is None else f"{t[0]};q={t[1]}"),
    max_size=6,
).map(", ".join)
param_names = st.sampled_from(["query", "format", "inference", "default-graph-uri", "named-graph-uri", "update", "callback", "timeout", "", "q", "query[]"])
param_values = st.one_of(
    st.sampled_from(["true", "false", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf", "html", "", "1", "none",
                     "https://w3id.org/ugkg/graph/data/a", "file:///etc/passwd", "<script>", "application/json"]),
    st.text(max_size=60),
    queries,
)


def header_safe(value: str) -> str:
    """HTTP header values cannot carry CR, LF or NUL (the client library refuses them)."""
    return re.sub(r"[\r\n\x00]", " ", value).encode("latin-1", errors="replace").decode("latin-1")


# --- tests ------------------------------------------------------------------------------------------------------

@fuzz_settings("queries")
@given(query=queries, via=st.sampled_from(["get", "form", "direct"]), accept=st.one_of(st.none(), accept_headers))
def test_fuzz_sparql_queries(fc, query: str, via: str, accept: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": header_safe(accept)} if accept is not None else {}
    if via == "get":
        send(fc, "GET", "/sparql", query_string={"query": query}, headers=headers)
    elif via == "form":
        send(fc, "POST", "/sparql", data={"query": query}, headers=headers)
    else:
        send(fc, "POST", "/sparql", data=query.encode("utf-8", errors="surrogatepass"), headers=dict(headers, **{"Content-Type": "application/sparql-query"}))


@fuzz_settings("params")
@given(params=st.lists(st.tuples(param_names, param_values), max_size=6), method=st.sampled_from(["GET", "POST"]))
def test_fuzz_sparql_parameters(fc, params: list[tuple[str, str]], method: str) -> None:  # type: ignore[no-untyped-def]
    encoded = "&".join(f"{quote(k, safe='')}={quote(v.encode('utf-8', errors='surrogatepass'), safe='')}" for k, v in params)
    if method == "GET":
        send(fc, "GET", "/sparql?" + encoded)
    else:
        send(fc, "POST", "/sparql", data=encoded.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})


@fuzz_settings("headers")
@given(
    accept=accept_headers,
    content_type=st.one_of(st.none(), media_ranges, st.sampled_from([
        "application/sparql-query; charset=latin-1", "application/sparql-query; charset=", "application/x-www-form-urlencoded; boundary=x",
        "multipart/form-data", "multipart/form-data; boundary=zz", "application/sparql-update", "application/sparql-query;;;",
    ])),
    length_delta=st.one_of(st.none(), st.integers(-20, 20), st.just(10**12), st.just(-10**6)),
    body=st.sampled_from([b"", SEEDS[0].encode(), b"query=" + SEEDS[0].encode(), b"--zz\r\nContent-Disposition: form-data; name=query\r\n\r\nASK{}\r\n--zz--\r\n"]),
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS"]),
    path=st.sampled_from(["/sparql", "/healthz", "/metrics", "/"]),
)
def test_fuzz_headers(fc, accept: str, content_type: str | None, length_delta: int | None, body: bytes, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": header_safe(accept)}
    if content_type is not None:
        headers["Content-Type"] = header_safe(content_type)
    overrides = {}
    if length_delta is not None:
        overrides["CONTENT_LENGTH"] = str(max(0, len(body) + length_delta)) if abs(length_delta) < 10**6 else str(length_delta)
    kwargs = {"data": body} if method == "POST" else {"query_string": {"query": SEEDS[1]}}
    send(fc, method, path, headers=headers, environ_overrides=overrides, **kwargs)


@fuzz_settings("bodies")
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.builds(lambda a, b, c: a + b + c, st.sampled_from([b"ASK { ", b"query=", b"SELECT * WHERE { ?s ?p '"]), st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"%00", b"%ff", b"%"]), st.binary(max_size=40)),
        st.builds(lambda ch, n: ch * n, st.sampled_from([b"a", b"{", b"\x00", b"\xff", b"%"]), st.integers(0, 1_100_000)),
    ),
    content_type=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update", "text/plain"]),
)
def test_fuzz_bodies(fc, body: bytes, content_type: str) -> None:  # type: ignore[no-untyped-def]
    send(fc, "POST", "/sparql", data=body, headers={"Content-Type": content_type, "Accept": "application/json"})


def rule_paths(app) -> list[str]:  # type: ignore[no-untyped-def]
    """A concrete path per URL rule, with converters replaced by placeholders."""
    out = []
    for rule in app.url_map.iter_rules():
        out.append(re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "X", rule.rule))
    return sorted(set(out))


TRAVERSALS = [
    "../", "..%2f", "%2e%2e/", "%2e%2e%2f", "%252e%252e%252f", "..\\", "..%5c", "%c0%ae%c0%ae/", "....//", "..;/",
    "%00", "%00.html", "/etc/passwd", "..%00/", "%2fetc%2fpasswd", ".%2e/", "%u002e%u002e/",
]


@fuzz_settings("paths")
@given(
    data=st.data(),
    segment=st.one_of(st.sampled_from(TRAVERSALS), st.text(max_size=30).map(lambda t: quote(t.encode("utf-8", errors="surrogatepass"), safe="/%")), st.builds(lambda n: "a" * n, st.integers(0, 20000))),
    repeat=st.integers(1, 12),
    target=st.sampled_from(["etc/passwd", "server/app.py", "pyproject.toml", "", "index.html", "..", "%00"]),
    method=st.sampled_from(["GET", "HEAD", "POST", "OPTIONS", "DELETE"]),
)
def test_fuzz_paths_and_traversal(fc, fuzz_app, data, segment: str, repeat: int, target: str, method: str) -> None:  # type: ignore[no-untyped-def]
    prefix = data.draw(st.sampled_from(rule_paths(fuzz_app) + ["/static/", "/", "//", "/dumps/", "/id/", "/def/"]))
    path = prefix.rstrip("X") + segment * repeat + target
    if not path.startswith("/"):
        path = "/" + path
    # the raw path goes straight into the WSGI environ, as a server would put it (the test client would
    # read '//x' as a host name)
    raw = unquote_to_bytes(path.split("?")[0]).decode("latin-1")
    response = send(fc, method, "/", environ_overrides={"PATH_INFO": raw, "REQUEST_URI": path, "RAW_URI": path}, check_path=raw)
    body = response.get_data()
    assert b"root:x:0:0" not in body and b"create_app" not in body and b"[project]" not in body


@fuzz_settings("routes")
@given(
    data=st.data(),
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]),
    params=st.lists(st.tuples(param_names | st.sampled_from(["page", "q", "lang", "limit", "offset", "type"]), param_values), max_size=4),
    accept=accept_headers,
)
def test_fuzz_every_route(fc, fuzz_app, data, method: str, params: list[tuple[str, str]], accept: str) -> None:  # type: ignore[no-untyped-def]
    template = data.draw(st.sampled_from(rule_paths(fuzz_app)))
    path = template.replace("X", data.draw(st.sampled_from(["x", "forum", "event/forum", "%2e%2e", "a" * 300, "中国", "%00", "..%2f..%2f"])))
    query = "&".join(f"{quote(k, safe='')}={quote(v.encode('utf-8', errors='surrogatepass'), safe='')}" for k, v in params)
    send(fc, method, path + ("?" + query if query else ""), headers={"Accept": header_safe(accept)})


def test_fuzz_budget_is_at_least_5000_cases() -> None:
    assert sum(max(10, int(TOTAL_EXAMPLES * w)) for w in WEIGHTS.values()) >= min(5000, TOTAL_EXAMPLES)
