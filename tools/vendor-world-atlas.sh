#!/usr/bin/env bash
# Vendor Natural Earth's land (physical layer, 1:50m, public domain) as TopoJSON from npm `world-atlas` into
# server/web/static/vendor/world-atlas/, the base of the city map (land and coastline; no borders: the
# countries files are not vendored). Usage: tools/vendor-world-atlas.sh [VERSION]   (needs node/npm)
set -euo pipefail

VERSION="${1:-2.0.2}"
PACKAGE="world-atlas"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/server/web/static/vendor/world-atlas"
# shellcheck source=tools/npm-unpack.sh
. "$ROOT/tools/npm-unpack.sh"
npm_unpack "$PACKAGE" "$VERSION" land-50m.json LICENSE

rm -rf "$DEST"
mkdir -p "$DEST"
cp "$PACKAGE_DIR/land-50m.json" "$PACKAGE_DIR/LICENSE" "$DEST/"
cat > "$DEST/VERSION" <<INFO
package: $PACKAGE
version: $VERSION
license: ISC (the packaging, https://github.com/topojson/world-atlas); the data: Natural Earth, public domain
source: Natural Earth 4.1.0 land boundaries, 1:50m physical vectors (https://www.naturalearthdata.com/downloads/50m-physical-vectors/)
npm-integrity: $INTEGRITY
files: land-50m.json (TopoJSON, object "land"; the countries files are not vendored: no borders are drawn)
vendored-by: tools/vendor-world-atlas.sh
INFO
(cd "$DEST" && sha256sum land-50m.json >> VERSION)
echo "vendored $PACKAGE@$VERSION into ${DEST#$ROOT/}:"
ls -l "$DEST"
