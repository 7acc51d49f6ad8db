// The package in Node: the FileSystem API, programs working on files, tar images, and
// deterministic runs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { run, spawn, init, FileSystem, WrunError } from '../dist/index.js';
import { guest, expectedStdout, wat, CLOCKS_AND_RANDOM, WRITES_A_FILE } from './helpers.mjs';

/** Asserts `fn` throws a filesystem error with `code`. */
function throwsCode(fn, code, errno) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, code, e.message);
    if (errno !== undefined) assert.equal(e.errno, errno);
    assert.ok(e.message.startsWith(`${code}:`), e.message);
    return true;
  });
}

describe('FileSystem API', () => {
  test('new FileSystem() works after init(); create() needs no init', async () => {
    await init();
    const a = new FileSystem();
    const b = await FileSystem.create();
    assert.deepEqual(a.readdir('/'), []);
    assert.deepEqual(b.readdir('/'), []);
  });

  test('mkdir, writeFile, readFile, readdir, stat, exists', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/a/b/c', { recursive: true });
    fs.mkdir('/a/b/c', { recursive: true }); // existing is fine when recursive
    fs.writeFile('/a/b/text.txt', 'héllo\n');
    fs.writeFile('/a/bytes.bin', new Uint8Array([0, 255, 1, 254]));
    assert.equal(fs.readFile('/a/b/text.txt', 'utf8'), 'héllo\n');
    assert.equal(fs.readFile('/a/b/text.txt', 'utf-8'), 'héllo\n');
    const raw = fs.readFile('/a/b/text.txt');
    assert.ok(raw instanceof Uint8Array);
    assert.deepEqual(Array.from(raw), Array.from(new TextEncoder().encode('héllo\n')));
    assert.deepEqual(Array.from(fs.readFile('/a/bytes.bin')), [0, 255, 1, 254]);
    assert.deepEqual(fs.readdir('/a').sort(), ['b', 'bytes.bin']);
    assert.deepEqual(fs.readdir('/a/b').sort(), ['c', 'text.txt']);
    const st = fs.stat('/a/b/text.txt');
    assert.equal(st.type, 'file');
    assert.equal(st.size, 7);
    assert.equal(st.nlink, 1);
    assert.equal(typeof st.ino, 'number');
    assert.equal(typeof st.mtimeMs, 'number');
    assert.equal(fs.stat('/a/b').type, 'directory');
    assert.notEqual(fs.stat('/a/b').ino, st.ino);
    assert.equal(fs.exists('/a/b/text.txt'), true);
    assert.equal(fs.exists('/a/b/nope'), false);
    fs.writeFile('/a/b/text.txt', 'short'); // overwrite truncates
    assert.equal(fs.readFile('/a/b/text.txt', 'utf8'), 'short');
    assert.equal(fs.usedBytes, 5 + 4);
  });

  test('rename, remove, symlink, readlink, lstat', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/d');
    fs.writeFile('/d/f', 'data');
    fs.rename('/d/f', '/g');
    assert.equal(fs.exists('/d/f'), false);
    assert.equal(fs.readFile('/g', 'utf8'), 'data');
    fs.rename('/d', '/e');
    assert.deepEqual(fs.readdir('/').sort(), ['e', 'g']);

    fs.symlink('g', '/link');
    fs.symlink('e', '/dirlink');
    fs.symlink('/e', '/absolute'); // WASI rules: an absolute target leads out of the tree
    assert.equal(fs.readlink('/link'), 'g');
    assert.equal(fs.lstat('/link').type, 'symlink');
    assert.equal(fs.stat('/link').type, 'file');
    assert.equal(fs.readFile('/link', 'utf8'), 'data');
    fs.writeFile('/dirlink/inside', 'x');
    assert.deepEqual(fs.readdir('/e'), ['inside']);
    assert.equal(fs.readlink('/absolute'), '/e');
    throwsCode(() => fs.readdir('/absolute'), 'EPERM');

    throwsCode(() => fs.remove('/e'), 'ENOTEMPTY');
    fs.remove('/e', { recursive: true });
    fs.remove('/link');
    assert.equal(fs.exists('/g'), true, 'removing a symlink keeps its target');
    fs.remove('/g');
    fs.remove('/dirlink');
    fs.remove('/absolute');
    assert.deepEqual(fs.readdir('/'), []);
    assert.equal(fs.usedBytes, 0);
  });

  test('errors carry code and errno, like Node\'s fs', async () => {
    const fs = await FileSystem.create();
    fs.writeFile('/file', 'x');
    throwsCode(() => fs.readFile('/missing'), 'ENOENT', -2);
    throwsCode(() => fs.stat('/missing/deeper'), 'ENOENT', -2);
    assert.throws(() => fs.readFile('/missing'), (e) => e.syscall === 'open' && e.path === '/missing');
    throwsCode(() => fs.readdir('/missing'), 'ENOENT');
    throwsCode(() => fs.mkdir('/x/y'), 'ENOENT');
    throwsCode(() => fs.rename('/missing', '/other'), 'ENOENT');
    throwsCode(() => fs.remove('/missing'), 'ENOENT');
    throwsCode(() => fs.mkdir('/file'), 'EEXIST');
    throwsCode(() => fs.readdir('/file'), 'ENOTDIR');
    throwsCode(() => fs.readlink('/file'), 'EINVAL');
    assert.throws(() => fs.readFile('/missing'), /no such file or directory.*\/missing/);
  });

  test('node:fs names and shapes: rm, unlink, rmdir, readdir withFileTypes, Stats methods, encodings, promises', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/d/e', { recursive: true });
    fs.writeFile('/d/f.txt', 'héllo', 'latin1');
    assert.deepEqual(Array.from(fs.readFile('/d/f.txt')), [104, 233, 108, 108, 111], 'latin1: one byte a character');
    fs.writeFile('/d/b64', 'aGk=', { encoding: 'base64' });
    assert.equal(fs.readFile('/d/b64', 'utf8'), 'hi');
    assert.equal(fs.readFile('/d/b64', { encoding: 'base64' }), 'aGk=');
    fs.symlink('f.txt', '/d/link');
    const entries = fs.readdir('/d', { withFileTypes: true });
    assert.deepEqual(entries.map((e) => [e.name, e.isFile(), e.isDirectory(), e.isSymbolicLink(), e.parentPath]),
      [['b64', true, false, false, '/d'], ['e', false, true, false, '/d'], ['f.txt', true, false, false, '/d'], ['link', false, false, true, '/d']]);
    const st = fs.stat('/d/link');
    assert.ok(st.isFile() && !st.isDirectory() && fs.lstat('/d/link').isSymbolicLink());
    assert.ok(st.mtime instanceof Date);
    assert.throws(() => fs.unlink('/d/e'), (e) => e.code === 'EISDIR' && e.errno === -21 && e.syscall === 'unlink');
    assert.throws(() => fs.rmdir('/d/f.txt'), (e) => e.code === 'ENOTDIR' && e.syscall === 'rmdir');
    assert.throws(() => fs.rmdir('/d'), (e) => e.code === 'ENOTEMPTY' && e.errno === -39);
    fs.unlink('/d/link');
    fs.rmdir('/d/e');
    fs.rm('/nothing', { force: true });
    assert.throws(() => fs.rm('/nothing'), (e) => e.code === 'ENOENT');
    assert.throws(() => fs.readFile('/d/f.txt', 'utf16'), RangeError);
    // The promises view.
    await fs.promises.writeFile('/p.txt', 'promised');
    assert.equal(await fs.promises.readFile('/p.txt', 'utf8'), 'promised');
    await assert.rejects(fs.promises.readFile('/nope'), (e) => e.code === 'ENOENT' && e.errno === -2);
    await fs.promises.rm('/d', { recursive: true });
    assert.deepEqual(fs.readdir('/'), ['p.txt']);
  });

  test('setQuota: writes past it fail with ENOSPC', async () => {
    const fs = await FileSystem.create();
    // Room for two names (512 bytes and the path's length each) and 100 bytes of data.
    fs.setQuota(2 * 512 + '/small'.length + '/big'.length + 100 - 2);
    fs.writeFile('/small', 'x'.repeat(60));
    throwsCode(() => fs.writeFile('/big', 'x'.repeat(60)), 'ENOSPC');
    assert.equal(fs.usedBytes, 60);
  });

  test('exportTar → importTar round-trips files, directories and symlinks', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/docs/deep', { recursive: true });
    fs.writeFile('/docs/deep/ünïcødé.txt', 'snowman ☃\n');
    const binary = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    fs.writeFile('/docs/blob.bin', binary);
    fs.symlink('deep/ünïcødé.txt', '/docs/shortcut');
    const tar = fs.exportTar();
    assert.ok(tar instanceof Uint8Array);
    assert.equal(tar.length % 512, 0, 'a tar is made of 512-byte blocks');

    const copy = await FileSystem.create();
    copy.importTar(tar);
    assert.equal(copy.readFile('/docs/deep/ünïcødé.txt', 'utf8'), 'snowman ☃\n');
    assert.ok(Buffer.from(copy.readFile('/docs/blob.bin')).equals(Buffer.from(binary)));
    assert.equal(copy.readlink('/docs/shortcut'), 'deep/ünïcødé.txt');
    assert.equal(copy.readFile('/docs/shortcut', 'utf8'), 'snowman ☃\n');

    const other = await FileSystem.create();
    other.writeFile('/old', 'gone after replace');
    other.replaceWithTar(tar);
    assert.deepEqual(other.readdir('/'), ['docs']);
  });

  test('openPersistent needs IndexedDB, which Node does not have', async (t) => {
    if (typeof indexedDB !== 'undefined') return t.skip('this Node has IndexedDB');
    await assert.rejects(FileSystem.openPersistent('t'), (e) => !(e instanceof WrunError) && e.code === 'ERR_WRUN_NO_INDEXEDDB' && /IndexedDB/.test(e.message));
  });
});

