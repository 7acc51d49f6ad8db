// Types for the `wrun` package: run WASI (preview 1) command-line programs in pages and Node.

/** A program: its bytes, a fetch Response, or an already compiled module (browser engine only). */
export type Program = Uint8Array | ArrayBuffer | ArrayBufferView | Response | PromiseLike<Response> | WebAssembly.Module;

export interface RunOptions {
  /** argv, program name first. Default: `[name ?? "program.wasm"]`. */
  args?: string[];
  /** Environment: an object, or `"KEY=VALUE"` strings. */
  env?: Record<string, string> | string[];
  /**
   * Stdin, closed at its end: all of it at once (a string or bytes), or as it comes (a Blob, a
   * `ReadableStream`, an async iterable of strings or bytes). `run()` defaults it to "". Bytes
   * given at once are read where they are (copied once, into the program): do not change them
   * while it runs.
   */
  stdin?: string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array | string> | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  /** Aborting it kills the program: `wait()` rejects with a WrunError of kind "killed" whose `cause` is the signal's reason. */
  signal?: AbortSignal;
  /** Files the program sees. */
  fs?: FileSystem;
  /**
   * Directories to preopen: `{ guestPath: fsPath }` (a directory of `fs`), or `{ guestPath: { fs, path } }`
   * (one of another FileSystem). Default `{ "/": "/" }` when `fs` is given.
   */
  preopens?: Record<string, Preopen>;
  /** Program name used as argv[0] when `args` is not given. */
  name?: string;
  /**
   * "browser" (default): the page's own WebAssembly engine. "wasmi": an interpreter loaded on
   * demand, for fuel limits and for pausing on stdin where JSPI is missing. "auto" picks.
   */
  engine?: 'auto' | 'browser' | 'wasmi';
  /** Run in a dedicated Worker (worker_threads in Node): the page stays responsive, kill() is immediate. */
  worker?: boolean;
  /**
   * Stop the program after this long (exit status 124, WrunError kind "timeout"). On the browser
   * engine this runs the program in a worker unless `worker: false` is given (then a busy loop
   * cannot be stopped before its next WASI call); where there are no workers "auto" picks wasmi.
   * The time counts from the program's start, not the worker's. A program stopped in a worker
   * loses what it had not yet delivered through onStdout/onStderr, and its file changes.
   */
  timeoutMs?: number;
  /** Stop after this many wasmi fuel units (implies the wasmi engine). */
  fuel?: number;
  /** Cap on linear memory, in bytes: `memory.grow` past it fails inside the program, as under `wrun --max-memory`. (GC objects live in the browser's own heap: not capped.) */
  maxMemoryBytes?: number;
  /**
   * Bytes of stdout, and of stderr, kept for the result (default 256 MiB). Past it, output that
   * goes to no `onStdout`/`onStderr` callback fails inside the program with ENOSPC (as a full disk
   * would); with a callback the program goes on and the result keeps only the first part. A
   * caller that streams the output (a callback, or `stdout` asked for at once) and needs no copy
   * of it in the result passes 0: a long stream then holds no memory.
   */
  maxOutputBytes?: number;
  /** Report stdin/stdout/stderr as a terminal (tools then colour their output). */
  tty?: boolean;
  /** Fixed clocks and seeded random_get: reproducible runs. */
  deterministic?: number;
  /**
   * Output as it is written, in chunks. A callback may return a promise: the chunk counts as not
   * taken until it settles, and a program in a worker or on wasmi waits before writing more while
   * 256 KiB are not taken (backpressure); a rejection is a reader that went away: the program's
   * next write fails with EPIPE.
   */
  onStdout?: (chunk: Uint8Array) => unknown;
  onStderr?: (chunk: Uint8Array) => unknown;
}

export declare class RunResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly stdoutText: string;
  readonly stderrText: string;
}

export interface Process {
  /**
   * The program's stdin: a WritableStream (pipe to it, or use a writer), or call write()/close()
   * directly. A write resolves once the program has room for it (less than 256 KiB unread), so a
   * piped stream moves at the program's pace; it rejects with code EPIPE if the program ended first.
   */
  readonly stdin: WritableStream<Uint8Array | string> & { write(data: string | Uint8Array): Promise<void>; close(): Promise<void> };
  /**
   * Stdout as a stream, when no `onStdout` callback is given: asked for before the program starts
   * (right after `spawn`), it receives output as it is written, and a program in a worker or on
   * wasmi waits while the stream holds 256 KiB nobody read (`a.stdout.pipeTo(b.stdin)` is a pipe);
   * cancelling it makes the program's next write fail with EPIPE. Asked for later, it gets all of
   * the output when the program ends. It closes when the program ends.
   */
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** The exit status however the program ends (137 killed, 134 trapped, 124 timed out, 1 not loaded); null until then. */
  exitCode: number | null;
  /** Resolves with the exit status however the program ends (never rejects). */
  readonly exited: Promise<number>;
  /** Resolves when the program exits; rejects with a WrunError on a trap, kill, timeout or bad module. */
  wait(): Promise<RunResult>;
  /** Stops the program at once (always in a worker or on wasmi; at its next WASI call otherwise). */
  kill(): void;
}

