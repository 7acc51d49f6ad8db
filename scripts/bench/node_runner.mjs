// Runs a WASI command under Node's built-in `node:wasi`, for scripts/bench.py.
//
// Usage: node node_runner.mjs [--dir HOST::GUEST]... [--time-file PATH] MODULE.wasm [ARGS...]
//
// stdin, stdout and stderr are the process's own file descriptors 0, 1, 2. With --time-file,
// writes the seconds spent in instantiate + `_start` there (Node has no compiled-module cache
// across processes, so every run compiles; that is part of its end-to-end time).
import { readFileSync, writeFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
let timeFile = null;
while (argv.length && argv[0].startsWith('--')) {
  const flag = argv.shift();
  const value = argv.shift();
  if (flag === '--dir') {
    const [host, guest] = value.split('::');
    preopens[guest ?? host] = host;
  } else if (flag === '--time-file') {
    timeFile = value;
  } else {
    throw new Error(`unknown flag ${flag}`);
  }
}
const [module, ...args] = argv;

const wasi = new WASI({
  version: 'preview1',
  args: [module, ...args],
  env: {},
  preopens,
  stdin: 0,
  stdout: 1,
  stderr: 2,
  returnOnExit: true,
});
const compiled = await WebAssembly.compile(readFileSync(module));
const t0 = process.hrtime.bigint();
const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
const code = wasi.start(instance);
const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
if (timeFile) writeFileSync(timeFile, `${elapsed}\n`);
process.exitCode = code;
