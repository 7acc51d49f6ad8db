// Browser A/B: two builds of the npm package on the same programs in one Chromium, runs
// interleaved (before, after, after, before, ...) so drift in the machine's speed hits both.
// A third column runs the "before" build against itself, to show how far two copies of the same
// code differ here (the noise floor a difference has to clear).
//
//   node scripts/bench-web-ab.mjs BEFORE_DIST [RUNS]      (ONLY=hello,cat for some programs)
//     BEFORE_DIST: a `npm/dist` directory built by scripts/build-web.sh at another commit; the
//     "after" build is this checkout's npm/dist. Needs target/bench/*.wasm (python3 scripts/bench.py).
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [beforeDist, runsArg] = process.argv.slice(2);
if (!beforeDist || !existsSync(path.join(beforeDist, 'index.js'))) {
  console.error('usage: node scripts/bench-web-ab.mjs BEFORE_DIST [RUNS]  (BEFORE_DIST/index.js must exist)');
  process.exit(2);
}
const RUNS = Number(runsArg ?? 15);
// Served from inside the repository, under two names: the control compares them.
for (const name of ['before', 'before-copy']) {
  const dir = path.join(root, 'target/bench', `dist-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(beforeDist, dir, { recursive: true });
}
const builds = { before: '/target/bench/dist-before', after: '/npm/dist', control: '/target/bench/dist-before-copy' };
const allPrograms = [
  { name: 'hello', stdin: 0, engine: 'browser' },
  { name: 'println', stdin: 0, engine: 'browser' },
  { name: 'files', stdin: 0, engine: 'browser' },
  { name: 'cat', stdin: 8 << 20, engine: 'browser' },
  { name: 'compute', stdin: 0, engine: 'browser' },
  { name: 'println', stdin: 0, engine: 'wasmi' },
];
// ONLY=hello,cat runs some (by name; `println-wasmi` for the wasmi row).
const only = process.env.ONLY?.split(',');
const programs = allPrograms.filter((p) => !only || only.includes(p.engine === 'wasmi' ? `${p.name}-wasmi` : p.name));

const server = await serve(root);
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function once(p, dist) {
  const page = await newPage(browser, server.url);
  await page.goto(`${server.url}/tests/bench/web/wrun.html?prog=${p.name}&stdin=${p.stdin}&engine=${p.engine}&dist=${dist}`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 600_000 });
  const r = await page.evaluate(() => window.result);
  await page.dispose();
  if (r.exit !== 0) throw new Error(`${p.name} (${dist}) exited ${r.exit}`);
  return r;
}

const lines = ['| program | engine | before | after | after ÷ before | control (before ÷ before) |', '|---|---|---:|---:|---:|---:|'];
for (const p of programs) {
  const t = { before: [], after: [], control: [] };
  const out = {};
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? ['after', 'before', 'control'] : ['before', 'control', 'after'];
    for (const b of order) {
      const r = await once(p, builds[b]);
      t[b].push(r.ms);
      out[b] = `${r.stdoutBytes}:${r.tail}`;
    }
  }
  if (out.before !== out.after) throw new Error(`${p.name}: the two builds' outputs differ`);
  const [b, a, c] = [median(t.before), median(t.after), median(t.control)];
  const row = `| ${p.name} | ${p.engine} | ${b.toFixed(1)} ms | ${a.toFixed(1)} ms | ${(a / b).toFixed(3)}× | ${(c / b).toFixed(3)}× |`;
  console.log(row);
  lines.push(row);
}
await browser.close();
await server.close();
console.log(`\nMedian of ${RUNS} runs each, fresh page per run, time from navigation to the program's end.\n`);
console.log(lines.join('\n'));
