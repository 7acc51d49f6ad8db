// The package bundled by Vite: builds test/vite-app (which imports 'wrun', aliased to npm/dist) with
// Vite's default settings into a temporary directory, serves the result on 127.0.0.1 and runs it in
// Chromium: on the main thread, in a worker (Vite must bundle worker.js) and on wasmi.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';
import { launch, newPage, artifact, haveChromium } from './chromium.mjs';
import { GUESTS } from './helpers.mjs';

const APP = fileURLToPath(new URL('./vite-app/', import.meta.url));
const EXPECTED = 'Hello, world!\narg 1: from\narg 2: vite ⚡\n';

describe('a Vite build of an app using wrun', { skip: !haveChromium && 'no Chromium at /usr/bin/chromium' }, () => {
  let tmp;
  let outDir;
  let warnings;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'wrun-vite-'));
    outDir = join(tmp, 'dist');
    const publicDir = join(tmp, 'public');
    mkdirSync(publicDir);
    copyFileSync(`${GUESTS}hello.wasm`, join(publicDir, 'hello.wasm'));
    const { build, createLogger } = await import('vite');
    const logger = createLogger('warn');
    warnings = [];
    logger.warn = (msg) => warnings.push(msg);
    logger.warnOnce = (msg) => warnings.push(msg);
    await build({
      configFile: join(APP, 'vite.config.js'),
      publicDir,
      build: { outDir, emptyOutDir: true },
      customLogger: logger,
      logLevel: 'warn',
    });
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the build emits the core .wasm files and a bundled worker, without warnings', () => {
    const assets = readdirSync(join(outDir, 'assets'));
    assert.ok(assets.some((f) => /^wrun_web_bg-[\w-]+\.wasm$/.test(f)), `no core .wasm in ${assets}`);
    assert.ok(assets.some((f) => /^wrun_web_wasmi_bg-[\w-]+\.wasm$/.test(f)), `no wasmi .wasm in ${assets}`);
    const worker = assets.find((f) => /^worker-[\w-]+\.js$/.test(f));
    assert.ok(worker, `no worker chunk in ${assets}`);
    // The worker is a bundle (its imports inlined), not a copy of src/worker.js.
    assert.doesNotMatch(readFileSync(join(outDir, 'assets', worker), 'utf8'), /from\s*['"]\.\/core\.js['"]/);
    assert.deepEqual(readdirSync(outDir).sort(), ['assets', 'hello.wasm', 'index.html']);
    assert.deepEqual(warnings, []);
  });

  test('the built app runs hello.wasm on the main thread, in a worker and on wasmi', { timeout: 60_000 }, async () => {
    const server = await serve(outDir);
    const browser = await launch();
    try {
      const page = await newPage(browser, server.url);
      const wasmTypes = [];
      page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmTypes.push(r.headers()['content-type']); });
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-done="1"]', { state: 'attached', timeout: 30_000 });
      assert.equal(await page.textContent('#out'), EXPECTED);
      assert.equal(await page.textContent('#out-worker'), EXPECTED);
      assert.equal(await page.textContent('#out-wasmi'), EXPECTED);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
      assert.ok(wasmTypes.length >= 3, `wasm responses: ${wasmTypes}`);
      assert.ok(wasmTypes.every((t) => t === 'application/wasm'), `wasm responses: ${wasmTypes}`);
      await page.screenshot({ path: artifact('vite-app.png'), fullPage: true });
      assert.deepEqual(page.problems, []);
      await page.dispose();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
