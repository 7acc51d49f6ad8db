// The WASI polyfill (`import { WASI } from 'wrun'`) in Node, used the way libraries that
// instantiate their own module use node:wasi: commands through start(), reactors with imported
// (and shared) memory through initialize(), WASI calls from exports afterwards.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI as NodeWASI } from 'node:wasi';
import { WASI, FileSystem, WrunError, hasJSPI, run } from '../dist/index.js';
import { expectedStdout, guest, wat, REPO } from './helpers.mjs';

const decoder = new TextDecoder();
// memfs, a Node-fs-like object, from the real-modules set scripts/setup.sh installs.
const memfs = (() => {
  try {
    return createRequire(new URL('./real-modules/package.json', import.meta.url))('memfs');
  } catch {
    return null;
  }
})();

/** A WASI whose output is collected: `{ wasi, out(), err() }`. */
function collecting(options = {}) {
  let out = '';
  let err = '';
  const wasi = new WASI({
    version: 'preview1',
    ...options,
    onStdout: (c) => { out += decoder.decode(c); },
    onStderr: (c) => { err += decoder.decode(c); },
  });
  return { wasi, out: () => out, err: () => err };
}

const FD_WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))';
const PROC_EXIT = '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))';

/** A command that creates `out.txt` in the first preopen (fd 3) and writes a line to it. */
const writeOutTxt = `(module ${FD_WRITE}
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 200) "written by the guest\\n")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16))
      (then unreachable))
    (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 21))
    (if (call $write (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))))`;

/** A command that opens `path` in the first preopen, following symlinks, and exits with the errno. */
const openProbe = (path) => `(module ${PROC_EXIT}
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "${path}")
  (func (export "_start")
    (call $exit (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const ${path.length}) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))))`;

/** A reactor whose memory is imported (`memory` is `(memory 1)` or a shared one) and whose
 * `greet` export writes a line and returns what the host's `env.twice` makes of 21. */
const reactor = (memory) => `(module ${FD_WRITE} ${PROC_EXIT}
  (import "env" "memory" ${memory})
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (data (i32.const 100) "hello from an export\\n")
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 21)))
  (func (export "greet") (result i32)
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 21))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $twice (global.get $ready)))
  (func (export "quit") (call $exit (i32.const 3))))`;