describe('programs and files', () => {
  for (const opts of [{}, { engine: 'wasmi' }, { worker: true }]) {
    test(`fs_std on a preopened /scratch gives tests/guests/rust/fs_std.stdout (${JSON.stringify(opts)})`, async () => {
      const fs = await FileSystem.create();
      fs.mkdir('/scratch');
      fs.mkdir('/elsewhere');
      fs.writeFile('/elsewhere/keep.txt', 'not visible to the program');
      const r = await run(guest('fs_std'), { fs, preopens: { '/scratch': '/scratch' }, ...opts });
      assert.equal(r.stderrText, '');
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdoutText, expectedStdout('rust', 'fs_std'));
      // It removes what it made; what it could not see is untouched.
      assert.deepEqual(fs.readdir('/scratch'), []);
      assert.equal(fs.readFile('/elsewhere/keep.txt', 'utf8'), 'not visible to the program');
    });

    test(`a file the program creates is in the FileSystem afterwards (${JSON.stringify(opts)})`, async () => {
      const fs = await FileSystem.create();
      fs.mkdir('/home/user', { recursive: true });
      fs.writeFile('/top.txt', 'top');
      const r = await run(await wat(WRITES_A_FILE), { fs, preopens: { '/work': '/home/user' }, ...opts });
      assert.equal(r.exitCode, 0);
      assert.deepEqual(fs.readdir('/home/user'), ['made-by-guest.txt']);
      assert.equal(fs.readFile('/home/user/made-by-guest.txt', 'utf8'), 'written by the guest\n');
      assert.equal(fs.readFile('/top.txt', 'utf8'), 'top');
    });
  }

  test('preopens without an fs option are a TypeError', async () => {
    assert.throws(() => spawn(guest('hello'), { preopens: { '/x': '/' } }), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE' && /FileSystem/.test(e.message));
    await assert.rejects(run(guest('hello'), { preopens: { '/x': '/' } }), TypeError);
  });
});

