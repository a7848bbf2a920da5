"""Names in words for the standard-vocabulary terms the graph uses but does not label (rdfs:label, dcterms:source,
schema:City …), so that a page names every property and type in its language; the CURIE stays beside it, small.

The English names are catalogue messages (``N_`` marks them for tools/messages.py); their Chinese is in the one
catalogue like every other interface string. Terms the graph labels itself (the ugkg ontology) keep their labels.
"""
from __future__ import annotations

from server.web.pages import Labels, curie
from server.web.site.i18n import translate


def N_(text: str) -> str:
    """Marks a message for extraction; translated when shown."""
    return text


DCTERMS = "http://purl.org/dc/terms/"
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "https://schema.org/"

TERMS: dict[str, str] = {
    DCTERMS + "BibliographicResource": N_("Bibliographic resource"), DCTERMS + "contributor": N_("contributor"),
    DCTERMS + "date": N_("date"), DCTERMS + "description": N_("description"), DCTERMS + "hasPart": N_("has part"),
    DCTERMS + "issued": N_("issued"), DCTERMS + "language": N_("language"), DCTERMS + "license": N_("licence"),
    DCTERMS + "publisher": N_("publisher"), DCTERMS + "references": N_("references"), DCTERMS + "relation": N_("related to"),
    DCTERMS + "source": N_("source"), DCTERMS + "subject": N_("subject"), DCTERMS + "title": N_("title"),
    DCTERMS + "type": N_("type"), DCTERMS + "created": N_("created"), DCTERMS + "modified": N_("modified"),
    QB + "DataSet": N_("Data set"), QB + "Observation": N_("Observation"), QB + "dataSet": N_("data set"),
    QB + "structure": N_("structure"), SDMX + "attribute#unitMeasure": N_("unit of measure"),
    SDMX + "dimension#refArea": N_("reference area"), SDMX + "dimension#refPeriod": N_("reference period"),
    SDMX + "measure#obsValue": N_("observed value"),
    RDF + "type": N_("type"), RDFS + "label": N_("label"), RDFS + "comment": N_("comment"), RDFS + "seeAlso": N_("see also"),
    RDFS + "isDefinedBy": N_("defined by"), OWL + "sameAs": N_("same as"),
    SKOS + "Concept": N_("Concept"), SKOS + "ConceptScheme": N_("Concept scheme"), SKOS + "prefLabel": N_("preferred label"),
    SKOS + "altLabel": N_("alternative label"), SKOS + "broader": N_("broader"), SKOS + "narrower": N_("narrower"),
    SKOS + "closeMatch": N_("close match"), SKOS + "definition": N_("definition"), SKOS + "editorialNote": N_("editorial note"),
    SKOS + "exactMatch": N_("exact match"), SKOS + "hasTopConcept": N_("has top concept"), SKOS + "hiddenLabel": N_("hidden label"),
    SKOS + "inScheme": N_("in scheme"), SKOS + "notation": N_("notation"), SKOS + "note": N_("note"), SKOS + "related": N_("related"),
    SKOS + "relatedMatch": N_("related match"), SKOS + "scopeNote": N_("scope note"), SKOS + "topConceptOf": N_("top concept of"),
    OA + "Annotation": N_("Annotation"), OA + "hasBody": N_("has body"), OA + "hasTarget": N_("has target"),
    OA + "motivatedBy": N_("motivated by"),
    ORG + "Organization": N_("Organization"), ORG + "OrganizationalUnit": N_("Organizational unit"), ORG + "Post": N_("Post"),
    ORG + "heldBy": N_("held by"), ORG + "postIn": N_("post in"), ORG + "subOrganizationOf": N_("part of organization"),
    PROV + "Activity": N_("Activity"), PROV + "Agent": N_("Agent"), PROV + "Entity": N_("Entity"),
    PROV + "wasDerivedFrom": N_("derived from"), PROV + "wasAttributedTo": N_("attributed to"),
    FOAF + "Group": N_("Group"), FOAF + "Organization": N_("Organization"), FOAF + "Person": N_("Person"), FOAF + "page": N_("web page"),
    SCHEMA + "AdministrativeArea": N_("Administrative area"), SCHEMA + "City": N_("City"), SCHEMA + "Claim": N_("Claim"),
    SCHEMA + "Country": N_("Country"), SCHEMA + "CreativeWork": N_("Creative work"), SCHEMA + "Event": N_("Event"),
    SCHEMA + "NewsArticle": N_("News article"), SCHEMA + "NewsMediaOrganization": N_("News media organization"),
    SCHEMA + "Organization": N_("Organization"), SCHEMA + "Person": N_("Person"), SCHEMA + "Place": N_("Place"),
    SCHEMA + "Quotation": N_("Quotation"), SCHEMA + "about": N_("about"), SCHEMA + "alternativeHeadline": N_("alternative headline"),
    SCHEMA + "articleSection": N_("article section"), SCHEMA + "author": N_("author"), SCHEMA + "containedInPlace": N_("contained in place"),
    SCHEMA + "contributor": N_("contributor"), SCHEMA + "creator": N_("creator"), SCHEMA + "endDate": N_("end date"),
    SCHEMA + "eventAttendanceMode": N_("attendance mode"), SCHEMA + "hasPart": N_("has part"), SCHEMA + "jobTitle": N_("job title"),
    SCHEMA + "latitude": N_("latitude"), SCHEMA + "location": N_("location"), SCHEMA + "longitude": N_("longitude"),
    SCHEMA + "name": N_("name"), SCHEMA + "organizer": N_("organizer"), SCHEMA + "pagination": N_("pages"),
    SCHEMA + "position": N_("position"), SCHEMA + "publisher": N_("publisher"), SCHEMA + "startDate": N_("start date"),
    SCHEMA + "subEvent": N_("sub-event"), SCHEMA + "superEvent": N_("part of event"), SCHEMA + "text": N_("text"),
    SCHEMA + "url": N_("web address"), SCHEMA + "worksFor": N_("works for"), SCHEMA + "sameAs": N_("same as"),
}


def standard_labels(iri: str) -> Labels | None:
    """English and Chinese names of a standard term the graph does not label, else None."""
    name = TERMS.get(iri)
    if name is None:
        return None
    return Labels(en=name, zh=translate(name, "zh"), fallback=curie(iri))
