"""SERVICE to allow-listed endpoints (setting service_allow), against stand-ins on 127.0.0.1.

- a Wikidata-shaped endpoint: a real ``oxigraph serve`` holding ``wdt:P1082`` populations for the signatory
  cities' Wikidata items (figures from data/tables/city-statistics.csv) and for decoy items;
- a listener that must never receive a connection: every refused spelling points at it;
- a listener that accepts and never answers: the query's time limit must end the call (evaluator killed);
- an endpoint that redirects to the first listener: Oxigraph follows no redirect.

The stored query queries/40-wikidata-population.rq is run with Wikidata's IRI replaced by the stand-in's.
"""
from __future__ import annotations

import csv
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
import rdflib
import requests

from server.settings import Settings
from server.sparql.policy import normalise_endpoint
from server.web.app import create_app

from conftest import ROOT, start_oxigraph_server, stop_server

JSON = {"Accept": "application/sparql-results+json"}
WIKIDATA = "https://query.wikidata.org/sparql"
STORED = ROOT / "queries" / "40-wikidata-population.rq"
WD = "http://www.wikidata.org/entity/"
SKOS_EXACT = rdflib.URIRef("https://schema.org/sameAs")  # the Wikidata identity links (schema:sameAs since issue 17)
CITY = "https://w3id.org/ugkg/id/city/"


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections; ``answer=False``: accepts and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.closed_at: list[float] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        """Read and never answer; note when the other side closes (EOF or reset)."""
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        self.closed_at.append(time.monotonic())

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def city_items() -> dict[str, str]:
    """Signatory city slug → Wikidata item, from data/links.ttl."""
    g = rdflib.Graph().parse(ROOT / "data" / "links.ttl")
    return {str(s)[len(CITY):]: str(o) for s, o in g.subject_objects(SKOS_EXACT) if str(s).startswith(CITY) and str(o).startswith(WD)}


def city_populations() -> dict[str, int]:
    with (ROOT / "data" / "tables" / "city-statistics.csv").open(encoding="utf-8") as f:
        return {row["city"]: int(row["value"]) for row in csv.DictReader(f) if row["indicator"] == "resident-population"}


