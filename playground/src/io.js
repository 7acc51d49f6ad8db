// What commands read and write through: collected output (pipes, redirections) and the signal
// that Ctrl-C ended a command.

const encoder = new TextEncoder();

/** Thrown when Ctrl-C ends a command: the rest of the line is dropped. */
export class Interrupted extends Error {}

// What a redirection to a file collects before the file is written (and what a pipe may hold
// where its writer cannot be made to wait): past this, the command is stopped rather than let it
// fill the page's memory.
export const PIPE_LIMIT = 64 * 1024 * 1024;

/** What a pipe holds before its writer waits (a program's writes then block until the reader reads). */
export const PIPE_BUFFER = 64 * 1024;

/** The error a write to a pipe whose reader has ended gets (the program sees EPIPE). */
export class BrokenPipe extends Error {
  constructor() { super('broken pipe'); }
}

/**
 * A pipe between two commands that run at once. `write` queues a chunk and, once more than
 * PIPE_BUFFER waits, returns a promise that resolves when the reader has read enough (a program
 * writing into it waits for that); after the reader ended (`closeRead`) writes reject with
 * BrokenPipe. `read` resolves to the next chunk, or null once the writer closed it and all is read.
 */
export class Pipe {
  constructor() {
    this.chunks = [];
    this.size = 0;
    this.closed = false; // the writer is done
    this.broken = false; // the reader is gone
    this.reader = null;
    this.writers = [];
    this.onOverflow = null;
  }
  get terminal() { return false; }
  write(data) {
    if (this.broken) return Promise.reject(new BrokenPipe());
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (!bytes.length) return undefined;
    if (this.size + bytes.length > PIPE_LIMIT) return tooMuch(this, 'waiting in a pipe');
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.wakeReader();
    if (this.size <= PIPE_BUFFER) return undefined;
    return new Promise((resolve, reject) => this.writers.push({ resolve, reject }));
  }
  /** The writer is done: the reader gets the rest, then the end. */
  close() {
    this.closed = true;
    this.wakeReader();
  }
  /** The reader is done: what is queued is dropped and writers fail from now on. */
  closeRead() {
    this.broken = true;
    this.chunks = [];
    this.size = 0;
    for (const w of this.writers.splice(0)) w.reject(new BrokenPipe());
    this.wakeReader();
  }
  async read() {
    while (!this.chunks.length && !this.closed && !this.broken) await new Promise((resolve) => { this.reader = resolve; });
    if (!this.chunks.length) return null;
    const chunk = this.chunks.shift();
    this.size -= chunk.length;
    if (this.size <= PIPE_BUFFER) for (const w of this.writers.splice(0)) w.resolve();
    return chunk;
  }
  /** The pipe as an async iterable of chunks (a program's stdin); leaving early ends the reading side. */
  async *[Symbol.asyncIterator]() {
    try {
      for (let chunk = await this.read(); chunk; chunk = await this.read()) yield chunk;
    } finally {
      this.closeRead();
    }
  }
  wakeReader() {
    const r = this.reader;
    this.reader = null;
    r?.();
  }
}

/** More than `sink` may hold: a program writing it is stopped (onOverflow); a builtin's write fails. Nothing is dropped silently. */
function tooMuch(sink, where) {
  if (sink.onOverflow) return sink.onOverflow();
  return Promise.reject(new Error(`more than ${PIPE_LIMIT >> 20} MiB of output ${where}`));
}

/** The chunks as one array of bytes. */
export function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** Where a command's output goes: the terminal, or collected (a redirection to a file). */
export class Sink {
  constructor(write = null) {
    this.terminalWrite = write;
    this.chunks = [];
    this.size = 0;
    this.onOverflow = null;
  }
  get terminal() { return this.terminalWrite !== null; }
  write(data) {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (this.terminalWrite) return this.terminalWrite(bytes);
    if (this.size + bytes.length > PIPE_LIMIT) return tooMuch(this, 'into a file');
    this.size += bytes.length;
    this.chunks.push(bytes.slice());
  }
  bytes() {
    return concat(this.chunks);
  }
}
