// FileSystem: files pages create, mount into runs, save as tar, and persist in IndexedDB.
import { misuse } from './process.js';
import { loadCore } from './core.js';

let core = null;
export function setCore(c) { core = c; }

/** The page's side of a run that reaches its FileSystems from elsewhere (a worker, the wasmi add-on). */
export function newOwner() { return new core.FsOwner(); }

/** `mounts` (see mountsOf) as `[guestPath, handle]` of `owner`, for `preopenRemote`. */
export function ownedRoots(owner, mounts) {
  return mounts.map(([guest, fs, path]) => [guest, owner.addRoot(fs.raw, path)]);
}

/**
 * A run's preopens as `[guestPath, FileSystem, path in it]`: a string names a directory of `fs`,
 * `{ fs, path }` one of another FileSystem (its root without `path`). No preopens: `fs` at `/`.
 */
export function mountsOf(fs, preopens) {
  return Object.entries(preopens ?? (fs ? { '/': '/' } : {})).map(([guest, where]) => (
    typeof where === 'object' && where !== null ? [guest, where.fs, String(where.path ?? '/')] : [guest, fs, String(where)]));
}

// IndexedDB: one record per inode ('inodes') and one per regular file's bytes ('bytes'), keyed
// [name, inode], so a save writes what changed (see wasi_vfs::mem::saved). Version 1 kept one tar
// image per name ('images'); it is read once, moved to records and deleted.
const DB = 'wrun-fs';
const INODES = 'inodes';
const BYTES = 'bytes';
const IMAGES = 'images';

