// Browser benchmarks: wrun's npm package against @bjorn3/browser_wasi_shim in headless Chromium,
// same programs, a fresh page per run, time from navigation to the program's end (so loading
// each runtime is included). Also: bytes a page downloads for hello (gzip), and the wasmi engine
// in the browser against `wrun --engine wasmi` natively. Writes the "Browser" part of
// BENCHMARKS.md (between markers) and prints it.
//
//   node scripts/bench-web.mjs        (after `python3 scripts/bench.py` built target/bench/*.wasm)
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, responseBytes } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';
import { writeSection } from './bench/benchmarks-md.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 5);
// hello against @runno/wasi, each page written the way its runtime's docs have it: bench-cold.mjs.
const programs = [
  { name: 'hello', stdin: 0, target: 1.0 },
  { name: 'compute', stdin: 0, target: 1.05 },
  { name: 'println', stdin: 0, target: 0.8 },
  { name: 'files', stdin: 0, target: 0.5 },
  { name: 'cat', stdin: 8 << 20, target: 1.0 },
];
for (const p of programs) {
  if (!existsSync(path.join(root, 'target/bench', `${p.name}.wasm`))) {
    console.error(`target/bench/${p.name}.wasm missing: run python3 scripts/bench.py first`);
    process.exit(1);
  }
}

const server = await serve(root);
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(pageName, prog, stdin, extra = '', { sizes = false } = {}) {
  const page = await newPage(browser, server.url);
  const bodies = [];
  if (sizes) page.on('response', async (r) => { const body = await responseBytes(r, root); if (body) bodies.push({ url: r.url(), body }); });
  await page.goto(`${server.url}/tests/bench/web/${pageName}.html?prog=${prog}&stdin=${stdin}${extra}`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 600_000 });
  const result = await page.evaluate(() => window.result);
  if (sizes) await new Promise((r) => setTimeout(r, 100));
  await page.dispose();
  return { ...result, bodies };
}

const rows = [];
for (const p of programs) {
  const times = { wrun: [], shim: [] };
  const checks = {};
  const runtimes = ['wrun', 'shim'];
  for (let i = 0; i < RUNS; i++) {
    for (const rt of runtimes) {
      const r = await once(rt, p.name, p.stdin);
      if (r.exit !== 0) throw new Error(`${p.name} on ${rt} exited ${r.exit}`);
      times[rt].push(r.ms);
      checks[rt] = `${r.stdoutBytes}:${r.tail}`;
    }
  }
  for (const rt of runtimes) if (checks[rt] !== checks.wrun) throw new Error(`${p.name}: outputs differ:\n${checks.wrun}\n${checks[rt]} (${rt})`);
  const w = median(times.wrun);
  const s = median(times.shim);
  rows.push({ ...p, w, s, ratio: w / s });
  console.log(`${p.name}: wrun ${w.toFixed(1)} ms, shim ${s.toFixed(1)} ms, ratio ${(w / s).toFixed(2)}`);
}

// What a first visit downloads for hello, gzip -9 of each response body (the program excluded).
async function downloadSize(pageName) {
  const r = await once(pageName, 'hello', 0, '', { sizes: true });
  const own = r.bodies.filter((b) => !b.url.endsWith('/hello.wasm') && !b.url.includes('/tests/bench/web/'));
  return { files: own.length, gzip: own.reduce((n, b) => n + gzipSync(b.body, { level: 9 }).length, 0) };
}
const sizeWrun = await downloadSize('wrun');
const sizeShim = await downloadSize('shim');
// The add-on is the interpreter's wasm; its JS glue is already in the main bundle (counted above).
const wasmiAddon = gzipSync(readFileSync(path.join(root, 'npm/dist/core/wrun_web_wasmi_bg.wasm')), { level: 9 }).length;

// wasmi: in the browser (main thread, fuel slices) vs natively.
const wasmiRuns = Number(process.env.WASMI_RUNS ?? 1);
const webWasmi = [];
const nativeWasmi = [];
for (let i = 0; i < Math.max(1, wasmiRuns); i++) {
  webWasmi.push((await once('wrun', 'compute', 0, '&engine=wasmi')).ms);
  const t0 = performance.now();
  const n = spawnSync(path.join(root, 'target/release/wrun'), ['--engine', 'wasmi', path.join(root, 'target/bench/compute.wasm')]);
  if (n.status !== 0) throw new Error('native wasmi compute failed');
  nativeWasmi.push(performance.now() - t0);
}
await browser.close();
await server.close();

const chromium = spawnSync('/usr/bin/chromium', ['--version']).stdout.toString().trim();
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const L = [];
L.push('<!-- web:start -->');
L.push('## Browser: the npm package against @bjorn3/browser_wasi_shim');
L.push('');
L.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${chromium} headless, 2 cores; load average ${(await import('node:os')).loadavg()[0].toFixed(2)} at the end. Reproduce with:`);
L.push('');
L.push('```sh');
L.push('python3 scripts/bench.py && node scripts/bench-web.mjs');
L.push('```');
L.push('');
L.push(`Median of ${RUNS} runs, each in a fresh page (new browser context, nothing cached between runs): time from navigation start to the program's end, so it includes fetching and compiling each runtime and the program. Both run the guest on Chromium's own engine (wrun's default "browser" engine, JSPI available); stdin is an in-memory buffer, stdout is collected in memory, \`files\` uses each runtime's in-memory filesystem. Both gave identical stdout on every program.`);
L.push('');
L.push('| program | wrun | browser_wasi_shim | ratio | target | verdict |');
L.push('|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  L.push(`| ${r.name}${r.stdin ? ` (${r.stdin >> 20} MiB stdin)` : ''} | ${fmt(r.w)} | ${fmt(r.s)} | ${r.ratio.toFixed(2)}× | ≤ ${r.target.toFixed(2)}× | ${r.ratio <= r.target ? 'met' : 'missed'} |`);
}
L.push('', 'hello against @runno/wasi, the first run of a page: "First run in the browser" below (scripts/bench-cold.mjs).');
L.push('');
L.push(`Shipped size for hello (everything the page downloads except the program, gzip -9): **wrun ${(sizeWrun.gzip / 1024).toFixed(1)} KiB** in ${sizeWrun.files} files (target ≤ 120 KiB: ${sizeWrun.gzip <= 120 * 1024 ? 'met' : 'missed'}); browser_wasi_shim ${(sizeShim.gzip / 1024).toFixed(1)} KiB in ${sizeShim.files} files. The wasmi add-on, loaded only when a program needs it: ${(wasmiAddon / 1024).toFixed(1)} KiB gzip.`);
L.push('');
L.push(`wasmi engine, compute program: in Chromium (main thread, fuel slices) ${fmt(median(webWasmi))} vs \`wrun --engine wasmi\` natively ${fmt(median(nativeWasmi))}: ${(median(webWasmi) / median(nativeWasmi)).toFixed(2)}× (${wasmiRuns} run${wasmiRuns > 1 ? 's' : ''} each).`);
L.push('<!-- web:end -->');
const section = L.join('\n');
writeSection('web', section);
console.log(`\n${section}`);
