// Writes bin/index.json, the catalogue the page reads to list and fetch tools: one entry per .wasm
// in the given directory. coreutils' utilities become aliases (/bin/wc -> coreutils.wasm), asked
// from the binary itself (`coreutils --list`) by running it with wrun in Node.
//
//   node playground/scripts/catalogue.mjs playground/public/bin
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../npm/src/index.js';

const DESCRIPTIONS = {
  rg: 'ripgrep 15.2.0: search files for a regex (rg PATTERN [PATH...])',
  coreutils: 'uutils coreutils 0.12.0: wc, sort, head, tail, tr, uniq, seq... (each also in /bin)',
  'rhai-repl': 'Rhai 1.27 REPL: type statements, see results (Ctrl-D ends it)',
  'rhai-run': 'Rhai 1.27: run a script file (rhai-run FILE.rhai)',
  python: 'CPython 3.12: the REPL, or python FILE.py / -c CODE (26 MB, fetched on first use)',
};

const dir = process.argv[2];
if (!dir) throw new Error('usage: catalogue.mjs BIN_DIR');
const tools = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort()) {
  const bytes = readFileSync(join(dir, file));
  const name = file.replace(/\.wasm$/, '');
  // The page checks each download against its SHA-256 before it runs it.
  const entry = { name, file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), description: DESCRIPTIONS[name] ?? '' };
  if (name === 'python') entry.aliases = ['python3'];
  if (name === 'coreutils') {
    const r = await run(bytes, { args: ['coreutils', '--list'] });
    // Names that are words (not `[`), so /bin stays easy to type and to glob.
    entry.aliases = r.stdoutText.split('\n').filter((n) => /^[a-z][a-z0-9_-]*$/.test(n));
  }
  tools.push(entry);
}
writeFileSync(join(dir, 'index.json'), `${JSON.stringify({ tools }, null, 2)}\n`);
console.log(`${join(dir, 'index.json')}: ${tools.map((t) => `${t.name}${t.aliases ? ` (+${t.aliases.length} aliases)` : ''}`).join(', ')}`);
