// The bundled tools: `bin/index.json` (written by the build) lists them; a tool is fetched the
// first time it runs, with progress, compiled once, and kept in the in-memory /bin.
//
// index.json: { tools: [{ name, file, bytes, sha256, description, aliases?: [name] }] }

export class Tools {
  /** base: URL of the site's bin/ directory. bin: the in-memory FileSystem mounted at /bin. */
  constructor(base, bin, onProgress = () => {}) {
    this.base = base;
    this.bin = bin;
    this.onProgress = onProgress;
    this.list = [];
    this.loaded = new Map(); // file -> { bytes, module }
    this.loading = new Map(); // file -> Promise
  }

  async loadCatalogue() {
    try {
      const r = await fetch(new URL('index.json', this.base));
      if (r.ok) this.list = (await r.json()).tools ?? [];
    } catch {
      this.list = []; // an empty /bin: builtins and uploaded programs still work
    }
  }

  byFile(file) { return this.list.find((t) => t.file === file) ?? null; }

  /** An alias (a coreutils utility name): { file, name } of the tool it runs. */
  alias(name) {
    const tool = this.list.find((t) => t.aliases?.includes(name));
    return tool ? { file: tool.file, name } : null;
  }

  /** Every name /bin shows for the catalogue: files and aliases. */
  entries() {
    return this.list.flatMap((t) => [t.file, ...(t.aliases ?? [])]);
  }

  /** Command names for completion and `help`. */
  commandNames() {
    return this.list.flatMap((t) => [t.name, ...(t.aliases ?? [])]);
  }

  /**
   * Fetches and compiles a tool once: { bytes, module }. The module is compiled here rather than
   * by the package so the status line can say "compiling"; the bytes stay for the wasmi engine.
   */
  load(tool) {
    const done = this.loaded.get(tool.file);
    if (done) return Promise.resolve(done);
    let p = this.loading.get(tool.file);
    if (!p) {
      p = this.fetchAndCompile(tool).finally(() => this.loading.delete(tool.file));
      this.loading.set(tool.file, p);
    }
    return p;
  }

  async fetchAndCompile(tool) {
    const label = tool.file;
    const response = await fetch(new URL(tool.file, this.base));
    if (!response.ok) throw new Error(`cannot download ${label}: HTTP ${response.status}`);
    // The catalogue's size, not Content-Length: a compressed response's header counts gzip bytes.
    const total = tool.bytes || Number(response.headers.get('content-length')) || 0;
    const chunks = [];
    let got = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      this.onProgress({ phase: 'download', label, done: got, total });
    }
    const bytes = new Uint8Array(got);
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    if (tool.sha256) {
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      if (digest !== tool.sha256) throw new Error(`${label} is not the file the catalogue lists (SHA-256 ${digest.slice(0, 12)}…, expected ${tool.sha256.slice(0, 12)}…): not run`);
    }
    this.onProgress({ phase: 'compile', label, done: got, total: got });
    const t0 = performance.now();
    const module = await WebAssembly.compile(bytes);
    this.onProgress({ phase: 'ready', label, ms: performance.now() - t0 });
    const entry = { bytes, module };
    this.loaded.set(tool.file, entry);
    this.bin.writeFile(`/${tool.file}`, bytes);
    return entry;
  }

  /** The compiled module of `bytes` if they are a loaded tool's, unchanged. */
  moduleFor(bytes) {
    for (const e of this.loaded.values()) {
      if (e.bytes === bytes) return e.module;
    }
    return null;
  }
}

// ripgrep reads stdin only when it can tell stdin is a file or pipe, and on WASI it never can
// (grep-cli's is_readable_stdin() is false outside Unix and Windows). So `echo hi | rg hi` would
// search the directory instead. When stdin is a pipe or a file and no path is given, the shell
// adds `-` (stdin) as the path, which is what rg does natively.
const RG_VALUE_FLAGS = new Set(['-e', '--regexp', '-f', '--file', '-g', '--glob', '--iglob', '-t', '--type', '-T',
  '--type-not', '-m', '--max-count', '-A', '--after-context', '-B', '--before-context', '-C', '--context', '-M',
  '--max-columns', '-j', '--threads', '--type-add', '--type-clear', '-r', '--replace', '-E', '--encoding', '--color',
  '--colors', '--sort', '--sortr', '--pre', '--pre-glob', '-d', '--max-depth', '--max-filesize', '--path-separator',
  '--context-separator', '--field-context-separator', '--field-match-separator', '--engine', '--ignore-file',
  '--dfa-size-limit', '--regex-size-limit', '--hostname-bin', '--hyperlink-format', '--generate']);

/** Arguments for a tool whose stdin is a pipe or a file (args without argv[0]). */
export function argsForPipedStdin(tool, args) {
  if (tool !== 'rg') return args;
  let positional = 0;
  let patternGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { positional += args.length - i - 1; break; }
    if (a === '-e' || a === '--regexp' || a === '-f' || a === '--file' || a.startsWith('--regexp=') || a.startsWith('--file=')) patternGiven = true;
    if (RG_VALUE_FLAGS.has(a)) { i++; continue; }
    if (a.startsWith('-') && a !== '-') continue;
    positional++;
  }
  const paths = patternGiven ? positional : positional - 1;
  return paths <= 0 && (positional > 0 || patternGiven) ? [...args, '-'] : args;
}
