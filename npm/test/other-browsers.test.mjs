// The package in Firefox (ESR 153: JSPI) and WebKit (WebKitGTK's MiniBrowser, Safari's engine: no
// JSPI, so interactive programs run on wasmi), on pages served without COOP/COEP, as in
// browser.test.mjs for Chromium: a command, an interactive program, a worker killed in a busy
// loop, a time limit, files (in memory and persisted in IndexedDB) and the WASI polyfill. Where an
// engine lacks a feature, the documented fallback is what is checked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serve } from './serve.mjs';
import { haveFirefox, haveWebKit, launchFirefox, launchWebKit } from './browsers.mjs';
import { expectedStdout, LOOP, REPO } from './helpers.mjs';

const T = { timeout: 180_000 };
const REPL_STDIN = 'world\n2\n40\nquit\n';
assert.ok(readFileSync(`${REPO}tests/guests/rust/repl.toml`, 'utf8').includes(JSON.stringify(REPL_STDIN).slice(1, -1)), 'repl.toml\'s stdin');

/** In the page: waits for lab.html to have loaded the package. */
async function ready() {
  await new Promise((resolve) => { const t = () => (document.body?.dataset.ready === '1' ? resolve() : setTimeout(t, 20)); t(); });
}

for (const [name, launch, available, jspi] of [
  ['Firefox', launchFirefox, haveFirefox, true],
  ['WebKit', launchWebKit, haveWebKit, false],
]) {
  describe(`wrun in ${name}`, { skip: !available && `${name} is not installed (scripts/setup.sh installs it)` }, () => {
    let server;
    let browser;
    let page;
    before(async () => {
      server = await serve();
      browser = await launch();
      page = await browser.open(`${server.url}/npm/test/pages/lab.html`);
      await page.evaluate(ready);
    });
    after(async () => {
      await page?.close();
      await browser?.close();
      await server?.close();
    });

    test('a command runs without cross-origin isolation; JSPI as the engine has it', T, async () => {
      const r = await page.evaluate(async () => {
        const { run, hasJSPI } = window.wrun;
        const res = await run(await window.guest('hello.wasm'), { args: ['hello', 'ünïcødé', 'two words'] });
        return { out: res.stdoutText, exit: res.exitCode, isolated: self.crossOriginIsolated, jspi: hasJSPI };
      });
      assert.deepEqual(r, { out: expectedStdout('rust', 'hello'), exit: 0, isolated: false, jspi });
    });

    test(`an interactive program reads stdin written while it runs (${jspi ? 'JSPI' : 'no JSPI: on wasmi'})`, T, async () => {
      const r = await page.evaluate(async (input) => {
        const { spawn } = window.wrun;
        let out = '';
        const p = spawn(await window.guest('repl.wasm'), { args: ['repl'], onStdout: (c) => { out += new TextDecoder().decode(c); } });
        for (const line of input.split(/(?<=\n)/)) {
          await new Promise((res) => setTimeout(res, 30));
          p.stdin.write(line);
        }
        p.stdin.close();
        return { exit: (await p.wait()).exitCode, out };
      }, REPL_STDIN);
      assert.deepEqual(r, { exit: 0, out: expectedStdout('rust', 'repl') });
    });

    test('a busy loop in a worker: kill() stops it (137), timeoutMs too (124)', T, async () => {
      const r = await page.evaluate(async (loop) => {
        const { spawn, run } = window.wrun;
        const p = spawn(new Uint8Array(loop), { worker: true });
        setTimeout(() => p.kill(), 300);
        const killed = await p.exited;
        const timedOut = await run(new Uint8Array(loop), { timeoutMs: 300 }).catch((e) => e.exitCode);
        return { killed, timedOut };
      }, LOOP);
      assert.deepEqual(r, { killed: 137, timedOut: 124 });
    });

    test('files: a program writes in a FileSystem; a persistent one keeps a file across opens', T, async () => {
      const r = await page.evaluate(async () => {
        const { run, FileSystem } = window.wrun;
        const fs = await FileSystem.create();
        fs.mkdir('/scratch');
        const res = await run(await window.guest('fs_std.wasm'), { args: ['fs_std'], fs, preopens: { '/scratch': '/scratch' } });
        const name = `wrun-test-${Math.random()}`;
        const p = await FileSystem.openPersistent(name);
        p.writeFile('/kept.txt', 'kept ☃');
        await p.flush();
        const again = await FileSystem.openPersistent(name);
        return { out: res.stdoutText, exit: res.exitCode, kept: new TextDecoder().decode(again.readFile('/kept.txt')) };
      });
      assert.deepEqual(r, { out: expectedStdout('rust', 'fs_std'), exit: 0, kept: 'kept ☃' });
    });

    test('the WASI polyfill: a command the page instantiates', T, async () => {
      const r = await page.evaluate(async () => {
        const { WASI } = window.wrun;
        let out = '';
        const wasi = new WASI({ args: ['hello', 'ünïcødé', 'two words'], onStdout: (c) => { out += new TextDecoder().decode(c); } });
        const { instance } = await WebAssembly.instantiate(await window.guest('hello.wasm'), wasi.getImportObject());
        return { status: wasi.start(instance), out };
      });
      assert.deepEqual(r, { status: 0, out: expectedStdout('rust', 'hello') });
    });
  });
}
