#!/usr/bin/env bash
# Builds the browser core (web/ → wasm32 → wasm-bindgen → wasm-opt) into npm/src/core/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=npm/src/core
mkdir -p "$out"
# Four builds of the same crate: the core every page loads, the full one Node and every worker
# load (with directories of a Node-`fs`-like object, host directories for the WASI polyfill, and
# of a FileSystem the page owns), the half-size one pages load through the `wrun/wasi` entry (the
# polyfill over in-memory trees: no module checks, serving, saving or tar), and the wasmi add-on
# loaded on demand. The first three share one JS glue: the full build's, which must hold all of
# the others' (checked below), the rest being imports those builds never make.
wasm_opt() {
    # Debian's binaryen 108 corrupts wasm-bindgen output: use the npm one (wasm-opt 132).
    if [ -x npm/node_modules/.bin/wasm-opt ]; then
        npm/node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$1"
    fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for variant in wrun_web_full wrun_web wrun_web_wasi wrun_web_wasmi; do
    case $variant in
        wrun_web_full) features="--features path-api,remote-client" name=wrun_web dir="$out" ;;
        wrun_web) features="" name=wrun_web dir="$tmp" ;;
        wrun_web_wasi) features="--no-default-features" name=wrun_web dir="$tmp" ;;
        wrun_web_wasmi) features="--features wasmi" name=wrun_web_wasmi dir="$out" ;;
    esac
    cargo build --quiet -p wrun-web --target wasm32-unknown-unknown --profile web $features
    wasm-bindgen --target web --omit-default-module-path --out-dir "$dir" --out-name "$name" target/wasm32-unknown-unknown/web/wrun_web.wasm
    # wasm-bindgen names the one inline-JS module once for each of its imports, as duplicate keys
    # of the import object; bundlers warn about them (esbuild) or worse. Keep the first.
    for glue in "$dir/$name.js"; do
        awk '/^ *"\.\/snippets\/[^"]*": import[0-9]+,$/ { if (seen[$1]++) next } { print }' "$glue" >"$glue.tmp" && mv "$glue.tmp" "$glue"
    done
    case $variant in
        wrun_web_full) mv "$out/wrun_web_bg.wasm" "$out/wrun_web_full_bg.wasm" ;;
        wrun_web | wrun_web_wasi)
            if diff "$tmp/wrun_web.js" "$out/wrun_web.js" | grep -q '^<'; then
                echo "the $variant build's JS glue is not part of the Node build's:" >&2
                diff "$tmp/wrun_web.js" "$out/wrun_web.js" | grep '^<' >&2
                exit 1
            fi
            mv "$tmp/wrun_web_bg.wasm" "$out/${variant}_bg.wasm" ;;
    esac
    wasm_opt "$out/${variant}_bg.wasm"
    raw=$(stat -c %s "$out/${variant}_bg.wasm")
    gz=$(gzip -9 -c "$out/${variant}_bg.wasm" | wc -c)
    echo "$variant: $raw bytes, $gz gzip"
done
# The core's size, for download progress (the bytes a page receives after decompression).
{
    echo "export const CORE_BYTES = $(stat -c %s "$out/wrun_web_bg.wasm");"
    echo "export const WASI_CORE_BYTES = $(stat -c %s "$out/wrun_web_wasi_bg.wasm");"
    echo "export const FULL_CORE_BYTES = $(stat -c %s "$out/wrun_web_full_bg.wasm");"
} >"$out/size.js"

# The shipped package: one minified ES module (and one for the worker), so a page makes two
# requests before the core runs (the module, then the core's wasm) instead of a dozen.
dist=npm/dist
rm -rf "$dist"
mkdir -p "$dist/core"
# Two separate bundles (no shared chunk, which would cost the page a second round trip); the
# worker repeats some code, but only worker runs load it. The wasmi add-on's JS glue stays a file
# of its own, imported with its wasm only by runs that need wasmi (3.5 KB gzip off every page).
# The worker holds the wasmi add-on's glue itself (a worker may run wasmi where it cannot suspend
# otherwise; a bundle made for a worker cannot split off a dynamic import), so it needs no file
# beside it but the wasm it is told about.
# The Node-fs adapter is a file of its own too: pages import it only for init({ nodeFs: true }).
# The `wrun/wasi` entry (src/polyfill.js) is a third bundle, dist/wasi.js, with its own core.
for entry in index worker polyfill; do
    external="--external:./core/wrun_web_wasmi.js --external:./path-api.js"
    [ "$entry" = worker ] && external=
    outfile="$dist/$entry.js"
    [ "$entry" = polyfill ] && outfile="$dist/wasi.js"
    npm/node_modules/.bin/esbuild "npm/src/$entry.js" --bundle --format=esm --minify --target=es2022 \
        --platform=neutral --outfile="$outfile" --log-level=error $external
done
# require('wrun') on every Node the package accepts (20.0 up; only 20.19+ can require ES modules):
# the same bundle as CommonJS, its import.meta.url made from __filename.
printf '%s\n' "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" >"$tmp/cjs-shim.js"
for entry in index polyfill; do
    outfile="$dist/$entry.cjs"
    [ "$entry" = polyfill ] && outfile="$dist/wasi.cjs"
    npm/node_modules/.bin/esbuild "npm/src/$entry.js" --bundle --format=cjs --minify --target=es2022 --platform=node \
        --outfile="$outfile" --log-level=error --external:./core/wrun_web_wasmi.js --external:./path-api.js \
        --define:import.meta.url=importMetaUrl --inject:"$tmp/cjs-shim.js"
done
npm/node_modules/.bin/esbuild "$out/wrun_web_wasmi.js" --bundle --format=esm --minify --target=es2022 \
    --platform=neutral --outfile="$dist/core/wrun_web_wasmi.js" --log-level=error
cp "$out"/*.wasm "$dist/core/"
# The adapter for Node-fs-like objects: required at run time in Node (src/core.js; as CommonJS,
# which every Node the package accepts can require), imported by pages that ask for it.
npm/node_modules/.bin/esbuild npm/src/path-api.js --format=cjs --minify --target=es2022 --platform=node \
    --outfile="$dist/path-api.cjs" --log-level=error
npm/node_modules/.bin/esbuild npm/src/path-api.js --format=esm --minify --target=es2022 --platform=neutral \
    --outfile="$dist/path-api.js" --log-level=error
cp npm/src/index.d.ts "$dist/index.d.ts"
cp npm/src/wasi.d.ts "$dist/wasi.d.ts"
js=$(cat "$dist"/index.js | gzip -9 | wc -c)
echo "dist/index.js: $(stat -c %s "$dist/index.js") bytes, $js gzip"

