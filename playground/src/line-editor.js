// Line editing on a terminal that only knows how to draw: the shell's prompt and the cooked-mode
// input of running programs both use it (a program sees a line only once Enter is pressed, as
// with a real tty). It draws through `write` and knows nothing about xterm, so Node tests can
// drive it with key strings.
//
// Keys: left/right, home/end (and Ctrl-A/E), backspace/delete, Ctrl-U/K/W, Alt-B/F, up/down
// (history), tab (completion), Enter, Ctrl-C, Ctrl-D, Ctrl-L.

const KEYS = [
  ['\x1b[A', 'up'], ['\x1bOA', 'up'], ['\x1b[B', 'down'], ['\x1bOB', 'down'],
  ['\x1b[C', 'right'], ['\x1bOC', 'right'], ['\x1b[D', 'left'], ['\x1bOD', 'left'],
  ['\x1b[H', 'home'], ['\x1bOH', 'home'], ['\x1b[1~', 'home'], ['\x1b[7~', 'home'],
  ['\x1b[F', 'end'], ['\x1bOF', 'end'], ['\x1b[4~', 'end'], ['\x1b[8~', 'end'],
  ['\x1b[3~', 'delete'], ['\x1b[1;5D', 'word-left'], ['\x1b[1;5C', 'word-right'],
  ['\x1bb', 'word-left'], ['\x1bf', 'word-right'], ['\x1b\x7f', 'delete-word'],
];
const CONTROL = {
  '\r': 'enter', '\n': 'enter', '\x7f': 'backspace', '\b': 'backspace', '\t': 'tab',
  '\x01': 'home', '\x05': 'end', '\x02': 'left', '\x06': 'right', '\x10': 'up', '\x0e': 'down',
  '\x15': 'kill-before', '\x0b': 'kill-after', '\x17': 'delete-word',
  '\x03': 'interrupt', '\x04': 'eof', '\x0c': 'clear',
};

/** Splits terminal input into key names and runs of plain text. */
export function keys(data) {
  const out = [];
  let i = 0;
  while (i < data.length) {
    const c = data[i];
    if (c === '\x1b') {
      const known = KEYS.find(([seq]) => data.startsWith(seq, i));
      if (known) { out.push({ key: known[1] }); i += known[0].length; continue; }
      // An unknown escape sequence: skip it whole (CSI ... final byte) rather than insert it.
      const m = data.slice(i).match(/^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/);
      i += m[0].length;
      continue;
    }
    if (CONTROL[c]) {
      // "\r\n" from a paste is one Enter.
      if (c === '\r' && data[i + 1] === '\n') i++;
      out.push({ key: CONTROL[c] });
      i++;
      continue;
    }
    if (c < ' ') { i++; continue; }
    const last = out[out.length - 1];
    if (last?.text !== undefined) last.text += c;
    else out.push({ text: c });
    i++;
  }
  return out;
}

/** Longest common prefix of strings. */
export function commonPrefix(list) {
  if (!list.length) return '';
  let p = list[0];
  for (const s of list) while (!s.startsWith(p)) p = p.slice(0, -1);
  return p;
}

