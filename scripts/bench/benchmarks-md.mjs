// Puts a benchmark script's section into BENCHMARKS.md: `text` runs from `<!-- NAME:start -->`
// to `<!-- NAME:end -->` and replaces the section of that name, or goes at the end of the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

export function writeSection(name, text) {
  const doc = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n';
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const at = doc.indexOf(start);
  const to = doc.indexOf(end, at);
  writeFileSync(FILE, at >= 0 && to >= 0 ? doc.slice(0, at) + text + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n${text}\n`);
}
