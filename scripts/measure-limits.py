#!/usr/bin/env python3
"""Measures how precisely wrun's limits stop a guest, on every engine, and prints Markdown tables
for SECURITY.md.

  --timeout 200ms on an infinite loop: wall time from spawn to exit, minus the 200 ms, minus the
      start-up of the same engine (a module that exits at once, same flags), is the overshoot.
  --fuel N on a loop that writes one byte per iteration: the bytes written say how many iterations
      ran; two budgets give the fuel one iteration costs, so the units consumed past the budget
      (overshoot) follow. Also the wall time to stop.
  --max-memory on a memory.grow bomb (one page at a time, then one huge request): the pages the
      guest reached, against the limit.

Uses target/release/wrun (build it first: cargo build --release -p wrun). Runs take ~1 minute.
Usage: python3 scripts/measure-limits.py [RUNS]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRUN = os.path.join(ROOT, "target", "release", "wrun")
ENGINES = ["cranelift", "winch", "wasmi"]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10

SPIN = '(module (func (export "_start") (loop $l (br $l))))'
NOOP = '(module (func (export "_start")))'
# One byte to stdout per iteration, forever.
TICK = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 1))
    (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))"""
# Grows one page at a time until refused, then asks for 65536 pages at once; returns the size.
BOMB = """(module
  (memory (export "memory") 1)
  (func (export "bomb") (result i32)
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (drop (memory.grow (i32.const 65536)))
    (memory.size)))"""


def run(args, tmp, stdout=subprocess.DEVNULL):
    env = dict(os.environ, WRUN_CACHE_DIR=os.path.join(tmp, "cache"))
    start = time.perf_counter()
    p = subprocess.run([WRUN] + args, cwd=tmp, env=env, stdout=stdout, stderr=subprocess.PIPE)
    return time.perf_counter() - start, p


def write(tmp, name, text):
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)
    return name


def ms(x):
    return f"{x * 1000:.0f}"


def main():
    if not os.access(WRUN, os.X_OK):
        sys.exit(f"{WRUN} is missing: cargo build --release -p wrun")
    with tempfile.TemporaryDirectory() as tmp:
        spin, noop, tick, bomb = (write(tmp, n + ".wat", t) for n, t in
                                  [("spin", SPIN), ("noop", NOOP), ("tick", TICK), ("bomb", BOMB)])
        print(f"### --timeout 200ms on an infinite loop ({RUNS} runs per engine)\n")
        print("| engine | start-up (median) | stop time (median / max) | overshoot (median / max) | exit |")
        print("|---|---|---|---|---|")
        for e in ENGINES:
            flags = ["--engine", e, "--timeout", "200ms"]
            run(flags + [noop], tmp)  # warm the compiled-module cache
            run(flags + [spin], tmp)
            base = statistics.median(run(flags + [noop], tmp)[0] for _ in range(RUNS))
            times, codes = [], set()
            for _ in range(RUNS):
                t, p = run(flags + [spin], tmp)
                times.append(t)
                codes.add(p.returncode)
            over = [t - 0.2 - base for t in times]
            print(f"| {e} | {ms(base)} ms | {ms(statistics.median(times))} / {ms(max(times))} ms | "
                  f"{ms(statistics.median(over))} / {ms(max(over))} ms | {sorted(codes)} |")

        print("\n### --fuel on a loop writing one byte per iteration\n")
        print("| engine | budget | iterations run | fuel per iteration | units past the budget | stop time | exit |")
        print("|---|---|---|---|---|---|---|")
        budgets = [1_000_000, 2_000_000]
        for e in ENGINES:
            got = []
            for fuel in budgets:
                flags = ["--engine", e, "--fuel", str(fuel), tick]
                run(flags, tmp, stdout=subprocess.PIPE)
                t, p = run(flags, tmp, stdout=subprocess.PIPE)
                got.append((fuel, len(p.stdout), t, p.returncode))
            (f1, i1, _, _), (f2, i2, _, _) = got
            per = (f2 - f1) / (i2 - i1) if i2 != i1 else float("nan")
            for fuel, iters, t, code in got:
                past = iters * per - fuel
                print(f"| {e} | {fuel:,} | {iters:,} | {per:.1f} | {past:+.0f} (one iteration = {per:.0f}) | "
                      f"{ms(t)} ms | {code} |")

        print("\n### --max-memory on a memory.grow bomb\n")
        print("| engine | --max-memory | limit (pages) | pages reached | overshoot (pages) |")
        print("|---|---|---|---|---|")
        for e in ENGINES:
            for limit in ["16MiB", "64MiB"]:
                pages_allowed = (16 if limit == "16MiB" else 64) * 16
                _, p = run(["--engine", e, "--max-memory", limit, "--invoke", "bomb", bomb], tmp,
                           stdout=subprocess.PIPE)
                reached = int(p.stdout.decode().strip() or -1)
                print(f"| {e} | {limit} | {pages_allowed} | {reached} | {reached - pages_allowed} |")


if __name__ == "__main__":
    main()
