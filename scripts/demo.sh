#!/usr/bin/env bash
# Builds wrun and runs the bundled example program on each engine.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --quiet -p wrun
mkdir -p target/guests
rustc --target wasm32-wasip1 --edition 2021 -O -o target/guests/hello.wasm tests/guests/rust/hello.rs
for engine in cranelift winch wasmi; do
    echo "--- wrun --engine $engine target/guests/hello.wasm 'wörld' 🎉"
    ./target/release/wrun --engine "$engine" target/guests/hello.wasm 'wörld' 🎉
done
