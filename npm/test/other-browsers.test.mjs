// The package in Firefox (ESR 153: JSPI) and WebKit (WebKitGTK's MiniBrowser, Safari's engine: no
// JSPI, so interactive programs run on wasmi), on pages served without COOP/COEP, as in
// browser.test.mjs for Chromium: a command, an interactive program, a worker killed in a busy
// loop, a time limit, files (in memory and persisted in IndexedDB) and the WASI polyfill. Where an
// engine lacks a feature, the documented fallback is what is checked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { serve } from './serve.mjs';
import { haveFirefox, haveWebKit, launchFirefox, launchWebKit } from './browsers.mjs';
import { expectedStdout, LOOP, REPO, NOT_WASM, IMPORTS_ENV_FOO, NO_START, SLURP, wat, appender, WRITES_THEN_LOOPS, EXCEPTIONS } from './helpers.mjs';

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

    test(`programs in workers work on the page's tree (${jspi ? 'JSPI' : 'no JSPI: on wasmi in the worker'}): a killed one keeps its file, two see each other's appends`, T, async () => {
      const prog = Array.from(await wat(WRITES_THEN_LOOPS));
      const a = Array.from(await wat(appender('a.txt', 'b.txt')));
      const b = Array.from(await wat(appender('b.txt', 'a.txt')));
      const r = await page.evaluate(async (prog, a, b) => {
        const { spawn, FileSystem } = window.wrun;
        const fs = await FileSystem.create();
        fs.mkdir('/out');
        const p = spawn(new Uint8Array(prog), { fs, preopens: { '/out': '/out' }, worker: true });
        const t0 = Date.now();
        while (!(fs.exists('/out/kept.txt') && fs.stat('/out/kept.txt').size > 0) && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 20));
        p.kill();
        const killed = await p.exited;
        fs.mkdir('/shared');
        const opts = { fs, preopens: { '/shared': '/shared' }, worker: true };
        const pa = spawn(new Uint8Array(a), opts);
        const pb = spawn(new Uint8Array(b), opts);
        const both = [await pa.exited, await pb.exited];
        return { killed, kept: fs.readFile('/out/kept.txt', 'utf8'), both, a: fs.readFile('/shared/a.txt', 'utf8'), b: fs.readFile('/shared/b.txt', 'utf8') };
      }, prog, a, b);
      assert.deepEqual(r, { killed: 137, kept: 'written before the kill\n', both: [0, 0], a: 'X\n'.repeat(20), b: 'X\n'.repeat(20) });
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

    test('errors on both engines: not wasm, a missing import, no _start; a program as a fetch() Response', T, async () => {
      const r = await page.evaluate(async ({ cases, eh }) => {
        const { run, WrunError } = window.wrun;
        const out = {};
        for (const engine of ['browser', 'wasmi']) {
          for (const [name, bytes] of Object.entries(cases)) {
            out[`${engine}/${name}`] = await run(new Uint8Array(bytes), { engine }).then(() => 'ran', (e) => `${e instanceof WrunError} ${e.kind}`);
          }
        }
        const streamed = await run(await fetch('/target/guests/hello.wasm'), { args: ['hello', 'ünïcødé', 'two words'] });
        // Exception handling (exnref): the engine's own if it has it; wasmi does not.
        const exceptions = new Uint8Array(eh);
        const thrown = {};
        for (const engine of ['browser', 'wasmi']) {
          thrown[engine] = await run(exceptions, { engine }).then((res) => res.exitCode, (e) => `${e instanceof WrunError} ${e.kind}`);
        }
        return { out, streamed: streamed.stdoutText, thrown, hasExceptions: WebAssembly.validate(exceptions) };
      }, { cases: { notWasm: NOT_WASM, envFoo: IMPORTS_ENV_FOO, noStart: NO_START }, eh: Array.from(await wat(EXCEPTIONS, { exceptions: true })) });
      for (const engine of ['browser', 'wasmi']) {
        assert.deepEqual([r.out[`${engine}/notWasm`], r.out[`${engine}/envFoo`], r.out[`${engine}/noStart`]], ['true invalid-module', 'true link', 'true no-start'], engine);
      }
      assert.equal(r.streamed, expectedStdout('rust', 'hello'));
      assert.deepEqual(r.thrown, { browser: r.hasExceptions ? 7 : 'true invalid-module', wasmi: 'true invalid-module' });
    });

    test('a busy loop on wasmi on the page: kill() ends it, and the page answers meanwhile', T, async () => {
      const r = await page.evaluate(async (loop) => {
        const { spawn } = window.wrun;
        const p = spawn(new Uint8Array(loop), { engine: 'wasmi' });
        let ticks = 0;
        const timer = setInterval(() => { ticks++; }, 10);
        await new Promise((res) => setTimeout(res, 300));
        const t0 = performance.now();
        p.kill();
        const status = await p.exited;
        clearInterval(timer);
        return { status, ticks, stopMs: performance.now() - t0 };
      }, LOOP);
      assert.equal(r.status, 137);
      assert.ok(r.ticks >= 5, `the page kept running (${r.ticks} ticks)`);
      assert.ok(r.stopMs < 1000, `kill took ${r.stopMs} ms`);
    });

    test(`the WASI polyfill, interactive: ${jspi ? 'startAsync waits for stdin the page writes later' : 'no JSPI, so suspending imports are refused with ERR_WRUN_NO_JSPI'}`, T, async () => {
      const r = await page.evaluate(async () => {
        const { WASI } = window.wrun;
        let out = '';
        const wasi = new WASI({ args: ['repl'], interactive: true, onStdout: (c) => { out += new TextDecoder().decode(c); } });
        let imports;
        try {
          imports = wasi.getImportObject({ suspending: true });
        } catch (e) {
          return { refused: e.code };
        }
        const { instance } = await WebAssembly.instantiate(await window.guest('repl.wasm'), imports);
        const done = wasi.startAsync(instance);
        await new Promise((res) => setTimeout(res, 100));
        wasi.stdin.write('Ada\n40\n');
        wasi.stdin.close();
        return { status: await done, out };
      });
      assert.deepEqual(r, jspi ? { status: 0, out: '> hello, Ada!\n> total 40\n> bye (eof)\n' } : { refused: 'ERR_WRUN_NO_JSPI' });
    });

    test('ruby.wasm through RubyVM.instantiateModule and the WASI polyfill', { ...T, skip: !existsSync(`${REPO}npm/test/real-modules/node_modules/@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm`) && 'real modules not installed' }, async () => {
      const r = await page.evaluate(async () => {
        const { WASI } = window.wrun;
        const base = '/npm/test/real-modules/node_modules/@ruby';
        const { RubyVM } = await import(`${base}/wasm-wasi/dist/esm/index.js`);
        const module = await WebAssembly.compileStreaming(fetch(`${base}/3.4-wasm-wasi/dist/ruby+stdlib.wasm`));
        let out = '';
        const wasip1 = new WASI({ args: ['ruby.wasm'], env: {}, onStdout: (c) => { out += new TextDecoder().decode(c); } });
        const { vm } = await RubyVM.instantiateModule({ module, wasip1 });
        const sum = vm.eval('[1, 2, 3].map { |x| x * 2 }.sum + 2**64').toString();
        const json = vm.eval('require "json"; JSON.generate({ "a" => [1, "é", nil] })').toString();
        vm.eval('puts "hello from Ruby"; $stdout.flush');
        return { sum, json, out };
      });
      assert.deepEqual(r, { sum: '18446744073709551628', json: '{"a":[1,"é",null]}', out: 'hello from Ruby\n' });
    });

    test(`two programs waiting on stdin at once, fed in turns (${jspi ? 'JSPI' : 'wasmi'}), and stdin written while a worker starts`, T, async () => {
      const slurp = Array.from(await wat(SLURP));
      const r = await page.evaluate(async (slurp) => {
        const { spawn } = window.wrun;
        const cat = new Uint8Array(slurp);
        const a = spawn(cat, {});
        const b = spawn(cat, {});
        const big = 'x'.repeat(1 << 20);
        for (let i = 0; i < 20; i++) {
          a.stdin.write(`a${i}\n`);
          b.stdin.write(i === 10 ? `${big}\n` : `b${i}\n`);
          await new Promise((res) => setTimeout(res, 1));
        }
        a.stdin.close();
        b.stdin.close();
        const [ra, rb] = await Promise.all([a.wait(), b.wait()]);
        const w = spawn(await window.guest('cat.wasm'), { worker: true });
        let expected = '';
        for (let i = 0; i < 40; i++) {
          expected += `${i}\n`;
          w.stdin.write(`${i}\n`);
          await new Promise((res) => setTimeout(res, i % 3));
        }
        w.stdin.close();
        const rw = await w.wait();
        return { a: ra.stdoutText, b: rb.stdoutText.length, codes: [ra.exitCode, rb.exitCode, rw.exitCode], worker: rw.stdoutText === expected };
      }, slurp);
      assert.deepEqual(r.codes, [0, 0, 0]);
      assert.equal(r.a, Array.from({ length: 20 }, (_, i) => `a${i}\n`).join(''));
      assert.equal(r.b, 10 * 3 + 9 * 4 + (1 << 20) + 1);
      assert.equal(r.worker, true, 'the worker got its stdin once and in order');
    });

    test('persistence across a page reload: flushed files are there, unflushed ones are not', T, async () => {
      const text = `kept in ${name} ☃ ${Date.now()}`;
      await page.evaluate(async (text) => {
        const { FileSystem } = window.wrun;
        const fs = await FileSystem.openPersistent('reload');
        fs.writeFile('/saved.txt', text);
        await fs.flush();
        const unsaved = await FileSystem.openPersistent('never-flushed');
        unsaved.writeFile('/lost.txt', 'not flushed');
        setTimeout(() => location.reload(), 50);
      }, text);
      await new Promise((res) => setTimeout(res, 600));
      await page.evaluate(ready);
      const after = await page.evaluate(async () => {
        const { FileSystem } = window.wrun;
        const fs = await FileSystem.openPersistent('reload');
        const other = await FileSystem.openPersistent('never-flushed');
        return { text: fs.readFile('/saved.txt', 'utf8'), other: other.readdir('/') };
      });
      assert.deepEqual(after, { text, other: [] });
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
