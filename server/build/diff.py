"""What changed between two snapshots, computed from their N-Quads and never written by hand.

Both sides are first put in *release form* (``canonical_nquads``): blank nodes relabelled from what they are
(RDFC-1.0, then a hash of each node's own quads, so a node keeps its label when the rest of the graph changes),
one quad a line, lines sorted. Two builds of the same sources then give the same bytes, and the difference of two
releases is a difference of two sets of lines — what the RDF Patch says (``server.build.patch``).

The summary (``summarise``) reads that difference as a person would: counts per named graph, class and property;
resources added and removed; labels changed per language; IRIs that moved (old → new, the release records them
and the server answers the old IRI with 301). Counts per class and property are taken *after* the moves are
applied to the old side, so a namespace move reads as "every IRI moved" plus the changes it did not explain.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
# graphs that describe the build itself (timestamps, the validation report): counted per graph, left out of the
# per-class/property/resource reading and of the delta graphs
BUILD_GRAPHS = ("graph/meta", "graph/validation")
_BNODE = re.compile(r"_:([A-Za-z0-9_]+)")


def canonical_nquads(data: bytes) -> bytes:
    """The release form of an N-Quads document: stable blank-node labels, sorted unique lines."""
    dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(set(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines()))
    return _stable_bnode_labels(lines)


def _stable_bnode_labels(lines: list[str]) -> bytes:
    """Replace RDFC-1.0's sequential labels (c14n0, c14n1 … shift when a node is added) by a hash of the lines
    that mention the node, itself written ``_:self`` and other blank nodes ``_:other``; nodes with equal hashes
    are told apart by their RDFC order, which is deterministic."""
    mentions: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        for label in set(_BNODE.findall(line)):
            mentions[label].append(line)
    if not mentions:
        return "".join(line + "\n" for line in lines).encode("utf-8")
    digest: dict[str, str] = {}
    for label, found in mentions.items():
        text = "\n".join(sorted(_BNODE.sub(lambda m: "_:self" if m.group(1) == label else "_:other", line) for line in found))
        digest[label] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    groups: dict[str, list[str]] = defaultdict(list)
    for label in sorted(digest, key=lambda l: int(l[4:]) if l.startswith("c14n") and l[4:].isdigit() else 0):
        groups[digest[label]].append(label)
    new = {label: f"b{h}" + (f"x{i}" if len(members) > 1 else "") for h, members in groups.items() for i, label in enumerate(members)}
    out = sorted({_BNODE.sub(lambda m: "_:" + new[m.group(1)], line) for line in lines})
    return "".join(line + "\n" for line in out).encode("utf-8")


def quad_lines(data: bytes) -> set[str]:
    """The lines of a release-form N-Quads document (without line ends)."""
    return {line for line in data.decode("utf-8").splitlines() if line.strip()}


def parse_line(line: str) -> ox.Quad:
    (quad,) = ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return quad


@dataclass
class Side:
    """One release as the summary needs it: every quad, and the types and labels of its resources."""

    quads: list[ox.Quad]
    base_iri: str
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    subjects: set[str] = field(default_factory=set)
    iris: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, data: bytes, base_iri: str) -> "Side":
        side = cls(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)), base_iri)
        for q in side.quads:
            for term in (q.subject, q.object, q.graph_name):
                if isinstance(term, ox.NamedNode):
                    side.iris.add(term.value)
            if side.is_build_graph(q.graph_name) or not isinstance(q.subject, ox.NamedNode):
                continue
            side.subjects.add(q.subject.value)
            if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                side.types[q.subject.value].add(q.object.value)
            elif q.predicate.value in LABELS and isinstance(q.object, ox.Literal) and q.object.language:
                side.labels[q.subject.value][q.object.language.split("-")[0]].add(q.object.value)
        return side

    def is_build_graph(self, graph: Any) -> bool:
        return isinstance(graph, ox.NamedNode) and graph.value in {self.base_iri + g for g in BUILD_GRAPHS}

    def resources(self) -> set[str]:
        """IRIs of ours that something is said about (a type or a label), in the content graphs."""
        return {s for s in self.subjects if s.startswith(self.base_iri) and (s in self.types or s in self.labels)}


def detect_moves(old: Side, new: Side) -> dict[str, str]:
    """old IRI → new IRI for every IRI of ours that left: (1) the same path under the new base, when the base
    changed; (2) else the one new IRI with the same types and the same labels (a rename)."""
    moves: dict[str, str] = {}
    gone = {i for i in old.iris if i.startswith(old.base_iri) and i not in new.iris}
    if old.base_iri != new.base_iri:
        for iri in gone:
            candidate = new.base_iri + iri[len(old.base_iri):]
            if candidate in new.iris:
                moves[iri] = candidate
    arrived = {i for i in new.resources() if i not in old.iris}
    signature: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for iri in arrived:
        signature[_signature(new, iri)].append(iri)
    for iri in sorted(gone - set(moves)):
        if iri not in old.resources():
            continue
        found = signature.get(_signature(old, iri), [])
        if len(found) == 1 and _signature(old, iri)[1]:  # unique, and it has labels to go by
            moves[iri] = found[0]
    return moves


def _signature(side: Side, iri: str) -> tuple[Any, ...]:
    return (frozenset(side.types.get(iri, ())), frozenset((lang, frozenset(v)) for lang, v in side.labels.get(iri, {}).items()))


def _rename(term: Any, moves: dict[str, str]) -> Any:
    if isinstance(term, ox.NamedNode) and term.value in moves:
        return ox.NamedNode(moves[term.value])
    return term


def renamed(side: Side, moves: dict[str, str]) -> Side:
    """``side`` with every moved IRI replaced by its new one, blank nodes relabelled again (their labels hash the
    IRIs around them), read against the new base."""
    quads = [ox.Quad(_rename(q.subject, moves), _rename(q.predicate, moves), _rename(q.object, moves), _rename(q.graph_name, moves)) for q in side.quads]
    base = moves.get(side.base_iri, side.base_iri)
    return Side.of(canonical_nquads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS)), base)


def summarise(old_data: bytes, new_data: bytes, old_base: str, new_base: str, *, old_meta: dict[str, Any] | None = None,
              new_meta: dict[str, Any] | None = None, limit: int = 200) -> tuple[dict[str, Any], dict[str, str]]:
    """The changelog of ``old`` → ``new`` as plain data (rendered by the changelog page and `ugkg diff`), and
    the moves it found (old IRI → new IRI)."""
    old, new = Side.of(old_data, old_base), Side.of(new_data, new_base)
    raw_added, raw_removed = quad_lines(new_data) - quad_lines(old_data), quad_lines(old_data) - quad_lines(new_data)
    moves = detect_moves(old, new)
    before = renamed(old, dict(moves, **({old_base: new_base} if old_base != new_base else {})))
    before.base_iri = new_base
    old_set, new_set = set(before.quads), set(new.quads)
    added, removed = new_set - old_set, old_set - new_set

    def tally(quads: Iterable[ox.Quad], side: Side) -> tuple[Counter[str], Counter[str], Counter[str]]:
        per_graph, per_class, per_property = Counter[str](), Counter[str](), Counter[str]()
        for q in quads:
            per_graph[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""] += 1
            if side.is_build_graph(q.graph_name):
                continue
            per_property[q.predicate.value] += 1
            for cls in side.types.get(q.subject.value if isinstance(q.subject, ox.NamedNode) else "", ()):
                per_class[cls] += 1
        return per_graph, per_class, per_property

    a_graph, a_class, a_prop = tally(added, new)
    r_graph, r_class, r_prop = tally(removed, before)
    old_res, new_res = before.resources(), new.resources()
    relabelled = []
    for iri in sorted(old_res & new_res):
        was, now = before.labels.get(iri, {}), new.labels.get(iri, {})
        for lang in sorted(set(was) | set(now)):
            if was.get(lang, set()) != now.get(lang, set()):
                relabelled.append({"iri": iri, "lang": lang, "old": sorted(was.get(lang, ())), "new": sorted(now.get(lang, ()))})

    def table(a: Counter[str], r: Counter[str]) -> list[dict[str, Any]]:
        return [{"key": k, "added": a.get(k, 0), "removed": r.get(k, 0)} for k in sorted(set(a) | set(r))]

    return {
        "old": {"base_iri": old_base, "quads": len(old.quads), **_meta(old_meta)},
        "new": {"base_iri": new_base, "quads": len(new.quads), **_meta(new_meta)},
        "patch": {"added": len(raw_added), "removed": len(raw_removed)},
        "content": {"added": len(added), "removed": len(removed)},
        "graphs": table(a_graph, r_graph),
        "classes": table(a_class, r_class),
        "properties": table(a_prop, r_prop),
        "resources_added": sorted(new_res - old_res)[:limit],
        "resources_removed": sorted(old_res - new_res)[:limit],
        "resources_added_count": len(new_res - old_res),
        "resources_removed_count": len(old_res - new_res),
        "relabelled": relabelled[:limit],
        "relabelled_count": len(relabelled),
        "moved": [{"old": k, "new": moves[k]} for k in sorted(moves)][:limit],
        "moved_count": len(moves),
    }, moves


def _meta(meta: dict[str, Any] | None) -> dict[str, Any]:
    meta = meta or {}
    return {k: meta[k] for k in ("version", "issued", "conforms") if k in meta}


def delta_quads(old_data: bytes, new_data: bytes, old_base: str, new_base: str, moves: dict[str, str]) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """(insertions, deletions) as triples, after the moves and without the build's own graphs: the content of the
    skos-history delta graphs."""
    new = Side.of(new_data, new_base)
    before = renamed(Side.of(old_data, old_base), dict(moves, **({old_base: new_base} if old_base != new_base else {})))
    before.base_iri = new_base
    was = {ox.Triple(q.subject, q.predicate, q.object) for q in before.quads if not before.is_build_graph(q.graph_name)}
    now = {ox.Triple(q.subject, q.predicate, q.object) for q in new.quads if not new.is_build_graph(q.graph_name)}
    return now - was, was - now


def format_summary(summary: dict[str, Any], lang: str = "en") -> str:
    """The summary as text (what `ugkg diff` prints)."""
    o, n = summary["old"], summary["new"]
    out = [f"{o.get('version', 'old')} → {n.get('version', 'new')}: {o['quads']} → {n['quads']} quads",
           f"patch: +{summary['patch']['added']} -{summary['patch']['removed']} quads; "
           f"after {summary['moved_count']} moved IRIs: +{summary['content']['added']} -{summary['content']['removed']}"]
    if "conforms" in o or "conforms" in n:
        out.append(f"validation: {o.get('conforms', '?')} → {n.get('conforms', '?')} (conforms)")
    for title, key in (("per named graph", "graphs"), ("per class", "classes"), ("per property", "properties")):
        rows = summary[key]
        if rows:
            out.append(f"{title}:")
            out.extend(f"  +{r['added']:<6} -{r['removed']:<6} {r['key']}" for r in rows)
    for title, key in (("resources added", "resources_added"), ("resources removed", "resources_removed")):
        out.append(f"{title}: {summary[key + '_count']}")
        out.extend(f"  {iri}" for iri in summary[key])
    out.append(f"relabelled: {summary['relabelled_count']}")
    out.extend(f"  {r['iri']} @{r['lang']}: {r['old']} → {r['new']}" for r in summary["relabelled"])
    out.append(f"moved: {summary['moved_count']}")
    out.extend(f"  {m['old']} → {m['new']}" for m in summary["moved"])
    return "\n".join(out) + "\n"
