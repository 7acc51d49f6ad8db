// Tab completion for the prompt: command names where a command goes, paths elsewhere.
import { resolvePath } from './vfs.js';
import { BUILTINS } from './builtins.js';

/** Tab completion: commands in command position, else paths. */
export async function complete(shell, line, cursor) {
  const before = line.slice(0, cursor);
  const word = before.match(/[^\s|;<>&]*$/)[0];
  const start = cursor - word.length;
  const head = before.slice(0, start).trimEnd();
  const commandPosition = head === '' || /(\||;|&&|\|\|)$/.test(head);
  if (commandPosition && !word.includes('/')) {
    const names = new Set([...Object.keys(BUILTINS), ...shell.tools.commandNames()]);
    try {
      for (const f of shell.fs.readdir('/bin')) names.add(f.replace(/\.wasm$/, ''));
    } catch { /* no /bin */ }
    return { start, candidates: [...names].filter((n) => n.startsWith(word)).sort() };
  }
  const slash = word.lastIndexOf('/');
  const dirPart = word.slice(0, slash + 1);
  const prefix = word.slice(slash + 1);
  const home = shell.vars.get('HOME');
  const dir = resolvePath(shell.cwd, (dirPart.startsWith('~') ? home + dirPart.slice(1) : dirPart) || '.');
  let names = [];
  try { names = shell.fs.readdir(dir); } catch { return { start, candidates: [] }; }
  const candidates = names
    .filter((n) => n.startsWith(prefix) && (prefix.startsWith('.') || !n.startsWith('.')))
    .map((n) => dirPart + n + (shell.fs.isDir(resolvePath(dir, n)) ? '/' : ''));
  return { start, candidates };
}