// Display width of a prompt: without colour escapes. (Code points, not grapheme widths: good
// enough for the ASCII the shell draws.)
const width = (s) => [...s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')].length;

export class LineEditor {
  /**
   * write(text): draws on the terminal. columns(): the terminal's width.
   * history: a list to browse with up/down (shared, appended by the owner), or null.
   * complete(line, cursor): resolves to { start, candidates } (replace line[start..cursor]).
   */
  constructor({ write, columns, history = null, complete = null }) {
    this.write = write;
    this.columns = columns;
    this.history = history;
    this.complete = complete;
    this.chars = [];
    this.cursor = 0;
    this.startCol = 0;
    this.prompt = '';
    this.active = false;
    this.lastTab = false;
  }

  get line() { return this.chars.join(''); }

  /** Starts a new line: draws `prompt` (may be '') with the cursor at column `startCol` first. */
  start(prompt = '', startCol = 0) {
    this.prompt = prompt;
    this.startCol = (startCol + width(prompt)) % Math.max(1, this.columns());
    this.chars = [];
    this.cursor = 0;
    this.historyIndex = this.history?.length ?? 0;
    this.draft = '';
    this.active = true;
    this.write(prompt);
  }

  /**
   * Feeds terminal input. Returns the events it produced, in order:
   * { type: 'line', text } | { type: 'interrupt' } | { type: 'eof', text } | { type: 'clear' }.
   * After 'line', 'interrupt' or 'eof' the editor is inactive until `start` is called again;
   * input left over after a line (a multi-line paste) comes back as { type: 'rest', data }, to
   * be fed again (as is) once the editor is restarted.
   */
  async feed(data) {
    const events = [];
    const list = typeof data === 'string' ? keys(data) : data;
    for (let k = 0; k < list.length; k++) {
      const item = list[k];
      if (!this.active) {
        events.push({ type: 'rest', data: list.slice(k) });
        break;
      }
      if (item.text !== undefined) { this.insert(item.text); this.lastTab = false; continue; }
      const key = item.key;
      const wasTab = this.lastTab;
      this.lastTab = false;
      switch (key) {
        case 'enter': this.finish(); events.push({ type: 'line', text: this.line }); break;
        case 'interrupt': this.moveTo(this.chars.length); this.write('^C\r\n'); this.active = false; events.push({ type: 'interrupt' }); break;
        case 'eof':
          // On an empty line: end of input. Otherwise a tty sends what is typed so far (program
          // input) and a shell deletes the character under the cursor (the prompt).
          if (this.chars.length === 0 || !this.complete) { this.active = false; events.push({ type: 'eof', text: this.line }); }
          else if (this.cursor < this.chars.length) this.splice(this.cursor, 1, []);
          break;
        case 'clear': events.push({ type: 'clear' }); break;
        case 'left': this.moveTo(this.cursor - 1); break;
        case 'right': this.moveTo(this.cursor + 1); break;
        case 'home': this.moveTo(0); break;
        case 'end': this.moveTo(this.chars.length); break;
        case 'word-left': this.moveTo(this.wordStart()); break;
        case 'word-right': this.moveTo(this.wordEnd()); break;
        case 'backspace': if (this.cursor > 0) this.splice(this.cursor - 1, 1, []); break;
        case 'delete': if (this.cursor < this.chars.length) this.splice(this.cursor, 1, []); break;
        case 'kill-before': this.splice(0, this.cursor, []); break;
        case 'kill-after': this.splice(this.cursor, this.chars.length - this.cursor, []); break;
        case 'delete-word': { const s = this.wordStart(); this.splice(s, this.cursor - s, []); break; }
        case 'up': this.browse(-1); break;
        case 'down': this.browse(1); break;
        case 'tab': await this.tab(wasTab); this.lastTab = true; break;
        default: break;
      }
    }
    return events;
  }

  /** Replaces the whole line (history, tests). */
  setLine(text) { this.splice(0, this.chars.length, [...text]); }

  /** Redraws prompt and line on a fresh row (after a completion list or `clear`). */
  redraw() {
    const cursor = this.cursor;
    this.write(this.prompt);
    this.startCol = width(this.prompt) % Math.max(1, this.columns());
    this.cursor = 0;
    this.paint(0);
    this.moveTo(cursor);
  }

  insert(text) {
    this.splice(this.cursor, 0, [...text]);
  }

  finish() {
    this.moveTo(this.chars.length);
    this.write('\r\n');
    this.active = false;
  }

  wordStart() {
    let i = this.cursor;
    while (i > 0 && this.chars[i - 1] === ' ') i--;
    while (i > 0 && this.chars[i - 1] !== ' ') i--;
    return i;
  }

  wordEnd() {
    let i = this.cursor;
    while (i < this.chars.length && this.chars[i] === ' ') i++;
    while (i < this.chars.length && this.chars[i] !== ' ') i++;
    return i;
  }

  browse(step) {
    if (!this.history?.length) return;
    const next = this.historyIndex + step;
    if (next < 0 || next > this.history.length) return;
    if (this.historyIndex === this.history.length) this.draft = this.line;
    this.historyIndex = next;
    this.setLine(next === this.history.length ? this.draft : this.history[next]);
  }

  async tab(second) {
    // A literal tab would break the column arithmetic: programs get spaces.
    if (!this.complete) return this.insert('    ');
    const before = this.line.slice(0, this.cursor);
    const { start, candidates } = await this.complete(this.line, this.cursor);
    if (!this.active || this.line.slice(0, this.cursor) !== before) return; // typed meanwhile
    const word = before.slice(start);
    if (candidates.length === 1) {
      const only = candidates[0];
      this.splice(start, this.cursor - start, [...only + (only.endsWith('/') ? '' : ' ')]);
      return;
    }
    const prefix = commonPrefix(candidates);
    if (prefix.length > word.length) {
      this.splice(start, this.cursor - start, [...prefix]);
    } else if (second && candidates.length) {
      // Second tab with nothing more to add: list the choices under the line, then redraw it.
      this.moveTo(this.chars.length);
      const shown = candidates.map((c) => c.replace(/\/$/, '').split('/').pop() + (c.endsWith('/') ? '/' : ''));
      this.write(`\r\n${columnize(shown, this.columns())}`);
      this.redraw();
    }
  }

  /** Replaces `count` characters at `at` with `items`, redrawing from there, cursor after them. */
  splice(at, count, items) {
    this.moveTo(at);
    this.chars.splice(at, count, ...items);
    this.paint(at);
    this.moveTo(at + items.length);
  }

  /** Writes the line from index `from` (where the cursor is) to its end, clearing what follows. */
  paint(from) {
    const text = this.chars.slice(from).join('');
    this.write(`${text}\x1b[J`);
    this.cursor = this.chars.length;
    // At the exact end of a row the terminal holds the cursor in the last column until the next
    // character: a space then a backspace puts it where our column arithmetic expects it.
    if (text.length && (this.startCol + this.chars.length) % this.columns() === 0) this.write(' \b');
  }

  /** Moves the cursor to index `to` of the line, across wrapped rows. */
  moveTo(to) {
    to = Math.max(0, Math.min(this.chars.length, to));
    if (to === this.cursor) return;
    const cols = Math.max(1, this.columns());
    const from = this.startCol + this.cursor;
    const dest = this.startCol + to;
    const rows = Math.floor(dest / cols) - Math.floor(from / cols);
    let seq = '';
    if (rows < 0) seq += `\x1b[${-rows}A`;
    if (rows > 0) seq += `\x1b[${rows}B`;
    const col = dest % cols;
    seq += col === 0 ? '\r' : `\r\x1b[${col}C`;
    this.write(seq);
    this.cursor = to;
  }
}

/** Lays names out in columns for a terminal `cols` wide, drawing each with `render`; ends with a newline. */
export function columnize(names, cols, render = (n) => n) {
  if (!names.length) return '';
  const len = (n) => [...n].length;
  const w = Math.max(...names.map(len)) + 2;
  const per = Math.max(1, Math.floor(cols / w));
  const rows = Math.ceil(names.length / per);
  let out = '';
  for (let r = 0; r < rows; r++) {
    const line = [];
    for (let c = 0; c < per; c++) {
      const n = names[c * rows + r];
      if (n !== undefined) line.push(render(n) + ' '.repeat(w - len(n)));
    }
    out += `${line.join('').trimEnd()}\r\n`;
  }
  return out;
}