def wikidata_shaped_graph() -> tuple[str, dict[str, int]]:
    """N-Triples for the stand-in, and item → population the join must find (cities only, not the decoys)."""
    items, populations = city_items(), city_populations()
    expected = {items[slug]: populations[slug] for slug in items if slug in populations}
    lines = [f'<{item}> <http://www.wikidata.org/prop/direct/P1082> "{value}"^^<http://www.w3.org/2001/XMLSchema#decimal> .'
             for item, value in expected.items()]
    # decoys: a linked province and an unlinked item, each with a population the join must not return
    lines.append(f'<{WD}Q21208> <http://www.wikidata.org/prop/direct/P1082> "74610235"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
    lines.append(f'<{WD}Q1> <http://www.wikidata.org/prop/direct/P1082> "1"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
    return "\n".join(lines) + "\n", expected


@pytest.fixture(scope="module")
def wikidata_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    process, url = start_oxigraph_server(tmp_path_factory.mktemp("wikidata-standin") / "store")
    data, expected = wikidata_shaped_graph()
    loaded = requests.post(url + "/store?default", data=data.encode(), headers={"Content-Type": "application/n-triples"}, timeout=60)
    assert loaded.status_code in (200, 201, 204), loaded.text
    yield url + "/query", expected
    stop_server(process)


@pytest.fixture(scope="module")
def untouchable() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def silent() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def redirector(untouchable: Listener) -> Iterator[str]:
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{untouchable.port}/query")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()


@pytest.fixture(scope="module")
def fed_app(kg_settings: Settings, kg_snapshot, wikidata_standin, silent: Listener, redirector: str):  # type: ignore[no-untyped-def]
    endpoint, _ = wikidata_standin
    settings = kg_settings.with_(service_allow=(endpoint, f"http://127.0.0.1:{silent.port}/sparql", redirector), query_timeout_s=3.0,
                                 query_workers=2)
    application = create_app(settings, kg_snapshot)
    yield application
    application.extensions["ugkg"].close()


@pytest.fixture(scope="module")
def plain_app(kg_settings: Settings, kg_snapshot):  # type: ignore[no-untyped-def]
    """The real graph with the default settings: service_allow empty."""
    application = create_app(kg_settings, kg_snapshot)
    yield application
    application.extensions["ugkg"].close()


def stored_query_for(endpoint: str) -> str:
    text = STORED.read_text(encoding="utf-8")
    assert f"SERVICE <{WIKIDATA}>" in text
    return text.replace(WIKIDATA, endpoint)


def rows(response) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(b["city_en"]["value"], b["item"]["value"], int(b["population"]["value"])) for b in response.get_json()["results"]["bindings"]]


# --- the join ----------------------------------------------------------------------------------------------


def test_stored_query_joins_signatories_wikidata_links_with_the_standins_populations_exactly(fed_app, wikidata_standin) -> None:  # type: ignore[no-untyped-def]
    endpoint, expected = wikidata_standin
    response = fed_app.test_client().post("/sparql", data={"query": stored_query_for(endpoint)}, headers=JSON)
    found = rows(response)
    assert {item: population for _, item, population in found} == expected
    assert len(found) == len(expected) == 12  # 13 signatories, Xiong'an has no Wikidata link
    assert [p for _, _, p in found] == sorted(expected.values(), reverse=True)
    assert found[0][0] == "Chongqing" and f"{WD}Q21208" not in {item for _, item, _ in found}
    assert response.headers["Cache-Control"] == "no-store"  # another endpoint's data is never cached


def test_stored_query_lists_exactly_the_signatory_cities_wikidata_links() -> None:
    listed = set(re.findall(r"wd:(Q\d+)", STORED.read_text(encoding="utf-8").split("VALUES ?item", 1)[1].split("}", 1)[0]))
    assert {WD + q for q in listed} == set(city_items().values())


def test_stored_query_is_refused_by_default_before_connecting(plain_app) -> None:  # type: ignore[no-untyped-def]
    client = plain_app.test_client()
    # its endpoint not allowed, the operation is not published (a link that could only answer 400 would be dead)
    assert client.get("/api/v1/wikidata-population").status_code == 404
    assert "wikidata-population" not in client.get("/api/v1/openapi.json").get_data(as_text=True)
    response = client.post("/sparql", data={"query": STORED.read_text(encoding="utf-8")}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "query-refused" and body["reason"] == "service" and body["target"] == WIKIDATA


@pytest.mark.parametrize("spelling", ["<HTTP://127.0.0.1:{port}/query>", "standin:query"])
def test_spellings_of_the_allowed_endpoint_on_the_same_host_are_accepted(fed_app, wikidata_standin, spelling: str) -> None:  # type: ignore[no-untyped-def]
    endpoint, expected = wikidata_standin
    port = endpoint.split(":")[2].split("/")[0]
    text = STORED.read_text(encoding="utf-8").replace(f"<{WIKIDATA}>", spelling.format(port=port))
    text = f"PREFIX standin: <http://127.0.0.1:{port}/>\n" + text
    found = rows(fed_app.test_client().post("/sparql", data={"query": text}, headers=JSON))
    assert {item: population for _, item, population in found} == expected


# --- refusals: nothing connects ------------------------------------------------------------------------------


GROUP = "{ ?s ?p ?o }"
REFUSED = {
    "another endpoint": "SELECT * WHERE { SERVICE <http://127.0.0.1:{bad}/query> " + GROUP + " }",
    "userinfo naming the allowed host": "SELECT * WHERE { SERVICE <http://127.0.0.1:{good}@127.0.0.1:{bad}/query> " + GROUP + " }",
    "userinfo on the other host": "SELECT * WHERE { SERVICE <http://u:p@127.0.0.1:{bad}/query> " + GROUP + " }",
    "upper case other host": "SELECT * WHERE { SERVICE <HTTP://LOCALHOST:{bad}/query> " + GROUP + " }",
    "percent-encoded port separator": "SELECT * WHERE { SERVICE <http://127.0.0.1%3A{bad}/query> " + GROUP + " }",
    "dot segments": "SELECT * WHERE { SERVICE <http://127.0.0.1:{bad}/x/../query> " + GROUP + " }",
    "prefixed name": "PREFIX s: <http://127.0.0.1:{bad}/> SELECT * WHERE { SERVICE s:query " + GROUP + " }",
    "prefix declared twice": "PREFIX s: <http://127.0.0.1:{good}/> PREFIX s: <http://127.0.0.1:{bad}/> SELECT * WHERE { SERVICE s:query " + GROUP + " }",
    "relative IRI with BASE": "BASE <http://127.0.0.1:{bad}/> SELECT * WHERE { SERVICE <query> " + GROUP + " }",
    "relative IRI, network-path": "SELECT * WHERE { SERVICE <//127.0.0.1:{bad}/query> " + GROUP + " }",
    "unicode escape in the IRI": "SELECT * WHERE { SERVICE <http://127.0.0.1:{good}\\u0040127.0.0.1:{bad}/query> " + GROUP + " }",
    "SERVICE SILENT": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{bad}/query> " + GROUP + " }",
    "lower-case keyword": "select * where { service silent <http://127.0.0.1:{bad}/query> " + GROUP + " }",
    "variable bound by VALUES": "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:{bad}/query> } SERVICE ?e " + GROUP + " }",
    "variable unbound": "SELECT * WHERE { SERVICE ?e " + GROUP + " }",
    "allowed then another": "SELECT * WHERE { SERVICE <http://127.0.0.1:{good}/query> " + GROUP + " SERVICE <http://127.0.0.1:{bad}/query> " + GROUP + " }",
    "inside a subquery and OPTIONAL": "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE <http://127.0.0.1:{bad}/query> " + GROUP + " } } } }",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_service_spellings_reaching_another_host_are_refused_before_any_connection(fed_app, wikidata_standin, untouchable: Listener, name: str) -> None:  # type: ignore[no-untyped-def]
    good = wikidata_standin[0].split(":")[2].split("/")[0]
    query = REFUSED[name].replace("{good}", good).replace("{bad}", str(untouchable.port))
    response = fed_app.test_client().post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["reason"] == "service"
    time.sleep(0.05)
    assert untouchable.accepted == []


def test_a_redirect_from_an_allowed_endpoint_is_not_followed(fed_app, redirector: str, untouchable: Listener) -> None:  # type: ignore[no-untyped-def]
    response = fed_app.test_client().post("/sparql", data={"query": f"SELECT * WHERE {{ SERVICE <{redirector}> {GROUP} }}"}, headers=JSON)
    assert response.status_code == 502
    assert response.get_json()["reason"] == "service"
    assert untouchable.accepted == []


def test_an_endpoint_that_never_answers_is_cut_off_at_the_query_time_limit(fed_app, silent: Listener) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = fed_app.test_client().post("/sparql", data={"query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{silent.port}/sparql> {GROUP} }}"},
                                          headers=JSON)
    answered = time.monotonic()
    assert response.status_code == 503 and response.get_json()["error"] == "query-timeout"
    assert 3.0 <= answered - started < 6.0
    assert len(silent.accepted) == 1  # it was called …
    deadline = time.monotonic() + 5
    while not silent.closed_at and time.monotonic() < deadline:
        time.sleep(0.05)
    assert silent.closed_at and silent.closed_at[0] - answered < 2.0  # … and the call did not outlive the query


def test_service_description_lists_every_allowed_endpoint(fed_app, wikidata_standin, silent: Listener) -> None:  # type: ignore[no-untyped-def]
    text = fed_app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert wikidata_standin[0] in text and f"http://127.0.0.1:{silent.port}/sparql" in text
    assert "BasicFederatedQuery" in text


def test_service_description_has_no_federation_by_default(plain_app) -> None:  # type: ignore[no-untyped-def]
    text = plain_app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "BasicFederatedQuery" not in text and "allowedService" not in text


# --- normalisation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("iri, normal", [
    ("https://query.wikidata.org/sparql", "https://query.wikidata.org/sparql"),
    ("HTTPS://Query.Wikidata.ORG:443/sparql", "https://query.wikidata.org/sparql"),
    ("https://query.wikidata.org/%73parql", "https://query.wikidata.org/sparql"),
    ("https://query.wikidata.org/sparql?a=%2f", "https://query.wikidata.org/sparql?a=%2F"),
    ("http://127.0.0.1:80", "http://127.0.0.1/"),
    ("http://[::1]:8103/q", "http://[::1]:8103/q"),
])
def test_normalisation_of_acceptable_endpoints(iri: str, normal: str) -> None:
    assert normalise_endpoint(iri) == normal


@pytest.mark.parametrize("iri", [
    "sparql", "//query.wikidata.org/sparql", "/sparql", "ftp://query.wikidata.org/sparql", "file:///etc/passwd",
    "https://user@query.wikidata.org/sparql", "https://query.wikidata.org@evil.example/sparql",
    "https://query.wikidata.org%2eevil.example/sparql", "https://query.wikidata.org./sparql", "https://query.wikidatа.org/sparql",
    "https://query.wikidata.org:x/sparql", "https://query.wikidata.org:0/sparql", "https://query.wikidata.org\\@evil/sparql",
    "https://query.wikidata.org /sparql", "https://query.wikidata.org/a/../sparql", "https://query.wikidata.org/./sparql",
    "https://query.wikidata.org/%2E%2E/sparql", "https:query.wikidata.org/sparql", "?e",
])
def test_unacceptable_endpoint_spellings_normalise_to_nothing(iri: str) -> None:
    assert normalise_endpoint(iri) is None
