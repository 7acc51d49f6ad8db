// The package's types: `tsc --strict` accepts a file using every exported name as documented
// (test/types/usage.ts), and the names the .d.ts declares are the ones the package exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const npm = fileURLToPath(new URL('..', import.meta.url));

test('tsc --noEmit --strict accepts test/types/usage.ts against index.d.ts', () => {
  try {
    execFileSync(`${npm}node_modules/.bin/tsc`, ['-p', `${npm}test/types/tsconfig.json`], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`tsc found errors:\n${e.stdout}${e.stderr}`);
  }
});

test('the .d.ts declares exactly the values the package exports', async () => {
  const dts = readFileSync(`${npm}src/index.d.ts`, 'utf8');
  const declared = [...dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)].map((m) => m[1]);
  const exported = Object.keys(await import('../dist/index.js'));
  assert.deepEqual([...new Set(declared)].sort(), exported.sort());
  const usage = readFileSync(`${npm}test/types/usage.ts`, 'utf8');
  for (const name of exported) assert.match(usage, new RegExp(`\\b${name}\\b`), `usage.ts uses ${name}`);
});

test('wasi.d.ts declares exactly the values the wrun/wasi entry exports', async () => {
  const dts = readFileSync(`${npm}src/wasi.d.ts`, 'utf8');
  const declared = [...dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)].map((m) => m[1]);
  const reexported = dts.match(/^export \{([^}]*)\} from '\.\/index\.js';/m)[1].split(',').map((s) => s.trim());
  const values = Object.keys(await import('../dist/index.js'));
  const exported = Object.keys(await import('../dist/wasi.js'));
  assert.deepEqual([...declared, ...reexported.filter((n) => values.includes(n))].sort(), exported.sort());
  const usage = readFileSync(`${npm}test/types/usage-wasi.ts`, 'utf8');
  for (const name of exported) assert.match(usage, new RegExp(`\\b${name}\\b`), `usage-wasi.ts uses ${name}`);
});
