// Parity: every guest program in tests/guests must give byte-identical stdout, the same stderr
// (what the program wrote) and the same exit status under `wrun` (each engine), the npm package
// in Node (and in a worker), and the npm package in headless Chromium (also in a worker and on
// wasmi), Firefox and WebKit; and through the
// package's WASI polyfill (in Node, on a FileSystem and on real directories, and in Chromium),
// whose exit status follows node:wasi's conventions (the status as the program gave it, a trap
// as an exception) and must mean what `run` reports (134 for a trap, 1 for a status past 125).
// Node's own node:wasi runs each guest too, for comparison: where it differs (it cannot poll
// stdin, for one), that is shown and not counted. Prints a table; exits 1 on any difference of
// wrun's.
//
//   node tests/parity/run.mjs            (after `cargo build --release -p wrun` and the web build)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../npm/test/serve.mjs';
import { launch, newPage } from '../../npm/test/chromium.mjs';
import { launchFirefox, launchWebKit } from '../../npm/test/browsers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wrun = path.join(root, 'target/release/wrun');
const { run, FileSystem, WASI } = await import(path.join(root, 'npm/dist/index.js'));

const guests = JSON.parse(execFileSync('cargo', ['run', '--release', '-q', '-p', 'wrun-tests', '--bin', 'guest-specs'], { cwd: root, encoding: 'utf8' }));

/** The program's own stderr: wrun appends its report of a trap or limit after it. */
const guestStderr = (s) => {
  const i = s.search(/^wrun: /m);
  return i < 0 ? s : s.slice(0, i);
};

function runNative(g, engine) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'parity-'));
  const args = ['--engine', engine];
  for (const d of g.spec.dirs) {
    mkdirSync(path.join(scratch, d));
    args.push('--dir', `${path.join(scratch, d)}::/${d}`);
  }
  for (const e of g.spec.env) args.push('--env', e);
  args.push(g.wasm, ...g.spec.args);
  const r = spawnSync(wrun, args, { input: g.spec.stdin, env: { ...process.env, WRUN_CACHE_DIR: path.join(scratch, 'cache') } });
  rmSync(scratch, { recursive: true, force: true });
  return { exit: r.status, stdout: r.stdout, stderr: guestStderr(r.stderr.toString()) };
}

/** The guest through the npm package in this process; `how` adds run options (a worker...). */
async function runNode(g, how = {}) {
  const fs = await FileSystem.create();
  const preopens = {};
  for (const d of g.spec.dirs) { fs.mkdir(`/${d}`); preopens[`/${d}`] = `/${d}`; }
  const opts = { args: [g.wasm, ...g.spec.args], env: g.spec.env, stdin: g.spec.stdin, fs, preopens, ...how };
  try {
    const r = await run(readFileSync(g.wasm), opts);
    return { exit: r.exitCode, stdout: Buffer.from(r.stdout), stderr: r.stderrText };
  } catch (e) {
    return { exit: e.exitCode ?? -1, stdout: Buffer.from(e.stdout ?? []), stderr: Buffer.from(e.stderr ?? []).toString(), error: e.message };
  }
}

/**
 * The guest through the package's WASI polyfill, in this process: on a FileSystem, or (`host`) on
 * real temporary directories as node:wasi's preopens are, which the polyfill confines.
 */
