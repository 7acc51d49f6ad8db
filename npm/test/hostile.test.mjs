// Hostile and malformed programs against the package, on every engine: memory and table bombs
// under maxMemoryBytes, deep recursion, output floods, a disk-filling guest, and a corpus of bad
// modules whose one-line errors must be word for word those of the native `wrun`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, spawn, FileSystem, init, WrunError } from '../dist/index.js';
import { expectedStdout, guest, wat, REPO, LOOP } from './helpers.mjs';

/** The engines a program can run on, as run() options. */
// `browser` is the default: the page's own engine (a run with timeoutMs moves to a worker by itself).
const ENGINES = { browser: {}, worker: { worker: true }, wasmi: { engine: 'wasmi' } };

async function rejectsWith(promise, kind) {
  const e = await promise.then((r) => assert.fail(`expected a "${kind}" error, the run exited with ${r.exitCode}`), (err) => err);
  assert.ok(e instanceof WrunError, `expected a WrunError, got ${e?.stack ?? e}`);
  assert.equal(e.kind, kind, e.message);
  assert.ok(!e.message.includes('\n'), `not one line: ${JSON.stringify(e.message)}`);
  return e;
}

const PROC_EXIT = '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))';
const FD_WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))';

describe('limits', () => {
  // Grows one page at a time until refused, then asks for 65536 pages at once; exits with the
  // number of pages it got.
  const memoryBomb = wat(`(module ${PROC_EXIT} (memory (export "memory") 1)
    (func (export "_start")
      (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
      (drop (memory.grow (i32.const 65536)))
      (call $exit (memory.size))))`);
  // Under a 4 MiB cap (512 Ki elements at 8 bytes) 256 Ki elements fit, 1 Mi more do not (V8's
  // own limit, 10 M elements, would allow them).
  const tableBomb = wat(`(module ${PROC_EXIT} (memory (export "memory") 1) (table $t 0 funcref)
    (func (export "_start")
      (if (i32.eq (table.grow $t (ref.null func) (i32.const 262144)) (i32.const -1)) (then (call $exit (i32.const 1))))
      (if (i32.ne (table.grow $t (ref.null func) (i32.const 1048576)) (i32.const -1)) (then (call $exit (i32.const 2))))
      (call $exit (i32.const 0))))`, { referenceTypes: true });
  const recursion = wat(`(module (memory (export "memory") 1)
    (func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
    (func (export "_start") (drop (call $down (i32.const 0)))))`);

  for (const [name, opts] of Object.entries(ENGINES)) {
    test(`a memory.grow bomb stops at maxMemoryBytes (${name})`, async () => {
      const r = await run(await memoryBomb, { ...opts, maxMemoryBytes: 4 << 20 });
      assert.equal(r.exitCode, 64, 'pages reached under a 4 MiB cap');
    });

    test(`a table.grow bomb is refused past maxMemoryBytes (${name})`, async () => {
      const r = await run(await tableBomb, { ...opts, maxMemoryBytes: 4 << 20 });
      assert.equal(r.exitCode, 0, r.exitCode === 1 ? 'the allowed growth was refused' : 'the 1 Mi-element growth was allowed');
    });

    test(`deep recursion is a stack-overflow trap, not a crash (${name})`, async () => {
      const e = await rejectsWith(run(await recursion, opts), 'trap');
      assert.equal(e.exitCode, 134);
      assert.match(e.message, /stack/i);
      // The runtime is still usable afterwards.
      assert.equal((await run(guest('hello'), opts)).stdoutText, 'Hello, world!\n');
    });
  }

  for (const [name, opts] of Object.entries(ENGINES)) {
    test(`timeoutMs stops an infinite loop while the event loop keeps running (${name})`, async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const t0 = performance.now();
      const e = await rejectsWith(run(new Uint8Array(LOOP), { ...opts, timeoutMs: 300 }), 'timeout');
      const ms = performance.now() - t0;
      clearInterval(timer);
      assert.equal(e.exitCode, 124);
      assert.match(e.message, /300 ms/);
      assert.ok(ms >= 290 && ms < 5000, `stopped after ${ms} ms`);
      assert.ok(ticks >= 5, `the event loop ran ${ticks} times in ${ms} ms`);
    });
  }

  test('a memory that starts above maxMemoryBytes is refused before it runs, as by wrun', async () => {
    const big = await wat('(module (memory (export "memory") 2) (func (export "_start")))');
    for (const opts of Object.values(ENGINES)) {
      const e = await rejectsWith(run(big, { ...opts, maxMemoryBytes: 65536 }), 'link');
      assert.match(e.message, /memory starts at 2 pages \(131072 bytes\), more than maxMemoryBytes allows \(65536 bytes\)/);
    }
  });
});