function idb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(misuse('IndexedDB is not available here (openPersistent needs it)', 'ERR_WRUN_NO_INDEXEDDB', Error));
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      for (const store of [IMAGES, INODES, BYTES]) {
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** One transaction over `stores`; resolves once it committed, with what `fn` gave back. */
async function tx(stores, mode, fn) {
  const db = await idb();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode);
      const out = fn(...stores.map((n) => t.objectStore(n)));
      t.oncomplete = () => resolve(typeof out === 'function' ? out() : out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

const range = (name) => IDBKeyRange.bound([name, 0], [name, Infinity]);
const request = (req) => { const box = {}; req.onsuccess = () => { box.value = req.result; }; return box; };

const NO_LOCKS = 'no locks';

/**
 * Holds `name`'s writer lock for the page's life if it is free now (resolves true), else
 * resolves false and calls `whenFree` once this page gets it. Without Web Locks: NO_LOCKS.
 */
function writerLock(name, whenFree) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return Promise.resolve(NO_LOCKS);
  const forever = () => new Promise(() => {});
  return new Promise((resolve) => {
    locks.request(`wrun-fs:${name}`, { ifAvailable: true }, (lock) => {
      resolve(!!lock);
      if (lock) return forever();
      locks.request(`wrun-fs:${name}`, () => { whenFree(); return forever(); });
      return undefined;
    });
  });
}

/** Throws, naming the entry to use, where this page's build of the core leaves `what` out. */
function wholeRuntime(what) {
  if (!core.wholeCore()) {
    throw misuse(`${what} needs the whole runtime: import from 'wrun', not 'wrun/wasi' (whose smaller core keeps files in memory only)`, 'ERR_WRUN_WASI_ONLY', Error);
  }
}

export class FileSystem {
  /** A new empty in-memory filesystem. Call `await init()` first, or use `FileSystem.create()`. */
  constructor() {
    if (!core) throw misuse('call `await init()` (or use `await FileSystem.create()`) before `new FileSystem()`', 'ERR_WRUN_NOT_READY', Error);
    this.raw = new core.FileSystem();
    this.persistName = null;
    this.flushing = null;
    this.readOnly = false;
  }

  static async create() {
    // The core directly, not index.js's init(): importing index.js from here pulled the whole
    // package (and a code-split chunk) into the worker bundle Vite builds.
    setCore(await loadCore());
    return new FileSystem();
  }

  /**
   * A filesystem stored in IndexedDB under `name`: loaded now, saved by `flush()` (and after every
   * run it was mounted in). A save writes what changed since the last one, in one transaction,
   * so a closed tab keeps exactly the saves that completed.
   *
   * One tab writes a name at a time (a Web Lock): the others open it read-only (`readOnly` is
   * true, and every change, by the page or a program, fails with EROFS), follow the writer's
   * saves, and the first in line becomes the writer when it closes (`whenWritable` resolves).
   */
  static async openPersistent(name) {
    const fs = await FileSystem.create();
    wholeRuntime('a persistent FileSystem');
    fs.persistName = name;
    // Read-only until this tab holds the writer's lock: a takeover queued behind the first load
    // then makes it writable, whichever of the two ends first.
    fs.readOnly = true;
    let becameWritable;
    fs.whenWritable = new Promise((resolve) => { becameWritable = resolve; });
    const loaded = fs.#load();
    fs.flushing = loaded;
    const becomeWriter = () => {
      fs.readOnly = false;
      fs.raw.setReadOnly(false);
      becameWritable();
    };
    const locks = await writerLock(name, () => {
      // The lock came later: load what the last writer saved, then write.
      fs.flushing = fs.flushing.catch(() => {}).then(() => fs.#load()).then(becomeWriter);
    });
    await loaded;
    if (locks === NO_LOCKS) {
      // No Web Locks (a page not served over https or from localhost): every tab writes, and
      // each save writes the whole tree, so the last one wins whole instead of mixing inodes.
      fs.wholeSaves = true;
      becomeWriter();
    } else if (locks) {
      becomeWriter();
    }
    if (typeof BroadcastChannel === 'function') {
      // The writer says when it saved; a reader loads the saved tree again.
      fs.channel = new BroadcastChannel(`wrun-fs:${name}`);
      fs.channel.onmessage = () => {
        if (!fs.readOnly) return;
        fs.flushing = (fs.flushing ?? Promise.resolve()).catch(() => {}).then(() => (fs.readOnly ? fs.#load() : undefined)).catch(() => {});
      };
    }
    return fs;
  }

  /** Reads the saved tree (or moves a version-1 image to records) into this filesystem. */
  async #load() {
    const name = this.persistName;
    const saved = await tx([INODES, BYTES, IMAGES], 'readonly', (inodes, bytes, images) => {
      const r = { keys: request(inodes.getAllKeys(range(name))), metas: request(inodes.getAll(range(name))), dataKeys: request(bytes.getAllKeys(range(name))), data: request(bytes.getAll(range(name))), image: request(images.get(name)) };
      return () => r;
    });
    const readOnly = this.readOnly;
    // A reader loads the tree again after each of the writer's saves: let the last one go (runs
    // still using it keep their own references to it).
    const previous = this.raw;
    if (saved.keys.value.length) {
      const data = new Map(saved.dataKeys.value.map(([, ino], i) => [ino, saved.data.value[i]]));
      this.raw = core.FileSystem.load(saved.keys.value.map(([, ino], i) => [ino, new Uint8Array(saved.metas.value[i]), data.get(ino)]));
      this.wholeSave = false;
    } else {
      this.raw = new core.FileSystem();
      if (saved.image.value) this.raw.importTar(new Uint8Array(saved.image.value));
      // Nothing saved as records yet: the first save writes every inode (and drops the image).
      this.wholeSave = true;
    }
    this.raw.setReadOnly(readOnly);
    if (this.quota !== undefined) this.raw.setQuota(this.quota);
    this.unsaved = new Map();
    previous?.free();
  }

  /** Saves to IndexedDB what changed since the last save (persistent filesystems only). */
  flush() {
    if (!this.persistName) return Promise.resolve();
    this.flushing = (this.flushing ?? Promise.resolve()).catch(() => {}).then(() => this.#save());
    return this.flushing;
  }

  async #save() {
    if (this.readOnly) return;
    const whole = this.wholeSave || this.wholeSaves;
    const rows = whole ? this.raw.saveAll() : this.raw.takeChanges();
    this.wholeSave = false;
    // Changes a failed save did not write wait for the next one (the newest record of an inode
    // wins; its bytes stay those last changed).
    for (const [ino, meta, bytes, isFile] of rows) {
      const before = this.unsaved.get(ino);
      this.unsaved.set(ino, [ino, meta, bytes ?? (meta && isFile ? before?.[2] : undefined), isFile]);
    }
    if (!this.unsaved.size && !whole) return;
    const name = this.persistName;
    const batch = [...this.unsaved.values()];
    await tx([INODES, BYTES, IMAGES], 'readwrite', (inodes, bytes, images) => {
      if (whole) {
        inodes.delete(range(name));
        bytes.delete(range(name));
        images.delete(name);
      }
      for (const [ino, meta, data, isFile] of batch) {
        if (!meta) {
          inodes.delete([name, ino]);
          bytes.delete([name, ino]);
          continue;
        }
        inodes.put(meta, [name, ino]);
        if (!isFile) bytes.delete([name, ino]);
        else if (data) bytes.put(data, [name, ino]);
      }
    }).catch((e) => {
      // The image of version 1 stays until a whole save went through.
      if (whole) this.wholeSave = true;
      throw e;
    });
    for (const row of batch) if (this.unsaved.get(row[0]) === row) this.unsaved.delete(row[0]);
    this.channel?.postMessage('saved');
  }

  scheduleFlush() {
    if (!this.persistName) return;
    this.flush().catch(() => {});
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
  exportTar() {
    wholeRuntime('exportTar');
    return this.raw.exportTar();
  }
  importTar(bytes) {
    wholeRuntime('importTar');
    this.raw.importTar(bytes);
  }
  /** Replaces everything with the archive's contents. */
  replaceWithTar(bytes) {
    wholeRuntime('replaceWithTar');
    for (const name of this.raw.readdir('/')) this.raw.remove(name, true);
    this.raw.importTar(bytes);
  }
  setQuota(bytes) {
    this.quota = bytes;
    this.raw.setQuota(bytes);
  }
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

