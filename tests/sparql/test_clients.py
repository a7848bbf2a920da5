"""The client matrix: the clients people point at a SPARQL endpoint, with their own defaults, against a live server.

SPARQLWrapper (default settings: only the query and, where named, the return format and method are set),
rdflib's SPARQLStore behind Graph / ConjunctiveGraph / Dataset, Apache Jena's rsparql and riot, roqet, and
Comunica run by node (with a query joining the endpoint and a local Turtle file). A client that is not
installed is a skip naming what is missing (tests/client_support.py says how each is found).
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.client_support import comunica, comunica_missing, jena, jena_classpath

FORUM = "https://w3id.org/ugkg/id/event/forum"
DATA_A = "https://w3id.org/ugkg/graph/data/a"
DATA_B = "https://w3id.org/ugkg/graph/data/b"
SELECT = "SELECT ?d WHERE { <%s> <https://schema.org/endDate> ?d }" % FORUM
ASK = "ASK { <%s> a <https://schema.org/Event> }" % FORUM
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % DATA_B
CAS = URIRef("https://w3id.org/ugkg/id/org/cass")


# --- SPARQLWrapper with its defaults ----------------------------------------------------------------------

def wrapper(url: str, query: str, fmt: str | None, method: str) -> object:
    sw = SPARQLWrapper(url + "/sparql")
    if fmt is not None:
        sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setQuery(query)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper warns about its own format/Accept combinations
        return sw.query().convert()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, JSON, CSV, TSV])
def test_sparqlwrapper_select_in_every_results_format(live_server: str, fmt: str | None, method: str) -> None:
    result = wrapper(live_server, SELECT, fmt, method)
    if fmt in (None, XML):  # the default return format is XML: a DOM document
        assert "2022-12-19" in result.toxml()  # type: ignore[attr-defined]
    elif fmt == JSON:
        assert [b["d"]["value"] for b in result["results"]["bindings"]] == ["2022-12-19"]  # type: ignore[index]
    else:
        rows = list(csv.reader(io.StringIO(result.decode()), delimiter="," if fmt == CSV else "\t"))  # type: ignore[attr-defined]
        assert rows[0] in (["d"], ["?d"]) and "2022-12-19" in rows[1][0]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, JSON])
def test_sparqlwrapper_ask(live_server: str, fmt: str | None, method: str) -> None:
    result = wrapper(live_server, ASK, fmt, method)
    if fmt == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    else:
        assert "<boolean>true</boolean>" in result.toxml()  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, RDFXML, TURTLE, N3, JSONLD])
def test_sparqlwrapper_construct_in_every_rdf_format(live_server: str, fmt: str | None, method: str) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt, method)
    if isinstance(result, rdflib.Graph):  # XML, RDF/XML and JSON-LD are parsed by SPARQLWrapper itself
        graph = result
    else:  # Turtle and N3 come back as bytes
        graph = rdflib.Graph().parse(data=result, format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 2
    assert (URIRef(FORUM), URIRef("https://schema.org/endDate"), None) in graph


# --- rdflib SPARQLStore -----------------------------------------------------------------------------------

def test_rdflib_sparqlstore_as_graph(live_server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql"))
    labels = {str(o) for o in graph.objects(CAS, rdflib.RDFS.label)}
    assert labels == {"Chinese Academy of Social Sciences", "中国社会科学院"}
    rows = list(graph.query(SELECT))
    assert [str(r[0]) for r in rows] == ["2022-12-19"]  # type: ignore[index]


def test_rdflib_sparqlstore_as_conjunctive_graph(live_server: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.ConjunctiveGraph(store=SPARQLStore(live_server + "/sparql"))
    assert {str(c.identifier) for c in graph.contexts()} >= {DATA_A, DATA_B}
    assert len(list(graph.get_context(URIRef(DATA_B)).triples((None, None, None)))) == 2
    assert [str(r[0]) for r in graph.query(SELECT)] == ["2022-12-19"]  # type: ignore[index]


def test_rdflib_sparqlstore_as_dataset(live_server: str) -> None:
    # rdflib sends default-graph-uri=urn:x-rdflib:default: it means this service's default graph
    dataset = rdflib.Dataset(store=SPARQLStore(live_server + "/sparql"))
    assert [str(r[0]) for r in dataset.query(SELECT)] == ["2022-12-19"]  # type: ignore[index]
    assert bool(dataset.query(ASK).askAnswer) is True
    named = rdflib.Graph(store=dataset.store, identifier=URIRef(DATA_B))  # Dataset.graph() would try to add it
    assert len(list(named.triples((None, None, None)))) == 2


# --- Apache Jena: rsparql and riot -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jena_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("jena")
    classpath, missing = jena_classpath(str(work))
    if classpath is None:
        pytest.skip(missing)
    return work


def test_jena_rsparql_select_ask_construct(live_server: str, jena_work: Path) -> None:
    out = jena(jena_work, "arq.rsparql", "--service", live_server + "/sparql", "--query", write(jena_work, "s.rq", SELECT), "--results", "json")
    assert out.returncode == 0, out.stderr[-2000:]
    assert [b["d"]["value"] for b in json.loads(out.stdout)["results"]["bindings"]] == ["2022-12-19"]
    out = jena(jena_work, "arq.rsparql", "--service", live_server + "/sparql", "--query", write(jena_work, "a.rq", ASK))
    assert out.returncode == 0 and "yes" in out.stdout.lower(), out.stdout + out.stderr[-1000:]
    out = jena(jena_work, "arq.rsparql", "--service", live_server + "/sparql", "--query", write(jena_work, "c.rq", CONSTRUCT), "--results", "ntriples")
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(rdflib.Graph().parse(data=out.stdout, format="nt")) == 2


RIOT_SYNTAXES = [("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"),
                 ("application/ld+json", "jsonld"), ("application/trig", "trig"), ("application/n-quads", "nq")]


@pytest.mark.parametrize("accept, ext", RIOT_SYNTAXES)
def test_jena_riot_parses_what_we_serve(live_server: str, jena_work: Path, accept: str, ext: str) -> None:
    """riot validates each RDF syntax of the Graph Store, the resource pages and the dumps. (Debian's riot 4.5
    turns an http URL argument into a file path, so the bodies are fetched first and given to it as files.)"""
    import requests

    for n, path in enumerate(["/store?graph=" + DATA_A, "/id/event/forum", "/dumps/dataset." + ext if ext != "rdf" else "/dumps/dataset.rdf"]):
        if path.startswith("/id/") and ext in ("trig", "nq"):
            continue  # resource pages offer triple syntaxes only
        r = requests.get(live_server + path, headers={"Accept": accept}, timeout=10)
        assert r.status_code == 200, path
        target = write_bytes(jena_work, f"body-{ext}-{n}.{ext}", r.content)
        # Debian's JSON-LD 1.1 reader (titanium) cannot load any document ("LOADING_DOCUMENT_FAILED", even a
        # local file); its JSON-LD 1.0 reader (jsonld-java) reads ours
        syntax = ["--syntax=jsonld10"] if ext == "jsonld" else []
        out = jena(jena_work, "riotcmd.riot", "--validate", "--count", *syntax, target)
        assert out.returncode == 0 and "ERROR" not in out.stderr, f"{path} as {accept}: {out.stderr[-1500:]}"
        found = re.search(r"(?:Triples|Quads) = (\d+)", out.stdout + out.stderr)
        assert found is not None and int(found.group(1)) > 0, out.stdout + out.stderr
        if path.startswith("/store"):
            assert int(found.group(1)) == 9


def write_bytes(work: Path, name: str, data: bytes) -> str:
    (work / name).write_bytes(data)
    return str(work / name)


def write(work: Path, name: str, text: str) -> str:
    (work / name).write_text(text, encoding="utf-8")
    return str(work / name)


# --- roqet (Debian rasqal-utils) ----------------------------------------------------------------------------

ROQET = pytest.mark.skipif(shutil.which("roqet") is None, reason="roqet (Debian rasqal-utils) is not installed; `make sysdeps` installs it")


@ROQET
def test_roqet_select(live_server: str) -> None:
    out = subprocess.run(["roqet", "-q", "-p", live_server + "/sparql", "-e", SELECT], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "2022-12-19" in out.stdout


@ROQET
def test_roqet_construct_request_gets_turtle(live_server: str) -> None:
    """roqet 0.9.33 asks for SPARQL XML results whatever the form; we answer a CONSTRUCT with Turtle (RFC 9110
    lets the server disregard Accept). roqet then parses every protocol answer as results XML, so it cannot show
    the graph: its limitation, recorded here by the request it really sends."""
    import requests

    r = requests.get(live_server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/sparql-results+xml"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.text, format="turtle")) == 2


# --- Comunica (npm @comunica/query-sparql, run by node) ----------------------------------------------------

@pytest.fixture(scope="module")
def node_ready() -> None:
    missing = comunica_missing()
    if missing:
        pytest.skip(missing)


def rows_of(out: subprocess.CompletedProcess[str]) -> list[dict]:
    assert out.returncode == 0, out.stderr[-2000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def test_comunica_select(live_server: str, node_ready: None) -> None:
    assert rows_of(comunica(live_server + "/sparql", SELECT)) == [{"d": "2022-12-19"}]


def test_comunica_joins_the_endpoint_with_a_local_turtle_file(live_server: str, node_ready: None, tmp_path: Path) -> None:
    local = tmp_path / "notes.ttl"
    local.write_text(f'<{FORUM}> <http://example.org/note> "seen in the local file" .\n', encoding="utf-8")
    query = f"""SELECT ?d ?note WHERE {{ <{FORUM}> <https://schema.org/endDate> ?d . <{FORUM}> <http://example.org/note> ?note }}"""
    assert rows_of(comunica(live_server + "/sparql", query, local)) == [{"d": "2022-12-19", "note": "seen in the local file"}]


def test_comunica_construct(live_server: str, node_ready: None) -> None:
    assert len(rows_of(comunica(live_server + "/sparql", CONSTRUCT))) == 2
