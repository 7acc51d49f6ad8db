// The browser's first run (issue 15): `hello` from navigation to its end, a fresh page (new
// browser context, nothing cached) per run, runtimes interleaved: wrun as the README has a page
// use it (`run(fetch(url))`), wrun with the README's two preload tags, @runno/wasi (one pure-JS
// script, given `fetch(url)` too) and @bjorn3/browser_wasi_shim. Then the program's part alone:
// the same run timed once each runtime has loaded (wrun's core instantiated), which shows what
// the first visit pays for the runtime itself; and runno's page with wrun's core fetched and
// compiled beside it (never used), which prices loading the core alone. Writes the "First run in
// the browser" part of BENCHMARKS.md.
//
//   node scripts/bench-cold.mjs          (after scripts/build-web.sh and python3 scripts/bench.py)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { serve } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';
import { writeSection } from './bench/benchmarks-md.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 9);
const pages = {
  wrun: 'cold-wrun', 'wrun + preload tags': 'wrun-preload', '@runno/wasi': 'runno', browser_wasi_shim: 'shim',
  '@runno/wasi + wrun\'s core loading beside it': 'runno-plus-core',
  'wrun, runtime loaded': 'loaded-wrun', '@runno/wasi, runtime loaded': 'loaded-runno',
};
const server = await serve(root);
const browser = await launch();
const times = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
const outputs = {};
for (let i = 0; i < RUNS; i++) {
  for (const [name, file] of Object.entries(pages)) {
    const page = await newPage(browser, server.url);
    await page.goto(`${server.url}/tests/bench/web/${file}.html?prog=hello&stdin=0`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.result);
    if (r.exit !== 0) throw new Error(`${name}: hello exited ${r.exit}`);
    outputs[name] = r.tail;
    times[name].push(r.ms);
    await page.dispose();
  }
}
await browser.close();
await server.close();
if (new Set(Object.values(outputs)).size !== 1) throw new Error(`outputs differ: ${JSON.stringify(outputs)}`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (name) => median(times[name]);
const chromium = spawnSync('/usr/bin/chromium', ['--version']).stdout.toString().trim();
const L = ['<!-- cold:start -->', '## First run in the browser: hello against @runno/wasi', ''];
L.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${chromium} headless, 2 cores. Reproduce with \`node scripts/bench-cold.mjs\`. Median of ${RUNS} runs, each in a fresh page, runtimes interleaved, all printing the same. The first four rows: navigation start to the end of \`hello\` (target/bench/hello.wasm, 2 MB), each page written as its runtime's docs have it (wrun and runno are given \`fetch(url)\` and compile the program while it downloads). The fifth: runno's page, with wrun's core fetched and compiled beside the run and never used. The last two: the same run timed once the runtime has loaded.`, '');
L.push('| page | time | ÷ @runno/wasi |', '|---|---:|---:|');
for (const name of Object.keys(pages)) {
  const peer = name.endsWith('runtime loaded') ? '@runno/wasi, runtime loaded' : '@runno/wasi';
  L.push(`| ${name} | ${ms(name).toFixed(1)} ms | ${(ms(name) / ms(peer)).toFixed(2)}× |`);
}
const w = ms('wrun') / ms('@runno/wasi');
const loaded = ms('wrun, runtime loaded') / ms('@runno/wasi, runtime loaded');
const size = (f) => {
  const bytes = readFileSync(path.join(root, f));
  return `${(bytes.length / 1000).toFixed(0)} KB (${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(0)} KiB gzip)`;
};
const coreAlone = ms("@runno/wasi + wrun's core loading beside it") / ms('@runno/wasi');
L.push('', `Target (issue 15): wrun ≤ 1.00× @runno/wasi: ${w <= 1 ? 'met' : 'missed'} (${w.toFixed(2)}×). Once loaded, wrun runs the program in ${loaded.toFixed(2)}× runno's time; the rest of the difference is loading the runtime: runno is one script of ${size('npm/node_modules/@runno/wasi/dist/main.js')}, wrun a script of ${size('npm/dist/index.js')} and a core of ${size('npm/dist/core/wrun_web_bg.wasm')} that downloads and compiles beside the program, on the same two cores. Loading that core alone, unused, makes runno's own page ${coreAlone.toFixed(2)}× slower: a page that runs WASI through a WebAssembly core pays at least that on a first visit, whatever the core does once loaded.`);
L.push('<!-- cold:end -->');
const section = L.join('\n');
writeSection('cold', section);
console.log(section);
