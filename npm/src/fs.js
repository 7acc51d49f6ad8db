// FileSystem: files pages create, mount into runs, save as tar, and persist in IndexedDB.
import { misuse } from './process.js';
import { loadCore } from './core.js';

let core = null;
export function setCore(c) { core = c; }

/** The page's side of a run that reaches `fs` from elsewhere (a worker, the wasmi add-on). */
export function ownerFor(fs) { return new core.FsOwner(fs.raw); }

const DB = 'wrun-fs';
const STORE = 'images';

function idb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(misuse('IndexedDB is not available here (openPersistent needs it)', 'ERR_WRUN_NO_INDEXEDDB', Error));
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req?.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export class FileSystem {
  /** A new empty in-memory filesystem. Call `await init()` first, or use `FileSystem.create()`. */
  constructor() {
    if (!core) throw misuse('call `await init()` (or use `await FileSystem.create()`) before `new FileSystem()`', 'ERR_WRUN_NOT_READY', Error);
    this.raw = new core.FileSystem();
    this.persistName = null;
    this.flushing = null;
  }

  static async create() {
    // The core directly, not index.js's init(): importing index.js from here pulled the whole
    // package (and a code-split chunk) into the worker bundle Vite builds.
    setCore(await loadCore());
    return new FileSystem();
  }

  /**
   * A filesystem stored in IndexedDB under `name`: loaded now, saved by `flush()` (and after every
   * run it was mounted in). Each save is one transaction holding the whole tree, so a closed tab
   * keeps exactly the last completed save.
   */
  static async openPersistent(name) {
    const fs = await FileSystem.create();
    fs.persistName = name;
    const db = await idb();
    const image = await tx(db, 'readonly', (s) => s.get(name));
    db.close();
    if (image) fs.raw.importTar(new Uint8Array(image));
    return fs;
  }

  /** Saves to IndexedDB now (persistent filesystems only). */
  async flush() {
    if (!this.persistName) return;
    const image = this.raw.exportTar();
    const db = await idb();
    try {
      await tx(db, 'readwrite', (s) => s.put(image, this.persistName));
    } finally {
      db.close();
    }
  }

  scheduleFlush() {
    if (!this.persistName) return;
    this.flushing = (this.flushing ?? Promise.resolve()).then(() => this.flush()).catch(() => {});
  }

  // The names and shapes of node:fs (and the earlier names, kept). Errors carry Node's `code`,
  // `errno` (negative, as on Linux), `syscall` and `path`.
  mkdir(path, { recursive = false } = {}) { nodeErrors(() => this.raw.mkdir(path, recursive)); }
  writeFile(path, data, options) {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const bytes = typeof data === 'string' ? encode(data, encoding) : data;
    nodeErrors(() => this.raw.writeFile(path, bytes));
  }
  readFile(path, options) {
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const bytes = nodeErrors(() => this.raw.readFile(path));
    return encoding ? decode(bytes, encoding) : bytes;
  }
  /** Names, or with `{ withFileTypes: true }` Dirent-like objects. */
  readdir(path, { withFileTypes = false } = {}) {
    const names = nodeErrors(() => this.raw.readdir(path));
    if (!withFileTypes) return names;
    const dir = path.endsWith('/') ? path : `${path}/`;
    return names.map((name) => new Dirent(name, path, this.lstat(`${dir}${name}`).type));
  }
  stat(path) { return this.#stat(path, false); }
  lstat(path) { return this.#stat(path, true); }
  #stat(path, lstat) {
    const [type, size, mtimeMs, ino, nlink] = nodeErrors(() => this.raw.stat(path, lstat));
    return new Stats(TYPES[type], size, mtimeMs, ino, nlink);
  }
  exists(path) { return this.raw.exists(path); }
  existsSync(path) { return this.raw.exists(path); }
  rename(from, to) { nodeErrors(() => this.raw.rename(from, to)); }
  /** `rm`: files and (with `recursive`) directories; `force` ignores a missing path. */
  rm(path, { recursive = false, force = false } = {}) {
    if (force && !this.raw.exists(path)) return;
    nodeErrors(() => this.raw.remove(path, recursive));
  }
  remove(path, { recursive = false } = {}) { this.rm(path, { recursive }); }
  /** `unlink`: a file or symlink, never a directory (EISDIR... as Linux says EISDIR). */
  unlink(path) {
    if (this.lstat(path).type === 'directory') throw nodeError('EISDIR', 'illegal operation on a directory', 'unlink', path);
    nodeErrors(() => this.raw.remove(path, false));
  }
  /** `rmdir`: an empty directory only. */
  rmdir(path) {
    if (this.lstat(path).type !== 'directory') throw nodeError('ENOTDIR', 'not a directory', 'rmdir', path);
    nodeErrors(() => this.raw.remove(path, false));
  }
  symlink(target, path) { nodeErrors(() => this.raw.symlink(target, path)); }
  readlink(path) { return nodeErrors(() => this.raw.readlink(path)); }
  /** The same calls, returning promises, as `node:fs/promises` has them. */
  get promises() {
    const names = ['mkdir', 'writeFile', 'readFile', 'readdir', 'stat', 'lstat', 'rename', 'rm', 'unlink', 'rmdir', 'symlink', 'readlink'];
    return Object.fromEntries(names.map((n) => [n, async (...args) => this[n](...args)]));
  }
  exportTar() { return this.raw.exportTar(); }
  importTar(bytes) { this.raw.importTar(bytes); }
  /** Replaces everything with the archive's contents. */
  replaceWithTar(bytes) {
    for (const name of this.raw.readdir('/')) this.raw.remove(name, true);
    this.raw.importTar(bytes);
  }
  setQuota(bytes) { this.raw.setQuota(bytes); }
  get usedBytes() { return this.raw.usedBytes(); }
}

const TYPES = ['file', 'directory', 'symlink', 'other'];

// Linux's numbers for the codes a FileSystem reports, negative as Node gives them.
const ERRNO = { EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, EFBIG: 27, ENOSPC: 28, EROFS: 30, EMLINK: 31, ENAMETOOLONG: 36, ENOTEMPTY: 39, ELOOP: 40, EILSEQ: 84 };

function nodeError(code, description, syscall, path) {
  const e = new Error(`${code}: ${description}, ${syscall} '${path}'`);
  Object.assign(e, { code, errno: -(ERRNO[code] ?? 5), syscall, path });
  return e;
}

/** Runs a core call; its errors get Node's negative `errno`. */
function nodeErrors(f) {
  try {
    return f();
  } catch (e) {
    if (typeof e?.code === 'string') e.errno = -(ERRNO[e.code] ?? 5);
    throw e;
  }
}

function encode(text, encoding = 'utf8') {
  if (/^(utf-?8|)$/i.test(encoding)) return new TextEncoder().encode(text);
  if (/^(latin1|binary)$/i.test(encoding)) return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  if (encoding === 'base64') return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  throw new RangeError(`unknown encoding ${JSON.stringify(encoding)} (utf8, latin1, base64)`);
}

/** Bytes as a string of the same char codes (in slices: a spread of megabytes overflows the stack). */
function binary(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

function decode(bytes, encoding) {
  if (/^utf-?8$/i.test(encoding)) return new TextDecoder().decode(bytes);
  if (/^(latin1|binary)$/i.test(encoding)) return binary(bytes);
  if (encoding === 'base64') return btoa(binary(bytes));
  throw new RangeError(`unknown encoding ${JSON.stringify(encoding)} (utf8, latin1, base64)`);
}

/** `stat()`'s result: node:fs's Stats methods, and `type` as before. */
class Stats {
  constructor(type, size, mtimeMs, ino, nlink) {
    Object.assign(this, { type, size, mtimeMs, ino, nlink });
  }
  get mtime() { return new Date(this.mtimeMs); }
  isFile() { return this.type === 'file'; }
  isDirectory() { return this.type === 'directory'; }
  isSymbolicLink() { return this.type === 'symlink'; }
}

/** `readdir(path, { withFileTypes: true })`'s entries, as node:fs's Dirent. */
class Dirent {
  constructor(name, parentPath, type) {
    Object.assign(this, { name, parentPath, path: parentPath });
    this.type = type;
  }
  isFile() { return this.type === 'file'; }
  isDirectory() { return this.type === 'directory'; }
  isSymbolicLink() { return this.type === 'symlink'; }
}