async function runWasiPolyfill(g, { host = false } = {}) {
  const fs = host ? undefined : await FileSystem.create();
  const scratch = host ? mkdtempSync(path.join(tmpdir(), 'parity-wasi-host-')) : null;
  const preopens = {};
  for (const d of g.spec.dirs) {
    if (host) mkdirSync(path.join(scratch, d));
    else fs.mkdir(`/${d}`);
    preopens[`/${d}`] = host ? path.join(scratch, d) : `/${d}`;
  }
  try {
    return await startWasi(g, fs, preopens);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function startWasi(g, fs, preopens) {
  const env = Object.fromEntries(g.spec.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const out = [];
  const err = [];
  const wasi = new WASI({ args: [g.wasm, ...g.spec.args], env, fs, preopens, stdin: g.spec.stdin, onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
  const { instance } = await WebAssembly.instantiate(readFileSync(g.wasm), wasi.getImportObject());
  let exit;
  try {
    exit = String(wasi.start(instance));
  } catch {
    exit = 'trap';
  }
  return { exit, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

/** The guest under Node's own node:wasi, in a child process (it uses the real stdio). */
function runNodeWasi(g) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'parity-node-wasi-'));
  const r = spawnSync(process.execPath, ['--no-warnings', path.join(root, 'tests/parity/node-wasi.mjs'), g.wasm, JSON.stringify(g.spec), scratch],
    { input: g.spec.stdin, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], timeout: 20_000 });
  rmSync(scratch, { recursive: true, force: true });
  const exit = r.error?.code === 'ETIMEDOUT' ? 'hung (20 s)' : r.output?.[3]?.toString() || `node exited ${r.status}`;
  return { exit, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' };
}

const server = await serve(root);
const browser = await launch();
const page = await newPage(browser, server.url);
await page.goto(`${server.url}/tests/parity/page.html`);
await page.waitForFunction(() => window.ready === true);

// The same page in Firefox and WebKit (npm/test/browsers.mjs), driven over WebDriver.
const others = {};
for (const [name, launch] of [['firefox', launchFirefox], ['webkit', launchWebKit]]) {
  const b = await launch();
  if (!b) throw new Error(`${name} is not installed (scripts/setup.sh installs it)`);
  const p = await b.open(`${server.url}/tests/parity/page.html`);
  await p.evaluate(async () => { while (window.runGuest === undefined) await new Promise((r) => setTimeout(r, 20)); });
  others[name] = { browser: b, page: p };
}

async function runOther(name, g) {
  const url = '/' + path.relative(root, g.wasm);
  const r = await others[name].page.evaluate((u, argv, spec) => window.runGuest(u, argv, spec), url, [g.wasm, ...g.spec.args], g.spec);
  return { exit: r.exit, stdout: Buffer.from(r.stdout), stderr: r.stderr, error: r.error };
}

async function runChromium(g, how = {}) {
  const url = '/' + path.relative(root, g.wasm);
  const r = await page.evaluate(([u, argv, spec, how]) => window.runGuest(u, argv, spec, how), [url, [g.wasm, ...g.spec.args], g.spec, how]);
  return { exit: r.exit, stdout: Buffer.from(r.stdout), stderr: r.stderr, error: r.error };
}

async function runWasiChromium(g, entry) {
  const url = '/' + path.relative(root, g.wasm);
  const r = await page.evaluate(([u, argv, spec, entry]) => window.runGuestWasi(u, argv, spec, entry), [url, [g.wasm, ...g.spec.args], g.spec, entry]);
  return { exit: r.exit, stdout: Buffer.from(r.stdout), stderr: r.stderr };
}

// The worker columns reach their FileSystem on the main thread, call by call (Node: blocking on
// shared memory; Chromium: suspended with JSPI, each call made again with the answer); wasmi on
// the page calls the page's core directly.
const columns = ['cranelift', 'winch', 'wasmi', 'node', 'node worker', 'chromium', 'chromium worker', 'chromium wasmi', 'firefox', 'webkit', 'WASI node', 'WASI node host dirs', 'WASI chromium', 'wrun/wasi chromium', 'node:wasi'];
/** Columns whose exit status follows node:wasi's conventions. */
const wasiFamily = new Set(['WASI node', 'WASI node host dirs', 'WASI chromium', 'wrun/wasi chromium', 'node:wasi']);
/** What `run` reports for a node:wasi-style status. */
const asWrunReports = (exit) => (exit === 'trap' ? 134 : /^-?\d+$/.test(exit) ? (Number(exit) < 0 || Number(exit) > 125 ? 1 : Number(exit)) : exit);
/** Shown, not counted. */
const reference = new Set(['node:wasi']);
let referenceDiffs = 0;
const rows = [];
let failures = 0;
for (const g of guests) {
  const results = {
    cranelift: runNative(g, 'cranelift'),
    winch: runNative(g, 'winch'),
    wasmi: runNative(g, 'wasmi'),
    node: await runNode(g),
    'node worker': await runNode(g, { worker: true }),
    chromium: await runChromium(g),
    'chromium worker': await runChromium(g, { worker: true }),
    'chromium wasmi': await runChromium(g, { engine: 'wasmi' }),
    firefox: await runOther('firefox', g),
    webkit: await runOther('webkit', g),
    'WASI node': await runWasiPolyfill(g),
    'WASI node host dirs': await runWasiPolyfill(g, { host: true }),
    'WASI chromium': await runWasiChromium(g),
    'wrun/wasi chromium': await runWasiChromium(g, 'wasi'),
    'node:wasi': runNodeWasi(g),
  };
  const ref = results.cranelift;
  const cells = columns.map((c) => {
    const r = results[c];
    const exit = wasiFamily.has(c) ? asWrunReports(r.exit) : r.exit;
    const exitRef = c === 'WASI chromium' || c === 'wrun/wasi chromium' || c === 'WASI node host dirs' || c === 'node:wasi' ? results['WASI node'].exit : null;
    const same = exit === ref.exit && (exitRef === null || r.exit === exitRef)
      && Buffer.compare(r.stdout, ref.stdout) === 0 && r.stderr === ref.stderr;
    const expected = exit === g.spec.exit && (g.stdout === null || r.stdout.toString() === g.stdout)
      && (g.stderr === null || r.stderr === g.stderr);
    if (reference.has(c)) {
      if (!(same && expected)) {
        referenceDiffs++;
        console.error(`\n${g.name} on ${c} (reference, not counted): exit ${r.exit}${Buffer.compare(r.stdout, ref.stdout) ? ', stdout differs' : ''}${r.stderr !== ref.stderr ? ', stderr differs' : ''}`);
      }
      return same && expected ? 'same' : 'differs';
    }
    if (!same || !expected) {
      failures++;
      console.error(`\n${g.name} on ${c}: exit ${r.exit} (cranelift ${ref.exit}, spec ${g.spec.exit}${exitRef === null ? '' : `, WASI node ${exitRef}`})${r.error ? `, error: ${r.error}` : ''}`);
      if (Buffer.compare(r.stdout, ref.stdout) !== 0) console.error(`  stdout differs:\n  got  ${JSON.stringify(r.stdout.toString())}\n  want ${JSON.stringify(ref.stdout.toString())}`);
      if (r.stderr !== ref.stderr) console.error(`  stderr differs:\n  got  ${JSON.stringify(r.stderr)}\n  want ${JSON.stringify(ref.stderr)}`);
    }
    return same && expected ? 'same' : 'DIFF';
  });
  rows.push([g.name, ...cells]);
}
await browser.close();
for (const { page: p, browser: b } of Object.values(others)) {
  await p.close();
  await b.close();
}
await server.close();

const widths = ['guest', ...columns].map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(line(['guest', ...columns]));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log(`\n${guests.length} guests x ${columns.length - reference.size} runtimes: ${failures === 0 ? 'all identical' : `${failures} differences`}`
  + ` (node:wasi, for reference: ${referenceDiffs === 0 ? 'the same everywhere' : `differs on ${referenceDiffs}`})`);
process.exit(failures === 0 ? 0 : 1);
