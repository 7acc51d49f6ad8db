#!/usr/bin/env bash
# Builds the browser core (web/ → wasm32 → wasm-bindgen → wasm-opt) into npm/src/core/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=npm/src/core
mkdir -p "$out"
# Two builds of the same crate: the core every page loads, and the wasmi add-on loaded on demand.
for variant in wrun_web wrun_web_wasmi; do
    features=""
    [ "$variant" = wrun_web_wasmi ] && features="--features wasmi"
    cargo build --quiet -p wrun-web --target wasm32-unknown-unknown --profile web $features
    wasm-bindgen --target web --out-dir "$out" --out-name "$variant" target/wasm32-unknown-unknown/web/wrun_web.wasm
    # Debian's binaryen 108 corrupts wasm-bindgen output: use the npm one (wasm-opt 132).
    if [ -x npm/node_modules/.bin/wasm-opt ]; then
        npm/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$out/${variant}_bg.wasm" -o "$out/${variant}_bg.wasm"
    fi
    raw=$(stat -c %s "$out/${variant}_bg.wasm")
    gz=$(gzip -9 -c "$out/${variant}_bg.wasm" | wc -c)
    echo "$variant: $raw bytes, $gz gzip"
done
