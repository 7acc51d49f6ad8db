#!/usr/bin/env bash
# Runs every test on a fresh machine (setup included):
#   1. Rust: unit tests, the guest suite on 3 engines x host/in-memory files, CLI and escape suites
#      (the escape cases also through the npm package's WASI on real directories in Node), real
#      programs from PyPI (YoWASP's Yosys, nextpnr, icepack and Boolector: fetch-real-programs.sh),
#      and the four fuzz targets' bodies replayed over their committed corpus and past findings
#      (fuzzing/tests/corpus.rs; fuzzing itself needs nightly and minutes: scripts/fuzz.sh)
#   2. the shared core builds for wasm32-unknown-unknown
#   3. the browser core's Rust API under wasm-bindgen-test, in Node and in headless Chrome
#   4. the npm package: Node tests, Chromium tests (playwright-core, pages without COOP/COEP), and
#      the same scenarios in Firefox ESR and WebKit (Debian's packages, over WebDriver)
#   5. parity: every guest gives identical output under wrun x3, Node, Chromium, Firefox, WebKit
#   6. the playground: built with its tools, then driven in Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/fetch-real-programs.sh
mkdir -p target/test-artifacts
log=target/test-artifacts/test-output.txt
: >"$log"
section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "runtime-core and wasi-vfs build for wasm32-unknown-unknown"
cargo build --release --quiet -p runtime-core -p wasi-vfs --target wasm32-unknown-unknown

section "browser core and npm package build (the escape suite runs its cases through it too)"
./scripts/build-web.sh

section "cargo test (release: one build of wasmtime serves the tests and the parity runner)"
WRUN_REQUIRE_NODE=1 WRUN_REQUIRE_REAL_PROGRAMS=1 cargo test --release --workspace --all-features 2>&1 | tee -a "$log"

section "browser core under wasm-bindgen-test: Node, then headless Chrome"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test -p wrun-web --target wasm32-unknown-unknown 2>&1 | tee -a "$log"
(cd web && WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test -p wrun-web --target wasm32-unknown-unknown --test core 2>&1) | tee -a "$log"
unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER

section "npm package: Node and Chromium tests"
(cd npm && node --test --test-reporter=spec test/ 2>&1) | tee -a "$log" | tee target/test-artifacts/npm-tests.txt
# Every browser and real module is installed by now (setup.sh): a skipped test is a setup failure.
grep -q '^ℹ skipped 0' target/test-artifacts/npm-tests.txt || { echo "npm tests were skipped"; exit 1; }

section "parity: wrun (cranelift, winch, wasmi) = Node = Chromium = Firefox = WebKit"
node tests/parity/run.mjs 2>&1 | tee -a "$log"

section "playground: build (tools are cached outside the repo), then its Node and Chromium tests"
./scripts/playground.sh --build-only
(cd playground && node --test --test-reporter=spec test/ 2>&1) | tee -a "$log" | tee target/test-artifacts/playground-tests.txt
# The browser tests skip only when the tools are missing, which the build above rules out.
grep -q '^ℹ skipped 0' target/test-artifacts/playground-tests.txt || { echo "playground tests were skipped"; exit 1; }

# Guard against suites that silently ran nothing.
rust=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
js=$(grep -Eo '^ℹ pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
section "$rust Rust tests and $js JS tests passed; parity table above"
[ "$rust" -ge 160 ] || { echo "expected at least 160 Rust tests to run, saw $rust"; exit 1; }
[ "$js" -ge 115 ] || { echo "expected at least 115 JS tests to run, saw $js"; exit 1; }
grep -q 'all identical' "$log" || { echo "parity runner did not report identical results"; exit 1; }
