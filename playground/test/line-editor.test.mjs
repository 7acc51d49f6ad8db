// The line editor in Node, drawing on a tiny terminal model (enough of VT100 for what it writes),
// so the tests check both the line it returns and what the screen shows, wrapped rows included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor, keys, commonPrefix, columnize } from '../src/line-editor.js';

/** A screen `cols` wide: printable characters, \r, \n, \b, CSI n A/B/C/D, CSI J. */
function screen(cols) {
  const rows = [[]];
  let x = 0;
  let y = 0;
  let pendingWrap = false;
  const row = (n) => { while (rows.length <= n) rows.push([]); return rows[n]; };
  const write = (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\x1b') {
        const m = s.slice(i).match(/^\x1b\[(\d*)([A-Za-z])/);
        const n = Number(m[1] || 1);
        if (m[2] === 'A') y = Math.max(0, y - n);
        if (m[2] === 'B') y += n;
        if (m[2] === 'C') x = Math.min(cols - 1, x + n);
        if (m[2] === 'D') x = Math.max(0, x - n);
        if (m[2] === 'J') { row(y).length = Math.min(row(y).length, x); rows.length = y + 1; }
        pendingWrap = false;
        i += m[0].length - 1;
      } else if (c === '\r') { x = 0; pendingWrap = false; }
      else if (c === '\n') { y++; row(y); pendingWrap = false; }
      else if (c === '\b') { x = Math.max(0, x - 1); pendingWrap = false; }
      else {
        if (pendingWrap) { x = 0; y++; pendingWrap = false; }
        const r = row(y);
        while (r.length < x) r.push(' ');
        r[x] = c;
        if (x === cols - 1) pendingWrap = true; else x++;
      }
    }
  };
  const text = () => {
    const lines = rows.map((r) => r.join('').trimEnd());
    while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  };
  return { write, text, cursor: () => [x, y] };
}

function editor(cols = 80, extra = {}) {
  const s = screen(cols);
  const ed = new LineEditor({ write: s.write, columns: () => cols, ...extra });
  return { s, ed };
}

test('keys: escape sequences, control keys, text runs, a pasted CRLF as one Enter', () => {
  assert.deepEqual(keys('ab\x1b[D\x01\r\n\x7f\x1b[3~\x1b[99Zq'), [
    { text: 'ab' }, { key: 'left' }, { key: 'home' }, { key: 'enter' }, { key: 'backspace' }, { key: 'delete' }, { text: 'q' },
  ]);
});

test('typing, moving and editing in the middle of the line', async () => {
  const { s, ed } = editor();
  ed.start('$ ');
  await ed.feed('hello world');
  await ed.feed('\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D'); // before "world"
  await ed.feed('big ');
  assert.equal(ed.line, 'hello big world');
  await ed.feed('\x01X\x05!'); // Ctrl-A, insert, Ctrl-E, insert
  assert.equal(ed.line, 'Xhello big world!');
  await ed.feed('\x17'); // Ctrl-W: delete the word before the cursor
  assert.equal(ed.line, 'Xhello big ');
  await ed.feed('\x1b[H\x1b[3~'); // Home, Delete
  assert.equal(ed.line, 'hello big ');
  await ed.feed('\x1b[C\x1b[C\x0b'); // Ctrl-K after two characters
  assert.equal(ed.line, 'he');
  await ed.feed('\x05\x7f'); // End, Backspace
  assert.equal(ed.line, 'h');
  assert.deepEqual(s.text(), ['$ h']);
  await ed.feed('i\x15'); // Ctrl-U
  assert.equal(ed.line, '');
  assert.deepEqual(s.text(), ['$']);
  const events = await ed.feed('done\r');
  assert.deepEqual(events, [{ type: 'line', text: 'done' }]);
  assert.equal(ed.active, false);
});

