#!/usr/bin/env bash
# Compares two builds of wrun on the native benchmark programs, in one run, with hyperfine: each
# engine and program is measured twice, before then after and after then before (so a drift of
# the machine's speed favours neither), and each binary's time is the mean of its two medians.
# Prints a Markdown table with the after/before ratio.
#
#   scripts/bench-ab.sh BEFORE_WRUN AFTER_WRUN [RUNS]
#   scripts/bench-ab.sh --instructions BEFORE_WRUN AFTER_WRUN
#
# --instructions counts the instructions each run executes (valgrind's callgrind, after a warm-up
# run that fills the compiled-module cache) instead of timing it: the same count on every run,
# whatever else the machine does, so differences of a percent show. (compute is left out there:
# it runs no host code, and takes minutes under valgrind.)
#
# Programs: tests/bench/{hello,println,files,compute}.rs and tests/guests/rust/cat.rs, built here
# with rustc (wasm32-wasip1). `files` runs in a fresh directory on tmpfs (/dev/shm) each time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=""
if [ "${1:-}" = --instructions ]; then count=1; shift; fi
before=$1 after=$2 runs=${3:-15}
work=$(mktemp -d)
trap 'rm -rf "$work" /dev/shm/wrun-ab' EXIT
for p in hello println files compute; do
    rustc --target wasm32-wasip1 --edition 2021 -O -o "$work/$p.wasm" "tests/bench/$p.rs"
done
rustc --target wasm32-wasip1 --edition 2021 -O -o "$work/cat.wasm" tests/guests/rust/cat.rs
head -c $((64 << 20)) /dev/urandom >"$work/input.bin"
export WRUN_CACHE_DIR="$work/cache"

# Instructions one run executes, from callgrind's summary line.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ { print $4 }'
}

if [ -n "$count" ]; then
    echo "| program | engine | before (instructions) | after | after ÷ before |"
    echo "|---|---|---:|---:|---:|"
    head -c $((8 << 20)) /dev/urandom >"$work/input8.bin"
    for engine in cranelift winch wasmi; do
        for p in hello println files cat; do
            counts=()
            for bin in "$before" "$after"; do
                cmd=("$bin" --engine "$engine")
                [ "$p" = files ] && cmd+=(--dir /dev/shm/wrun-ab::/bench)
                cmd+=("$work/$p.wasm")
                # Each build its own cache, warmed under valgrind too: code compiled for the real
                # CPU is refused under valgrind's (other CPU features) and compiled again.
                export WRUN_CACHE_DIR="$work/cache-$(basename "$bin")-$(stat -c %i "$bin")"
                for pass in warm measure; do
                    rm -rf /dev/shm/wrun-ab && mkdir /dev/shm/wrun-ab
                    n=$(instructions "${cmd[@]}" <"$work/input8.bin")
                    [ "$pass" = measure ] && counts+=("$n")
                done
            done
            python3 -c "import sys; b, a = int(sys.argv[3]), int(sys.argv[4]); print(f'| {sys.argv[1]} | {sys.argv[2]} | {b:,} | {a:,} | {a / b:.4f}× |')" \
                "$p" "$engine" "${counts[0]}" "${counts[1]}"
        done
    done
    exit 0
fi

echo "| program | engine | before | after | after ÷ before |"
echo "|---|---|---:|---:|---:|"
for engine in cranelift winch wasmi; do
    for p in hello println files cat compute; do
        r=$runs
        [ "$p" = compute ] && r=3
        [ "$p" = compute ] && [ "$engine" = wasmi ] && continue   # 20 s a run
        args=""; prepare=(); shell=(-N); redirect=""
        case $p in
            files) args="--dir /dev/shm/wrun-ab::/bench"; prepare=(--prepare "sh -c 'rm -rf /dev/shm/wrun-ab && mkdir /dev/shm/wrun-ab'") ;;
            # stdin from a file needs a shell (hyperfine 1.15 has no --input); both sides pay it.
            cat) shell=(); redirect="< $work/input.bin" ;;
        esac
        b="$before --engine $engine $args $work/$p.wasm $redirect"
        a="$after --engine $engine $args $work/$p.wasm $redirect"
        hyperfine "${shell[@]}" --warmup 1 --runs "$r" "${prepare[@]}" --export-json "$work/ab.json" "$b" "$a" >/dev/null 2>&1
        hyperfine "${shell[@]}" --warmup 1 --runs "$r" "${prepare[@]}" --export-json "$work/ba.json" "$a" "$b" >/dev/null 2>&1
        python3 - "$work/ab.json" "$work/ba.json" "$p" "$engine" <<'PY'
import json, sys
ab = json.load(open(sys.argv[1]))["results"]
ba = json.load(open(sys.argv[2]))["results"]
b = (ab[0]["median"] + ba[1]["median"]) / 2
a = (ab[1]["median"] + ba[0]["median"]) / 2
fmt = lambda s: f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
print(f"| {sys.argv[3]} | {sys.argv[4]} | {fmt(b)} | {fmt(a)} | {a / b:.3f}× |")
PY
    done
done
