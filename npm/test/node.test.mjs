// The package in Node: running programs, stdin, exit statuses, traps, interactive input, fuel,
// kill and timeouts. (Files and determinism: node-fs.test.mjs. Browsers: browser*.test.mjs.)
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { run, spawn, hasJSPI, WrunError, EXIT_STATUS, FileSystem } from '../dist/index.js';
import { guest, expectedStdout, LOOP, IMPORTS_ENV_FOO, NO_START, NOT_WASM, pseudoRandomBytes, sleep, wat, appender, WRITES_THEN_LOOPS, COPIES_BIG, EXCEPTIONS } from './helpers.mjs';

const decoder = new TextDecoder();

/** Rejects unless `promise` rejects with a WrunError of `kind`; gives back the error. */
async function rejectsWith(promise, kind) {
  const e = await promise.then(
    (r) => assert.fail(`expected a "${kind}" error, the run exited with ${r.exitCode}`),
    (err) => err,
  );
  assert.ok(e instanceof WrunError, `expected a WrunError, got ${e}`);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'WrunError');
  assert.equal(e.kind, kind, e.message);
  return e;
}

/** Collects a process's stdout as text and waits for pieces of it. */
function transcript() {
  const t = {
    text: '',
    onStdout: (chunk) => { t.text += decoder.decode(chunk, { stream: true }); },
    async waitFor(s, ms = 5000) {
      const end = Date.now() + ms;
      while (!t.text.includes(s)) {
        if (Date.now() > end) assert.fail(`no ${JSON.stringify(s)} in stdout after ${ms} ms: ${JSON.stringify(t.text)}`);
        await sleep(2);
      }
    },
  };
  return t;
}

