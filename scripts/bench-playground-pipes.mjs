// The playground's pipelines (issue 13): `cat big | tr a b | wc -c` over a 64 MiB file, with the
// stages at once through bounded pipes (this checkout) and one after another, each given the
// previous one's whole output (the runner before them: commit f18137b's playground JavaScript,
// built here in a git worktree against this checkout's core, which only adds a function to it).
// Time from Enter to the next prompt, and the peak of what the page holds over the command: its
// JS heap and every ArrayBuffer (the workers' and programs' memories included), sampled after a
// forced collection (else the peak is the collector's slack, not what is held). Headless
// Chromium, median of RUNS. Writes the "Pipelines" part of BENCHMARKS.md.
//
//   node scripts/bench-playground-pipes.mjs
import { cpSync, existsSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../npm/test/serve.mjs';
import { launch, newPage } from '../npm/test/chromium.mjs';
import { writeSection } from './bench/benchmarks-md.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 5);
const BEFORE = 'f18137b';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MiB = 2 ** 20;

/** The playground as it was at BEFORE (its JavaScript; the tools and the core from here). */
function buildBefore() {
  const tree = '/tmp/wrun-bench-pipes-before';
  const out = `${tree}/playground/dist`;
  if (existsSync(`${out}/index.html`)) return out;
  rmSync(tree, { recursive: true, force: true });
  execFileSync('git', ['worktree', 'prune'], { cwd: root });
  execFileSync('git', ['worktree', 'add', '--detach', tree, BEFORE], { cwd: root, stdio: 'inherit' });
  cpSync(`${root}/npm/src/core`, `${tree}/npm/src/core`, { recursive: true });
  cpSync(`${root}/playground/public/bin`, `${tree}/playground/public/bin`, { recursive: true });
  symlinkSync(`${root}/playground/node_modules`, `${tree}/playground/node_modules`);
  symlinkSync(`${root}/npm/node_modules`, `${tree}/npm/node_modules`);
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { cwd: `${tree}/playground`, stdio: 'inherit' });
  return out;
}

async function measure(dist, files = 1) {
  const server = await serve(dist);
  const browser = await launch();
  const page = await newPage(browser, server.url);
  const cdp = await page.context().newCDPSession(page);
  const held = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const u = await cdp.send('Runtime.getHeapUsage');
    return u.usedSize + (u.backingStorageSize ?? 0);
  };
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 60_000 });
  await page.evaluate(async (size) => {
    const line = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz 0123456\n');
    const big = new Uint8Array(size);
    for (let at = 0; at < size; at += line.length) big.set(line.subarray(0, Math.min(line.length, size - at)), at);
    window.playground.user.writeFile('/home/big.txt', big);
    await window.playground.user.flush();
  }, 64 * MiB);
  await page.click('#terminal');
  const idle = () => page.waitForFunction(() => window.playground.shell.editor.active && !window.playground.shell.foreground, null, { timeout: 120_000, polling: 10 });
  const line = `cat${' big.txt'.repeat(files)} | tr a b | wc -c`;
  const times = [];
  const peaks = [];
  let output = '';
  const once = async (sample) => {
    const base = sample ? await held() : 0;
    let peak = base;
    let sampling = sample;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await held());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await page.keyboard.type(line);
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1);
    await idle();
    const ms = Date.now() - t0;
    sampling = false;
    await sampler;
    output = await page.evaluate(() => window.playground.terminal.text().split('\n').at(-2));
    return { ms, peak: peak - base };
  };
  // The first run fetches and compiles coreutils: not counted. Timed runs go unsampled (a
  // forced collection every 20 ms would slow them); three more runs measure the peak.
  await once(false);
  for (let i = 0; i < RUNS; i++) times.push((await once(false)).ms);
  for (let i = 0; i < 3; i++) peaks.push((await once(true)).peak);
  await page.dispose();
  await browser.close();
  await server.close();
  if (output.trim() !== String(64 * MiB * files)) throw new Error(`wc -c printed ${JSON.stringify(output)}`);
  return { ms: median(times), peak: median(peaks) };
}

const before = await measure(buildBefore());
const now = await measure(path.join(root, 'playground/dist'));
// 256 MiB: the earlier runner stops past 64 MiB in a pipe; this one holds no more than for 64.
const now4 = await measure(path.join(root, 'playground/dist'), 4);
const L = ['<!-- pipes:start -->', '## Pipelines in the playground', ''];
L.push(`\`cat big.txt | tr a b | wc -c\` over a 64 MiB file in /home (it prints 67108864), headless Chromium, the built playground, time from Enter to the next prompt (median of ${RUNS}), and how much more the page held at the peak of the command than before it (median of 3 other runs: its JS heap and every ArrayBuffer, the workers' and programs' memories included, sampled after a forced collection every 20 ms). \`cat\` is the shell's builtin; \`tr\` and \`wc\` are coreutils programs in workers.`, '');
L.push('| runner | time | peak held |', '|---|---:|---:|');
L.push(`| one stage after another, each given the whole output before (${BEFORE}) | ${before.ms} ms | ${(before.peak / MiB).toFixed(0)} MiB |`);
L.push(`| all stages at once, bounded pipes (now) | ${now.ms} ms | ${(now.peak / MiB).toFixed(0)} MiB |`);
L.push(`| now ÷ before | ${(now.ms / before.ms).toFixed(2)}× | ${(now.peak / before.peak).toFixed(2)}× |`);
L.push(`| now, the file 4 times (256 MiB; before: stopped at 64 MiB) | ${now4.ms} ms | ${(now4.peak / MiB).toFixed(0)} MiB |`);
L.push('', 'Reproduce: `node scripts/bench-playground-pipes.mjs` (builds the earlier playground in a git worktree under /tmp).', '<!-- pipes:end -->');
const text = L.join('\n');
writeSection('pipes', text);
console.log(text);
