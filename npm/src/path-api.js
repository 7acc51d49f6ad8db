// A Node-`fs`-like object (Node's own `fs`, memfs, napi-rs's proxy to the main thread) as the
// calls the core's path-based directories make (web/src/path_api.rs). The core resolves every
// path itself, one component at a time, and confines it to the preopened directory; these calls
// only act on the final path and never follow a symlink in its last component.
//
// Only the full build of the core has these directories. Node loads it with `require()` from
// core.js (as `dist/path-api.cjs`, made from this file); a page loads it, with the full core, only
// when `init({ nodeFs: true })` asks (memfs in a page): the others never download it.

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

/** Seconds for Node's `utimes` from nanoseconds, or the current time kept (NaN). */
function seconds(ns, current) {
  return Number.isNaN(ns) ? current / 1e3 : ns / 1e9;
}

export function pathApi(fs) {
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
  const ops = [
    (a) => stat(lstat(a)),
    (a, b, fd) => stat(statOpts ? fs.fstatSync(fd, statOpts) : fs.fstatSync(fd)),
    (a) => String(fs.readlinkSync(a)),
    (a) => fs.readdirSync(a).map(String).join('\0'),
    (a, b, flags) => {
      const [read, write, create, truncate] = [flags & 1, flags & 2, flags & 4, flags & 8];
      let mode = write ? (read ? c.O_RDWR ?? 2 : c.O_WRONLY ?? 1) : c.O_RDONLY ?? 0;
      if (create) mode |= (c.O_CREAT ?? 64) | (c.O_EXCL ?? 128);
      if (truncate) mode |= c.O_TRUNC ?? 512;
      return fs.openSync(a, mode | NOFOLLOW, 0o666);
    },
    (a) => fs.mkdirSync(a, 0o777),
    (a) => fs.rmdirSync(a),
    (a) => fs.unlinkSync(a),
    (a, b) => fs.renameSync(a, b),
    (a, b) => fs.linkSync(a, b),
    (a, b) => fs.symlinkSync(a, b),
    (a, b, atim, mtim) => {
      const st = lstat(a);
      const set = typeof fs.lutimesSync === 'function' ? fs.lutimesSync : fs.utimesSync;
      set.call(fs, a, seconds(atim, Number(st.atimeMs)), seconds(mtim, Number(st.mtimeMs)));
    },
    (a, b, fd, atim, mtim) => {
      const st = fs.fstatSync(fd);
      fs.futimesSync(fd, seconds(atim, st.atimeMs), seconds(mtim, st.mtimeMs));
    },
    (a, b, fd, size) => fs.ftruncateSync(fd, size),
    (a, b, fd) => fs.fsyncSync(fd),
    (a, b, fd) => fs.closeSync(fd),
  ];
  return {
    // Numbered as web/src/path_api.rs's `Op`.
    call: (op, a, b, x, y, z) => ops[op](a, b, x, y, z),
    read: (fd, buf, offset) => fs.readSync(fd, buf, 0, buf.length, offset),
    write: (fd, buf, offset) => fs.writeSync(fd, buf, 0, buf.length, offset),
  };
}
