#!/usr/bin/env bash
# Builds the playground (runtime, bundled tools, the Vite site) and serves it:
#
#   ./scripts/playground.sh                       build, then serve on http://127.0.0.1:8080
#   ./scripts/playground.sh --port 9000           ... on another port
#   ./scripts/playground.sh --build-only [OUTDIR] build the static site into OUTDIR
#                                                 (default playground/dist) and stop
#
# The site is plain static files with relative paths: copy OUTDIR to any static host, in any
# directory. It needs no COOP/COEP headers, and the server here sends none.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
build_only=""
out=playground/dist
port=8080
while (($#)); do
    case $1 in
        --build-only)
            build_only=1
            if [ $# -gt 1 ] && [[ $2 != -* ]]; then out=$2; shift; fi ;;
        --port) [ $# -gt 1 ] || usage 2; port=$2; shift ;;
        -h|--help) usage ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
    shift
done
out=$(realpath -m "$out")
# Vite empties the output directory: refuse one that holds anything but an earlier build.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/index.html" ]; then
    echo "$out is not empty and is not a playground build: choose another OUTDIR" >&2
    exit 2
fi

log() { printf '\033[1m[playground]\033[0m %s\n' "$*"; }
./scripts/setup.sh
log "building the browser runtime"
./scripts/build-web.sh
log "building the tools"
./scripts/build-playground-tools.sh
log "vite build → $out"
(cd playground && npx vite build --logLevel warn --outDir "$out" --emptyOutDir)

# What a first visit downloads, gzip -9: everything but the tools (fetched on first use), the
# wasmi engine (fetched only by browsers without JSPI) and the core's Node build (never by a page).
gz() { gzip -9 -c "$1" | wc -c; }
sum() { local n=0 f; while IFS= read -r f; do n=$((n + $(gz "$f"))); done; echo $((n / 1024)); }
log "first visit: $(find "$out" -type f ! -path "$out/bin/*.wasm" ! -name '*wasmi*' ! -name '*_node_*' | sum) KiB gzip;" \
    "wasmi (no JSPI only): $(find "$out" -type f -name '*wasmi*' | sum) KiB; tools on first use:" \
    "$(for f in "$out"/bin/*.wasm; do printf '%s %s KiB, ' "$(basename "$f" .wasm)" $(($(gz "$f") / 1024)); done | sed 's/, $//')"

[ -n "$build_only" ] && { log "static site in $out"; exit 0; }
exec node playground/scripts/serve.mjs "$out" "$port"
