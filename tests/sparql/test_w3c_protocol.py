"""The W3C SPARQL 1.1 Protocol test suite, as published (tests/fixtures/w3c-protocol/), against a live server.

Each manifest entry becomes one test: its requests are sent byte for byte (method, path, the listed headers,
the body in its declared character encoding) with ``http.client``, so no client library adds or fixes
anything, and the response is checked against ``mf:expectedStatus``, ``mf:expectedFormat`` and
``mf:expectedBoolean``. Only the update tests that need write access are left out (see the README there).
"""
from __future__ import annotations

import http.client
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib import Namespace, RDF, RDFS, URIRef
from rdflib.collection import Collection

from server.build.snapshot import DATASET_FILE, Snapshot, write_snapshot
from server.settings import Settings
from tests.conftest import MINI, start_server, stop_server

SUITE = Path(__file__).resolve().parent.parent / "fixtures" / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
NEEDS_WRITE_ACCESS = {"update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
                      "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri"}
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml", "text/html"),
}


@dataclass
class Step:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    statuses: set[str]
    fmt: str | None
    boolean: bool | None


@dataclass
class Case:
    name: str
    title: str
    steps: list[Step]
    graph_data: dict[str, Path] = field(default_factory=dict)


def _items(graph: rdflib.Graph, head: object) -> list:
    return list(Collection(graph, head))  # type: ignore[arg-type]


def load_suite() -> list[Case]:
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in _items(graph, graph.value(manifest, MF.entries)):
        name = str(test).rsplit("#", 1)[-1]
        action = graph.value(test, MF.action)
        steps = []
        for req in _items(graph, graph.value(action, HT.requests)):
            headers = [(str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
                       for h in _items(graph, graph.value(req, HT.headers))] if graph.value(req, HT.headers) else []
            body_node = graph.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            resp = graph.value(req, HT.resp)
            boolean = graph.value(resp, MF.expectedBoolean)
            steps.append(Step(
                method=str(graph.value(req, HT.methodName)),
                path=str(graph.value(req, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses={str(s)[len(HTS):] for s in graph.objects(resp, MF.expectedStatus)},
                fmt=str(graph.value(resp, MF.expectedFormat)) if graph.value(resp, MF.expectedFormat) else None,
                boolean=None if boolean is None else bool(boolean.toPython()),
            ))
        data = {str(graph.value(d, RDFS.label)): Path(str(graph.value(d, UT.graph)).replace("file://", ""))
                for d in graph.objects(test, UT.graphData)}
        cases.append(Case(name, str(graph.value(test, MF.name)), steps, data))
    return cases


CASES = load_suite()
RUN = [c for c in CASES if c.name not in NEEDS_WRITE_ACCESS]


def test_the_vendored_suite_is_the_published_one() -> None:
    """34 entries: 27 run here, 7 left out for needing write access (and those 7 are all of the update_* ones)."""
    assert len(CASES) == 34 and len(RUN) == 27
    assert {c.name for c in CASES if c.name.startswith("update_")} == NEEDS_WRITE_ACCESS
    assert all(step.path.startswith("/sparql/") for c in CASES for step in c.steps)


@pytest.fixture(scope="module")
def protocol_server(mini_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server over the mini graphs plus the suite's ut:graphData, each in the graph its label names."""
    graph_data: dict[str, Path] = {}
    for case in CASES:
        graph_data.update(case.graph_data)
    quads = bytearray((mini_snapshot.path / DATASET_FILE).read_bytes())
    graphs = dict(mini_snapshot.manifest["graphs"])
    for iri, path in sorted(graph_data.items()):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for line in lines:
            quads += (line.rstrip().rstrip(".").rstrip() + f" <{iri}> .\n").encode()
        graphs[iri] = {"kind": "extra", "triples": len(lines), "sources": [path.name]}
    data_dir = tmp_path_factory.mktemp("w3c-protocol-data")
    manifest = dict(mini_snapshot.manifest, graphs=graphs)
    write_snapshot(Path(data_dir) / "snapshots", "w3c-protocol", bytes(quads), manifest)
    process, url = start_server(Settings(data_dir=str(data_dir), sources_dir=str(MINI), log_level="WARNING"))
    yield url
    stop_server(process)


def send(base_url: str, step: Step) -> tuple[int, str, bytes]:
    """One request exactly as the manifest states it; the /sparql/ prefix becomes this server's /sparql."""
    target = "/sparql" + step.path[len("/sparql/"):]
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(step.method, target)
        for name, value in step.headers:
            connection.putheader(name, value)
        if step.body is not None:
            connection.putheader("Content-Length", str(len(step.body)))
        connection.endheaders(step.body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def boolean_of(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


@pytest.mark.parametrize("case", RUN, ids=[c.name for c in RUN])
def test_w3c_protocol_case(protocol_server: str, case: Case) -> None:
    for step in case.steps:
        status, content_type, body = send(protocol_server, step)
        assert f"{status // 100}xx" in step.statuses, f"{case.name} ({case.title}): status {status}, expected {step.statuses}: {body[:300]!r}"
        media_type = content_type.split(";")[0].strip().lower()
        if step.fmt is not None:
            assert media_type in FORMATS[step.fmt], f"{case.name}: {media_type} is not a {step.fmt} format"
            if step.fmt == "RDF" and media_type != "text/html":
                parser = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}[media_type]
                rdflib.Graph().parse(data=body, format=parser)
        if step.boolean is not None:
            assert boolean_of(media_type, body) is step.boolean, f"{case.name}: expected boolean {step.boolean}"
