// Benchmarks of the WASI polyfill (`import { WASI } from 'wrun'`) against its peers, each in one
// run: an export making one 16-byte fd_write to an output callback, called 100 000 times from JS
// (Node: against node:wasi and @tybys/wasm-util; Chromium: against @bjorn3/browser_wasi_shim); a
// napi-rs binding hashing 1 KiB 100 000 times (wrun's WASI against node:wasi); what a page that
// only uses WASI downloads. Writes the "WASI polyfill" part of BENCHMARKS.md and prints it.
//
//   node scripts/bench-wasi.mjs           (after scripts/build-web.sh and scripts/setup.sh)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { WASI as NodeWASI } from 'node:wasi';
import { serve, responseBytes } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';
import { wat } from '../npm/test/helpers.mjs';
import { WASI } from '../npm/dist/index.js';
import { writeSection } from './bench/benchmarks-md.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modules = path.join(root, 'npm/test/real-modules/node_modules');
const requireModules = createRequire(path.join(modules, 'package.json'));
const CALLS = 100_000;
const RUNS = Number(process.env.RUNS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === '--hash') {
  const h = xxhashWith(process.argv[3] === 'wrun' ? WASI : NodeWASI);
  const kib = Buffer.alloc(1024, 7);
  for (let i = 0; i < 1000; i++) h.xxh64(kib); // warm up
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) h.xxh64(kib);
  console.log(`${h.xxh64(kib)} ${performance.now() - t0}`);
  process.exit(0);
}

