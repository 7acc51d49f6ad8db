// The package bundled by webpack 5 and by esbuild (Vite has browser-vite.test.mjs): test/bundler-app
// imports 'wrun' (aliased to npm/dist), is built into a temporary directory, served on 127.0.0.1
// and run in Chromium on the main thread, in a worker and on wasmi. Nothing may be fetched from
// anywhere else. webpack finds the core's .wasm files and the worker by itself; with esbuild the
// app copies npm/dist/core/ and worker.js beside its bundle (the README says so), or, in the
// second esbuild run, points init({ module, wasmiModule }) at a directory standing for a CDN.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, copyFileSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';
import { launch, newPage, haveChromium } from './chromium.mjs';
import { GUESTS } from './helpers.mjs';

const APP = fileURLToPath(new URL('./bundler-app/', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const EXPECTED = 'Hello, world!\narg 1: from\narg 2: a bundle ⚡\n';

async function buildWithWebpack(out) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production',
    context: APP,
    entry: './main.js',
    output: { path: out, filename: 'main.js', publicPath: 'auto' },
    resolve: { alias: { wrun$: join(DIST, 'index.js') } },
    performance: { hints: false },
  }, (err, s) => (err ? reject(err) : resolve(s))));
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  return { errors: info.errors.map((e) => e.message), warnings: info.warnings.map((w) => `${w.moduleName ?? ''}: ${w.message}`) };
}

async function buildWithEsbuild(out, { cdn }) {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [join(APP, 'main.js')], bundle: true, format: 'esm', outfile: join(out, 'main.js'),
    alias: { wrun: join(DIST, 'index.js') }, logLevel: 'silent',
  });
  // esbuild leaves `new URL('./core/…', import.meta.url)` to the page: the files go beside the
  // bundle (or to the "CDN", which init() is told about; the worker needs worker.js either way).
  cpSync(join(DIST, 'core'), join(out, cdn ? 'cdn' : 'core'), { recursive: true });
  copyFileSync(join(DIST, 'worker.js'), join(out, 'worker.js'));
  return { errors: r.errors.map((e) => e.text), warnings: r.warnings.map((w) => w.text) };
}

describe('webpack 5 and esbuild builds of an app using wrun', { skip: !haveChromium && 'no Chromium at /usr/bin/chromium' }, () => {
  let tmp;
  let browser;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'wrun-bundlers-'));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const [name, build, query] of [
    ['webpack 5', (out) => buildWithWebpack(out), ''],
    ['esbuild', (out) => buildWithEsbuild(out, { cdn: false }), ''],
    ['esbuild, the core from init({ module }) URLs', (out) => buildWithEsbuild(out, { cdn: true }), '?cdn=/cdn'],
  ]) {
    test(`${name}: the built app runs hello.wasm on the main thread, in a worker and on wasmi`, { timeout: 120_000 }, async () => {
      const out = join(tmp, name.replace(/\W+/g, '-'));
      mkdirSync(out);
      const { errors, warnings } = await build(out);
      assert.deepEqual(errors, []);
      assert.deepEqual(warnings, []);
      copyFileSync(join(APP, 'index.html'), join(out, 'index.html'));
      copyFileSync(`${GUESTS}hello.wasm`, join(out, 'hello.wasm'));
      const server = await serve(out);
      try {
        const page = await newPage(browser, server.url);
        const requests = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(`${server.url}/${query}`);
        await page.waitForSelector('body[data-done="1"]', { state: 'attached', timeout: 60_000 });
        assert.equal(await page.textContent('#out'), EXPECTED);
        assert.equal(await page.textContent('#out-worker'), EXPECTED);
        assert.equal(await page.textContent('#out-wasmi'), EXPECTED);
        const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
        assert.deepEqual(foreign, [], 'nothing fetched from outside 127.0.0.1');
        if (query) {
          const paths = requests.map((u) => new URL(u).pathname);
          assert.ok(paths.includes('/cdn/wrun_web_bg.wasm') && paths.includes('/cdn/wrun_web_wasmi_bg.wasm'), paths.join(' '));
          assert.ok(!paths.some((p) => p.startsWith('/core/')), paths.join(' '));
        }
        assert.deepEqual(page.problems, []);
        await page.dispose();
      } finally {
        await server.close();
      }
      assert.ok(readdirSync(out).length > 0);
    });
  }
});
