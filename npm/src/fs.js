// FileSystem: files pages create, mount into runs, save as tar, and persist in IndexedDB.
import { WrunError } from './errors.js';
import { loadCore } from './core.js';

let core = null;
export function setCore(c) { core = c; }

const DB = 'wrun-fs';
const STORE = 'images';

function idb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new WrunError('link', 'IndexedDB is not available here'));
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
    if (!core) throw new WrunError('link', 'call `await init()` (or use `await FileSystem.create()`) before `new FileSystem()`');
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

  mkdir(path, { recursive = false } = {}) { this.raw.mkdir(path, recursive); }
  writeFile(path, data) { this.raw.writeFile(path, typeof data === 'string' ? new TextEncoder().encode(data) : data); }
  readFile(path, encoding) {
    const bytes = this.raw.readFile(path);
    return encoding ? new TextDecoder().decode(bytes) : bytes;
  }
  readdir(path) { return this.raw.readdir(path); }
  stat(path) {
    const s = this.raw.stat(path, false);
    const out = { type: s.type, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, nlink: s.nlink };
    s.free();
    return out;
  }
  lstat(path) {
    const s = this.raw.stat(path, true);
    const out = { type: s.type, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, nlink: s.nlink };
    s.free();
    return out;
  }
  exists(path) { return this.raw.exists(path); }
  rename(from, to) { this.raw.rename(from, to); }
  remove(path, { recursive = false } = {}) { this.raw.remove(path, recursive); }
  symlink(target, path) { this.raw.symlink(target, path); }
  readlink(path) { return this.raw.readlink(path); }
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
