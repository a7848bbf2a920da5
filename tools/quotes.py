"""Generate the quote graphs (data/quotes-<article graph>.ttl) and the translation marks (data/translations.ttl).

Why a generator: every triple of an article graph must be tied to the exact words of the article that state it
(W3C Web Annotation: an oa:Annotation whose oa:hasBody is the triple, reified as an rdf:Statement, and whose
oa:hasTarget is an oa:SpecificResource of the article with an oa:TextQuoteSelector). Writing ~900 reified
statements by hand would drift from the article graphs; here the knowledge is the rule table
(tools/quote_rules.py: which words of the article state which triples) and the article text; the Turtle is
derived. Quotes are cut out of the article text itself (never retyped), so they are exact substrings by
construction, with oa:prefix/oa:suffix added only where the quote occurs more than once.

Run from the repository root:  python tools/quotes.py  [--check]   (the articles are read from ../shared/seeds)
``--check`` writes nothing and exits 1 when a generated file differs from the one in data/.
"""
from __future__ import annotations

import os
import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, DCTERMS, XSD, PROV

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from quote_rules import ARTICLES, Retired, Span  # noqa: E402

ID = "https://w3id.org/ugkg/id/"
UGKG = rdflib.Namespace("https://w3id.org/ugkg/def/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SCHEMA = rdflib.Namespace("https://schema.org/")
GRAPH = "https://w3id.org/ugkg/graph/data/"
# the source articles: the clone's sibling shared/seeds (as in CI), or UGKG_SEEDS_DIR (a worktree elsewhere)
SEEDS = Path(os.environ.get("UGKG_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")
SKIPPED_PREDICATES = {PROV.wasDerivedFrom}
TRANSLATED_PREDICATES = {RDFS.label, DCTERMS.title, UGKG.text, SKOS.definition, SKOS.scopeNote, SKOS.note,
                         SKOS.altLabel, SCHEMA.text, SCHEMA.alternativeHeadline, SCHEMA.articleSection,
                         DCTERMS.description, UGKG.firstOf, UGKG.addresses}
BACK_TRANSLATED = {"concept/complaint-driven-megacity-governance", "concept/ecological-construction",
                   "concept/resilient-city", "concept/multi-actor-collaborative-governance",
                   "article/bjd-2022-12-19"}


def article_text(title: str) -> tuple[Path, str]:
    """The seed file whose text contains the article's title (so file names do not matter)."""
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if title in text:
            return path, text
    raise SystemExit(f"no seed in {SEEDS} contains the title {title!r}")


@dataclass
class Quote:
    key: str
    exact: str
    prefix: str | None
    suffix: str | None


def cut(text: str, key: str, span: Span) -> Quote:
    """The words ``span`` names, cut from ``text``; prefix/suffix only when the words occur more than once."""
    start = -1
    for _ in range(span.occurrence):
        start = text.find(span.start, start + 1)
        if start < 0:
            raise SystemExit(f"quote {key}: {span.start!r} (occurrence {span.occurrence}) not in the article")
    if span.end is None:
        stop = start + len(span.start)
    else:
        at = text.find(span.end, start)
        if at < 0:
            raise SystemExit(f"quote {key}: end {span.end!r} not found after {span.start!r}")
        stop = at + len(span.end)
    exact = text[start:stop]
    if text.count(exact) == 1:
        return Quote(key, exact, None, None)
    for width in range(4, 200, 2):
        prefix, suffix = text[max(0, start - width):start], text[stop:stop + width]
        if len(prefix.strip()) < 2 and start - width > 0:
            continue  # a prefix of bare line breaks says nothing to a reader
        if text.count(prefix + exact + suffix) == 1:
            return Quote(key, exact, prefix, suffix)
    raise SystemExit(f"quote {key}: cannot make {exact!r} unique")


def local(node: rdflib.term.Node) -> str | None:
    return str(node)[len(ID):] if isinstance(node, URIRef) and str(node).startswith(ID) else None


def matches(rule: tuple, s: URIRef, p: URIRef, o: rdflib.term.Node, g: rdflib.Graph) -> bool:
    """A rule is (subject, predicate, object, quote key(s)); subject may end with * (a path prefix); None = any."""
    subject, predicate, obj, _keys = rule
    ls = local(s) or ""
    if (ls.startswith(subject[:-1]) if subject.endswith("*") else ls == subject) is False:
        return False
    if predicate is not None and g.namespace_manager.expand_curie(predicate) != p:
        return False
    return obj is None or local(o) == obj


def quote_graph(stem: str) -> tuple[str, int, int]:
    spec = ARTICLES[stem]
    article = URIRef(ID + spec.article)
    _path, text = article_text(spec.title)
    quotes = {key: cut(text, key, span) for key, span in spec.quotes.items() if not isinstance(span, Retired)}
    data = rdflib.Graph().parse(ROOT / "data" / f"{stem}.ttl", format="turtle")
    graph_iri = URIRef(GRAPH + stem)
    by_quote: dict[str, list[tuple]] = {}
    missing = []
    for s, p, o in sorted(data):
        if s == graph_iri or p in SKIPPED_PREDICATES:
            continue
        rule = next((r for r in spec.rules if matches(r, s, p, o, data)), None)
        if rule is None:
            missing.append((s, p, o))
            continue
        keys = rule[3] if isinstance(rule[3], tuple) else (rule[3],)
        for key in keys:
            by_quote.setdefault(key, []).append((s, p, o))
    if missing:
        raise SystemExit(f"{stem}: {len(missing)} triples without a quote rule, e.g. {missing[:5]}")
    unused = sorted(set(quotes) - set(by_quote))
    if unused:
        raise SystemExit(f"{stem}: quotes that support nothing: {unused}")
    out = rdflib.Graph()
    for prefix, ns in (("ugkg", UGKG), ("oa", OA), ("prov", PROV), ("rdfs", RDFS), ("xsd", XSD), ("dcterms", DCTERMS),
                       ("schema", SCHEMA), ("skos", SKOS), ("ugr", rdflib.Namespace(ID)), ("org", rdflib.Namespace("http://www.w3.org/ns/org#")),
                       ("qb", rdflib.Namespace("http://purl.org/linked-data/cube#")), ("foaf", rdflib.Namespace("http://xmlns.com/foaf/0.1/"))):
        out.bind(prefix, ns)
    me = URIRef(GRAPH + "quotes-" + stem)
    out.add((me, RDF.type, PROV.Entity))
    out.add((me, RDFS.label, Literal(f"Quotes from the article supporting each fact of graph/data/{stem}", lang="en")))
    out.add((me, RDFS.label, Literal(f"支持 graph/data/{stem} 中每条事实的报道原文引文", lang="zh")))
    out.add((me, PROV.wasDerivedFrom, article))
    out.add((me, DCTERMS.description, Literal(
        "W3C Web Annotations: each oa:Annotation has as oa:hasTarget an oa:SpecificResource of the article with an "
        "oa:TextQuoteSelector (oa:exact, and oa:prefix/oa:suffix where the words occur more than once), and as oa:hasBody "
        "the rdf:Statement(s) (RDF 1.1 reification) of the article graph that these words state. Generated by tools/quotes.py.", lang="en")))
    statements = 0
    for n, key in enumerate(spec.quotes, start=1):
        if key not in quotes:
            continue  # retired: its number stays taken
        q = quotes[key]
        ann = URIRef(f"{ID}quote/{spec.article}/{n:02d}-{key}")
        target, selector = BNode(f"t{stem.replace('-', '')}{n}"), BNode(f"s{stem.replace('-', '')}{n}")
        out.add((ann, RDF.type, OA.Annotation))
        out.add((ann, OA.motivatedBy, OA.describing))
        out.add((ann, RDFS.label, Literal(q.exact if len(q.exact) <= 60 else q.exact[:57] + "…", lang=spec.lang)))
        out.add((ann, PROV.wasDerivedFrom, article))
        out.add((ann, OA.hasTarget, target))
        out.add((target, RDF.type, OA.SpecificResource))
        out.add((target, OA.hasSource, article))
        out.add((target, OA.hasSelector, selector))
        out.add((selector, RDF.type, OA.TextQuoteSelector))
        out.add((selector, OA.exact, Literal(q.exact, lang=spec.lang)))
        if q.prefix is not None:
            out.add((selector, OA.prefix, Literal(q.prefix, lang=spec.lang)))
            out.add((selector, OA.suffix, Literal(q.suffix, lang=spec.lang)))
        for i, (s, p, o) in enumerate(by_quote[key], start=1):
            st = BNode(f"st{stem.replace('-', '')}{n}x{i}")
            out.add((ann, OA.hasBody, st))
            out.add((st, RDF.type, RDF.Statement))
            out.add((st, RDF.subject, s))
            out.add((st, RDF.predicate, p))
            out.add((st, RDF.object, o))
            for qualifier, value in spec.qualifiers.get((local(s), data.namespace_manager.normalizeUri(p)), ()):
                out.add((st, data.namespace_manager.expand_curie(qualifier), value))
            statements += 1
    header = (f"# Quotes supporting every triple of data/{stem}.ttl (one named graph: graph/data/quotes-{stem}).\n"
              "# GENERATED by tools/quotes.py from tools/quote_rules.py and the article text: do not edit by hand.\n")
    return header + out.serialize(format="turtle"), len(quotes), statements


def translations() -> tuple[str, int]:
    """Every literal the curation graph adds (and the @zh labels of the two pinyin-only reporters in sources.ttl) is the
    project's wording: mark each as ugkg:ProjectTranslation."""
    data = rdflib.Graph().parse(ROOT / "data" / "curation.ttl", format="turtle")
    sources = rdflib.Graph().parse(ROOT / "data" / "sources.ttl", format="turtle")
    for person in ("person/ren-shan", "person/sun-hongyang"):  # pinyin-only names: their @zh label is ours
        for label in sources.objects(URIRef(ID + person), RDFS.label):
            if isinstance(label, Literal) and label.language == "zh":
                data.add((URIRef(ID + person), RDFS.label, label))
    out = rdflib.Graph()
    out.bind("ugkg", UGKG), out.bind("prov", PROV), out.bind("rdfs", RDFS), out.bind("skos", SKOS), out.bind("ugr", rdflib.Namespace(ID))
    me = URIRef(GRAPH + "translations")
    project = URIRef("https://w3id.org/ugkg/project")
    out.add((me, RDF.type, PROV.Entity))
    out.add((me, RDFS.label, Literal("The project's translations and names, marked as such (not source wording)", lang="en")))
    out.add((me, RDFS.label, Literal("本项目的译文与命名（非来源原文）", lang="zh")))
    out.add((me, PROV.wasAttributedTo, project))
    out.add((me, PROV.wasDerivedFrom, URIRef(GRAPH + "curation")))
    count = 0
    for s, p, o in sorted(data):
        if p not in TRANSLATED_PREDICATES or not isinstance(o, Literal) or not o.language or not local(s):
            continue
        st = BNode(f"tr{count}")
        kind = UGKG.ProjectBackTranslation if local(s) in BACK_TRANSLATED and o.language == "zh" and p in (RDFS.label, DCTERMS.title) else UGKG.ProjectTranslation
        out.add((st, RDF.type, kind))
        out.add((st, RDF.subject, s))
        out.add((st, RDF.predicate, p))
        out.add((st, RDF.object, o))
        out.add((st, PROV.wasAttributedTo, project))
        count += 1
    header = ("# The project's own wording (translations, back-translations, names) in data/curation.ttl, each literal\n"
              "# marked as such with RDF 1.1 reification. GENERATED by tools/quotes.py: do not edit by hand.\n")
    return header + out.serialize(format="turtle"), count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with data/ instead of writing")
    args = parser.parse_args()
    outputs: dict[Path, str] = {}
    for stem in ARTICLES:
        ttl, nq, ns = quote_graph(stem)
        outputs[ROOT / "data" / f"quotes-{stem}.ttl"] = ttl
        print(f"{stem}: {nq} quotes supporting {ns} statements")
    ttl, nt = translations()
    outputs[ROOT / "data" / "translations.ttl"] = ttl
    print(f"curation: {nt} literals marked as the project's translation")
    stale = [p for p, ttl in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != ttl]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for p, ttl in outputs.items():
        p.write_text(ttl, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
