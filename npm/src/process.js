// What `spawn` gives back besides the run itself: stdin fed from any source, stdout/stderr as
// ReadableStreams, and the checks of the options a caller passes.
import { FLOW_WINDOW } from './engine.js';

/** Option names `run`/`spawn` take (checked: a misspelt one is an error, not ignored). */
const RUN_OPTIONS = [
  'args', 'env', 'stdin', 'fs', 'preopens', 'tty', 'engine', 'timeoutMs', 'fuel', 'maxMemoryBytes',
  'maxOutputBytes', 'worker', 'onStdout', 'onStderr', 'deterministic', 'signal', 'name',
];

function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** A TypeError with Node's `code`, for a caller's mistake. */
export function misuse(message, code = 'ERR_INVALID_ARG_VALUE', Kind = TypeError) {
  const e = new Kind(message);
  e.code = code;
  return e;
}

/** Throws for an option that does not exist (naming the nearest one) or has the wrong type. */
export function checkRunOptions(opts) {
  if (typeof opts !== 'object' || opts === null) throw misuse('options must be an object', 'ERR_INVALID_ARG_TYPE');
  for (const key of Object.keys(opts)) {
    if (RUN_OPTIONS.includes(key)) continue;
    const near = RUN_OPTIONS.map((k) => [distance(key.toLowerCase(), k.toLowerCase()), k]).sort((a, b) => a[0] - b[0])[0];
    throw misuse(`unknown option \`${key}\`${near[0] <= 3 ? ` (did you mean \`${near[1]}\`?)` : ''}`, 'ERR_INVALID_ARG_VALUE');
  }
  if (opts.args !== undefined && !Array.isArray(opts.args)) throw misuse('args must be an array of strings', 'ERR_INVALID_ARG_TYPE');
  for (const f of ['onStdout', 'onStderr']) {
    if (opts[f] !== undefined && typeof opts[f] !== 'function') throw misuse(`${f} must be a function`, 'ERR_INVALID_ARG_TYPE');
  }
  for (const n of ['timeoutMs', 'fuel', 'maxMemoryBytes', 'maxOutputBytes']) {
    const v = opts[n];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))) throw misuse(`${n} must be a finite number >= 0`, 'ERR_OUT_OF_RANGE', RangeError);
  }
  if (opts.engine !== undefined && !['auto', 'browser', 'wasmi'].includes(opts.engine)) {
    throw misuse(`unknown engine ${JSON.stringify(opts.engine)} (use "auto", "browser" or "wasmi")`);
  }
  if (opts.signal !== undefined && !(typeof opts.signal?.aborted === 'boolean' && typeof opts.signal.addEventListener === 'function')) {
    throw misuse('signal must be an AbortSignal', 'ERR_INVALID_ARG_TYPE');
  }
  const input = opts.stdin;
  if (input !== undefined && !isWholeInput(input) && !(typeof Blob !== 'undefined' && input instanceof Blob)
    && typeof input?.getReader !== 'function' && typeof input?.[Symbol.asyncIterator] !== 'function' && typeof input?.[Symbol.iterator] !== 'function') {
    throw misuse('stdin must be a string, bytes, a Blob, a ReadableStream or an (async) iterable', 'ERR_INVALID_ARG_TYPE');
  }
  for (const where of Object.values(opts.preopens ?? {})) {
    if (typeof where === 'object' && where !== null) {
      if (typeof where.fs?.raw !== 'object') throw misuse('a preopen given as an object names a FileSystem: { fs, path }', 'ERR_INVALID_ARG_TYPE');
    } else if (!opts.fs) {
      throw misuse('preopens need a FileSystem (the fs option)');
    }
  }
  return opts;
}

/** Whether `input` is given all at once (written, then stdin closes) rather than as a source. */
export function isWholeInput(input) {
  return typeof input === 'string' || input instanceof Uint8Array || input instanceof ArrayBuffer || Array.isArray(input);
}

/** The error of a write to a program that has ended (Node's name for it: a broken pipe). */
export function brokenPipe() {
  const e = new Error('the program has ended: write EPIPE');
  e.code = 'EPIPE';
  return e;
}

/**
 * Feeds a Blob, a ReadableStream or an async iterable to `write` (which resolves when the
 * program has room: the source is read at its pace), then `close`s. If the program ends first,
 * the source is cancelled and this rejects with EPIPE.
 */
export async function pump(input, write, close) {
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    await write(new Uint8Array(await input.arrayBuffer()));
  } else if (typeof input?.getReader === 'function') {
    const reader = input.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        await write(value);
      } catch (e) {
        reader.cancel(e).catch(() => {});
        throw e;
      }
    }
  } else {
    // An (async) iterable: checkRunOptions let nothing else through. A throw ends the loop,
    // which closes the iterator.
    for await (const chunk of input) await write(chunk);
  }
  close();
}

/**
 * One output of a process as a ReadableStream, made when first asked for. Asked for before the
 * program starts, it receives output as it is written (`live`); asked for later, it gets what the
 * run collected when it ends. Either way it closes when the program ends.
 */
export class OutputStream {
  constructor() {
    this.stream = null;
    this.controller = null;
    this.live = false;
    this.pulls = []; // deliveries waiting for the reader to want more
    this.cancelled = false;
  }
  get() {
    this.stream ??= new ReadableStream({
      start: (c) => { this.controller = c; },
      // The reader wants more: output it was behind on counts as taken.
      pull: () => { for (const resolve of this.pulls.splice(0)) resolve(); },
      cancel: () => {
        this.cancelled = true;
        for (const resolve of this.pulls.splice(0)) resolve();
      },
    }, { highWaterMark: FLOW_WINDOW, size: (chunk) => chunk.byteLength });
    return this.stream;
  }
  /**
   * At the start of the run: the callback to deliver output with, if the stream was asked for.
   * While the stream's queue is full the callback returns a promise (a program in a worker or on
   * wasmi then waits for its reader); once the reader cancelled, a rejected one (EPIPE).
   */
  callback() {
    if (!this.stream) return undefined;
    this.live = true;
    return (chunk) => {
      if (this.cancelled) return Promise.reject(brokenPipe());
      this.controller.enqueue(chunk);
      if (this.controller.desiredSize > 0) return undefined;
      return new Promise((resolve) => this.pulls.push(resolve));
    };
  }
  /** When the run ends, with what it collected. */
  end(collected) {
    if (!this.controller || this.cancelled) return;
    if (!this.live && collected?.length) this.controller.enqueue(collected);
    this.controller.close();
  }
}

/** `proc.stdin`: a WritableStream of bytes or strings, with `write()`/`close()` callable directly too. */
export function stdinStream(write, close) {
  // A write resolves when the program has room for it: `pipeTo` then moves data at its pace.
  const stream = new WritableStream({ write: (chunk) => write(chunk), close: () => close() });
  // The direct calls of earlier versions: write(data) and close() without a writer. Their
  // promise may be ignored, so its rejection (the program ended) is never reported as unhandled.
  Object.defineProperty(stream, 'write', {
    value: (data) => {
      const taken = write(data);
      taken.catch(() => {});
      return taken;
    },
  });
  Object.defineProperty(stream, 'close', { value: () => { if (!stream.locked) close(); return Promise.resolve(); } });
  return stream;
}
