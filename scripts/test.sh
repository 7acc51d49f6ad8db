#!/usr/bin/env bash
# Runs every test: unit tests, the guest-program suite on all engines, the host-escape suite,
# and checks that the shared core builds for the browser target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== runtime-core and wasi-vfs build for wasm32-unknown-unknown"
cargo build --release --quiet -p runtime-core -p wasi-vfs --target wasm32-unknown-unknown

echo "== cargo test (release: one build of wasmtime serves tests and benchmarks)"
cargo test --release --workspace --all-features 2>&1 | tee target/test-output.txt
# Guard against suites that silently ran nothing.
ran=$(grep -Eo 'test result: ok\. [0-9]+ passed' target/test-output.txt | awk '{s+=$4} END {print s+0}')
echo "== $ran tests passed"
[ "$ran" -ge 50 ] || { echo "expected at least 50 tests to run, saw $ran"; exit 1; }
