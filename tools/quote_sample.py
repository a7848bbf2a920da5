"""Draw a seeded random sample of fact→quote links from the quote graphs, to judge by reading (issue 17).

A link is one reified statement (a fact of an article graph) in the body of one quote annotation, with the
quote's exact words. The sample is reproducible: the same seed and size give the same links (sorted population,
random.Random(seed).sample). Judge each as right (the words state the fact), weak (they state part of it, or only
with a neighbouring sentence) or wrong (they do not state it); docs/model.md records the judged samples.

Run from the repository root:  python tools/quote_sample.py [--seed N] [-n 30]
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parent.parent
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
ID = "https://w3id.org/ugkg/id/"


def short(node: rdflib.term.Node, g: rdflib.Graph) -> str:
    if isinstance(node, rdflib.Literal):
        text = str(node)
        return repr(text if len(text) <= 90 else text[:87] + "…") + (f"@{node.language}" if node.language else "")
    text = str(node)
    return text[len(ID):] if text.startswith(ID) else g.namespace_manager.normalizeUri(node)


def links() -> list[tuple[str, str, str, str, str]]:
    """(article graph stem, fact as text, quote key, exact words) of every link, sorted."""
    out = []
    for path in sorted((ROOT / "data").glob("quotes-*.ttl")):
        g = rdflib.Graph().parse(path, format="turtle")
        for ann in g.subjects(RDF.type, OA.Annotation):
            words = str(g.value(g.value(g.value(ann, OA.hasTarget), OA.hasSelector), OA.exact))
            for st in g.objects(ann, OA.hasBody):
                s, p, o = (g.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
                out.append((path.stem[len("quotes-"):], f"{short(s, g)} {short(p, g)} {short(o, g)}", str(ann).rsplit("/", 1)[1], words))
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261204, help="random seed (default: sample B of docs/model.md)")
    parser.add_argument("-n", type=int, default=30, help="sample size")
    args = parser.parse_args()
    population = links()
    print(f"# {len(population)} fact→quote links; seed {args.seed}, sample of {args.n}")
    for i, (stem, fact, key, words) in enumerate(random.Random(args.seed).sample(population, args.n), start=1):
        print(f"{i:2d}. [{stem} {key}] {fact}\n    ← {words}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