export type WrunErrorKind = 'invalid-module' | 'link' | 'no-start' | 'trap' | 'killed' | 'timeout' | 'out-of-fuel' | 'needs-input' | 'invalid-exit';

export declare class WrunError extends Error {
  readonly kind: WrunErrorKind;
  /** The status `wrun` would exit with (134 trap, 124 timeout/fuel, 137 killed, 1 invalid-exit). */
  readonly exitCode?: number;
  /** For 'invalid-exit': the status the program passed to `proc_exit` (past 125). */
  readonly status?: number;
  /** For traps: the engine's reason ("unreachable", "memory access out of bounds", ...). */
  readonly trap?: string;
  readonly stdout?: Uint8Array;
  readonly stderr?: Uint8Array;
}

export interface Stat {
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  readonly mtime: Date;
  ino: number;
  nlink: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** `readdir(path, { withFileTypes: true })`'s entries, as node:fs's `Dirent`. */
export interface Dirent {
  name: string;
  parentPath: string;
  path: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

export type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'base64';

/** `FileSystem.promises`: its calls returning promises, as `node:fs/promises`. */
export interface FileSystemPromises {
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  writeFile(path: string, data: string | Uint8Array, options?: Encoding | { encoding?: Encoding }): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, options: Encoding | { encoding: Encoding }): Promise<string>;
  readdir(path: string): Promise<string[]>;
  readdir(path: string, options: { withFileTypes: true }): Promise<Dirent[]>;
  stat(path: string): Promise<Stat>;
  lstat(path: string): Promise<Stat>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
}

/**
 * Where a preopen is: a directory of the run's `fs`, or `{ fs, path }`, a directory of another
 * FileSystem (its root without `path`). Directories of two FileSystems are two trees to the
 * program: a rename between them fails with EXDEV.
 */
export type Preopen = string | { fs: FileSystem; path?: string };

/**
 * An in-memory filesystem, optionally persisted in IndexedDB. Its calls have node:fs's names and
 * shapes; errors carry Node's `code` ("ENOENT"), `errno` (-2), `syscall` and `path`.
 */
export declare class FileSystem {
  /** Requires `await init()` first; or use `FileSystem.create()`. */
  constructor();
  static create(): Promise<FileSystem>;
  /**
   * Loads (or starts) the filesystem saved in IndexedDB under `name`. One tab writes a name at a
   * time; in the others it opens read-only (see `readOnly`) and follows the writer's saves.
   */
  static openPersistent(name: string): Promise<FileSystem>;
  /** Saves what changed since the last save (persistent filesystems), in one transaction. */
  flush(): Promise<void>;
  /** True while another tab writes this persistent filesystem: every change fails with EROFS. */
  readonly readOnly: boolean;
  /** Resolves once this tab writes its persistent filesystem (at once, if no other tab does). */
  readonly whenWritable?: Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): void;
  writeFile(path: string, data: string | Uint8Array, options?: Encoding | { encoding?: Encoding }): void;
  readFile(path: string): Uint8Array;
  readFile(path: string, options: Encoding | { encoding: Encoding }): string;
  readdir(path: string): string[];
  readdir(path: string, options: { withFileTypes: true }): Dirent[];
  stat(path: string): Stat;
  lstat(path: string): Stat;
  exists(path: string): boolean;
  existsSync(path: string): boolean;
  rename(from: string, to: string): void;
  /** Files and, with `recursive`, directories; `force` ignores a missing path. */
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  /** A file or symlink (EISDIR on a directory). */
  unlink(path: string): void;
  /** An empty directory (ENOTDIR on anything else, ENOTEMPTY if not empty). */
  rmdir(path: string): void;
  /** `rm` by its earlier name. */
  remove(path: string, options?: { recursive?: boolean }): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  /** The same calls, returning promises, as `node:fs/promises`. */
  readonly promises: FileSystemPromises;
  /** The whole tree as a tar archive, the format `wrun --fs` mounts natively. */
  exportTar(): Uint8Array;
  importTar(tar: Uint8Array): void;
  replaceWithTar(tar: Uint8Array): void;
  /**
   * Caps the tree's size (the program gets ENOSPC past it): its files' bytes, plus 512 bytes and
   * the path's length for every name, plus symlink targets — about the size of `exportTar()`.
   */
  setQuota(bytes: number): void;
  readonly usedBytes: number;
}

/** Whether this host can suspend a guest on input (JSPI). */
export declare const hasJSPI: boolean;

/** Exit statuses for runs that end without `proc_exit`. */
export declare const EXIT_STATUS: { trap: 134; timeout: 124; 'out-of-fuel': 124; killed: 137 };

/** Loads the runtime; optional, every entry point calls it. */
/**
 * Loads the runtime (run, spawn and FileSystem.create call it too). `onProgress` follows the
 * download of the runtime's WebAssembly, in bytes, for a loading bar.
 */