test('lines longer than the terminal wrap, and editing across rows redraws them', async () => {
  const { s, ed } = editor(10);
  ed.start('$ ');
  await ed.feed('0123456789abcdefghij'); // 22 columns: rows of 10, 10, 2
  assert.deepEqual(s.text(), ['$ 01234567', '89abcdefgh', 'ij']);
  assert.deepEqual(s.cursor(), [2, 2]);
  await ed.feed('\x01'); // to the start: first row, after the prompt
  assert.deepEqual(s.cursor(), [2, 0]);
  await ed.feed('>>');
  assert.deepEqual(s.text(), ['$ >>012345', '6789abcdef', 'ghij']);
  assert.deepEqual(s.cursor(), [4, 0]);
  await ed.feed('\x05\x7f\x7f\x7f\x7f'); // End, then delete back into the previous row
  assert.deepEqual(s.text(), ['$ >>012345', '6789abcdef']);
  // Exactly at the end of a row the cursor sits at the start of the next one.
  assert.deepEqual(s.cursor(), [0, 2]);
  assert.equal(ed.line, '>>0123456789abcdef');
});

test('history: up and down, keeping the line being typed', async () => {
  const history = ['first', 'second'];
  const { ed } = editor(80, { history });
  ed.start('$ ');
  await ed.feed('draft');
  await ed.feed('\x1b[A');
  assert.equal(ed.line, 'second');
  await ed.feed('\x1b[A\x1b[A');
  assert.equal(ed.line, 'first');
  await ed.feed('\x1b[B\x1b[B');
  assert.equal(ed.line, 'draft');
});

test('tab completes one candidate, then the common prefix, then lists on a second tab', async () => {
  const names = ['rhai-repl', 'rhai-run', 'rg'];
  const complete = async (line, cursor) => {
    const word = line.slice(0, cursor).split(' ').pop();
    return { start: cursor - word.length, candidates: names.filter((n) => n.startsWith(word)) };
  };
  const { s, ed } = editor(40, { complete });
  ed.start('$ ');
  await ed.feed('rg\t');
  assert.equal(ed.line, 'rg ');
  await ed.feed('\x15rh\t');
  assert.equal(ed.line, 'rhai-r');
  await ed.feed('\t');
  assert.equal(ed.line, 'rhai-r');
  await ed.feed('\t');
  assert.match(s.text().join('\n'), /rhai-repl\s+rhai-run/);
  assert.equal(s.text().at(-1), '$ rhai-r');
});

test('Ctrl-C, Ctrl-D (empty: end of input; program input: the partial line), Ctrl-L', async () => {
  const { ed } = editor(80, { complete: async () => ({ start: 0, candidates: [] }) });
  ed.start('$ ');
  assert.deepEqual(await ed.feed('abc\x03'), [{ type: 'interrupt' }]);
  ed.start('$ ');
  assert.deepEqual(await ed.feed('ab\x01\x04'), []); // at the prompt: deletes under the cursor
  assert.equal(ed.line, 'b');
  assert.deepEqual(await ed.feed('\x05\x15\x04'), [{ type: 'eof', text: '' }]);
  const program = editor().ed; // no completion: a program's cooked input
  program.start('', 6);
  assert.deepEqual(await program.feed('partial\x04'), [{ type: 'eof', text: 'partial' }]);
  ed.start('$ ');
  assert.deepEqual(await ed.feed('\x0c'), [{ type: 'clear' }]);
});

test('a paste of several lines: the first is a line, the rest comes back to feed again', async () => {
  const { ed } = editor();
  ed.start('$ ');
  const events = await ed.feed('one\rtwo\r');
  assert.equal(events[0].text, 'one');
  assert.equal(events[1].type, 'rest');
  ed.start('$ ');
  assert.deepEqual(await ed.feed(events[1].data), [{ type: 'line', text: 'two' }]);
});

test('helpers: common prefix and columns', () => {
  assert.equal(commonPrefix(['rhai-repl', 'rhai-run']), 'rhai-r');
  assert.equal(commonPrefix([]), '');
  assert.equal(columnize(['a', 'bb', 'c'], 8), 'a   c\r\nbb\r\n');
});
