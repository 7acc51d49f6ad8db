// The xterm.js terminal filling its element, refitted when the window (or the element) resizes.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

export const RED = (s) => `\x1b[31m${s}\x1b[0m`;
export const DIM = (s) => `\x1b[2m${s}\x1b[0m`;
export const BOLD = (s) => `\x1b[1m${s}\x1b[0m`;

export function createTerminal(element) {
  const term = new Terminal({
    // Programs write "\n"; a tty's output processing turns it into "\r\n", and so does this.
    convertEol: true,
    cursorBlink: true,
    scrollback: 5000,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    theme: { background: '#1b1d23', foreground: '#d8dee9', cursor: '#d8dee9', selectionBackground: '#44475a' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  // A ResizeObserver covers window resizes and layout changes (the status bar wrapping) alike.
  new ResizeObserver(() => { try { fit.fit(); } catch { /* not laid out yet */ } }).observe(element);
  term.focus();

  return {
    term,
    write: (data) => term.write(data),
    columns: () => term.cols,
    rows: () => term.rows,
    /** Resolves once everything written so far has been parsed (so the cursor position is known). */
    drain: () => new Promise((resolve) => term.write('', resolve)),
    cursorX: () => term.buffer.active.cursorX,
    clear: () => term.write('\x1b[H\x1b[2J\x1b[3J'),
    onData: (fn) => term.onData(fn),
    focus: () => term.focus(),
    /** The screen and scrollback as text (tests and debugging). */
    text() {
      const b = term.buffer.active;
      const lines = [];
      for (let i = 0; i < b.length; i++) {
        // A row the terminal wrapped continues the logical line above it (kept untrimmed).
        const continued = b.getLine(i + 1)?.isWrapped ?? false;
        const text = b.getLine(i).translateToString(!continued);
        if (b.getLine(i).isWrapped && lines.length) lines[lines.length - 1] += text;
        else lines.push(text);
      }
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      return lines.join('\n');
    },
  };
}
