// The process `spawn` returns, in the platform's terms: stdout/stderr as ReadableStreams, stdin
// from a stream, an async iterable or a Blob and writable as a WritableStream, `signal` to abort,
// `exited` and `exitCode` however the program ends; and a caller's mistakes as TypeErrors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, run, WrunError } from '../dist/index.js';
import { expectedStdout, guest, LOOP } from './helpers.mjs';

const decoder = new TextDecoder();
const text = (chunks) => decoder.decode(Buffer.concat(chunks.map((c) => Buffer.from(c))));
const INPUT = ['line one\n', 'line two — ünïcødé\n', 'three\n'];
// tests/guests/rust/hello.toml's arguments, which hello.stdout was recorded with.
const HELLO_ARGS = ['hello', 'ünïcødé', 'two words'];

describe('spawn(): streams', () => {
  test('stdout and stderr read as ReadableStreams: getReader() and for await', async () => {
    const p = spawn(guest('hello'), { args: HELLO_ARGS });
    const reader = p.stdout.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    assert.equal(text(chunks), expectedStdout('rust', 'hello'));
    const c = spawn(guest('cat'), { stdin: 'abc' });
    const err = [];
    for await (const chunk of c.stderr) err.push(chunk);
    assert.match(text(err), /3 bytes/);
    assert.equal(await c.exited, 0);
  });

  test('a stream asked for after the program started still gets all its output', async () => {
    const p = spawn(guest('hello'), { args: HELLO_ARGS });
    await p.wait();
    const chunks = [];
    for await (const chunk of p.stdout) chunks.push(chunk);
    assert.equal(text(chunks), expectedStdout('rust', 'hello'));
  });

  for (const [label, make] of [
    ['a ReadableStream', () => new ReadableStream({ start(c) { for (const l of INPUT) c.enqueue(new TextEncoder().encode(l)); c.close(); } })],
    ['an async iterable', () => (async function* lines() { for (const l of INPUT) { await new Promise((r) => setTimeout(r, 5)); yield l; } })()],
    ['a Blob', () => new Blob(INPUT)],
  ]) {
    test(`stdin from ${label}, then closed`, async () => {
      const r = await run(guest('cat'), { stdin: make() });
      assert.equal(r.stdoutText, INPUT.join(''));
    });
  }

  test('stdin is a WritableStream: a ReadableStream piped to it, or a writer', async () => {
    const p = spawn(guest('cat'));
    const source = new ReadableStream({ start(c) { for (const l of INPUT) c.enqueue(new TextEncoder().encode(l)); c.close(); } });
    await source.pipeTo(p.stdin);
    assert.equal((await p.wait()).stdoutText, INPUT.join(''));
    const q = spawn(guest('cat'));
    const writer = q.stdin.getWriter();
    await writer.write('via a writer\n');
    await writer.close();
    assert.equal((await q.wait()).stdoutText, 'via a writer\n');
    // The direct calls still work.
    const d = spawn(guest('cat'));
    d.stdin.write('direct\n');
    d.stdin.close();
    assert.equal((await d.wait()).stdoutText, 'direct\n');
  });
});

