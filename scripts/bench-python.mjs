// CPython in the playground (issue 13): time from pressing Enter on `python` to the `>>>` prompt,
// the first time in a page (26 MB fetched from 127.0.0.1, SHA-256 checked, compiled) and again
// in the same page; and a pure-Python loop (5 000 000 additions, timed inside Python) in the
// playground (headless Chromium, the browser's engine in a worker) against `wrun` and wasmtime
// natively (warm caches). Writes the "Python" part of BENCHMARKS.md.
//
//   node scripts/bench-python.mjs     (after ./scripts/playground.sh --build-only and
//                                     cargo build --release -p wrun; pip installs wasmtime)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';
import { writeSection } from './bench/benchmarks-md.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PYTHON = path.join(root, 'playground/dist/bin/python.wasm');
const LOOP = 'import time\nt = time.perf_counter()\ns = 0\nfor i in range(5_000_000):\n    s += i\nprint(round(time.perf_counter() - t, 3))\n';

const server = await serve(path.join(root, 'playground/dist'));
const browser = await launch();
const prompts = { first: [], again: [] };
const loopsBrowser = [];
for (let i = 0; i < RUNS; i++) {
  const page = await newPage(browser, server.url);
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 60_000 });
  await page.click('#terminal');
  const atPrompt = (n) => page.waitForFunction((n) => (window.playground.terminal.text().match(/^>>> /gm) ?? []).length >= n && /^>>> $/m.test(window.playground.terminal.text().split('\n').at(-1)), n, { timeout: 120_000 });
  const idle = () => page.waitForFunction(() => window.playground.shell.editor.active && !window.playground.shell.foreground, null, { timeout: 120_000 });
  for (const [label, n] of [['first', 1], ['again', 2]]) {
    await page.keyboard.type('python');
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await atPrompt(n);
    prompts[label].push(Date.now() - t0);
    await page.keyboard.press('Control+d');
    await idle();
  }
  await page.evaluate((code) => window.playground.user.writeFile('/home/loop.py', code), LOOP);
  await page.keyboard.type('python /home/loop.py > /home/loop.txt');
  await page.keyboard.press('Enter');
  await idle();
  loopsBrowser.push(Number(await page.evaluate(() => window.playground.user.readFile('/home/loop.txt', 'utf8'))));
  await page.dispose();
}
await browser.close();
await server.close();

// Natively: the same script, warm caches (one untimed run first).
const dir = mkdtempSync(path.join(tmpdir(), 'wrun-bench-python-'));
writeFileSync(path.join(dir, 'loop.py'), LOOP);
const wrun = path.join(root, 'target/release/wrun');
const viaWrun = () => Number(execFileSync(wrun, ['--dir', `${dir}::/w`, PYTHON, '/w/loop.py'], { encoding: 'utf8' }));
if (spawnSync('python3', ['-c', 'import wasmtime']).status !== 0) execFileSync('python3', ['-m', 'pip', 'install', '--quiet', 'wasmtime'], { stdio: 'inherit' });
const viaWasmtime = () => Number(execFileSync('python3', [path.join(root, 'scripts/bench/wasmtime_runner.py'), '--dir', `${dir}::/w`, PYTHON, '/w/loop.py'], { encoding: 'utf8' }));
viaWrun();
viaWasmtime();
const loopsWrun = [];
const loopsWasmtime = [];
for (let i = 0; i < RUNS; i++) {
  loopsWrun.push(viaWrun());
  loopsWasmtime.push(viaWasmtime());
}
rmSync(dir, { recursive: true, force: true });

const [b, w, t] = [median(loopsBrowser), median(loopsWrun), median(loopsWasmtime)];
const L = ['<!-- python:start -->', '## Python in the playground', ''];
L.push(`CPython 3.12 for WASI (26 MB) in the built playground, headless Chromium, served from 127.0.0.1; median of ${RUNS}.`, '');
L.push(`- From Enter on \`python\` to the \`>>>\` prompt: **${median(prompts.first)} ms** the first time in a page (fetched, SHA-256 checked, compiled, started), **${median(prompts.again)} ms** the next time (compiled module kept).`);
L.push(`- A pure-Python loop (5 000 000 additions, timed inside Python): playground ${b.toFixed(2)} s, \`wrun\` natively ${w.toFixed(2)} s, wasmtime natively ${t.toFixed(2)} s: the playground at **${(b / t).toFixed(2)}×** wasmtime, \`wrun\` at ${(w / t).toFixed(2)}×.`);
L.push('', 'Reproduce: `node scripts/bench-python.mjs`.', '<!-- python:end -->');
const text = L.join('\n');
writeSection('python', text);
console.log(text);
