"""How to cite the dataset (and one resource in it) at a version: BibTeX, RIS, CSL-JSON, schema.org JSON-LD,
Highwire Press and Dublin Core meta tags — all from one ``Citation``, so the formats can never disagree.

The author is the project as an organisation (no person is named in the sources as the graph's author); the
version is the release's, its date the release's issue date, its URL the release's versioned IRI (or the
resource's IRI, "in" the versioned dataset). No DOI: none has been minted, and none is invented.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TITLE_EN, TITLE_ZH = "Urban Governance Knowledge Graph (UGKG)", "城市治理知识图谱"
AUTHOR = "Urban Governance Knowledge Graph project"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DESCRIPTION = ("The Beijing Declaration on the Modernization of Urban Governance (2022-12-19), the forum at which 13 Chinese "
               "cities issued it, its ten-point initiative and the China Urban Good Governance Index indicator system, as "
               "validated, reasoned linked data with the source sentence of every fact.")


@dataclass(frozen=True)
class Citation:
    version: str
    issued: datetime
    dataset_url: str  # the release's versioned IRI
    download_url: str | None
    resource_iri: str | None = None
    resource_label: str | None = None

    @property
    def key(self) -> str:
        tail = re.sub(r"[^A-Za-z0-9]+", "-", self.resource_iri.rsplit("/", 2)[-1] if self.resource_iri else "").strip("-")
        return "ugkg-" + self.version.replace(".", "-") + (f"-{tail}" if tail else "")

    @property
    def title(self) -> str:
        if self.resource_iri:
            return f"{self.resource_label or self.resource_iri}. In: {TITLE_EN}, version {self.version}"
        return f"{TITLE_EN}, version {self.version}"

    @property
    def url(self) -> str:
        return self.resource_iri or self.dataset_url


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def bibtex(c: Citation) -> str:
    fields = [
        ("author", "{" + _bib_escape(AUTHOR) + "}"),
        ("title", "{" + _bib_escape(c.title) + "}"),
        ("year", str(c.issued.year)),
        ("month", c.issued.strftime("%b").lower()),
        ("version", _bib_escape(c.version)),
        ("publisher", _bib_escape(AUTHOR)),
        ("url", c.url),
        ("howpublished", "Dataset (RDF: N-Quads, SPARQL endpoint), " + _bib_escape(c.dataset_url)),
        ("note", f"Version {_bib_escape(c.version)}, released {c.issued.date().isoformat()}. Licence CC BY 4.0"),
    ]
    return f"@misc{{{c.key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields) + "\n}\n"


def ris(c: Citation) -> str:
    rows = [("TY", "DATA"), ("AU", AUTHOR), ("TI", c.title), ("T2", TITLE_EN if c.resource_iri else TITLE_ZH), ("PY", str(c.issued.year)),
            ("DA", c.issued.strftime("%Y/%m/%d")), ("ET", c.version), ("PB", AUTHOR), ("UR", c.url), ("LA", "en; zh"),
            ("N1", f"Version {c.version}; {c.dataset_url}"), ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in rows)


def csl_json(c: Citation) -> list[dict[str, Any]]:
    item: dict[str, Any] = {
        "id": c.key, "type": "dataset", "title": c.title, "author": [{"literal": AUTHOR}], "publisher": AUTHOR,
        "issued": {"date-parts": [[c.issued.year, c.issued.month, c.issued.day]]}, "version": c.version, "URL": c.url,
        "language": "en", "license": LICENSE,
    }
    if c.resource_iri:
        item["container-title"] = f"{TITLE_EN}, version {c.version}"
    return [item]


def schema_org(c: Citation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset", "@id": c.dataset_url, "name": f"{TITLE_EN} {c.version}",
        "alternateName": f"{TITLE_ZH} {c.version}", "description": DESCRIPTION, "version": c.version,
        "datePublished": c.issued.date().isoformat(), "url": c.dataset_url, "license": LICENSE, "isAccessibleForFree": True,
        "inLanguage": ["en", "zh"], "creator": {"@type": "Organization", "name": AUTHOR}, "publisher": {"@type": "Organization", "name": AUTHOR},
        "citation": bibtex(c).strip(),
    }
    if c.download_url:
        doc["distribution"] = [{"@type": "DataDownload", "encodingFormat": "application/n-quads", "contentUrl": c.download_url}]
    if c.resource_iri:
        doc["hasPart"] = {"@id": c.resource_iri, "name": c.resource_label or c.resource_iri}
    return doc


def jsonld_script(c: Citation) -> str:
    """The schema.org JSON-LD, safe inside <script> (no "</" can close it)."""
    return json.dumps(schema_org(c), ensure_ascii=False).replace("</", "<\\/")


def meta_tags(c: Citation) -> list[tuple[str, str]]:
    """Highwire Press (citation_*, read by Google Scholar and Zotero) and Dublin Core (DC.*) tags."""
    date = c.issued.date()
    return [
        ("citation_title", c.title), ("citation_author", AUTHOR), ("citation_publication_date", date.strftime("%Y/%m/%d")),
        ("citation_online_date", date.strftime("%Y/%m/%d")), ("citation_publisher", AUTHOR), ("citation_public_url", c.url),
        ("citation_language", "en"), ("citation_language", "zh"),
        ("DC.title", c.title), ("DC.creator", AUTHOR), ("DC.publisher", AUTHOR), ("DC.date", date.isoformat()),
        ("DC.type", "Dataset"), ("DC.identifier", c.url), ("DC.rights", LICENSE), ("DC.language", "en"), ("DC.language", "zh"),
        ("DC.relation", c.dataset_url),
    ]