describe('WASI polyfill (node:wasi shape)', () => {
  test('a command: start() returns 0, output and stderr as under wasmtime', () => {
    const { wasi, out, err } = collecting({ args: ['stdio_stderr'] });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('stdio_stderr')), wasi.getImportObject());
    assert.equal(wasi.start(instance), 0);
    assert.equal(out(), expectedStdout('c', 'stdio_stderr'));
    assert.equal(err(), readFileSync(`${REPO}tests/guests/c/stdio_stderr.stderr`, 'utf8'));
  });

  test('a command: arguments (UTF-8), env, stdin, and proc_exit as the returned status', () => {
    const { wasi, out } = collecting({ args: ['exit_code'], env: { GREETING: 'grüße' } });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('exit_code')), wasi.getImportObject());
    assert.equal(wasi.start(instance), 42);
    assert.equal(out(), expectedStdout('c', 'exit_code'));

    const cat = collecting({ args: ['cat'], stdin: 'line one\nline two — ünïcødé\n' });
    const catInstance = new WebAssembly.Instance(new WebAssembly.Module(guest('cat')), { wasi_snapshot_preview1: cat.wasi.wasiImport });
    assert.equal(cat.wasi.start(catInstance), 0);
    assert.equal(cat.out(), expectedStdout('rust', 'cat'));
  });

  test('a command writing files in a preopened FileSystem', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/scratch');
    const { wasi, out } = collecting({ args: ['fs_std'], fs, preopens: { '/scratch': '/scratch' } });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('fs_std')), wasi.getImportObject());
    assert.equal(wasi.start(instance), 0);
    assert.equal(out(), expectedStdout('rust', 'fs_std'));
  });

  test('preopens without fs are real directories in Node (as node:wasi\'s), confined to them', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'wrun-wasi-host-'));
    try {
      mkdirSync(join(outer, 'scratch'));
      writeFileSync(join(outer, 'secret'), 'secret');
      const preopens = { '/scratch': join(outer, 'scratch') };
      const { wasi, out } = collecting({ args: ['fs_std'], preopens });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('fs_std')), wasi.getImportObject());
      assert.equal(wasi.start(instance), 0);
      assert.equal(out(), expectedStdout('rust', 'fs_std'));
      // What a program writes is on disk.
      const w = collecting({ preopens });
      assert.equal(w.wasi.start(new WebAssembly.Instance(new WebAssembly.Module(await wat(writeOutTxt)), w.wasi.getImportObject())), 0);
      assert.equal(readFileSync(join(outer, 'scratch/out.txt'), 'utf8'), 'written by the guest\n');
      // Symlinks planted from outside lead nowhere: opening through them is EPERM (63).
      symlinkSync(join(outer, 'secret'), join(outer, 'scratch/abs'));
      symlinkSync('../secret', join(outer, 'scratch/up'));
      for (const path of ['abs', 'up', '../secret', 'up/../scratch/out.txt']) {
        const r = collecting({ preopens });
        const probe = new WebAssembly.Instance(new WebAssembly.Module(await wat(openProbe(path))), r.wasi.getImportObject());
        assert.equal(r.wasi.start(probe), 63, path);
      }
      const r = collecting({ preopens });
      assert.equal(r.wasi.start(new WebAssembly.Instance(new WebAssembly.Module(await wat(openProbe('out.txt'))), r.wasi.getImportObject())), 0);
      assert.equal(readFileSync(join(outer, 'secret'), 'utf8'), 'secret');
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  test('fs may be a Node-fs-like object (memfs): preopens name its directories', { skip: !memfs && 'memfs not installed (scripts/setup.sh)' }, async () => {
    const vol = memfs.Volume.fromJSON({ '/work/scratch': null });
    const mfs = memfs.createFsFromVolume(vol);
    const { wasi, out } = collecting({ args: ['fs_std'], fs: mfs, preopens: { '/scratch': '/work/scratch' } });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('fs_std')), wasi.getImportObject());
    assert.equal(wasi.start(instance), 0);
    assert.equal(out(), expectedStdout('rust', 'fs_std'));
    const w = collecting({ fs: mfs, preopens: { '/scratch': '/work/scratch' } });
    assert.equal(w.wasi.start(new WebAssembly.Instance(new WebAssembly.Module(await wat(writeOutTxt)), w.wasi.getImportObject())), 0);
    assert.equal(mfs.readFileSync('/work/scratch/out.txt', 'utf8'), 'written by the guest\n');
  });

  for (const [label, memoryType, memory] of [
    ['imported memory', '(memory 1)', () => new WebAssembly.Memory({ initial: 1 })],
    ['shared imported memory (threads builds)', '(memory 1 16 shared)', () => new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true })],
  ]) {
    test(`a reactor with ${label}: initialize(), then exports make WASI calls`, async () => {
      const mem = memory();
      const { wasi, out } = collecting();
      const { instance } = await WebAssembly.instantiate(await wat(reactor(memoryType), { threads: true }), {
        ...wasi.getImportObject(),
        env: { memory: mem, twice: (x) => x * 2 },
      });
      // As emnapi does: a plain object standing for the instance, with the memory added.
      wasi.initialize({ exports: { ...instance.exports, memory: mem } });
      assert.equal(instance.exports.greet(), 42);
      assert.equal(out(), 'hello from an export\n', 'written at once, with no exit or wait to flush it');
      assert.equal(instance.exports.greet(), 42);
      assert.equal(out(), 'hello from an export\n'.repeat(2));
      // proc_exit inside an export surfaces as an Error carrying the status.
      assert.throws(() => instance.exports.quit(), (e) => e instanceof Error && e.exitCode === 3 && /status 3/.test(e.message));
    });
  }

  test('finalizeBindings(instance, { memory }) binds an imported memory before start()', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { wasi, out } = collecting();
    const module = await wat(`(module ${FD_WRITE} (import "env" "memory" (memory 1)) (data (i32.const 100) "ok\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 3))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module), { ...wasi.getImportObject(), env: { memory } });
    wasi.finalizeBindings(instance, { memory });
    assert.equal(wasi.start(instance), 0);
    assert.equal(out(), 'ok\n');
  });

  test('interactive stdin without JSPI: a read that must wait is a clear error, not a hang',
    { skip: hasJSPI && 'this Node has JSPI; the suspending path is tested in Chromium (browser.test.mjs)' }, () => {
    const { wasi } = collecting({ args: ['repl'], interactive: true });
    assert.throws(() => wasi.getImportObject({ suspending: true }), (e) => !(e instanceof WrunError) && e.code === 'ERR_WRUN_NO_JSPI' && /JSPI/.test(e.message));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(guest('repl')), wasi.getImportObject());
    assert.throws(() => wasi.start(instance), (e) => e instanceof WrunError && e.kind === 'needs-input' && /stdin/.test(e.message));
    // Written before the program reads, stdin is there for it.
    const fed = collecting({ args: ['repl'], interactive: true });
    fed.wasi.stdin.write('Ada\n');
    fed.wasi.stdin.close();
    const i2 = new WebAssembly.Instance(new WebAssembly.Module(guest('repl')), fed.wasi.getImportObject());
    assert.equal(fed.wasi.start(i2), 0);
    assert.equal(fed.out(), '> hello, Ada!\n> bye (eof)\n');
  });

  test('the import object has every preview1 function node:wasi has', () => {
    const ours = Object.keys(new WASI({ version: 'preview1' }).wasiImport).sort();
    const node = Object.keys(new NodeWASI({ version: 'preview1' }).wasiImport).sort();
    assert.deepEqual(ours, node);
    assert.deepEqual(Object.keys(new WASI().getImportObject()), ['wasi_snapshot_preview1']);
  });

  test("version 'unstable': a wasi_unstable program runs with snapshot 0's ABI, as under wrun", async () => {
    const bytes = await wat(readFileSync(`${REPO}tests/wat/wasi_unstable.wat`, 'utf8'));
    const fs = await FileSystem.create();
    fs.mkdir('/work');
    const { wasi, out } = collecting({ version: 'unstable', fs, preopens: { '/work': '/work' } });
    const imports = wasi.getImportObject();
    assert.deepEqual(Object.keys(imports), ['wasi_unstable']);
    assert.equal('sock_accept' in wasi.wasiImport, false, 'snapshot 0 had no sock_accept');
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    assert.equal(wasi.start(instance), 0, 'the program exits with the number of the check that failed');
    assert.equal(out(), 'wasi_unstable ok\n');
    // run() finds the module's WASI by itself, on both engines.
    for (const engine of ['browser', 'wasmi']) {
      const files = await FileSystem.create();
      files.mkdir('/work');
      const r = await run(bytes, { engine, fs: files, preopens: { '/work': '/work' } });
      assert.deepEqual([r.exitCode, r.stdoutText], [0, 'wasi_unstable ok\n'], engine);
    }
  });

  test('misuse is reported as node:wasi reports it: TypeError or Error, with Node\'s code', async () => {
    const fails = (f, Kind, code, re) => assert.throws(f, (e) => e instanceof Kind && e.code === code && re.test(e.message));
    fails(() => new WASI({ version: 'preview2' }), TypeError, 'ERR_INVALID_ARG_VALUE', /unknown WASI version/);
    fails(() => new WASI({ args: 'tool' }), TypeError, 'ERR_INVALID_ARG_TYPE', /args must be an array/);
    // node:wasi agrees on each of these being misuse.
    assert.throws(() => new NodeWASI({ version: 'preview1', args: 'tool' }), TypeError);
    const command = new WebAssembly.Instance(new WebAssembly.Module(guest('hello')), new WASI().getImportObject());
    fails(() => new WASI().initialize(command), TypeError, 'ERR_INVALID_ARG_TYPE', /use start\(\)/);
    const reactorInstance = { exports: { _initialize() {}, memory: new WebAssembly.Memory({ initial: 1 }) } };
    fails(() => new WASI().start(reactorInstance), TypeError, 'ERR_INVALID_ARG_TYPE', /no `_start`/);
    const w = collecting().wasi;
    const twice = new WebAssembly.Instance(new WebAssembly.Module(guest('hello')), w.getImportObject());
    w.start(twice);
    fails(() => w.start(twice), Error, 'ERR_WASI_ALREADY_STARTED', /already started/);
    const r = new WASI();
    r.initialize(reactorInstance);
    fails(() => r.initialize(reactorInstance), Error, 'ERR_WASI_ALREADY_STARTED', /already started/);
    fails(() => new WASI().finalizeBindings({ exports: {} }), TypeError, 'ERR_INVALID_ARG_TYPE', /no `memory`/);
  });
});