describe('output floods', () => {
  // Writes 1 MiB to stdout `rounds` times (forever if 0); exits with fd_write's errno when one fails.
  const flood = (rounds) => wat(`(module ${PROC_EXIT} ${FD_WRITE} (memory (export "memory") 17)
    (func (export "_start") (local $e i32) (local $n i32)
      (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 1048576))
      (loop $more
        (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (if (local.get $e) (then (call $exit (local.get $e))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $more (i32.or (i32.eqz (i32.const ${rounds})) (i32.lt_u (local.get $n) (i32.const ${rounds})))))
      (call $exit (i32.const 0))))`);

  for (const [name, opts] of Object.entries(ENGINES)) {
    test(`endless stdout with nobody reading: ENOSPC at maxOutputBytes, the first part kept (${name})`, async () => {
      const r = await run(await flood(0), { ...opts, maxOutputBytes: 8 << 20 });
      assert.equal(r.exitCode, 51, 'the program sees ENOSPC (51)');
      assert.equal(r.stdout.length, 8 << 20);
    });
  }

  test('with onStdout, output past maxOutputBytes still streams and the program finishes', async () => {
    let streamed = 0;
    const r = await run(await flood(16), { maxOutputBytes: 4 << 20, onStdout: (c) => { streamed += c.length; } });
    assert.equal(r.exitCode, 0);
    assert.equal(streamed, 16 << 20);
    assert.equal(r.stdout.length, 4 << 20, 'the result keeps the output up to the limit');
  });

  test('a program filling a FileSystem with a quota gets ENOSPC and the files stay usable', async () => {
    await init();
    const fs = new FileSystem();
    fs.setQuota(2 << 20);
    // Copies stdin to a file until a write fails: the shell's `cat > big`.
    const fill = await wat(`(module ${PROC_EXIT} ${FD_WRITE}
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (memory (export "memory") 2) (data (i32.const 16) "big")
      (func (export "_start") (local $e i32)
        (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3) (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 32)) (then unreachable))
        (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
        (loop $more
          (local.set $e (call $write (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (i32.const 8)))
          (br_if $more (i32.eqz (local.get $e))))
        (call $exit (local.get $e))))`);
    const r = await run(fill, { fs });
    assert.equal(r.exitCode, 51, 'ENOSPC');
    const size = fs.stat('/big').size;
    assert.ok(size > 0 && size <= 2 << 20, `the file has ${size} bytes`);
    fs.remove('/big');
    fs.writeFile('/small', 'still works');
    assert.equal(new TextDecoder().decode(fs.readFile('/small')), 'still works');
  });
});

describe('malformed modules: the same one-line error as wrun, on every engine', () => {
  const WRUN = join(REPO, 'target/release/wrun');
  const hello = guest('hello');
  const header = (rest) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...rest]);
  const cases = {
    'truncated': async () => hello.slice(0, 20),
    // Its sections before the code (all a check reads first) are whole: the engine's compile
    // finds the end, and the whole module's check then names it as wrun does.
    'truncated in its code section': async () => hello.slice(0, hello.length >> 1),
    'wrong magic': async () => new Uint8Array([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]),
    'version 2': async () => new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]),
    'a component': async () => new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]),
    'a huge section size': async () => header([1, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    'an unknown import': () => wat('(module (import "env" "foo" (func)) (func (export "_start")))'),
    'a WASI import of the wrong type': () => wat('(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))'),
    'both WASI versions': () => wat('(module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))'),
    'an imported memory': () => wat('(module (import "env" "memory" (memory 1)) (func (export "_start")))'),
    'no _start': () => wat('(module (func (export "main")))'),
    'a _start of the wrong type': () => wat('(module (func (export "_start") (param i32) (result i32) (local.get 0)))'),
  };

  test('wrun is built (cargo build --release -p wrun)', () => assert.ok(existsSync(WRUN), `${WRUN} is missing`));

  /** wrun's message for `bytes`: its stderr line without the `wrun: error: \`file\`: ` prefix. */
  function wrunSays(bytes) {
    const dir = mkdtempSync(join(tmpdir(), 'wrun-bad-'));
    writeFileSync(join(dir, 'bad.wasm'), bytes);
    try {
      execFileSync(WRUN, ['bad.wasm'], { cwd: dir, stdio: 'pipe' });
    } catch (e) {
      assert.equal(e.status, 1, 'wrun exits 1 for a module it cannot load');
      const line = e.stderr.toString().trim();
      assert.ok(!line.includes('\n'), line);
      // The CLI alone can point at --invoke and --unknown-imports-trap; the rest of the line is
      // the shared check's.
      return line.replace(/^wrun: error: `bad\.wasm`: /, '')
        .replace('; to call one of its exports use --invoke NAME', '')
        .replace('; --unknown-imports-trap runs it anyway, trapping if it is called', '');
    }
    return assert.fail('wrun ran the module');
  }

  for (const [name, make] of Object.entries(cases)) {
    test(name, { skip: !existsSync(WRUN) && 'wrun is not built' }, async () => {
      const bytes = await make();
      const native = wrunSays(bytes);
      for (const [engine, opts] of Object.entries(ENGINES)) {
        const e = await run(bytes, opts).then(() => assert.fail(`${engine} ran it`), (err) => err);
        assert.ok(e instanceof WrunError, `${engine}: ${e?.stack ?? e}`);
        assert.equal(e.message, native, `${engine} (kind ${e.kind})`);
      }
    });
  }

  test('an ill-typed function body is "invalid-module" everywhere (the validator is the engine\'s)', async () => {
    const bytes = header([1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114, 116, 0, 0, 10, 7, 1, 5, 0, 0x41, 1, 0x6a, 0x0b]);
    assert.match(wrunSays(bytes), /^invalid module: /);
    for (const opts of Object.values(ENGINES)) {
      const e = await rejectsWith(run(bytes, opts), 'invalid-module');
      assert.match(e.message, /^invalid module: /);
    }
  });

  test('spawn() reports a bad module through wait(), and stdin writes to it are harmless', async () => {
    const proc = spawn(new Uint8Array([1, 2, 3]));
    proc.stdin.write('ignored');
    proc.stdin.close();
    await rejectsWith(proc.wait(), 'invalid-module');
  });
});

