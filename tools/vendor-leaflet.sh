#!/usr/bin/env bash
# Vendor Leaflet into server/web/static/vendor/leaflet/ for the query page's WKT result map (static/wktmap.js),
# so it works offline and the wheel carries it. Usage: tools/vendor-leaflet.sh [VERSION]   (needs node/npm)
#
# Only dist/leaflet.js and dist/leaflet.css are kept. The map draws circle markers and vector paths, never the
# default marker icons, and loads no tiles, so the images that leaflet.css references are not vendored: their
# url() rules are removed from the stylesheet (a browser would otherwise request missing files).
set -euo pipefail

VERSION="${1:-1.9.4}"
PACKAGE="leaflet"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/server/web/static/vendor/leaflet"
# shellcheck source=tools/npm-unpack.sh
. "$ROOT/tools/npm-unpack.sh"
npm_unpack "$PACKAGE" "$VERSION" dist/leaflet.js dist/leaflet.css
rm -rf "$DEST"
mkdir -p "$DEST"
sed -e '/^\/\/# sourceMappingURL=/d' "$PACKAGE_DIR/dist/leaflet.js" > "$DEST/leaflet.js"
sed -e '/url(/d' "$PACKAGE_DIR/dist/leaflet.css" > "$DEST/leaflet.css"
if grep -q 'url(' "$DEST/leaflet.css"; then
  echo "error: leaflet.css still references other files" >&2
  exit 1
fi
cat > "$DEST/VERSION" <<INFO
package: $PACKAGE
version: $VERSION
license: BSD-2-Clause (https://github.com/Leaflet/Leaflet)
npm-integrity: $INTEGRITY
files: leaflet.js leaflet.css (from dist/; sourceMappingURL comment and url() lines removed)
vendored-by: tools/vendor-leaflet.sh
INFO
cp "$PACKAGE_DIR/LICENSE" "$DEST/LICENSE"
(cd "$DEST" && sha256sum leaflet.js leaflet.css >> VERSION)
echo "vendored $PACKAGE@$VERSION into ${DEST#$ROOT/}:"
ls -l "$DEST"
