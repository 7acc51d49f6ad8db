#!/usr/bin/env python3
"""Benchmarks wrun against wasmtime and Node on the guests in tests/bench/, and writes BENCHMARKS.md.

    python3 scripts/bench.py [--runs N] [--only NAME,...] [--no-cargo] [--no-wait] [--out BENCHMARKS.md]

Builds `wrun` (release) and the benchmark guests, then times each program end to end (process
start to exit, as a user sees it) under:

- `wrun --engine cranelift`, `wrun --engine winch`, `wrun --engine wasmi`, each with its
  compiled-module cache in a private directory, warmed by one untimed run;
- wasmtime through its PyPI package (scripts/bench/wasmtime_runner.py, a subprocess; wasmtime's
  own cache on, warmed the same way), which also reports its in-process time (instantiate +
  `_start`, without Python's start-up and the module load);
- Node's built-in `node:wasi` (scripts/bench/node_runner.mjs).

Every runtime gets the same stdin file and the same kind of stdout sink (a regular file, emptied
before each run), and each output is checked after the run. Runs are interleaved (one of each
runtime per round) so a burst of background load hits all of them alike; and since the machine is
shared (2 cores), each timed run first waits until no other build runs and other processes are
nearly idle, and a run during which that changed is thrown away and run again (`--no-wait` skips
both). Times come from `os.wait4`, which also gives the child's CPU time. Raw samples go to
target/bench/results.json. Stdlib only, plus the `wasmtime` package, installed with pip if missing.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SRC = ROOT / "tests" / "bench"
OUT_DIR = ROOT / "target" / "bench"
WRUN = ROOT / "target" / "release" / "wrun"
WASMTIME_RUNNER = ROOT / "scripts" / "bench" / "wasmtime_runner.py"
NODE_RUNNER = ROOT / "scripts" / "bench" / "node_runner.mjs"

SHM = Path("/dev/shm")
CAT_BYTES = 64 << 20
PRINTLN_LINES = 200_000
FILES = 2_000
# Slow cases run fewer times (the interpreter on the CPU-bound program takes half a minute a run).
SLOW_RUNS = {("compute", "wrun wasmi"): 3}
TIMEOUT_S = 900
RETRIES = 3

# The targets for wrun's default engine (cranelift, warm cache), as a ratio of
# wasmtime's time on the same program.
TARGETS = [
    ("compute", 1.02, "compute ≤ 1.02× wasmtime"),
    ("hello", 0.8, "hello ≤ 0.8× wasmtime (warm cache)"),
    ("println", 0.8, "stdout-heavy (println) ≤ 0.8× wasmtime"),
    ("files", 1.0, "files on a host dir ≤ 1.0× wasmtime"),
    ("files-tmpfs", 1.0, "files on a host dir ≤ 1.0× wasmtime (dir on tmpfs)"),
    ("cat", 0.8, "stdout-heavy ≤ 0.8× wasmtime (cat: 64 MiB stdin → stdout)"),
]


@dataclass
class Program:
    name: str
    source: Path
    args: list[str] = field(default_factory=list)
    stdin: Path | None = None  # None: /dev/null
    dir_parent: Path | None = None  # where the fresh preopened directory is made; None: no directory
    what: str = ""


@dataclass
class Runtime:
    name: str
    base: list[str]  # command before the module path
    time_file: bool = False  # the runner reports its in-process time
    env: dict[str, str] = field(default_factory=dict)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sh(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


def ensure_wasmtime() -> str:
    probe = [sys.executable, "-c", "import wasmtime, importlib.metadata as m; print(m.version('wasmtime'))"]
    r = subprocess.run(probe, capture_output=True, text=True)
    if r.returncode != 0:
        sh([sys.executable, "-m", "pip", "install", "--quiet", "wasmtime"])
        r = subprocess.run(probe, capture_output=True, text=True, check=True)
    return r.stdout.strip()


def tool_version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


BUILD_TOOLS = {"cargo", "rustc", "rust-lld", "cc", "ld", "clang", "wasm-opt", "wasm-bindgen"}
# Other processes using more than this many cores make the machine "busy".
BUSY_CORES = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


def scan_procs() -> dict[int, tuple[str, int, int]]:
    """Every process: pid -> (name, parent pid, CPU ticks used so far)."""
    procs = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        procs[int(entry.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    return procs


def ours(procs: dict[int, tuple[str, int, int]]) -> set[int]:
    """This script and its descendants (the runtime being timed)."""
    mine = {os.getpid()}
    grew = True
    while grew:
        kids = {pid for pid, (_, ppid, _) in procs.items() if ppid in mine and pid not in mine}
        mine |= kids
        grew = bool(kids)
    return mine


class Activity:
    """What else the machine is doing: other builds (by name) and other processes' CPU use."""

    def __init__(self) -> None:
        self.last = scan_procs()
        self.last_t = time.monotonic()

    def sample(self) -> list[str]:
        """What has been busy since the previous sample (empty: quiet)."""
        procs, now = scan_procs(), time.monotonic()
        mine = ours(procs)
        busy = [f"{name}[{pid}]" for pid, (name, _, _) in procs.items() if name in BUILD_TOOLS and pid not in mine]
        used = {}
        for pid, (name, _, ticks) in procs.items():
            if pid not in mine and pid in self.last:
                used[f"{name}[{pid}]"] = (ticks - self.last[pid][2]) / TICKS
        cores = sum(used.values()) / max(now - self.last_t, 1e-3)
        if cores > BUSY_CORES:
            top = sorted(used, key=used.get, reverse=True)[:3]
            busy.append(f"{cores:.1f} cores used by others ({', '.join(top)})")
        self.last, self.last_t = procs, now
        return busy


