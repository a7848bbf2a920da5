#!/usr/bin/env bash
# Vendor the axioms of the standard vocabularies the graph uses into vocabularies/, so the reasoner check
# (tests/build/test_vocabulary_consistency.py) runs offline on exactly these versions.
# Usage: tools/vendor-vocabularies.sh   (needs node/npm; run from anywhere)
#
# Source: the npm packages @vocabulary/<prefix> of zazuko/rdf-vocabularies (the per-vocabulary packages that
# @zazuko/vocabularies 4.0.0 depends on). Each ships the vocabulary as published by its owner, as N-Quads whose
# graph is the namespace; the files are copied unchanged. vocabularies/SOURCES.md records package, version,
# npm integrity and sha256 of every file.
set -euo pipefail

# prefix@version: every vocabulary whose terms the ontology or data use (schema.org, PROV-O, SKOS, W3C ORG,
# FOAF, Web Annotation, DCAT, RDF Data Cube, GeoSPARQL, DCMI Terms).
PACKAGES=(prov@1.0.6 skos@1.0.6 org@1.0.6 foaf@1.0.6 oa@1.0.6 dcat@1.0.5 qb@1.0.6 geo@1.0.6 dcterms@1.0.6 schema@1.1.0)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/vocabularies"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

rm -f "$DEST"/*.nq
mkdir -p "$DEST"
{
  echo "# Vendored vocabularies"
  echo
  echo "Written by \`tools/vendor-vocabularies.sh\`; do not edit. Each file is copied unchanged from the npm package"
  echo "named (zazuko/rdf-vocabularies, https://github.com/zazuko/rdf-vocabularies, MIT; the vocabularies keep their"
  echo "owners' licences: W3C Document License / CC BY 4.0 for the W3C ones, CC BY 4.0 DCMI, CC BY-SA 3.0 schema.org,"
  echo "OGC for GeoSPARQL). Used only by the reasoner check, never loaded into the served graph."
  echo
  echo "| file | vocabulary namespace | npm package | version | npm integrity | sha256 |"
  echo "|---|---|---|---|---|---|"
} > "$DEST/SOURCES.md"
for spec in "${PACKAGES[@]}"; do
  prefix="${spec%@*}" version="${spec#*@}" package="@vocabulary/${spec%@*}"
  tarball="$(cd "$WORK" && npm pack --silent "$package@$version" 2>/dev/null | tail -n 1)"
  integrity="$(npm view "$package@$version" dist.integrity 2>/dev/null)"
  namespace="$(npm view "$package@$version" vocabulary.namespace 2>/dev/null)"
  mkdir -p "$WORK/$prefix"
  tar -xzf "$WORK/$tarball" -C "$WORK/$prefix"
  [ -s "$WORK/$prefix/package/$prefix.nq" ] || { echo "error: $prefix.nq missing from $package@$version" >&2; exit 1; }
  cp "$WORK/$prefix/package/$prefix.nq" "$DEST/$prefix.nq"
  sum="$(sha256sum "$DEST/$prefix.nq" | cut -d' ' -f1)"
  echo "| \`$prefix.nq\` | \`$namespace\` | \`$package\` | $version | \`$integrity\` | \`$sum\` |" >> "$DEST/SOURCES.md"
done
echo "vendored ${#PACKAGES[@]} vocabularies into ${DEST#$ROOT/}:"
ls -l "$DEST"