describe('spawn(): pipes between programs', () => {
  // 24 MiB of numbered lines: a stream far bigger than the 256 KiB a side may run ahead.
  const BIG = new TextEncoder().encode(Array.from({ length: 2_000_000 }, (_, i) => `${String(i).padStart(11, '0')}\n`).join(''));
  const sha = async (bytes) => Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');

  test("one program's stdout piped to another's stdin moves at the reader's pace, every byte in order", async () => {
    // The writer on the browser engine in a worker (it blocks on shared memory while its reader
    // is behind), the reader on wasmi (it pauses for input).
    const writer = spawn(guest('cat'), { stdin: BIG, worker: true });
    const reader = spawn(guest('cat'), { stdin: writer.stdout, worker: true, engine: 'wasmi' });
    const output = reader.stdout; // asked for at once: it streams (and may hold the program back)
    // Nobody reads the reader's output: both wait, so the writer has not finished its 24 MiB.
    assert.equal(await Promise.race([writer.exited, new Promise((r) => setTimeout(() => r('waiting'), 700))]), 'waiting');
    const chunks = [];
    for await (const chunk of output) chunks.push(chunk);
    const out = Buffer.concat(chunks);
    assert.equal(out.length, BIG.length);
    assert.equal(await sha(out), await sha(BIG));
    assert.deepEqual([await writer.exited, await reader.exited], [0, 0]);
  });

  test('a reader that ends gives its writer EPIPE: the writer stops instead of writing on', async () => {
    const writer = spawn(guest('cat'), { stdin: BIG, worker: true });
    const errors = [];
    const reader = spawn(guest('hello'), { args: HELLO_ARGS, stdin: writer.stdout, worker: true, engine: 'wasmi' });
    writer.stderr.pipeTo(new WritableStream({ write: (c) => { errors.push(c); } }));
    assert.equal(await reader.exited, 0);
    const status = await Promise.race([writer.exited, new Promise((r) => setTimeout(() => r('still writing'), 5000))]);
    assert.notEqual(status, 'still writing');
    assert.match(text(errors), /Broken pipe|EPIPE|pipe/i);
  });

  test('on the page\'s own thread too: a reader that ends leaves nothing unhandled', async () => {
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const writer = spawn(guest('cat'), { stdin: BIG });
      const reader = spawn(guest('hello'), { args: HELLO_ARGS, stdin: writer.stdout, engine: 'wasmi' });
      assert.equal(await reader.exited, 0);
      assert.notEqual(await writer.exited, null);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test("stdin writes resolve when the program has room, and reject (EPIPE) once it ended", async () => {
    const p = spawn(guest('hello'), { args: HELLO_ARGS, worker: true });
    const w = p.stdin.getWriter();
    await w.write('taken while it runs\n'); // within the window: resolves at once
    await p.exited;
    await assert.rejects(w.write(new Uint8Array(1 << 20)), { code: 'EPIPE' });
  });
});

describe('spawn(): ending', () => {
  test('exited and exitCode are set however the program ends, without wait()', async () => {
    const ok = spawn(guest('exit_code'));
    assert.equal(ok.exitCode, null);
    assert.equal(await ok.exited, 42);
    assert.equal(ok.exitCode, 42);
    const trap = spawn(guest('bad_pointer'));
    assert.equal(await trap.exited, 134);
    assert.equal(trap.exitCode, 134);
    const killed = spawn(new Uint8Array(LOOP), { worker: true });
    setTimeout(() => killed.kill(), 100);
    assert.equal(await killed.exited, 137);
    const bad = spawn(new Uint8Array([0, 1, 2, 3]));
    assert.equal(await bad.exited, 1, 'a module that cannot load: 1, as under wrun');
    await assert.rejects(bad.wait(), (e) => e instanceof WrunError && e.kind === 'invalid-module');
  });

  test('signal: aborting kills the program, with the signal\'s reason; before start, during, after the end', async () => {
    const before = new AbortController();
    before.abort(new Error('not needed any more'));
    const a = spawn(guest('hello'), { signal: before.signal });
    await assert.rejects(a.wait(), (e) => e instanceof WrunError && e.kind === 'killed' && e.cause?.message === 'not needed any more');
    assert.equal(a.exitCode, 137);

    const during = new AbortController();
    const b = spawn(guest('repl'), { signal: during.signal, engine: 'wasmi' });
    setTimeout(() => during.abort(), 100);
    await assert.rejects(b.wait(), (e) => e.kind === 'killed' && e.cause?.name === 'AbortError');
    assert.equal(await b.exited, 137);

    const after = new AbortController();
    const c = spawn(guest('hello'), { signal: after.signal });
    assert.equal(await c.exited, 0);
    after.abort();
    assert.equal((await c.wait()).exitCode, 0, 'aborting after the end changes nothing');
  });
});

describe('a caller\'s mistakes are TypeErrors (or RangeErrors) with Node\'s code, thrown at once', () => {
  const fails = (opts, Kind, code, re) => assert.throws(() => spawn(guest('hello'), opts), (e) => e instanceof Kind && e.code === code && re.test(e.message));
  test('unknown options name the nearest known one; wrong types and values are refused', () => {
    fails({ stdout: () => {} }, TypeError, 'ERR_INVALID_ARG_VALUE', /unknown option `stdout` \(did you mean `onStdout`\?\)/);
    fails({ timeout: 5 }, TypeError, 'ERR_INVALID_ARG_VALUE', /did you mean `timeoutMs`/);
    fails({ args: 'tool' }, TypeError, 'ERR_INVALID_ARG_TYPE', /args must be an array/);
    fails({ onStdout: 'yes' }, TypeError, 'ERR_INVALID_ARG_TYPE', /onStdout must be a function/);
    fails({ timeoutMs: -1 }, RangeError, 'ERR_OUT_OF_RANGE', /timeoutMs/);
    fails({ engine: 'v8' }, TypeError, 'ERR_INVALID_ARG_VALUE', /unknown engine "v8"/);
    fails({ signal: {} }, TypeError, 'ERR_INVALID_ARG_TYPE', /AbortSignal/);
    fails({ preopens: { '/x': '/' } }, TypeError, 'ERR_INVALID_ARG_VALUE', /FileSystem/);
    fails({ stdin: 42 }, TypeError, 'ERR_INVALID_ARG_TYPE', /stdin must be/);
    assert.throws(() => spawn(guest('hello'), null), TypeError);
  });
});