// The hostile-program review's findings that reach the package: C stdio that writes
// [empty buffer, data] (it used to spin forever) and exit statuses that pass for wrun's own.
describe('findings of the hostile-program review', () => {
  const exitWith = (code) => wat(`(module ${PROC_EXIT} (memory (export "memory") 1)
    (func (export "_start") (call $exit (i32.const ${code}))))`);
  const stderrOf = (name) => readFileSync(`${REPO}tests/guests/c/${name}.stderr`, 'utf8');

  // fd_write's iovecs, through the browser's one-crossing gather and its general path alike: each
  // `[pointer, length]` is stored at 16 + 8k, then one fd_write(1, 16, n) must report `want`.
  const writes = (iovecs, want) => wat(`(module ${FD_WRITE} ${PROC_EXIT} (memory (export "memory") 1)
    (data (i32.const 100) "abc") (data (i32.const 200) "defgh")
    (func (export "_start")
      ${iovecs.map(([p, l], k) => `(i32.store (i32.const ${16 + 8 * k}) (i32.const ${p})) (i32.store (i32.const ${20 + 8 * k}) (i32.const ${l}))`).join(' ')}
      (if (call $write (i32.const 1) (i32.const 16) (i32.const ${iovecs.length}) (i32.const 8)) (then (call $exit (i32.const 90))))
      (if (i32.ne (i32.load (i32.const 8)) (i32.const ${want})) (then (call $exit (i32.const 91))))))`);

  for (const [name, opts] of Object.entries(ENGINES)) {
    test(`fd_write gathers its iovecs in order and traps on one outside memory (${name})`, async () => {
      const cases = [
        [[[100, 3], [0, 0], [200, 5]], 'abcdefgh'], // an empty one between
        [Array(9).fill([100, 1]), 'a'.repeat(9)], // more than the one-step gather takes
        [[[1000, 40000]], '\0'.repeat(40000)], // more than its room
        [[[65535, 1]], '\0'], // ending at memory's end
      ];
      for (const [iovecs, out] of cases) {
        const r = await run(await writes(iovecs, out.length), opts);
        assert.equal(r.exitCode, 0, JSON.stringify(iovecs.slice(0, 3)));
        assert.equal(r.stdoutText, out);
      }
      for (const iovecs of [[[65535, 2]], [[100, 3], [0xfffffff0, 0x20]]]) {
        const e = await rejectsWith(run(await writes(iovecs, 0), opts), 'trap');
        assert.match(e.message, /out of bounds memory access/, JSON.stringify(iovecs));
        assert.equal(e.stdout.length, 0, 'nothing written before the trap');
      }
    });

    test(`fputs to stderr, perror and a big fwrite finish, as under wasmtime (${name})`, async () => {
      for (const prog of ['stdio_stderr', 'stdio_big']) {
        const r = await run(guest(prog), { ...opts, timeoutMs: 20000 });
        assert.equal(r.exitCode, 0, prog);
        assert.equal(r.stdoutText, expectedStdout('c', prog), prog);
        assert.equal(r.stderrText, stderrOf(prog), prog);
      }
    });

    test(`proc_exit past 125 is an "invalid-exit" error with status 1, as in wrun (${name})`, async () => {
      for (const code of [0, 124, 125]) assert.equal((await run(await exitWith(code), opts)).exitCode, code);
      for (const [code, shown] of [[126, '126'], [134, '134'], [137, '137'], [256, '256'], [-1, '-1']]) {
        const e = await rejectsWith(run(await exitWith(code), opts), 'invalid-exit');
        assert.equal(e.exitCode, 1);
        assert.equal(e.status, code);
        assert.match(e.message, new RegExp(`exited with status ${shown}, outside 0\\.\\.=125`));
      }
    });
  }
});
