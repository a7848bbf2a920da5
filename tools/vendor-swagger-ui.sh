#!/usr/bin/env bash
# Vendor Swagger UI (swagger-ui-dist) into server/web/static/vendor/swagger-ui/ so the API documentation page
# (/api) works offline and the wheel carries it. Usage: tools/vendor-swagger-ui.sh [VERSION]   (needs node/npm)
#
# Swagger UI rather than Redoc: the issue asks that "try it out" works, and only Swagger UI calls the API from the
# page. The npm package ships a self-contained bundle (swagger-ui-bundle.js, React and every plugin inlined) and one
# stylesheet; the page loads those two files only. Source-map comments are dropped (the maps are not vendored, and
# devtools would otherwise request them). The stylesheet may hold data: URIs but must not reference other files.
set -euo pipefail

VERSION="${1:-5.35.0}"
PACKAGE="swagger-ui-dist"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/server/web/static/vendor/swagger-ui"
# shellcheck source=tools/npm-unpack.sh
. "$ROOT/tools/npm-unpack.sh"
npm_unpack "$PACKAGE" "$VERSION" swagger-ui-bundle.js swagger-ui.css LICENSE
BUILD="$PACKAGE_DIR"
if grep -o 'url([^)]*)' "$BUILD/swagger-ui.css" | grep -qv 'url("\?data:'; then
  echo "error: swagger-ui.css references other files (url(...) that is not data:); vendor them too" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST"
sed -e '/^\/\/# sourceMappingURL=/d' -e 's#//\# sourceMappingURL=[^ ]*\.map$##' "$BUILD/swagger-ui-bundle.js" > "$DEST/swagger-ui-bundle.js"
sed -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$BUILD/swagger-ui.css" > "$DEST/swagger-ui.css"
cp "$BUILD/LICENSE" "$DEST/LICENSE"
cat > "$DEST/VERSION" <<INFO
package: $PACKAGE
version: $VERSION
license: Apache-2.0 (https://github.com/swagger-api/swagger-ui; LICENSE beside this file)
npm-integrity: $INTEGRITY
files: swagger-ui-bundle.js swagger-ui.css LICENSE (sourceMappingURL comments removed)
vendored-by: tools/vendor-swagger-ui.sh
INFO
(cd "$DEST" && sha256sum swagger-ui-bundle.js swagger-ui.css >> VERSION)
echo "vendored $PACKAGE@$VERSION into ${DEST#$ROOT/}:"
ls -l "$DEST"
