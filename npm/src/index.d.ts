// Types for the `wrun` package: run WASI (preview 1) command-line programs in pages and Node.

/** A program: its bytes, a fetch Response, or an already compiled module (browser engine only). */
export type Program = Uint8Array | ArrayBuffer | ArrayBufferView | Response | WebAssembly.Module;

export interface RunOptions {
  /** argv, program name first. Default: `[name ?? "program.wasm"]`. */
  args?: string[];
  /** Environment: an object, or `"KEY=VALUE"` strings. */
  env?: Record<string, string> | string[];
  /** All of stdin, written before the program starts, then closed. `run()` defaults it to "". */
  stdin?: string | Uint8Array;
  /** Files the program sees. */
  fs?: FileSystem;
  /** Directories of `fs` to preopen: `{ guestPath: fsPath }`. Default `{ "/": "/" }` when `fs` is given. */
  preopens?: Record<string, string>;
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
  /** Cap on linear memory, in bytes: `memory.grow` past it fails inside the program, as under `wrun --max-memory`. */
  maxMemoryBytes?: number;
  /**
   * Bytes of stdout, and of stderr, kept for the result (default 256 MiB). Past it, output that
   * goes to no `onStdout`/`onStderr` callback fails inside the program with ENOSPC (as a full disk
   * would); with a callback the program goes on and the result keeps only the first part.
   */
  maxOutputBytes?: number;
  /** Report stdin/stdout/stderr as a terminal (tools then colour their output). */
  tty?: boolean;
  /** Fixed clocks and seeded random_get: reproducible runs. */
  deterministic?: number;
  /** Output as it is written, in chunks. */
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
}

export declare class RunResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly stdoutText: string;
  readonly stderrText: string;
}

export interface Process {
  readonly stdin: { write(data: string | Uint8Array): void; close(): void };
  /** Set once the program has ended. */
  exitCode: number | null;
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
  ino: number;
  nlink: number;
}

/** An in-memory filesystem, optionally persisted in IndexedDB. Errors carry `code` ("ENOENT") and `errno`. */
export declare class FileSystem {
  /** Requires `await init()` first; or use `FileSystem.create()`. */
  constructor();
  static create(): Promise<FileSystem>;
  /** Loads (or starts) the filesystem saved in IndexedDB under `name`. */
  static openPersistent(name: string): Promise<FileSystem>;
  /** Saves a persistent filesystem now, in one transaction. */
  flush(): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): void;
  writeFile(path: string, data: string | Uint8Array): void;
  readFile(path: string): Uint8Array;
  readFile(path: string, encoding: 'utf8' | 'utf-8'): string;
  readdir(path: string): string[];
  stat(path: string): Stat;
  lstat(path: string): Stat;
  exists(path: string): boolean;
  rename(from: string, to: string): void;
  remove(path: string, options?: { recursive?: boolean }): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
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
export declare function init(options?: { onProgress?: (progress: { done: number; total: number }) => void }): Promise<unknown>;

/** Runs a program to completion. */
export declare function run(program: Program, options?: RunOptions): Promise<RunResult>;

/** Starts a program with an open stdin. */
export declare function spawn(program: Program, options?: RunOptions): Process;
