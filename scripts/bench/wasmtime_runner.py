"""Runs a WASI command under wasmtime (the `wasmtime` PyPI package), for scripts/bench.py.

Usage: wasmtime_runner.py [--dir HOST::GUEST]... [--time-file PATH] [--noop] [--no-cache] MODULE.wasm [ARGS...]

stdin, stdout and stderr are the process's own (inherited), as `wasmtime run` does, so the
benchmark gives every runtime the same sinks. wasmtime's compiled-module cache is enabled, so a
warm run loads machine code instead of compiling. With --time-file, writes the seconds spent in
instantiate + `_start` (the "in-process" time) there. With --noop, only imports wasmtime and makes
an engine: the fixed cost of this runner, for reference. With --no-cache, every run compiles
(wasmtime's `-C cache=n`: a cold start).
"""

import argparse
import sys
import time


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--dir", action="append", default=[])
    p.add_argument("--time-file")
    p.add_argument("--noop", action="store_true")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("module", nargs="?")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args()

    import wasmtime

    config = wasmtime.Config()
    try:
        config.cache = not a.no_cache
    except (AttributeError, wasmtime.WasmtimeError):
        pass  # a build without the cache: every run compiles
    engine = wasmtime.Engine(config)
    if a.noop:
        return 0

    module = wasmtime.Module.from_file(engine, a.module)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [a.module, *a.args]
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    for spec in a.dir:
        host, _, guest = spec.partition("::")
        wasi.preopen_dir(host, guest or host)
    store.set_wasi(wasi)

    code = 0
    t0 = time.perf_counter()
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as e:
        code = e.code
    elapsed = time.perf_counter() - t0
    if a.time_file:
        with open(a.time_file, "w") as f:
            f.write(f"{elapsed}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