def wait_quiet(max_wait: float, quiet_for: float) -> bool:
    """Waits (up to `max_wait` seconds) until nothing else has been busy for `quiet_for` seconds."""
    deadline = time.time() + max_wait
    act = Activity()
    quiet_since = time.time()
    said = False
    while time.time() < deadline:
        time.sleep(0.5)
        busy = act.sample()
        if busy:
            quiet_since = time.time()
            if not said:
                log(f"   (waiting for the machine to be quiet: {'; '.join(busy[:4])})")
                said = True
        elif time.time() - quiet_since >= quiet_for:
            return True
    return False


class Watcher:
    """Samples [`Activity`] from a background thread while a timed run is going."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.seen: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._activity = Activity()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.seen += self._activity.sample()

    def __enter__(self) -> "Watcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.seen += self._activity.sample()


def fs_type(path: Path) -> str:
    """The file-system type `path` is on, from /proc/mounts (longest matching mount point)."""
    best, kind = "", "an unknown file system"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mnt, fstype, *_ = line.split()
            if (str(path.resolve()) + "/").startswith(mnt.rstrip("/") + "/") and len(mnt) >= len(best):
                best, kind = mnt, fstype
    except OSError:
        pass
    return kind


def locked_version(crate: str) -> str:
    """The version of `crate` in Cargo.lock."""
    lines = (ROOT / "Cargo.lock").read_text().splitlines()
    for i, line in enumerate(lines[:-1]):
        if line == f'name = "{crate}"' and lines[i + 1].startswith("version = "):
            return lines[i + 1].split('"')[1]
    return "?"


def build(programs: list[Program], cargo: bool) -> dict[str, Path]:
    if cargo:
        sh(["cargo", "build", "--release", "-p", "wrun"], cwd=ROOT)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    modules = {}
    for source in sorted({p.source for p in programs}):
        out = OUT_DIR / f"{source.stem}.wasm"
        if not out.exists() or out.stat().st_mtime < source.stat().st_mtime:
            sh(["rustc", "--target", "wasm32-wasip1", "--edition", "2021", "-O", "-o", str(out), str(source)])
        modules[source.stem] = out
    return modules


def make_inputs(work: Path) -> Path:
    """The 64 MiB stdin for `cat`: deterministic pseudo-random bytes."""
    path = work / "cat-input.bin"
    rng = random.Random(20240601)
    with open(path, "wb") as f:
        for _ in range(CAT_BYTES // (1 << 20)):
            f.write(rng.randbytes(1 << 20))
    return path


def expected_output(p: Program, cat_input: Path) -> tuple[str, str] | None:
    """(kind, value) the stdout must match: its sha256, or None to compare runtimes with each other."""
    if p.name == "hello":
        return ("sha256", hashlib.sha256(b"Hello, world!\n").hexdigest())
    if p.name == "println":
        h = hashlib.sha256()
        for i in range(PRINTLN_LINES):
            h.update(f"line {i:06} of the stdout benchmark\n".encode())
        return ("sha256", h.hexdigest())
    if p.name == "cat":
        return ("sha256", file_sha256(cat_input))
    if p.source.stem == "files":
        read = sum(len(f"file number {i}, a little content to read back\n") for i in range(FILES))
        line = f"created {FILES} listed {FILES} read {read} bytes renamed {FILES} deleted {FILES} left 0\n"
        return ("sha256", hashlib.sha256(line.encode()).hexdigest())
    return None  # compute: every runtime must print the same checksum


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Sample:
    seconds: float
    inner: float | None  # the runner's own in-process time, where it reports one
    user: float  # CPU seconds of the process and its threads, in user space
    sys: float  # and in the kernel


class Bench:
    def __init__(self, work: Path, modules: dict[str, Path], cat_input: Path):
        self.work = work
        self.modules = modules
        self.cat_input = cat_input
        self.stdout_path = work / "stdout.out"
        self.stderr_path = work / "stderr.out"
        self.time_path = work / "inner-time.txt"
        self.problems: list[str] = []
        self.compute_outputs: dict[str, str] = {}
        self.busy_runs = 0  # timed runs kept although something else was busy during them
        self.retried = 0  # runs thrown away because something else was busy during them
        self.timed_runs = 0

    def run_once(self, rt: Runtime, p: Program) -> Sample:
        cmd = list(rt.base)
        dir_path = None
        if p.dir_parent is not None:
            dir_path = Path(tempfile.mkdtemp(prefix="wrun-bench-files-", dir=p.dir_parent))
            cmd += ["--dir", f"{dir_path}::/bench"]  # every runner spells it so
        if rt.time_file:
            cmd += ["--time-file", str(self.time_path)]
            self.time_path.unlink(missing_ok=True)
        cmd += [str(self.modules[p.source.stem]), *p.args]
        env = {**os.environ, **rt.env}
        stdin_path = p.stdin or Path(os.devnull)
        with open(stdin_path, "rb") as stdin, open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # Not `subprocess.run(timeout=...)`: with a timeout, Python polls for the child's exit
            # with sleeps of up to 50 ms, which would round short runs up by as much.
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, env=env)
            killer = threading.Timer(TIMEOUT_S, proc.kill)
            killer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - t0
            killer.cancel()
            proc.returncode = code = os.waitstatus_to_exitcode(status)
        inner = None
        if rt.time_file and self.time_path.exists():
            inner = float(self.time_path.read_text())
        self.check(rt, p, code, dir_path)
        if dir_path is not None:
            shutil.rmtree(dir_path, ignore_errors=True)
        return Sample(seconds, inner, usage.ru_utime, usage.ru_stime)

    def timed_run(self, rt: Runtime, p: Program, wait: bool) -> Sample:
        """One timed run. Unless `wait` is off, waits for the machine to be quiet first (no other
        build, no other process using CPU), and runs again (up to RETRIES times) when something else
        got busy during the run; a run still disturbed is counted."""
        for attempt in range(RETRIES + 1):
            if wait:
                wait_quiet(10 * 60, 1)
            with Watcher() as watcher:
                sample = self.run_once(rt, p)
            if not watcher.seen:
                break
            if attempt < RETRIES:
                log(f"   {rt.name:<16} (disturbed: {'; '.join(watcher.seen[:2])}; running it again)")
                self.retried += 1
        self.timed_runs += 1
        self.busy_runs += bool(watcher.seen)
        return sample

    def check(self, rt: Runtime, p: Program, code: int, dir_path: Path | None) -> None:
        where = f"{p.name} on {rt.name}"
        if code != 0:
            err = self.stderr_path.read_text(errors="replace")[-500:]
            self.problem(f"{where}: exit status {code}; stderr ends: {err!r}")
        want = expected_output(p, self.cat_input)
        if want is None:
            text = self.stdout_path.read_text(errors="replace")
            first = self.compute_outputs.setdefault(p.name, text)
            if text != first or not text.startswith("rounds "):
                self.problem(f"{where}: stdout {text!r} differs from the first runtime's {first!r}")
        else:
            got = file_sha256(self.stdout_path)
            if got != want[1]:
                size = self.stdout_path.stat().st_size
                self.problem(f"{where}: wrong stdout ({size} bytes, sha256 {got[:12]}…)")
        if p.name == "cat":
            err = self.stderr_path.read_text(errors="replace")
            if f"{CAT_BYTES} bytes" not in err:
                self.problem(f"{where}: stderr {err[-200:]!r} lacks the byte count")
        if dir_path is not None and any(dir_path.iterdir()):
            self.problem(f"{where}: the directory was left non-empty")

    def problem(self, msg: str) -> None:
        if msg not in self.problems:
            log("PROBLEM: " + msg)
            self.problems.append(msg)


def fmt_s(s: float | None) -> str:
    if s is None:
        return "–"
    if s < 1:
        return f"{s * 1000:.0f} ms" if s >= 0.0995 else f"{s * 1000:.1f} ms"
    return f"{s:.2f} s"


def fmt_ratio(r: float | None) -> str:
    return "–" if r is None else f"{r:.2f}×"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    ap.add_argument("--only", help="comma-separated programs to run (default: all)")
    ap.add_argument("--no-cargo", action="store_true", help="use the existing target/release/wrun")
    ap.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine, nor rerun disturbed runs")
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="Markdown report to write")
    opts = ap.parse_args()

    wasmtime_version = ensure_wasmtime()
    programs = [
        Program("hello", BENCH_SRC / "hello.rs", what="print one line: start-up cost"),
        Program("compute", BENCH_SRC / "compute.rs", what="hash + sort loop, no host calls in the hot loop"),
        Program("println", BENCH_SRC / "println.rs", what=f"{PRINTLN_LINES:,} `println!` lines (one `fd_write` each)"),
        Program("files", BENCH_SRC / "files.rs", dir_parent=Path(tempfile.gettempdir()),
                what=f"{FILES:,} files created, listed, read, renamed, deleted in a preopened host dir "
                     f"(a fresh one under `{tempfile.gettempdir()}`, on {fs_type(Path(tempfile.gettempdir()))})"),
        *([Program("files-tmpfs", BENCH_SRC / "files.rs", dir_parent=SHM,
                   what="the same in a directory on tmpfs (`/dev/shm`): no disk, so the runtime's own cost shows")]
          if SHM.is_dir() else []),
        Program("cat", ROOT / "tests" / "guests" / "rust" / "cat.rs",
                what="64 MiB from a stdin file to a stdout file, 64 KiB reads"),
    ]
    if opts.only:
        keep = set(opts.only.split(","))
        programs = [p for p in programs if p.name in keep]

    modules = build(programs, not opts.no_cargo)
    if not opts.no_wait and not wait_quiet(15 * 60, 10):
        log("the machine did not get quiet; measuring anyway (the report counts the disturbed runs)")
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="wrun-bench-"))
    try:
        cat_input = make_inputs(work)
        for p in programs:
            if p.name == "cat":
                p.stdin = cat_input
        wrun_cache = work / "wrun-cache"
        runtimes = [
            Runtime(f"wrun {e}", [str(WRUN), "--engine", e], env={"WRUN_CACHE_DIR": str(wrun_cache)})
            for e in ("cranelift", "winch", "wasmi")
        ]
        runtimes.append(Runtime("wasmtime-py", [sys.executable, str(WASMTIME_RUNNER)], time_file=True))
        runtimes.append(Runtime("node", ["node", "--no-warnings", str(NODE_RUNNER)], time_file=True))

        bench = Bench(work, modules, cat_input)
        log("== runner start-up (python3 + import wasmtime + Engine, no module)")
        noop = []
        for _ in range(opts.runs):
            if not opts.no_wait:
                wait_quiet(10 * 60, 1)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(WASMTIME_RUNNER), "--noop"], check=True)
            noop.append(time.perf_counter() - t0)
        py_startup = statistics.median(noop)
        log(f"   {fmt_s(py_startup)}")

        results: dict[tuple[str, str], list[Sample]] = {}
        started = time.time()
        for p in programs:
            log(f"== {p.name}")
            for rt in runtimes:
                if (p.name, rt.name) not in SLOW_RUNS:
                    bench.run_once(rt, p)  # warm-up: fills the module caches and the page cache
            for i in range(opts.runs):
                for rt in runtimes:
                    n = min(opts.runs, SLOW_RUNS.get((p.name, rt.name), opts.runs))
                    if i >= n:
                        continue
                    s = bench.timed_run(rt, p, wait=not opts.no_wait)
                    results.setdefault((p.name, rt.name), []).append(s)
                    log(f"   {rt.name:<16} {fmt_s(s.seconds):>10}" + (f"  (in-process {fmt_s(s.inner)})" if s.inner else ""))
        elapsed = time.time() - started
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = render(programs, runtimes, results, bench, opts.runs, py_startup, wasmtime_version, load_before,
                    load_after, elapsed)
    Path(opts.out).write_text(report)
    raw = {f"{k[0]} / {k[1]}": [vars(s) for s in v] for k, v in results.items()}
    # Beside a report written elsewhere, so a trial run does not replace the real run's samples.
    raw_path = OUT_DIR / "results.json" if Path(opts.out).resolve() == ROOT / "BENCHMARKS.md" else Path(opts.out).with_suffix(".json")
    raw_path.write_text(json.dumps(raw, indent=1))
    log(f"wrote {opts.out} and {raw_path}")
    return 1 if bench.problems else 0


# Explanations found while reading the numbers (with strace and the sources), kept with the report.
NOTES = """\
- Why the gaps are what they are: wrun buffers stdout in 64 KiB chunks when it is not a terminal
  (a write more than 50 ms after the last flush flushes, and so do waiting for input and exiting),
  while wasmtime and Node make one `write` per `fd_write`: on `println`, `strace -c` counts
  200 000 `write`s for each of them and 117 for wrun. wasmtime's WASI (preview 1 on top of its preview 2 implementation) hands each
  file-system call to a thread pool: `strace -f -c` on `files` shows about 500 000 `futex` calls
  against wrun's none, which is where its kernel time on tmpfs goes. On `compute`, where nothing
  but generated code runs, wrun and wasmtime are within noise of each other (same Cranelift, two
  releases apart), and Node's TurboFan is faster on this particular loop."""


