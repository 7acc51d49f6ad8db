#!/usr/bin/env bash
# Compares two builds of wrun on the native benchmark programs, in one run, with hyperfine:
# each engine, each program, the two binaries alternated by hyperfine's own scheduling. Prints a
# Markdown table of mean times and the after/before ratio.
#
#   scripts/bench-ab.sh BEFORE_WRUN AFTER_WRUN [RUNS]
#
# Programs: tests/bench/{hello,println,files,compute}.rs and tests/guests/rust/cat.rs, built here
# with rustc (wasm32-wasip1). `files` runs in a fresh directory on tmpfs (/dev/shm) each time.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2 runs=${3:-15}
work=$(mktemp -d)
trap 'rm -rf "$work" /dev/shm/wrun-ab' EXIT
for p in hello println files compute; do
    rustc --target wasm32-wasip1 --edition 2021 -O -o "$work/$p.wasm" "tests/bench/$p.rs"
done
rustc --target wasm32-wasip1 --edition 2021 -O -o "$work/cat.wasm" tests/guests/rust/cat.rs
head -c $((64 << 20)) /dev/urandom >"$work/input.bin"
export WRUN_CACHE_DIR="$work/cache"

echo "| program | engine | before | after | after ÷ before |"
echo "|---|---|---:|---:|---:|"
for engine in cranelift winch wasmi; do
    for p in hello println files cat compute; do
        r=$runs
        [ "$p" = compute ] && r=3
        [ "$p" = compute ] && [ "$engine" = wasmi ] && continue   # 20 s a run
        args=""; prepare=(); shell=(-N); redirect=""
        case $p in
            files) args="--dir /dev/shm/wrun-ab::/bench"; prepare=(--prepare 'rm -rf /dev/shm/wrun-ab && mkdir /dev/shm/wrun-ab') ;;
            # stdin from a file needs a shell (hyperfine 1.15 has no --input); both sides pay it.
            cat) shell=(); redirect="< $work/input.bin" ;;
        esac
        hyperfine "${shell[@]}" --warmup 1 --runs "$r" "${prepare[@]}" --export-json "$work/r.json" \
            "$before --engine $engine $args $work/$p.wasm $redirect" "$after --engine $engine $args $work/$p.wasm $redirect" >/dev/null
        python3 - "$work/r.json" "$p" "$engine" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
b, a = r[0]["mean"], r[1]["mean"]
fmt = lambda s: f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {fmt(b)} | {fmt(a)} | {a / b:.3f}× |")
PY
    done
done