// A reactor whose `write16` export writes 16 bytes to stdout with one fd_write (its iovec not at
// address 0, which @tybys/wasm-util refuses).
const reactor = await wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "0123456789abcde\\n")
  (func (export "_initialize"))
  (func (export "write16") (result i32)
    (i32.store (i32.const 16) (i32.const 100)) (i32.store (i32.const 20) (i32.const 16))
    (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))`);
const reactorModule = new WebAssembly.Module(reactor);

const devNull = openSync('/dev/null', 'w');
let delivered = 0;
/** Each runtime set up for the reactor: returns its `write16`. */
const nodeRuntimes = {
  wrun: () => {
    const wasi = new WASI({ version: 'preview1', onStdout: (c) => { delivered += c.length; } });
    const instance = new WebAssembly.Instance(reactorModule, wasi.getImportObject());
    wasi.initialize(instance);
    return instance.exports.write16;
  },
  'node:wasi': () => {
    // node:wasi writes to a file descriptor, not to a callback: /dev/null.
    const wasi = new NodeWASI({ version: 'preview1', stdout: devNull, returnOnExit: true });
    const instance = new WebAssembly.Instance(reactorModule, wasi.getImportObject());
    wasi.initialize(instance);
    return instance.exports.write16;
  },
  '@tybys/wasm-util': () => {
    const { WASI: TybysWASI } = requireModules('@tybys/wasm-util');
    // It prints line by line, without the newline.
    const wasi = new TybysWASI({ version: 'preview1', print: (s) => { delivered += s.length + 1; } });
    const instance = new WebAssembly.Instance(reactorModule, { wasi_snapshot_preview1: wasi.wasiImport });
    wasi.initialize(instance);
    return instance.exports.write16;
  },
};

function timeCalls(write16) {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) { const e = write16(); if (e !== 0) throw new Error(`fd_write failed: errno ${e}`); }
  return performance.now() - t0;
}

const nodeTimes = Object.fromEntries(Object.keys(nodeRuntimes).map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) {
  const order = Object.keys(nodeRuntimes);
  if (run % 2) order.reverse();
  for (const name of order) { try { nodeTimes[name].push(timeCalls(nodeRuntimes[name]())); } catch (e) { throw new Error(`${name}: ${e.message}`); } }
}
if (delivered < RUNS * CALLS * 16 * 2) throw new Error(`output went missing: ${delivered} bytes delivered`);

// The napi-rs binding, hashing 1 KiB: the loader generated for node:wasi, given either WASI. Each
// run is its own process (`--hash NAME`), runtimes interleaved: the two bindings share nothing,
// and measured in one process the second one loaded ran up to 9 % slower whichever it was.
function xxhashWith(WASIClass) {
  const file = path.join(modules, '@node-rs/xxhash-wasm32-wasi/xxhash.wasi.cjs');
  const source = readFileSync(file, 'utf8');
  const module = { exports: {} };
  const load = new Function('require', 'module', 'exports', '__dirname', '__filename', '__wrunWasiModule',
    source.replace("require('node:wasi')", '__wrunWasiModule'));
  load(createRequire(file), module, module.exports, path.dirname(file), file, { WASI: WASIClass });
  return module.exports;
}
const kib = Buffer.alloc(1024, 7);
const hashTimes = { wrun: [], 'node:wasi': [] };
const reference = xxhashWith(NodeWASI).xxh64(kib);
for (let run = 0; run < RUNS; run++) {
  for (const name of run % 2 ? ['node:wasi', 'wrun'] : ['wrun', 'node:wasi']) {
    const r = spawnSync(process.execPath, ['--no-warnings', fileURLToPath(import.meta.url), '--hash', name], { encoding: 'utf8' });
    const [hash, ms] = r.stdout.trim().split(' ');
    if (r.status !== 0 || hash !== String(reference)) throw new Error(`hashing on ${name}: ${r.stderr}${r.stdout}`);
    hashTimes[name].push(Number(ms));
  }
}
closeSync(devNull);

// Chromium: the same reactor on wrun's WASI and on browser_wasi_shim, and the WASI-only page.
const server = await serve(root);
const browser = await launch();
const page = await newPage(browser, server.url);
await page.goto(`${server.url}/tests/bench/web/wasi.html`);
await page.waitForFunction(() => window.ready === true);
const browserTimes = await page.evaluate(async ([bytes, calls, runs]) => window.bench(new Uint8Array(bytes), calls, runs), [Array.from(reactor), CALLS, RUNS]);
await page.dispose();

// What a page that only uses WASI downloads (gzip -9 of each response but the program's).
const sizePage = await newPage(browser, server.url);
const bodies = [];
sizePage.on('response', async (r) => { const body = await responseBytes(r, root); if (body) bodies.push({ url: r.url(), body }); });
await sizePage.goto(`${server.url}/tests/bench/web/wasi-hello.html`);
await sizePage.waitForFunction(() => window.result !== undefined);
const hello = await sizePage.evaluate(() => window.result);
await new Promise((r) => setTimeout(r, 100));
await sizePage.dispose();
await browser.close();
await server.close();
if (hello.out !== 'Hello, world!\n') throw new Error(`the WASI-only page printed ${JSON.stringify(hello.out)}`);
const own = bodies.filter((b) => !b.url.endsWith('/hello.wasm') && !b.url.includes('/tests/bench/web/'));
const pageGzip = own.reduce((n, b) => n + gzipSync(b.body, { level: 9 }).length, 0);

const chromium = spawnSync('/usr/bin/chromium', ['--version']).stdout.toString().trim();
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}×`;
const met = (a, b, target) => (median(a) / median(b) <= target ? 'met' : 'missed');
const L = ['<!-- wasi:start -->', '## WASI polyfill: against node:wasi, @tybys/wasm-util and browser_wasi_shim', ''];
L.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version} and ${chromium} headless, 2 cores. Reproduce with:`);
L.push('', '```sh', 'node scripts/bench-wasi.mjs', '```', '');
L.push(`**WASI calls from JS.** A reactor's export making one 16-byte \`fd_write\` to stdout, called ${CALLS.toLocaleString('en')} times from JS; median of ${RUNS} runs, runtimes interleaved. wrun and @tybys/wasm-util deliver each write to a JS callback; node:wasi writes it to a file descriptor (/dev/null), as it cannot call back.`, '');
L.push('| host | wrun | peer | peer time | wrun ÷ peer | target | verdict |', '|---|---:|---|---:|---:|---:|---|');
for (const peer of ['node:wasi', '@tybys/wasm-util']) {
  L.push(`| Node | ${fmt(median(nodeTimes.wrun))} | ${peer} | ${fmt(median(nodeTimes[peer]))} | ${ratio(nodeTimes.wrun, nodeTimes[peer])} | ≤ 1.00× | ${met(nodeTimes.wrun, nodeTimes[peer], 1.0)} |`);
}
L.push(`| Chromium | ${fmt(median(browserTimes.wrun))} | browser_wasi_shim | ${fmt(median(browserTimes.shim))} | ${ratio(browserTimes.wrun, browserTimes.shim)} | ≤ 1.00× | ${met(browserTimes.wrun, browserTimes.shim, 1.0)} |`);
L.push('', `**A napi-rs binding.** @node-rs/xxhash-wasm32-wasi (emnapi, shared memory) hashing 1 KiB ${CALLS.toLocaleString('en')} times, its loader given wrun's WASI or node:wasi, each run in a fresh process: wrun ${fmt(median(hashTimes.wrun))}, node:wasi ${fmt(median(hashTimes['node:wasi']))}: **${ratio(hashTimes.wrun, hashTimes['node:wasi'])}** (target ≤ 1.05×: ${met(hashTimes.wrun, hashTimes['node:wasi'], 1.05)}).`);
L.push('', `**A page that only uses WASI** (tests/bench/web/wasi-hello.html: \`import { WASI, init } from 'wrun/wasi'\`, \`new WASI\`, instantiate, \`start\`) downloads **${(pageGzip / 1024).toFixed(1)} KiB** gzip -9 besides the program, in ${own.length} files: ${own.map((o) => `${o.url.split('/').pop()} ${gzipSync(o.body, { level: 9 }).length} B`).join(', ')} (target ≤ 120 KiB: ${pageGzip <= 120 * 1024 ? 'met' : 'missed'}). The \`wrun/wasi\` entry loads a build of the core without what only \`run\`/\`spawn\`, saved trees and tar images need (in-memory FileSystems only); the same page importing from \`wrun\` downloads the whole runtime: the hello page's figure above.`);
L.push('<!-- wasi:end -->');
const section = L.join('\n');
writeSection('wasi', section);
console.log(section);
if (!existsSync(path.join(root, 'target/guests/hello.wasm'))) console.error('note: target/guests/hello.wasm was missing');
process.exit(0);
