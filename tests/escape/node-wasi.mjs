// One escape attempt through the npm package's WASI polyfill in Node, on a real directory:
// native/tests/cli_escape.rs runs its cases through here as it runs them through `wrun --dir`.
//   node tests/escape/node-wasi.mjs MODULE.wasm HOST_DIR
// Exits with the program's exit status (the first failing call's errno).
import { readFileSync } from 'node:fs';
import { WASI } from '../../npm/dist/index.js';

const [wasm, dir] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['escape'], preopens: { '/sandbox': dir } });
const { instance } = await WebAssembly.instantiate(readFileSync(wasm), wasi.getImportObject());
process.exitCode = wasi.start(instance);
