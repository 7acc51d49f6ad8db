#!/usr/bin/env node
// Measures how precisely the web library's limits stop a guest, in Node and in headless Chromium
// (a page served without COOP/COEP), and prints Markdown tables for SECURITY.md:
//
//   timeoutMs: 300 on an infinite loop, for each way a program can run (default engine, which
//       moves a timed run to a worker; an explicit worker; wasmi on the calling thread): the time
//       from run() to the rejection, minus 300 ms, minus the start-up (the same run of a program
//       that exits at once: the limit counts from the program's start, not the worker's), is the
//       overshoot. Meanwhile a 10 ms interval counts how often the event
//       loop got to run: the page stays responsive if it keeps ticking.
//   fuel on wasmi: a loop writing one byte per iteration shows how far past the budget it ran.
//   maxMemoryBytes on a memory.grow bomb: pages reached against the cap.
//
// Needs the built package (scripts/build-web.sh) and, for Chromium, /usr/bin/chromium.
// Usage: node scripts/measure-limits-web.mjs [RUNS]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.argv[2] ?? 5);
const { wat, LOOP } = await import(`${REPO}npm/test/helpers.mjs`);

const NOOP = await wat('(module (memory (export "memory") 1) (func (export "_start")))');
const TICK = await wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1) (data (i32.const 16) "x")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 1))
    (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))`);
const BOMB = await wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (drop (memory.grow (i32.const 65536)))
    (call $exit (memory.size))))`);

// Runs in Node or in the page (stringified): everything it needs comes in `input`.
async function measure(input) {
  const { wrun, runs, loop, noop, tick, bomb } = input;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ways = { 'default (moves to a worker)': {}, 'worker: true': { worker: true }, 'engine: "wasmi"': { engine: 'wasmi' } };
  const timeouts = [];
  for (const [way, opts] of Object.entries(ways)) {
    const start = [];
    const stop = [];
    let ticks = Infinity;
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      await wrun.run(noop, { ...opts, timeoutMs: 10_000 });
      start.push(performance.now() - t0);
      let n = 0;
      const timer = setInterval(() => n++, 10);
      t0 = performance.now();
      const e = await wrun.run(loop, { ...opts, timeoutMs: 300 }).then(() => null, (err) => err);
      const ms = performance.now() - t0;
      clearInterval(timer);
      if (e?.kind !== 'timeout') throw new Error(`${way}: expected a timeout, got ${e}`);
      stop.push(ms);
      ticks = Math.min(ticks, n / (ms / 1000));
    }
    const base = median(start);
    timeouts.push({ way, base, stop: median(stop), maxStop: Math.max(...stop), over: median(stop) - 300 - base, maxOver: Math.max(...stop) - 300 - base, ticks });
  }
  const fuel = [];
  for (const budget of [1_000_000, 2_000_000]) {
    const e = await wrun.run(tick, { fuel: budget }).then(() => null, (err) => err);
    fuel.push({ budget, iterations: e.stdout.length, kind: e.kind, exitCode: e.exitCode });
  }
  const memory = [];
  for (const [way, opts] of Object.entries({ browser: {}, worker: { worker: true }, wasmi: { engine: 'wasmi' } })) {
    for (const mib of [16, 64]) {
      const r = await wrun.run(bomb, { ...opts, maxMemoryBytes: mib << 20 });
      memory.push({ way, mib, limit: mib * 16, reached: r.exitCode });
    }
  }
  return { timeouts, fuel, memory };
}

function print(where, { timeouts, fuel, memory }) {
  const ms = (x) => `${Math.round(x)} ms`;
  console.log(`\n### ${where}: timeoutMs 300 on an infinite loop (${RUNS} runs each)\n`);
  console.log('| how it runs | start-up (median) | stop time (median / max) | overshoot: stop − start-up − 300 ms (median / max) | event-loop ticks/s meanwhile (min; 100 = idle) |');
  console.log('|---|---|---|---|---|');
  for (const t of timeouts) {
    console.log(`| ${t.way} | ${ms(t.base)} | ${ms(t.stop)} / ${ms(t.maxStop)} | ${ms(t.over)} / ${ms(t.maxOver)} | ${Math.round(t.ticks)} |`);
  }
  const [a, b] = fuel;
  const per = (b.budget - a.budget) / (b.iterations - a.iterations);
  console.log(`\n### ${where}: fuel on wasmi, a loop writing one byte per iteration\n`);
  console.log('| budget | iterations run | fuel per iteration | units past the budget | kind / exit |');
  console.log('|---|---|---|---|---|');
  for (const f of fuel) {
    console.log(`| ${f.budget.toLocaleString('en')} | ${f.iterations.toLocaleString('en')} | ${per.toFixed(1)} | ${Math.round(f.iterations * per - f.budget)} | ${f.kind} / ${f.exitCode} |`);
  }
  console.log(`\n### ${where}: maxMemoryBytes on a memory.grow bomb\n`);
  console.log('| engine | maxMemoryBytes | limit (pages) | pages reached | overshoot |');
  console.log('|---|---|---|---|---|');
  for (const m of memory) console.log(`| ${m.way} | ${m.mib} MiB | ${m.limit} | ${m.reached} | ${m.reached - m.limit} |`);
}

const programs = { loop: new Uint8Array(LOOP), noop: NOOP, tick: TICK, bomb: BOMB };

const wrun = await import(`${REPO}npm/dist/index.js`);
print(`Node ${process.version}`, await measure({ wrun, runs: RUNS, ...programs }));

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`\n(${CHROMIUM} is missing: no Chromium figures)`);
} else {
  const { serve } = await import(`${REPO}npm/test/serve.mjs`);
  const { launch, newPage } = await import(`${REPO}npm/test/chromium.mjs`);
  const server = await serve();
  const browser = await launch();
  try {
    const page = await newPage(browser, server.url);
    await page.goto(`${server.url}/npm/test/pages/lab.html`);
    await page.waitForSelector('body[data-ready="1"]');
    const arrays = Object.fromEntries(Object.entries(programs).map(([k, v]) => [k, Array.from(v)]));
    const result = await page.evaluate(async ({ source, runs, arrays }) => {
      const input = { wrun: window.wrun, runs };
      for (const [k, v] of Object.entries(arrays)) input[k] = new Uint8Array(v);
      // eslint-disable-next-line no-new-func
      return new Function(`return (${source})`)()(input);
    }, { source: measure.toString(), runs: RUNS, arrays });
    print(`Chromium ${browser.version()}`, result);
  } finally {
    await browser.close();
    await server.close();
  }
}
