#!/usr/bin/env bash
# Vendor YASGUI (@zazuko/yasgui) into server/web/static/vendor/yasgui/ so the query page works offline and the
# wheel carries it. Usage: tools/vendor-yasgui.sh [VERSION]   (needs node/npm; run from anywhere)
#
# The npm build is a self-contained UMD bundle (yasgui.min.js, with Yasqe, Yasr, CodeMirror, DataTables inlined)
# plus one stylesheet without url() references, so those two files are all the page loads. The source-map comment
# is dropped (the 3.6 MB map is not vendored, and devtools would otherwise request it).
set -euo pipefail

VERSION="${1:-4.6.2}"
PACKAGE="@zazuko/yasgui"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/server/web/static/vendor/yasgui"
# shellcheck source=tools/npm-unpack.sh
. "$ROOT/tools/npm-unpack.sh"
npm_unpack "$PACKAGE" "$VERSION" build/yasgui.min.js build/yasgui.min.css
BUILD="$PACKAGE_DIR/build"
if grep -q 'url(' "$BUILD/yasgui.min.css"; then
  echo "error: yasgui.min.css references other files (url(...)); vendor them too" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST"
sed -e '/^\/\/# sourceMappingURL=/d' "$BUILD/yasgui.min.js" > "$DEST/yasgui.min.js"
sed -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$BUILD/yasgui.min.css" > "$DEST/yasgui.min.css"
cat > "$DEST/VERSION" <<INFO
package: $PACKAGE
version: $VERSION
license: MIT (https://github.com/rdfjs/Yasgui)
npm-integrity: $INTEGRITY
files: yasgui.min.js yasgui.min.css (from build/; sourceMappingURL comment removed)
vendored-by: tools/vendor-yasgui.sh
INFO
(cd "$DEST" && sha256sum yasgui.min.js yasgui.min.css >> VERSION)
echo "vendored $PACKAGE@$VERSION into ${DEST#$ROOT/}:"
ls -l "$DEST"
