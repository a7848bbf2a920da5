"""A release's data, for answering "what did this IRI say in release X?" (Memento, RFC 7089).

Releases are small (the real graph is ~2 MB of N-Quads), immutable and read rarely, so each is parsed once per
process into an index of triples by subject and by object, kept for the process's life (at most
``releases_kept`` of them); the current snapshot's engine is not involved.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from server.build.release import Release

INCOMING_LIMIT = 500
_lock = threading.Lock()
_indexes: dict[tuple[str, str], "ReleaseIndex"] = {}


@dataclass
class ReleaseIndex:
    version: str
    outgoing: dict[str, set[ox.Triple]] = field(default_factory=lambda: defaultdict(set))
    incoming: dict[str, set[ox.Triple]] = field(default_factory=lambda: defaultdict(set))

    def describes(self, iri: str) -> bool:
        return iri in self.outgoing

    def describe(self, iri: str) -> list[ox.Triple]:
        """The triples about ``iri`` (every graph, as a set) and up to INCOMING_LIMIT links to it, with the labels
        of what they name; sorted, so the same release always gives the same bytes."""
        found = set(self.outgoing.get(iri, ()))
        found |= set(sorted(self.incoming.get(iri, ()), key=str)[:INCOMING_LIMIT])
        for t in list(found):
            for node in (t.subject, t.object):
                if isinstance(node, ox.NamedNode) and node.value != iri:
                    found |= {x for x in self.outgoing.get(node.value, ()) if x.predicate.value in LABELISH}
        return sorted(found, key=str)


LABELISH = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}


def index_of(release: Release) -> ReleaseIndex:
    key = (str(release.path), release.record["files"]["dataset.nq"]["sha256"])
    with _lock:
        found = _indexes.get(key)
        if found is None:
            found = ReleaseIndex(release.version)
            for quad in ox.parse(release.dataset(), format=ox.RdfFormat.N_QUADS):
                triple = ox.Triple(quad.subject, quad.predicate, quad.object)
                if isinstance(quad.subject, ox.NamedNode):
                    found.outgoing[quad.subject.value].add(triple)
                if isinstance(quad.object, ox.NamedNode):
                    found.incoming[quad.object.value].add(triple)
            _indexes[key] = found
        return found
