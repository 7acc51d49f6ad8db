#!/usr/bin/env bash
# Fuzzes every target in fuzz/ for a fixed time each and prints, per target, the CPU time used,
# the executions, and the findings (new crash, leak, timeout or out-of-memory inputs).
#
#   scripts/fuzz.sh            # 60 s per target
#   scripts/fuzz.sh 300        # 5 minutes per target
#   CI=true scripts/fuzz.sh    # 5 s per target (a smoke run; an argument still wins)
#   FUZZ_TARGETS="wasi_calls differential" scripts/fuzz.sh 30
#
# Needs the nightly toolchain and cargo-fuzz (installed from crates.io if missing). The first
# build instruments wasmtime with AddressSanitizer and takes several minutes; it lives in
# fuzz/target. New corpus entries go to fuzz/target/corpus/<target> (not committed); the committed
# seeds in fuzz/corpus/<target> are only read. Findings land in fuzz/artifacts/<target>: turn each
# into a regression test (see SECURITY.md). Exits 1 if anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
if [ $# -eq 0 ] && [ "${CI:-}" = true ]; then secs=5; fi
targets=(${FUZZ_TARGETS:-module_load wasi_calls differential host_paths})

rustup toolchain list | grep -q '^nightly' || { echo "fuzz.sh: needs the nightly toolchain (rustup toolchain install nightly)"; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install --quiet cargo-fuzz

echo "building fuzz targets (nightly, AddressSanitizer)..."
cargo +nightly fuzz build --fuzz-dir fuzz 2>&1 | tail -n 3

# Children's user+system CPU seconds so far, from the shell's `times` (run by the shell itself,
# not in a pipeline's subshell, which would have no children of its own).
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
child_cpu() {
    times >"$times_file"
    CPU=$(tail -n 1 "$times_file" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } printf "%.1f", t }')
}

count_findings() {
    find "fuzz/artifacts/$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l
}

mkdir -p fuzz/target/logs
rows=()
found=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/target/corpus/$t" "fuzz/artifacts/$t"
    log="fuzz/target/logs/$t.log"
    before=$(count_findings "$t")
    child_cpu
    cpu0=$CPU
    echo "fuzzing $t for ${secs}s (log: $log)"
    # -timeout: one input running longer is a finding; -rss_limit_mb: so is using more memory
    # (and libFuzzer then also flags any single allocation that large).
    cargo +nightly fuzz run --fuzz-dir fuzz "$t" "fuzz/target/corpus/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || true
    child_cpu
    cpu1=$CPU
    execs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}' | tail -n 1)
    [ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
    new=$(( $(count_findings "$t") - before ))
    found=$((found + new))
    cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", (b - a) / 60 }')
    rows+=("$(printf '%-14s %8s %10s %12s %9s' "$t" "$secs" "$cpu" "${execs:-?}" "$new")")
    if [ "$new" -gt 0 ]; then
        echo "  $new finding(s) in fuzz/artifacts/$t:"
        grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY)' "$log" | head -n 5 | sed 's/^/    /'
    fi
done

printf '\n%-14s %8s %10s %12s %9s\n' target seconds cpu_min executions findings
printf '%s\n' "${rows[@]}"
[ "$found" -eq 0 ] || { echo "fuzz.sh: $found finding(s); reproduce with: cargo +nightly fuzz run --fuzz-dir fuzz TARGET fuzz/artifacts/TARGET/FILE"; exit 1; }
