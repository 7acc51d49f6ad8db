#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh machine, skipping what is already there.
# Sources: rustup, Debian packages (clang + wasi-libc for C guest programs).
set -euo pipefail

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

need_targets=()
installed=$(rustup target list --installed)
for t in wasm32-wasip1 wasm32-unknown-unknown; do
    grep -qx "$t" <<<"$installed" || need_targets+=("$t")
done
if ((${#need_targets[@]})); then
    log "rustup target add ${need_targets[*]}"
    rustup target add "${need_targets[@]}"
fi

# C guests: clang with the wasm32 backend, wasm-ld, wasi-libc and its compiler-rt builtins.
if ! command -v clang >/dev/null || ! command -v wasm-ld >/dev/null || [ ! -d /usr/lib/wasm32-wasi ] \
    || ! ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
    log "apt-get install clang lld wasi-libc libclang-rt-dev-wasm32"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang lld wasi-libc libclang-rt-dev-wasm32 >/dev/null
fi
log "toolchain ready"