def render(programs, runtimes, results, bench, runs, py_startup, wasmtime_version, load_before, load_after,
           elapsed) -> str:
    def med(p: str, rt: str) -> float | None:
        s = results.get((p, rt))
        return statistics.median(x.seconds for x in s) if s else None

    def med_inner(p: str, rt: str) -> float | None:
        s = [x.inner for x in results.get((p, rt), []) if x.inner is not None]
        return statistics.median(s) if s else None

    def med_sys(p: str, rt: str) -> float | None:
        s = results.get((p, rt))
        return statistics.median(x.sys for x in s) if s else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    L = []
    L.append("# Benchmarks: wrun (native) against wasmtime and Node")
    L.append("")
    L.append(f"Measured {date} on a {os.cpu_count()}-core machine ({cpu}, {platform.system()} {platform.release()}); "
             f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after ({elapsed / 60:.0f} min of runs); "
             f"each timed run waited until no other build (cargo, rustc, a linker) ran and other processes "
             f"used under {BUSY_CORES} of a core; {bench.retried} runs were thrown away and run again because "
             f"the machine got busy during them, and {bench.busy_runs} of the {bench.timed_runs} kept runs "
             f"were still disturbed. Reproduce with:")
    L.append("")
    L.append("```sh")
    L.append("python3 scripts/bench.py")
    L.append("```")
    L.append("")
    L.append(f"Versions: {tool_version([str(WRUN), '--version'])} (with wasmtime {locked_version('wasmtime')} and "
             f"wasmi {locked_version('wasmi')}), "
             f"wasmtime {wasmtime_version} (PyPI package), Node {tool_version(['node', '--version'])}, "
             f"{tool_version(['rustc', '--version'])}.")
    L.append("")
    L.append("## Programs")
    L.append("")
    L.append("Guests in `tests/bench/` (and `cat` from `tests/guests/rust/`), built with "
             "`rustc --target wasm32-wasip1 --edition 2021 -O`:")
    L.append("")
    for p in programs:
        L.append(f"- **{p.name}**: {p.what}.")
    L.append("")
    L.append("## Results")
    L.append("")
    slow = [f"{p} on {rt}: {n} runs" for (p, rt), n in SLOW_RUNS.items() if (p, rt) in results]
    L.append(f"Median wall-clock time of {runs} runs, process start to exit"
             + (f" (fewer for slow cases — {'; '.join(slow)}, and no warm-up run)" if slow else "")
             + ". Ratios are against wasmtime's end-to-end time; below 1 is faster than wasmtime.")
    L.append("")
    names = [rt.name for rt in runtimes]
    head = ["program"] + names[:3] + ["wasmtime-py", "wasmtime in-process", "node"] + \
           [f"{n} ÷ wasmtime" for n in ("cranelift", "winch", "wasmi", "node")]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for p in programs:
        wt = med(p.name, "wasmtime-py")
        row = [p.name] + [fmt_s(med(p.name, n)) for n in names[:3]]
        row += [fmt_s(wt), fmt_s(med_inner(p.name, "wasmtime-py")), fmt_s(med(p.name, "node"))]
        row += [fmt_ratio(ratio(med(p.name, n), wt)) for n in names[:3] + ["node"]]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append(f"- **wasmtime-py** is the whole runner process: starting Python, importing the `wasmtime` package "
             f"(which loads its shared library), loading the module from wasmtime's cache, instantiating and "
             f"running. Python + import + `Engine()` alone take **{fmt_s(py_startup)}** (median, `--noop`), a cost "
             f"`wasmtime run` would not have, so end-to-end ratios flatter wrun by about that much.")
    L.append("- **wasmtime in-process** is measured inside the runner around instantiate + `_start` only: no process "
             "start-up, no module load. It is a lower bound for what wasmtime's own CLI would take.")
    node_inner = [f"{p.name} {fmt_s(med_inner(p.name, 'node'))}" for p in programs if med_inner(p.name, 'node')]
    L.append("- **node** compiles the module on every run (no cross-process cache); its in-process time "
             "(instantiate + `_start`) was: " + ", ".join(node_inner) + ".")
    L.append("- All runtimes: stdin is the same file (`/dev/null`, or the 64 MiB input for `cat`), stdout a regular "
             "file on the same disk, emptied before each run and checked after it; stderr a file. `files` gets a "
             "fresh empty directory each run, preopened as `/bench`. wrun and wasmtime each have a "
             "warm compiled-module cache (one untimed run before the timed ones, for every runtime).")
    sys_times = []
    for p in programs:
        if p.dir_parent is not None:
            parts = [f"{n} {fmt_s(med_sys(p.name, n))}" for n in names if med_sys(p.name, n) is not None]
            sys_times.append(f"`{p.name}`: " + ", ".join(parts))
    if sys_times:
        L.append("- Kernel (system) CPU time of the whole process, median, for the file benchmarks — on a disk file "
                 "system creating a file is the bulk of it, and it varies from minute to minute with the disk's "
                 "other traffic, which is why `files-tmpfs` is there too: " + "; ".join(sys_times) + ".")
    L.append(NOTES)
    L.append("")
    L.append("## Targets (wrun's default engine, cranelift, warm cache)")
    L.append("")
    L.append("| target | wrun cranelift | wasmtime-py | ratio | verdict | ratio vs in-process wasmtime |")
    L.append("|---|---:|---:|---:|---|---:|")
    for prog, limit, label in TARGETS:
        ours, wt = med(prog, "wrun cranelift"), med(prog, "wasmtime-py")
        r = ratio(ours, wt)
        verdict = "–" if r is None else ("met" if r <= limit else "**missed**")
        L.append(f"| {label} | {fmt_s(ours)} | {fmt_s(wt)} | {fmt_ratio(r)} | {verdict} | "
                 f"{fmt_ratio(ratio(ours, med_inner(prog, 'wasmtime-py')))} |")
    L.append("")
    L.append("The verdicts compare end-to-end times, as the targets are stated. Against the in-process column "
             "(which leaves out wasmtime's process start-up and module load but not wrun's) a target can look "
             "missed where the end-to-end one is met; that column is there so readers can judge how much of the "
             "margin is Python's start-up.")
    L.append("")
    L.append("## Output checks")
    L.append("")
    if bench.problems:
        L.append("Some runs misbehaved:")
        L.append("")
        L.extend(f"- {m}" for m in bench.problems)
    else:
        L.append("Every run exited 0 with the expected output (`compute`: the same checksum on every runtime).")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
