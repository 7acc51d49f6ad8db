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
  --fs-size on a guest that fills an in-memory tree with data, and on one that ftruncates two files
      to 3 GiB: peak RSS of wrun against the budget.
  --fs-out on a chain of directories 1 000 / 10 000 / 40 000 deep: the image's size, the time and
      peak RSS of saving it (a run with --fs-out minus the same run without), and of mounting it.

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

# Writes 1 MiB at a time to /big until a write fails; exits with the errno (51 = ENOSPC).
FILL = """(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 17)
  (data (i32.const 16) "big")
  (func (export "_start") (local $e i32)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 32))
      (then unreachable))
    (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 1048576))
    (loop $more
      (local.set $e (call $w (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $more (i32.eqz (local.get $e))))
    (call $exit (local.get $e))))"""
# ftruncate /a and /b to 3 GiB each; exits 0 when both are ENOSPC (51), 1 otherwise.
TRUNCATE = """(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "a") (data (i32.const 17) "b")
  (func $grow (param $name i32) (result i32)
    (drop (call $open (i32.const 3) (i32.const 0) (local.get $name) (i32.const 1) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 32)))
    (call $size (i32.load (i32.const 32)) (i64.const 3221225472)))
  (func (export "_start")
    (call $exit (i32.ne (i32.add (call $grow (i32.const 16)) (call $grow (i32.const 17))) (i32.const 102)))))"""
# Makes DEPTH nested directories `d`, each one opened below the last, as a hostile guest does.
# (A directory is opened with every right but the write-like ones, or it is EISDIR.)
DEEP = """(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "d")
  (func (export "_start") (local $fd i32) (local $n i32)
    (local.set $fd (i32.const 3))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $n) (i32.const DEPTH)))
        (br_if $done (call $mkdir (local.get $fd) (i32.const 16) (i32.const 1)))
        (br_if $done (call $open (local.get $fd) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 2) (i64.const RIGHTS) (i64.const -1) (i32.const 0) (i32.const 32)))
        (if (i32.ne (local.get $fd) (i32.const 3)) (then (drop (call $close (local.get $fd)))))
        (local.set $fd (i32.load (i32.const 32)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))))""".replace("RIGHTS", str(~(1 | 64 | 256 | (1 << 22))))


def run_rss(args, tmp):
    """Runs wrun; returns (seconds, exit status, peak RSS in MiB)."""
    env = dict(os.environ, WRUN_CACHE_DIR=os.path.join(tmp, "cache"))
    start = time.perf_counter()
    p = subprocess.Popen([WRUN] + args, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


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

        empty = os.path.join(tmp, "empty.tar")
        with open(empty, "wb") as f:
            f.write(bytes(1024))
        fill, trunc, noop_fs = (write(tmp, n + ".wat", t) for n, t in
                                [("fill", FILL), ("truncate", TRUNCATE), ("noop_fs", NOOP)])
        print("\n### --fs-size: peak RSS of wrun against the tree's budget (cranelift)\n")
        print("| guest | --fs-size | exit | peak RSS | RSS − budget |")
        print("|---|---|---|---|---|")
        _, _, base = run_rss(["--fs", empty, noop_fs], tmp)
        print(f"| does nothing | 1GiB | 0 | {base:.0f} MiB | — |")
        for guest, name in [(fill, "writes 1 MiB at a time until ENOSPC"), (trunc, "ftruncates two files to 3 GiB")]:
            for size in ["64MiB", "256MiB", "1GiB"]:
                budget = int(size[:-3]) * (1024 if size.endswith("GiB") else 1)
                _, code, rss = run_rss(["--fs", empty, "--fs-size", size, guest], tmp)
                print(f"| {name} | {size} | {code} | {rss:.0f} MiB | {rss - budget:+.0f} MiB |")

        print("\n### --fs-out and --fs on a chain of nested directories (cranelift)\n")
        print("| depth | image | saving: time / peak RSS | mounting: time / peak RSS |")
        print("|---|---|---|---|")
        for depth in [1000, 10000, 40000]:
            deep = write(tmp, f"deep{depth}.wat", DEEP.replace("DEPTH", str(depth)))
            image = os.path.join(tmp, f"deep{depth}.tar")
            flags = ["--fs", empty, "--fs-size", "2GiB"]
            run_rss(flags + [deep], tmp)  # warm the cache
            t0, _, _ = run_rss(flags + [deep], tmp)
            t1, code, rss_save = run_rss(flags + ["--fs-out", image, deep], tmp)
            t2, code2, rss_mount = run_rss(["--fs", image, "--fs-size", "2GiB", noop_fs], tmp)
            t3, _, _ = run_rss(["--fs", empty, noop_fs], tmp)
            size = os.path.getsize(image) / (1 << 20)
            print(f"| {depth:,} | {size:,.1f} MiB | {ms(t1 - t0)} ms / {rss_save:.0f} MiB | "
                  f"{ms(t2 - t3)} ms / {rss_mount:.0f} MiB |")
            os.remove(image)


if __name__ == "__main__":
    main()
