"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics of each named graph and the limits."""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from server.sparql.negotiation import GRAPH_TYPES, SELECT_TYPES
from server.settings import Settings
from server.build.snapshot import Snapshot
from server.engine.store import UNION_KINDS_ALL as DEFAULT_KINDS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_RDFS = URIRef("http://www.w3.org/ns/entailment/RDFS")
ENTAILMENT_OWL_RL = URIRef("http://www.w3.org/ns/owl-profile/RL")
UGKG = Namespace("https://w3id.org/ugkg/def/")
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/trig": FORMATS.TriG,
    "application/n-quads": FORMATS["N-Quads"],
}


def store_url(endpoint: str) -> str:
    """The Graph Store beside the endpoint (…/sparql → …/store)."""
    return endpoint[: -len("sparql")] + "store" if endpoint.endswith("sparql") else endpoint.rstrip("/") + "/store"


def service_description(settings: Settings, snapshot: Snapshot, endpoint: str) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("ugkg", UGKG)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.service_allow:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    for allowed in settings.service_allow:
        g.add((service, UGKG.allowedService, URIRef(allowed)))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_OWL_RL))
    g.add((service, RDFS.label, Literal("Urban Governance Knowledge Graph SPARQL endpoint", lang="en")))
    g.add((service, RDFS.label, Literal("城市治理知识图谱 SPARQL 端点", lang="zh")))
    in_default = [iri for iri, info in sorted(snapshot.graphs.items()) if info["kind"] in DEFAULT_KINDS]
    outside = [iri for iri, info in sorted(snapshot.graphs.items()) if info["kind"] not in DEFAULT_KINDS]
    g.add((service, RDFS.comment, Literal(
        "Read-only. The default graph is the set union of the ontology, data, extra and OWL 2 RL inferred graphs "
        f"({', '.join(in_default)}); the graphs {', '.join(outside) or '(none)'} are named graphs only (GRAPH). "
        "Add inference=false for the asserted triples only. Every graph is also a named graph. A graph this dataset "
        "does not hold, named in default-graph-uri, named-graph-uri, FROM or FROM NAMED, is an empty graph: nothing is "
        "ever fetched from the web or read from disk. urn:x-rdflib:default (rdflib's name) is this default graph. "
        "SPARQL Update, LOAD and SERVICE (unless allow-listed) are refused. Whole graphs: the Graph Store at "
        f"{store_url(endpoint)} (GET ?graph=IRI or ?default).", lang="en")))
    store = URIRef(store_url(endpoint))
    g.add((service, RDFS.seeAlso, store))
    g.add((store, RDF.type, DCAT.DataService))
    g.add((store, DCAT.endpointURL, store))
    g.add((store, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")))
    g.add((store, RDFS.label, Literal("SPARQL 1.1 Graph Store HTTP Protocol, read-only", lang="en")))
    for media_type in SELECT_TYPES + GRAPH_TYPES:
        g.add((service, SD.resultFormat, FORMAT_IRIS[media_type]))
    g.add((service, SD.inputFormat, Literal("application/sparql-query")))
    limits = {
        "queryTimeoutSeconds": (settings.query_timeout_s, XSD.decimal),
        "maxResultRows": (settings.max_result_rows, XSD.integer),
        "maxRequestBodyBytes": (settings.max_body_bytes, XSD.integer),
        "maxQueryCharacters": (settings.max_query_chars, XSD.integer),
    }
    for name, (value, datatype) in limits.items():
        g.add((service, UGKG[name], Literal(value, datatype=datatype)))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, SD.entailmentRegime, ENTAILMENT_OWL_RL))
    g.add((default, RDFS.comment, Literal("Set union (no duplicates) of the graphs of kinds " + ", ".join(DEFAULT_KINDS) + ".", lang="en")))
    for iri in in_default:
        g.add((default, DCTERMS.hasPart, URIRef(iri)))
    for iri, info in sorted(snapshot.graphs.items()):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        graph = URIRef(iri)
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, Literal(info["triples"], datatype=XSD.integer)))
        g.add((graph, DCTERMS.type, Literal(info["kind"])))
        if info["kind"] == "inferred":
            g.add((graph, SD.entailmentRegime, ENTAILMENT_OWL_RL))
    return g
