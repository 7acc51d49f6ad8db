// One guest under Node's own node:wasi, for the parity table's `node:wasi` column (a child
// process, since node:wasi reads the process's real stdin and writes its real stdout/stderr).
//   node tests/parity/node-wasi.mjs GUEST.wasm SPEC_JSON SCRATCH_DIR
// Writes the exit status (or "trap") to fd 3.
import { readFileSync, writeSync, mkdirSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [wasm, specJson, scratch] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const preopens = {};
for (const d of spec.dirs) {
  mkdirSync(`${scratch}/${d}`, { recursive: true });
  preopens[`/${d}`] = `${scratch}/${d}`;
}
const env = Object.fromEntries(spec.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const wasi = new WASI({ version: 'preview1', args: [wasm, ...spec.args], env, preopens, returnOnExit: true });
const { instance } = await WebAssembly.instantiate(readFileSync(wasm), wasi.getImportObject());
let status;
try {
  status = String(wasi.start(instance));
} catch {
  status = 'trap';
}
writeSync(3, status);