describe('deterministic runs', () => {
  const hex = (r) => Buffer.from(r.stdout).toString('hex');

  test('the same seed prints the same clocks and random bytes; other seeds and normal runs differ', async () => {
    const program = await wat(CLOCKS_AND_RANDOM);
    const a = await run(program, { deterministic: 7 });
    const b = await run(program, { deterministic: 7 });
    assert.equal(a.exitCode, 0);
    assert.equal(a.stdout.length, 48);
    assert.equal(hex(a), hex(b));
    const seed8 = await run(program, { deterministic: 8 });
    assert.notEqual(hex(seed8).slice(32), hex(a).slice(32), 'another seed gives other random bytes');
    const free1 = await run(program);
    const free2 = await run(program);
    assert.notEqual(hex(free1), hex(free2), 'without deterministic, randomness differs');
    const realtimeNs = Buffer.from(free1.stdout).readBigUInt64LE(0);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    assert.ok(realtimeNs > nowNs - 60_000_000_000n && realtimeNs <= nowNs + 1_000_000_000n, `realtime ${realtimeNs} is not now`);
  });

  test('deterministic output is the same on every engine and in a worker', async () => {
    const program = await wat(CLOCKS_AND_RANDOM);
    const outputs = [];
    for (const opts of [{}, { engine: 'wasmi' }, { worker: true }]) outputs.push(hex(await run(program, { deterministic: 1234, ...opts })));
    assert.equal(new Set(outputs).size, 1, outputs.join('\n'));
  });

  test('a real program (misc.wasm: args, env, random_get) gives identical output twice', async () => {
    const fs = await FileSystem.create();
    fs.mkdir('/scratch');
    const opts = { fs, preopens: { '/scratch': '/scratch' }, args: ['misc', 'héllo wörld'], env: { GREETING: 'grüße' }, deterministic: 3 };
    const a = await run(guest('misc'), opts);
    const b = await run(guest('misc'), opts);
    assert.equal(a.exitCode, 0, a.stderrText);
    assert.match(a.stdoutText, /arg 1: héllo wörld \(13 bytes\)\nenv: GREETING=grüße\n/);
    assert.deepEqual(a.stdout, b.stdout);
  });
});
