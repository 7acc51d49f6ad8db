// A Node-`fs`-like object (Node's own `fs`, memfs, napi-rs's proxy to the main thread) as the
// calls the core's path-based directories make (web/src/path_api.rs). The core resolves every
// path itself, one component at a time, and confines it to the preopened directory; these calls
// only act on the final path and never follow a symlink in its last component.
//
// CommonJS, loaded with require() from core.js in Node only, where the core that has these
// directories runs: pages never download it.
'use strict';

/** WASI filetype numbers. */
function filetype(st) {
  if (st.isFile()) return 4n;
  if (st.isDirectory()) return 3n;
  if (st.isSymbolicLink()) return 7n;
  if (st.isCharacterDevice()) return 2n;
  if (st.isBlockDevice()) return 1n;
  if (st.isSocket()) return 6n;
  return 0n; // a FIFO, which the core will not open
}

/** `[dev, ino, filetype, nlink, size, atim, mtim, ctim]`, times in nanoseconds. */
function stat(st) {
  const big = (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v ?? 0))));
  const ns = (bigNs, ms) => (typeof bigNs === 'bigint' ? bigNs : BigInt(Math.round(Number(ms ?? 0) * 1e6)));
  return new BigUint64Array([
    BigInt.asUintN(64, big(st.dev)), BigInt.asUintN(64, big(st.ino)), filetype(st), big(st.nlink), big(st.size),
    ns(st.atimeNs, st.atimeMs), ns(st.mtimeNs, st.mtimeMs), ns(st.ctimeNs, st.ctimeMs),
  ]);
}

/** Seconds for Node's `utimes` from nanoseconds, or the current time kept (`undefined`). */
function seconds(ns, current) {
  return ns === undefined ? current / 1e3 : ns / 1e9;
}

function pathApi(fs) {
  const c = fs.constants ?? {};
  const NOFOLLOW = c.O_NOFOLLOW ?? 0;
  const bigint = { bigint: true };
  // memfs and proxies may not take `{ bigint: true }`: fall back to plain numbers once.
  let statOpts = bigint;
  const lstat = (path) => {
    try {
      return fs.lstatSync(path, statOpts);
    } catch (e) {
      if (statOpts !== bigint || typeof e?.code === 'string') throw e;
      statOpts = undefined;
      return fs.lstatSync(path);
    }
  };
  return {
    lstat: (path) => stat(lstat(path)),
    fstat: (fd) => stat(statOpts ? fs.fstatSync(fd, statOpts) : fs.fstatSync(fd)),
    readlink: (path) => String(fs.readlinkSync(path)),
    readdir: (path) => fs.readdirSync(path).map(String).join('\0'),
    open(path, read, write, create, truncate) {
      let flags = write ? (read ? c.O_RDWR ?? 2 : c.O_WRONLY ?? 1) : c.O_RDONLY ?? 0;
      if (create) flags |= (c.O_CREAT ?? 64) | (c.O_EXCL ?? 128);
      if (truncate) flags |= c.O_TRUNC ?? 512;
      return fs.openSync(path, flags | NOFOLLOW, 0o666);
    },
    mkdir: (path) => fs.mkdirSync(path, 0o777),
    rmdir: (path) => fs.rmdirSync(path),
    unlink: (path) => fs.unlinkSync(path),
    rename: (from, to) => fs.renameSync(from, to),
    link: (from, to) => fs.linkSync(from, to),
    symlink: (target, path) => fs.symlinkSync(target, path),
    lutimes(path, atim, mtim) {
      const st = lstat(path);
      const set = typeof fs.lutimesSync === 'function' ? fs.lutimesSync : fs.utimesSync;
      set.call(fs, path, seconds(atim, Number(st.atimeMs)), seconds(mtim, Number(st.mtimeMs)));
    },
    futimes(fd, atim, mtim) {
      const st = fs.fstatSync(fd);
      fs.futimesSync(fd, seconds(atim, st.atimeMs), seconds(mtim, st.mtimeMs));
    },
    read: (fd, buf, offset) => fs.readSync(fd, buf, 0, buf.length, offset),
    write: (fd, buf, offset) => fs.writeSync(fd, buf, 0, buf.length, offset),
    ftruncate: (fd, size) => fs.ftruncateSync(fd, size),
    fsync: (fd) => fs.fsyncSync(fd),
    close: (fd) => fs.closeSync(fd),
  };
}

module.exports = { pathApi };