/** Where a wasm module can come from: a URL, a Response, its bytes, or the module compiled. */
export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

export declare function init(options?: {
  onProgress?: (progress: { done: number; total: number }) => void;
  /** The core, if not beside the package's files (a CDN, an inlined copy). Counts in the first call only. */
  module?: WasmSource;
  /** The wasmi add-on, likewise. */
  wasmiModule?: WasmSource;
  /**
   * Pages: load the build of the core that mounts a Node-`fs`-like object (memfs) as `fs`, about
   * 12 KiB more. Must be the first thing that loads the runtime. Node always can.
   */
  nodeFs?: boolean;
}): Promise<unknown>;

/** Runs a program to completion. */
export declare function run(program: Program, options?: RunOptions): Promise<RunResult>;

/** Starts a program with an open stdin. */
export declare function spawn(program: Program, options?: RunOptions): Process;

/** The synchronous calls of Node's `fs` the WASI polyfill makes on a Node-`fs`-like object (memfs has them all). */
export interface NodeFsLike {
  openSync(path: string, flags: number, mode?: number): number;
  lstatSync(path: string, options?: { bigint?: boolean }): unknown;
  fstatSync(fd: number, options?: { bigint?: boolean }): unknown;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  readdirSync(path: string): unknown[];
  [name: string]: unknown;
}

/** Options of the `WASI` polyfill: `node:wasi`'s, and wrun's own. */
export interface WASIOptions {
  /** 'preview1' (`wasi_snapshot_preview1`, the default), or 'unstable' (`wasi_unstable`, WASI's snapshot 0 before 2020: its ABI differences are translated). */
  version?: 'preview1' | 'unstable';
  /** The program's arguments, name first (default none). */
  args?: string[];
  env?: Record<string, string> | string[];
  /**
   * `{ guestPath: pathInFs }`. Without `fs`: real directories in Node (as node:wasi's, relative
   * ones from the current directory), but confined to each preopen (`..`, absolute symlinks and
   * symlinks leading out are refused); directories of an empty in-memory tree in a page.
   */
  preopens?: Record<string, Preopen>;
  /** `start()` returns the status given to `proc_exit` (default true); false exits the Node process with it. */
  returnOnExit?: boolean;
  /** Node only: the process fd that stdout / stderr go to when no callback is given (default 1 / 2). */
  stdout?: number;
  stderr?: number;
  /** All of stdin, read by the program until its end (default: empty); bytes are read where they are: do not change them while it runs. */
  stdin?: string | Uint8Array;
  /** Where `preopens` point: a wrun FileSystem, or a Node-`fs`-like object (`node:fs`, memfs; in a page after `init({ nodeFs: true })`). */
  fs?: FileSystem | NodeFsLike;
  /** Receive output as it is written (default: the process's stdout/stderr in Node, the console in a page). */
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
  tty?: boolean;
  deterministic?: number;
  maxOutputBytes?: number;
  /** Keep stdin open for `wasi.stdin.write()` while the program runs (use with `startAsync`). */
  interactive?: boolean;
}

/** The module as `start`/`initialize` take it: a `WebAssembly.Instance` or any object with its exports. */
export interface WasiInstanceLike {
  exports: Record<string, unknown>;
}

/**
 * A drop-in for `node:wasi`'s `WASI`, in browsers and Node, on wrun's sandboxed core: for modules
 * you instantiate yourself (emnapi / napi-rs bindings, ruby.wasm, JavaScriptKit...). Synchronous;
 * in a browser, `await init()` once first.
 */
export declare class WASI {
  constructor(options?: WASIOptions);
  /** The `wasi_snapshot_preview1` import functions. */
  readonly wasiImport: Record<string, (...args: (number | bigint)[]) => number | void>;
  /** With `{ suspending: true }`: JSPI imports that let `fd_read`/`poll_oneoff` wait (use `startAsync`). */
  getImportObject(options?: { suspending?: boolean }): { wasi_snapshot_preview1: Record<string, (...args: (number | bigint)[]) => number | void> };
  /** Runs `_start`; returns the exit status. A `proc_exit` in a later call throws an Error with `exitCode`. */
  start(instance: WasiInstanceLike): number;
  /** Runs `_start` of a module instantiated with the suspending imports; resolves with the exit status. */
  startAsync(instance: WasiInstanceLike): Promise<number>;
  /** With `interactive`: the program's stdin. */
  readonly stdin: { write(data: string | Uint8Array): void; close(): void };
  /** Stops the program at its next WASI call, or at once while it waits for input. */
  kill(): void;
  /** Runs `_initialize` (if exported) of a reactor, whose exports may then make WASI calls. */
  initialize(instance: WasiInstanceLike): void;
  /** Binds the memory WASI reads and writes: the module's exported `memory`, or `options.memory`. */
  finalizeBindings(instance: WasiInstanceLike, options?: { memory?: WebAssembly.Memory }): void;
  /** JavaScriptKit's name for `finalizeBindings(instance)`. */
  setInstance(instance: WasiInstanceLike): void;
  /** Delivers output still buffered. */
  flush(): void;
}
