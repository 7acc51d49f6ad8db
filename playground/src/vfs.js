// The shell's view of files: one tree made of two wrun FileSystems.
//
//   /bin      in memory: the bundled tools (fetched on first use) and whatever you copy there
//   /  (rest) persistent (IndexedDB): /home, /tmp (emptied at start-up), any other directory
//
// Programs see both (/bin as a mount of its own): they reach the trees themselves, nothing is
// copied, and a save after a command writes what changed, so neither the megabytes of tools in
// /bin nor what /home holds makes a command slower.

/** Joins `path` onto directory `cwd` and resolves `.`, `..` and repeated slashes: an absolute path. */
export function resolvePath(cwd, path) {
  const parts = [];
  for (const p of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

export const basename = (path) => path.replace(/\/+$/, '').split('/').pop() || '/';

/** Shows `path` with $HOME as `~`. */
export function tildify(path, home) {
  if (path === home) return '~';
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** An errno-style error, like the ones FileSystem throws. */
export function fsError(code, message) {
  return Object.assign(new Error(message), { code });
}

export class ShellFs {
  /** user: the persistent FileSystem; bin: an in-memory one; tools: the Tools catalogue. */
  constructor(user, bin, tools) {
    this.user = user;
    this.bin = bin;
    this.tools = tools;
  }

  /** [FileSystem, path inside it] for an absolute path. */
  route(path) {
    if (path === '/bin' || path.startsWith('/bin/')) return [this.bin, path.slice(4) || '/'];
    return [this.user, path];
  }

  /** A bundled tool that /bin lists but has not fetched yet, by its path in the bin tree. */
  pendingTool(inner) {
    const name = inner.replace(/^\//, '');
    const tool = this.tools.byFile(name);
    return tool && !this.bin.exists(inner) ? tool : null;
  }

  /** Catalogue aliases (e.g. `wc` for coreutils.wasm) appear as symlinks in /bin. */
  alias(inner) {
    const a = this.tools.alias(inner.replace(/^\//, ''));
    return a && !this.bin.exists(inner) ? a : null;
  }

  exists(path) {
    const [fs, inner] = this.route(path);
    return fs.exists(inner) || (fs === this.bin && !!(this.pendingTool(inner) || this.alias(inner)));
  }

  stat(path) {
    const [fs, inner] = this.route(path);
    if (fs === this.bin) {
      const tool = this.pendingTool(inner);
      if (tool) return { type: 'file', size: tool.bytes, mtimeMs: 0, pending: true };
      const alias = this.alias(inner);
      if (alias) return this.stat(`/bin/${alias.file}`);
    }
    return fs.stat(inner);
  }

  lstat(path) {
    const [fs, inner] = this.route(path);
    if (fs === this.bin && this.alias(inner)) return { type: 'symlink', size: 0, mtimeMs: 0 };
    return fs === this.bin && this.pendingTool(inner) ? this.stat(path) : fs.lstat(inner);
  }

  readlink(path) {
    const [fs, inner] = this.route(path);
    if (fs === this.bin && this.alias(inner)) return this.alias(inner).file;
    return fs.readlink(inner);
  }

  readdir(path) {
    const [fs, inner] = this.route(path);
    const names = new Set(fs.readdir(inner));
    if (fs === this.user && inner === '/') names.add('bin');
    if (fs === this.bin && inner === '/') for (const n of this.tools.entries()) names.add(n);
    return [...names].sort();
  }

  isDir(path) {
    try { return this.stat(path).type === 'directory'; } catch { return false; }
  }

  /** File contents; fetches a bundled tool that has not been loaded yet. */
  async readFile(path) {
    const [fs, inner] = this.route(path);
    if (fs === this.bin) {
      const alias = this.alias(inner);
      if (alias) return this.readFile(`/bin/${alias.file}`);
      const tool = this.pendingTool(inner);
      if (tool) return (await this.tools.load(tool)).bytes;
    }
    return fs.readFile(inner);
  }

  writeFile(path, data) {
    const [fs, inner] = this.route(path);
    fs.writeFile(inner, data);
  }

  appendFile(path, data) {
    let old = new Uint8Array(0);
    const [fs, inner] = this.route(path);
    if (fs.exists(inner)) old = fs.readFile(inner);
    const both = new Uint8Array(old.length + data.length);
    both.set(old);
    both.set(data, old.length);
    fs.writeFile(inner, both);
  }

  mkdir(path, options) {
    const [fs, inner] = this.route(path);
    fs.mkdir(inner, options);
  }

  remove(path, options) {
    const [fs, inner] = this.route(path);
    if (inner === '/') throw fsError('EBUSY', `cannot remove ${path}`);
    fs.remove(inner, options);
  }

  /** Rename within one tree; across /bin and the rest it copies then removes. */
  async rename(from, to) {
    const [a, ai] = this.route(from);
    const [b, bi] = this.route(to);
    if (a === b && !(a === this.bin && (this.pendingTool(ai) || this.alias(ai)))) return a.rename(ai, bi);
    await this.copy(from, to);
    this.remove(from, { recursive: true });
  }

  /** Copies a file or (recursively) a directory. */
  async copy(from, to) {
    if (this.isDir(from)) {
      if (!this.exists(to)) this.mkdir(to);
      for (const name of this.readdir(from)) await this.copy(`${from}/${name}`, `${to}/${name}`);
      return;
    }
    this.writeFile(to, await this.readFile(from));
  }
}
