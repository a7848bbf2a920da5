# Sourced by tools/vendor-*.sh: fetch one npm package into a temporary directory (removed on exit).
# npm_unpack PACKAGE VERSION FILE...  sets WORK, PACKAGE_DIR (the unpacked package/) and INTEGRITY (npm's
# dist.integrity), and fails when a FILE (relative to the package) is missing or empty.
npm_unpack() {
  local package="$1" version="$2" tarball file
  shift 2
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  tarball="$(cd "$WORK" && npm pack --silent "$package@$version" 2>/dev/null | tail -n 1)"
  INTEGRITY="$(npm view "$package@$version" dist.integrity 2>/dev/null)"
  mkdir "$WORK/unpacked"
  tar -xzf "$WORK/$tarball" -C "$WORK/unpacked"
  PACKAGE_DIR="$WORK/unpacked/package"
  for file in "$@"; do
    [ -s "$PACKAGE_DIR/$file" ] || { echo "error: $file missing from $package@$version" >&2; exit 1; }
  done
}