describe('running programs', () => {
  test('hello echoes non-ASCII arguments', async () => {
    const r = await run(guest('hello'), { args: ['hello', 'ünïcødé', 'two words', '日本語 🎉', ''] });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdoutText, 'Hello, world!\narg 1: ünïcødé\narg 2: two words\narg 3: 日本語 🎉\narg 4: \n');
    assert.equal(r.stderrText, '');
    assert.ok(r.stdout instanceof Uint8Array);
    assert.deepEqual(r.stdout, new TextEncoder().encode(r.stdoutText));
  });

  test('hello matches its expected output (tests/guests/rust/hello.stdout), on both engines', async () => {
    for (const engine of ['browser', 'wasmi']) {
      const r = await run(guest('hello'), { args: ['hello', 'ünïcødé', 'two words'], engine });
      assert.equal(r.stdoutText, expectedStdout('rust', 'hello'), engine);
    }
  });

  test('argv[0] defaults to the name option', async () => {
    // hello skips argv[0]; misc is a C guest that checks args_sizes_get against argv.
    const r = await run(guest('hello'), { name: 'greeter.wasm' });
    assert.equal(r.stdoutText, 'Hello, world!\n');
  });

  for (const where of ['main thread', 'worker']) {
    test(`cat copies 1 MiB of binary stdin byte for byte (${where})`, async () => {
      const payload = pseudoRandomBytes(1 << 20);
      const r = await run(guest('cat'), { stdin: payload, worker: where === 'worker' });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout.length, payload.length);
      assert.ok(Buffer.from(r.stdout).equals(Buffer.from(payload)), 'stdout differs from stdin');
      assert.equal(r.stderrText, '1048576 bytes\n');
    });
  }

  test('cat with string stdin (UTF-8), on wasmi too', async () => {
    const stdin = 'line one\nline two — ünïcødé\n';
    for (const engine of ['browser', 'wasmi']) {
      const r = await run(guest('cat'), { stdin, engine });
      assert.equal(r.stdoutText, stdin, engine);
      assert.equal(r.stderrText, '34 bytes\n', engine);
    }
  });

  test('SIMD instructions run on wasmi too (coreutils and other SIMD builds need them)', async () => {
    const simd = await wat(`(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (call $exit (i32x4.extract_lane 2 (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 0 0 4 0))))))`, { simd: true });
    for (const engine of ['browser', 'wasmi']) {
      assert.equal((await run(simd, { engine })).exitCode, 7, engine);
    }
  });

  test('exception handling (exnref): runs where the engine has it, else one clear invalid-module error', async () => {
    const bytes = await wat(EXCEPTIONS, { exceptions: true });
    // Node 20's V8 lacks exnref (Node 24 has it): the engine decides, wrun reports.
    if (WebAssembly.validate(bytes)) {
      assert.equal((await run(bytes)).exitCode, 7);
    } else {
      await assert.rejects(run(bytes), (e) => e instanceof WrunError && e.kind === 'invalid-module' && !e.message.includes('\n'));
    }
    await assert.rejects(run(bytes, { engine: 'wasmi' }), (e) => e.kind === 'invalid-module' && /exception/.test(e.message));
  });

  test('proc_exit(42) from deep in the stack gives exit code 42 and keeps earlier output', async () => {
    for (const opts of [{}, { engine: 'wasmi' }, { worker: true }]) {
      const r = await run(guest('exit_code'), opts);
      assert.equal(r.exitCode, 42, JSON.stringify(opts));
      assert.equal(r.stdoutText, 'leaving from depth 50\n');
    }
  });

  test('fd_write reaches memory the guest grew after its first call; past the end is still a trap', async () => {
    // Writes "a" from page 0, grows to two pages, writes "b" from page 1 (the core keeps the
    // size it saw last and must look again), then passes an iovec one byte past the new end.
    const program = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func $put (param $at i32) (param $len i32)
        (i32.store (i32.const 0) (local.get $at))
        (i32.store (i32.const 4) (local.get $len))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
      (func (export "_start")
        (i32.store8 (i32.const 100) (i32.const 97))
        (call $put (i32.const 100) (i32.const 1))
        (drop (memory.grow (i32.const 1)))
        (i32.store8 (i32.const 65600) (i32.const 98))
        (call $put (i32.const 65600) (i32.const 1))
        (call $put (i32.const 131071) (i32.const 2))))`);
    for (const opts of [{}, { engine: 'wasmi' }]) {
      const e = await rejectsWith(run(program, opts), 'trap');
      assert.equal(decoder.decode(e.stdout), 'ab', JSON.stringify(opts));
      if (!opts.engine) assert.match(e.trap, /fd_write: out of bounds memory access: 2 bytes at 0x1ffff/);
    }
  });

  for (const opts of [{}, { engine: 'wasmi' }, { worker: true }]) {
    test(`a panic traps: kind "trap", exitCode 134, stderr kept (${JSON.stringify(opts)})`, async () => {
      const e = await rejectsWith(run(guest('panic'), opts), 'trap');
      assert.equal(e.exitCode, 134);
      assert.equal(e.exitCode, EXIT_STATUS.trap);
      const stderr = decoder.decode(e.stderr);
      assert.match(stderr, /panicked at .*panic\.rs/);
      assert.match(stderr, /index out of bounds: the len is 1 but the index is 4/);
      assert.equal(decoder.decode(e.stdout), 'about to panic\n');
      if (!opts.worker) {
        assert.equal(typeof e.trap, 'string');
        assert.match(e.trap, /unreachable/i);
      }
    });
  }
});

describe('interactive input', () => {
  test('spawn(repl) answers lines as they are typed, then exits 0 at end of input', async () => {
    const out = transcript();
    const proc = spawn(guest('repl'), { onStdout: out.onStdout });
    assert.equal(proc.exitCode, null);
    await out.waitFor('> ');
    proc.stdin.write('Ada\n');
    await out.waitFor('hello, Ada!\n> ');
    proc.stdin.write(new TextEncoder().encode('40\n'));
    await out.waitFor('total 40\n> ');
    assert.equal(proc.exitCode, null, 'still running while stdin is open');
    proc.stdin.close();
    const r = await proc.wait();
    assert.equal(r.exitCode, 0);
    assert.equal(proc.exitCode, 0);
    assert.equal(r.stdoutText, '> hello, Ada!\n> total 40\n> bye (eof)\n');
    assert.equal(out.text, r.stdoutText);
  });

  test('without JSPI (Node 20), "auto" picks wasmi for interactive runs; the browser engine asks for input up front', async (t) => {
    if (hasJSPI) return t.skip('this Node has JSPI');
    const e = await rejectsWith(spawn(guest('repl'), { engine: 'browser' }).wait(), 'needs-input');
    assert.match(e.message, /wasmi/);
    assert.equal(decoder.decode(e.stdout), '> ');
  });

  test('repl with all of its input up front matches tests/guests/rust/repl.stdout', async () => {
    for (const engine of ['browser', 'wasmi']) {
      const r = await run(guest('repl'), { stdin: 'world\n2\n40\nquit\n', engine });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdoutText, expectedStdout('rust', 'repl'), engine);
    }
  });
});

/** A module whose `_start` calls one function made of `n` nops. */
function bigFunction(n) {
  const leb = (v) => { const out = []; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v); return out; };
  const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
  const body = [0, ...new Array(n).fill(0x01), 0x0b]; // no locals, nop x n, end
  const start = [0, 0x10, 1, 0x0b]; // call 1
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [2, 0, 0]),
    ...section(7, [1, 6, ...new TextEncoder().encode('_start'), 0, 0]),
    ...section(10, [2, ...leb(start.length), ...start, ...leb(body.length), ...body])]);
}

describe('limits, kill and timeouts', () => {
  const loop = () => new Uint8Array(LOOP);

  test('fuel stops a busy loop with "out-of-fuel" (status 124); enough fuel finishes', async () => {
    const e = await rejectsWith(run(loop(), { fuel: 1_000_000 }), 'out-of-fuel');
    assert.equal(e.exitCode, 124);
    const r = await run(guest('hello'), { fuel: 50_000_000 });
    assert.equal(r.stdoutText, 'Hello, world!\n');
    const small = await rejectsWith(run(guest('hello'), { fuel: 1000 }), 'out-of-fuel');
    assert.equal(small.exitCode, 124);
    // A caller's mistake, not a program's: a TypeError with Node's code.
    await assert.rejects(run(loop(), { fuel: 10, engine: 'browser' }), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE' && /wasmi/.test(e.message));
  });

  test('wasmi without a fuel limit runs a function too big to translate within one fuel slice', async () => {
    // 300,000 nops: lazily translating them costs more fuel than a 2,000,000-fuel slice. The run
    // used to stop with "ran out of fuel (undefined)" (a Rhai REPL did, in the playground).
    const r = await run(bigFunction(300_000), { engine: 'wasmi' });
    assert.equal(r.exitCode, 0);
  });

  test('kill() stops a loop on wasmi while the event loop keeps running', async () => {
    const proc = spawn(loop(), { engine: 'wasmi' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await sleep(150);
    clearInterval(timer);
    assert.ok(ticks >= 3, `the event loop ran only ${ticks} times while wasmi looped`);
    const t0 = Date.now();
    proc.kill();
    const e = await rejectsWith(proc.wait(), 'killed');
    assert.ok(Date.now() - t0 < 1000, `kill took ${Date.now() - t0} ms`);
    assert.equal(e.exitCode, 137);
  });

  test('kill() stops a loop in a worker', async () => {
    // stdin given up front: no JSPI is needed, so the browser engine runs in a worker_threads Worker.
    const proc = spawn(loop(), { worker: true, stdin: '' });
    await sleep(200);
    const t0 = Date.now();
    proc.kill();
    const e = await rejectsWith(proc.wait(), 'killed');
    assert.ok(Date.now() - t0 < 1000, `kill took ${Date.now() - t0} ms`);
    assert.equal(e.exitCode, 137);
  });

  test('kill() right after spawn, before the program started, is not lost', async () => {
    for (const opts of [{ worker: true, stdin: '' }, { engine: 'wasmi' }, { stdin: '' }]) {
      const proc = spawn(loop(), opts);
      proc.kill();
      const e = await rejectsWith(proc.wait(), 'killed');
      assert.equal(e.exitCode, 137, JSON.stringify(opts));
    }
  });

  test('timeoutMs stops a loop in a worker, and on wasmi, with "timeout" (status 124)', async () => {
    for (const opts of [{ worker: true }, { engine: 'wasmi' }]) {
      const t0 = Date.now();
      const e = await rejectsWith(run(loop(), { timeoutMs: 200, ...opts }), 'timeout');
      const ms = Date.now() - t0;
      assert.equal(e.exitCode, 124);
      assert.ok(ms >= 190 && ms < 3000, `${JSON.stringify(opts)} stopped after ${ms} ms`);
    }
  });

  test('a run that ends before its timeoutMs is not affected by it', async () => {
    const r = await run(guest('hello'), { timeoutMs: 10_000, worker: true });
    assert.equal(r.stdoutText, 'Hello, world!\n');
  });
});

describe('one FileSystem, live in every run', () => {
  // Workers block on shared memory while the main thread answers on its tree; wasmi calls it.
  for (const [label, how] of [['in a worker', { worker: true }], ['on wasmi', { engine: 'wasmi' }]]) {
    test(`a program killed ${label} keeps the file it wrote and closed; the FileSystem shows it while it runs`, async () => {
      const fs = await FileSystem.create();
      fs.mkdir('/out');
      const proc = spawn(await wat(WRITES_THEN_LOOPS), { fs, preopens: { '/out': '/out' }, ...how });
      const end = Date.now() + 10_000;
      // The file appears (O_CREAT), then its line (fd_write): wait for the line.
      while (!(fs.exists('/out/kept.txt') && fs.stat('/out/kept.txt').size > 0) && Date.now() < end) await sleep(10);
      assert.equal(fs.readFile('/out/kept.txt', 'utf8'), 'written before the kill\n');
      fs.writeFile('/out/by-node.txt', 'node');
      proc.kill();
      assert.equal(await proc.exited, 137);
      assert.equal(fs.readFile('/out/kept.txt', 'utf8'), 'written before the kill\n');
      assert.equal(fs.readFile('/out/by-node.txt', 'utf8'), 'node');
    });
  }

  test('two programs at once (two workers; a worker and wasmi) each see all of the other\'s appends', async () => {
    for (const two of [{ worker: true }, { engine: 'wasmi' }]) {
      const fs = await FileSystem.create();
      fs.mkdir('/shared');
      const opts = { fs, preopens: { '/shared': '/shared' } };
      const a = spawn(await wat(appender('a.txt', 'b.txt')), { ...opts, worker: true });
      const b = spawn(await wat(appender('b.txt', 'a.txt')), { ...opts, ...two });
      assert.deepEqual([await a.exited, await b.exited], [0, 0], JSON.stringify(two));
      assert.equal(fs.readFile('/shared/a.txt', 'utf8'), 'X\n'.repeat(20));
      assert.equal(fs.readFile('/shared/b.txt', 'utf8'), 'X\n'.repeat(20));
    }
  });

  test('a worker reads and writes a file bigger than its 1 MiB answer buffer', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/d');
    const big = pseudoRandomBytes(3 << 20);
    fs.writeFile('/d/big.bin', big);
    const copy = await run(await wat(COPIES_BIG), { fs, preopens: { '/d': '/d' }, worker: true });
    assert.equal(copy.exitCode, 0);
    assert.deepEqual(fs.readFile('/d/copy.bin'), big);
  });
});

describe('compiled-module cache', () => {
  test('the same program in two different buffers compiles once; different bytes compile again', async () => {
    const text = (n) => `(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))
      (memory (export "memory") 1) (func (export "_start") (call $e (i32.const ${n}))))`;
    const a = await wat(text(71));
    const b = await wat(text(72)); // same length, other bytes
    assert.equal(a.length, b.length);
    const original = WebAssembly.compile;
    let compiles = 0;
    WebAssembly.compile = (...args) => { compiles++; return original.apply(WebAssembly, args); };
    try {
      assert.equal((await run(a)).exitCode, 71);
      assert.equal((await run(a.slice())).exitCode, 71);
      assert.equal((await run(new Uint8Array(a).buffer)).exitCode, 71);
      assert.equal(compiles, 1);
      assert.equal((await run(b)).exitCode, 72);
      assert.equal(compiles, 2);
    } finally {
      WebAssembly.compile = original;
    }
  });
});

describe('bad modules', () => {
  for (const engine of ['browser', 'wasmi']) {
    test(`not wasm, a foreign import, no _start (${engine})`, async () => {
      const bad = await rejectsWith(run(new Uint8Array(NOT_WASM), { engine }), 'invalid-module');
      assert.match(bad.message, /magic/);
      const link = await rejectsWith(run(new Uint8Array(IMPORTS_ENV_FOO), { engine }), 'link');
      assert.match(link.message, /`env::foo`/);
      const lib = await rejectsWith(run(new Uint8Array(NO_START), { engine }), 'no-start');
      assert.match(lib.message, /_start/);
    });
  }

  test('a truncated module is "invalid-module"', async () => {
    const bytes = guest('hello').slice(0, 1000);
    await rejectsWith(run(bytes), 'invalid-module');
  });
});
