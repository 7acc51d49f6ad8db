// What commands read and write through: collected output (pipes, redirections) and the signal
// that Ctrl-C ended a command.

const encoder = new TextEncoder();

/** Thrown when Ctrl-C ends a command: the rest of the line is dropped. */
export class Interrupted extends Error {}

// A pipe holds a command's whole output (pipelines run one command after another): past this,
// the command is stopped rather than let `yes | head` fill the page's memory.
export const PIPE_LIMIT = 64 * 1024 * 1024;

/** Where a command's output goes: the terminal, or collected (a pipe, a file). */
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
    if (this.size + bytes.length > PIPE_LIMIT) return this.onOverflow?.();
    this.size += bytes.length;
    this.chunks.push(bytes.slice());
  }
  bytes() {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}
