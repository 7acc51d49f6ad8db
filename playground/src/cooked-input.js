// A running command's terminal input, as a tty in cooked mode gives it: typed text is echoed and
// editable, and reaches the command a line at a time when Enter is pressed. Ctrl-D on an empty
// line ends the input; on a non-empty one it sends what is typed without a newline.
import { LineEditor } from './line-editor.js';

export class CookedInput {
  /** onLine(text): a line without its newline. onEof(text): Ctrl-D, with the partial line. */
  constructor(terminal, { onLine, onEof }) {
    this.terminal = terminal;
    this.onLine = onLine;
    this.onEof = onEof;
    this.closed = false;
    this.editor = new LineEditor({ write: terminal.write, columns: terminal.columns });
  }

  async feed(data) {
    if (this.closed) return;
    // The line starts where the program's output left the cursor (after its prompt), which is
    // only known once that output has been drawn.
    if (!this.editor.active) {
      await this.terminal.drain();
      this.editor.start('', this.terminal.cursorX());
    }
    const events = await this.editor.feed(data);
    for (const e of events) {
      if (e.type === 'line') this.onLine(e.text);
      else if (e.type === 'eof') {
        if (e.text === '') this.closed = true;
        this.onEof(e.text);
      } else if (e.type === 'rest') await this.feed(e.data);
    }
  }
}

/** Terminal input for a builtin (`cat` with no file): read() resolves to the next line or null. */
export class TerminalReader {
  constructor(terminal) {
    this.queue = [];
    this.waiting = null;
    this.ended = false;
    const encoder = new TextEncoder();
    this.input = new CookedInput(terminal, {
      onLine: (text) => this.push(encoder.encode(`${text}\n`)),
      onEof: (text) => { if (text) this.push(encoder.encode(text)); else this.end(); },
    });
  }

  feed(data) { return this.input.feed(data); }

  push(bytes) {
    if (this.waiting) { const w = this.waiting; this.waiting = null; w.resolve(bytes); } else this.queue.push(bytes);
  }

  end() {
    this.ended = true;
    if (this.waiting) { const w = this.waiting; this.waiting = null; w.resolve(null); }
  }

  /** Rejects a pending read: the command was interrupted. */
  cancel(error) {
    this.ended = true;
    if (this.waiting) { const w = this.waiting; this.waiting = null; w.reject(error); }
  }

  read() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }
}
