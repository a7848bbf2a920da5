"""Dumps, the DCAT/VoID description, the JSON-LD context and the validation report.

Every dump must parse (rdflib, and Debian's rapper when installed), round-trip to the N-Quads dump, and match
the byte size and sha256 that the DCAT description announces.
"""
from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

import pytest
import rdflib
import rdflib.compare
import requests
from rdflib import URIRef
from rdflib.namespace import DCAT, RDF, VOID

BASE = "https://w3id.org/ugkg/"
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DUMPS = {"ttl": ("text/turtle", "turtle", "turtle"), "nt": ("application/n-triples", "nt", "ntriples"),
         "nq": ("application/n-quads", "nquads", "nquads"), "trig": ("application/trig", "trig", "trig"),
         "jsonld": ("application/ld+json", "json-ld", None), "rdf": ("application/rdf+xml", "xml", "rdfxml")}
UNION_KINDS = ("ontology", "data", "inferred")


@pytest.fixture(scope="module")
def bodies(app):
    client = app.test_client()
    return {ext: client.get(f"/dumps/dataset.{ext}").data for ext in DUMPS}


@pytest.mark.parametrize("ext", list(DUMPS))
def test_dump_headers(client, ext):
    response = client.get(f"/dumps/dataset.{ext}")
    assert response.status_code == 200
    assert response.mimetype == DUMPS[ext][0]
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert parsedate_to_datetime(response.headers["Last-Modified"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="dataset.{ext}"'
    assert "Accept-Encoding" in response.headers["Vary"]


def test_conditional_requests(client, mini_snapshot):
    first = client.get("/dumps/dataset.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/dumps/dataset.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/dumps/dataset.ttl", headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get("/dumps/dataset.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/dumps/dataset.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert client.get("/dumps/dataset.ttl", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    assert client.get("/dumps/dataset.ttl", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    not_modified = client.get("/dumps/dataset.ttl", headers={"If-None-Match": etag})
    assert not_modified.data == b"" and not_modified.headers["ETag"] == etag


def test_gzip_on_request_and_explicit(client, bodies):
    response = client.get("/dumps/dataset.nt", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/n-triples"
    assert gzip.decompress(response.data) == bodies["nt"]
    assert response.headers["ETag"] != client.get("/dumps/dataset.nt").headers["ETag"]
    assert "Content-Encoding" not in client.get("/dumps/dataset.nt", headers={"Accept-Encoding": "gzip;q=0, identity"}).headers
    explicit = client.get("/dumps/dataset.nq.gz")
    assert explicit.status_code == 200 and explicit.mimetype == "application/gzip"
    assert "Content-Encoding" not in explicit.headers
    assert gzip.decompress(explicit.data) == bodies["nq"]
    assert explicit.headers["Content-Disposition"] == 'attachment; filename="dataset.nq.gz"'


@pytest.mark.parametrize("path", ["/dumps/../../etc/passwd", "/dumps/%2e%2e%2fmanifest.json", "/dumps/..%2f..%2fetc%2fpasswd",
                                  "/dumps/manifest.json", "/dumps/dataset.nq/../manifest.json", "/dumps/dataset.exe", "/dumps/", "/dumps/dataset.ttl.gz.gz"])
def test_paths_outside_the_known_names_are_404(client, path):
    assert client.get(path).status_code == 404


def reference(bodies: bytes) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=bodies, format="nquads")
    return dataset


def union_of(dataset: rdflib.Dataset, snapshot) -> rdflib.Graph:
    union = rdflib.Graph()
    for iri, info in snapshot.graphs.items():
        if info["kind"] in UNION_KINDS:
            for triple in dataset.graph(URIRef(iri)):
                union.add(triple)
    return union


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld", "rdf"])
def test_triple_dumps_round_trip_to_the_union_of_the_nquads(bodies, mini_snapshot, ext):
    graph = rdflib.Graph().parse(data=bodies[ext], format=DUMPS[ext][1])
    expected = union_of(reference(bodies["nq"]), mini_snapshot)
    assert len(graph) == len(expected) > 0
    assert rdflib.compare.isomorphic(graph, expected)


def test_trig_round_trips_per_graph(bodies, mini_snapshot):
    trig = rdflib.Dataset().parse(data=bodies["trig"], format="trig")
    nq = reference(bodies["nq"])
    for iri in mini_snapshot.graphs:
        assert rdflib.compare.isomorphic(trig.graph(URIRef(iri)), nq.graph(URIRef(iri))), iri


@pytest.mark.parametrize("ext", [e for e, v in DUMPS.items() if v[2]])
def test_rapper_reads_every_dump(bodies, tmp_path, ext):
    if shutil.which("rapper") is None:
        pytest.skip("rapper (Debian raptor2-utils) is not installed: apt-get install -y raptor2-utils")
    path = tmp_path / f"dataset.{ext}"
    path.write_bytes(bodies[ext])
    run = subprocess.run(["rapper", "-i", DUMPS[ext][2], "-c", str(path), BASE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    counted = int(next(line for line in run.stderr.splitlines() if "returned" in line).split("returned")[1].split()[0]) if "returned" in run.stderr else None
    if counted is not None and ext in ("nt", "nq"):
        assert counted == len([line for line in bodies[ext].splitlines() if line.strip()])


# --- DCAT / VoID ---------------------------------------------------------------------------------------------

def catalog(client, path: str, accept: str, fmt: str) -> rdflib.Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.data[:300]
    return rdflib.Graph().parse(data=response.data, format=fmt)


SERVED = "http://localhost/"  # the Flask test client's base: where link_base=request sends download URLs


@pytest.mark.parametrize(("path", "accept", "fmt"), [
    ("/dataset", "text/turtle", "turtle"), ("/dataset", "application/ld+json", "json-ld"), ("/dataset", "application/rdf+xml", "xml"),
    ("/.well-known/void", "*/*", "turtle"), ("/.well-known/void", "application/ld+json", "json-ld"), ("/.well-known/void", "application/n-triples", "nt"),
])
def test_dcat_distributions_match_the_served_bytes(client, path, accept, fmt):
    graph = catalog(client, path, accept, fmt)
    dataset = URIRef(BASE + "dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in graph and (dataset, RDF.type, VOID.Dataset) in graph
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == 7
    for node in distributions:
        url = str(graph.value(node, DCAT.downloadURL))
        assert url.startswith(SERVED + "dumps/"), "the download URL leads to the server that answered (link_base)"
        body = client.get("/" + url[len(SERVED):]).data
        assert int(graph.value(node, DCAT.byteSize)) == len(body)
        checksum = graph.value(node, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert graph.value(node, DCAT.mediaType) is not None


def test_dcat_dataset_facts(client, mini_snapshot):
    graph = catalog(client, "/dataset", "text/turtle", "turtle")
    dataset = URIRef(BASE + "dataset")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    assert (dataset, dcterms.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    assert graph.value(dataset, dcterms.publisher) is not None
    period = graph.value(dataset, dcterms.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2022-12-18" and str(graph.value(period, DCAT.endDate)) == "2022-12-20"
    assert not any("wikidata" in str(o) for o in graph.objects(dataset, dcterms.spatial))  # mini links.ttl names no China item
    assert len(list(graph.objects(dataset, DCAT.keyword))) >= 4
    services = set(graph.subjects(RDF.type, DCAT.DataService))  # the SPARQL endpoint and the Graph Store
    assert services == {URIRef(BASE + "dataset#sparql-service"), URIRef(BASE + "store")}
    service = URIRef(BASE + "dataset#sparql-service")
    assert graph.value(service, DCAT.endpointURL) == URIRef(SERVED + "sparql")  # a URL to call: the server that answered
    assert graph.value(service, DCAT.servesDataset) == dataset
    for iri, info in mini_snapshot.graphs.items():
        assert (dataset, VOID.subset, URIRef(iri)) in graph
        assert int(graph.value(URIRef(iri), VOID.triples)) == info["triples"]


def test_dataset_page_for_browsers(client):
    response = client.get("/dataset", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "dataset.nq.gz" in body and "CC BY 4.0" in body and "graph/data/a" in body


def test_context_jsonld(client):
    response = client.get("/context.jsonld")
    assert response.mimetype == "application/ld+json"
    context = response.get_json()["@context"]
    assert context["ugkg"] == BASE + "def/" and context["ugr"] == BASE + "id/"


def test_validation_report(client):
    body = client.get("/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "yes" in body and "graph/shapes" in body and "Results (0)" in body
    graph = rdflib.Graph().parse(data=client.get("/validation", headers={"Accept": "text/turtle"}).data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert any(graph.subjects(RDF.type, sh.ValidationReport))


def test_live_dumps_conditional_and_gzip(live_server):
    plain = requests.get(live_server + "/dumps/dataset.ttl", headers={"Accept-Encoding": "identity"}, timeout=30)
    assert plain.status_code == 200 and plain.headers["ETag"] == f'"{hashlib.sha256(plain.content).hexdigest()}"'
    again = requests.get(live_server + "/dumps/dataset.ttl", headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": "identity"}, timeout=30)
    assert again.status_code == 304
    zipped = requests.get(live_server + "/dumps/dataset.ttl", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.content == plain.content  # requests decodes it
    void = requests.get(live_server + "/.well-known/void", timeout=30)
    graph = rdflib.Graph().parse(data=void.content, format="turtle")
    sizes = {str(graph.value(d, DCAT.downloadURL)): int(graph.value(d, DCAT.byteSize)) for d in graph.subjects(RDF.type, DCAT.Distribution)}
    assert sizes[live_server + "/dumps/dataset.ttl"] == len(plain.content)


def test_gzip_dump_first_on_a_cold_cache(app):
    """A worker whose first request is the .gz must not wait on itself for the plain dump."""
    app.extensions.pop("ugkg.dumps", None)
    response = app.test_client().get("/dumps/dataset.nq.gz")
    assert response.status_code == 200 and gzip.decompress(response.data).endswith(b".\n")


def test_range_request_is_206_with_the_bytes_asked_for(client, bodies):
    full = bodies["nt"]
    r = client.get("/dumps/dataset.nt", headers={"Range": "bytes=10-99", "Accept-Encoding": "identity"})
    assert r.status_code == 206
    assert r.data == full[10:100]
    assert r.headers["Content-Range"] == f"bytes 10-99/{len(full)}"
    assert client.get("/dumps/dataset.nt", headers={"Accept-Encoding": "identity"}).headers["Accept-Ranges"] == "bytes"


def test_range_past_the_end_is_416(client, bodies):
    r = client.get("/dumps/dataset.nt", headers={"Range": f"bytes={len(bodies['nt']) + 10}-", "Accept-Encoding": "identity"})
    assert r.status_code == 416


def test_if_range_with_a_stale_etag_gets_the_whole_file(client, bodies):
    r = client.get("/dumps/dataset.nt", headers={"Range": "bytes=0-9", "If-Range": '"stale"', "Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.data == bodies["nt"]


def test_live_range_resumes_a_download(live_server):
    whole = requests.get(live_server + "/dumps/dataset.nq.gz", timeout=10).content
    part = requests.get(live_server + "/dumps/dataset.nq.gz", headers={"Range": f"bytes={len(whole) // 2}-"}, timeout=10)
    assert part.status_code == 206 and whole[: len(whole) // 2] + part.content == whole


def test_void_for_a_browser_is_the_dataset_page(client):
    r = client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert client.get("/.well-known/void").mimetype == "text/turtle"
