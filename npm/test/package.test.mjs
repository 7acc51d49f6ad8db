// The package as users get it: `npm pack`, install the tarball into an empty project (no network:
// the package has no dependencies), and use it by name from Node, types included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, GUESTS } from './helpers.mjs';

test('npm pack → npm install → import "wrun" runs a program', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wrun-pack-'));
  try {
    const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
    const tarball = npm(['pack', '--pack-destination', dir, '--silent'], path.join(REPO, 'npm')).trim().split('\n').pop();
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    npm(['install', '--offline', '--no-package-lock', path.join(dir, tarball)], dir);
    const pkg = path.join(dir, 'node_modules/wrun');
    for (const f of ['dist/index.js', 'dist/worker.js', 'dist/index.d.ts', 'dist/core/wrun_web_bg.wasm', 'dist/core/wrun_web_wasmi_bg.wasm']) {
      assert.ok(existsSync(path.join(pkg, f)), `the package ships ${f}`);
    }
    writeFileSync(path.join(dir, 'main.mjs'), `
      import { run } from 'wrun';
      import { readFileSync } from 'node:fs';
      const r = await run(readFileSync(${JSON.stringify(`${GUESTS}hello.wasm`)}), { args: ['hello', 'pack ✓'] });
      process.stdout.write(r.stdoutText);
      process.exit(r.exitCode);
    `);
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(out, 'Hello, world!\narg 1: pack ✓\n');
    const types = readFileSync(path.join(pkg, 'dist/index.d.ts'), 'utf8');
    assert.match(types, /export declare function run\(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
