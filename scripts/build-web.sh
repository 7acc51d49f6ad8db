#!/usr/bin/env bash
# Builds the browser core (web/ → wasm32 → wasm-bindgen → wasm-opt) into npm/src/core/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p wrun-web --target wasm32-unknown-unknown --profile web
out=npm/src/core
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name wrun_web target/wasm32-unknown-unknown/web/wrun_web.wasm
# Debian's binaryen 108 corrupts wasm-bindgen output: use the npm one (wasm-opt 132).
if [ -x npm/node_modules/.bin/wasm-opt ]; then
    npm/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$out/wrun_web_bg.wasm" -o "$out/wrun_web_bg.wasm"
fi
ls -l "$out/wrun_web_bg.wasm" | awk '{print "core: " $5 " bytes"}'
gzip -9 -c "$out/wrun_web_bg.wasm" | wc -c | awk '{print "core gzip: " $1 " bytes"}'
