// The package as users get it: `npm pack`, install the tarball into an empty project (no network:
// the package has no dependencies), and use it by name from Node, types included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, GUESTS } from './helpers.mjs';

test('npm pack → npm install → import "wrun" and require("wrun") run a program; the tarball holds each file once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wrun-pack-'));
  try {
    const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], path.join(REPO, 'npm')))[0];
    const files = packed.files.map((f) => f.path).sort();
    // The public surface only: the bundles, their types, the cores (once each), Node's adapter.
    assert.deepEqual(files, [
      'dist/core/wrun_web_bg.wasm', 'dist/core/wrun_web_full_bg.wasm', 'dist/core/wrun_web_wasi_bg.wasm', 'dist/core/wrun_web_wasmi.js',
      'dist/core/wrun_web_wasmi_bg.wasm',
      'dist/index.cjs', 'dist/index.d.ts', 'dist/index.js', 'dist/path-api.cjs', 'dist/path-api.js',
      'dist/wasi.cjs', 'dist/wasi.d.ts', 'dist/wasi.js', 'dist/worker.js', 'package.json',
    ]);
    console.log(`npm pack: ${packed.filename}, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    npm(['install', '--offline', '--no-package-lock', path.join(dir, packed.filename)], dir);
    const pkg = path.join(dir, 'node_modules/wrun');
    const program = (load) => `
      ${load}
      const { readFileSync } = require('node:fs');
      (async () => {
        const r = await run(readFileSync(${JSON.stringify(`${GUESTS}hello.wasm`)}), { args: ['hello', 'pack ✓'] });
        process.stdout.write(r.stdoutText);
        process.exit(r.exitCode);
      })();`;
    writeFileSync(path.join(dir, 'main.cjs'), program("const { run } = require('wrun');"));
    writeFileSync(path.join(dir, 'main.mjs'), program("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); import { run } from 'wrun';"));
    for (const main of ['main.cjs', 'main.mjs']) {
      assert.equal(execFileSync(process.execPath, [main], { cwd: dir, encoding: 'utf8' }), 'Hello, world!\narg 1: pack ✓\n', main);
    }
    // The WASI polyfill's own entry, both ways.
    const polyfill = (load) => `
      ${load}
      const { readFileSync } = require('node:fs');
      const wasi = new WASI({ args: ['hello', 'wasi ✓'] });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(${JSON.stringify(`${GUESTS}hello.wasm`)})), wasi.getImportObject());
      process.exitCode = wasi.start(instance);`;
    writeFileSync(path.join(dir, 'wasi.cjs'), polyfill("const { WASI } = require('wrun/wasi');"));
    writeFileSync(path.join(dir, 'wasi.mjs'), polyfill("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); import { WASI } from 'wrun/wasi';"));
    for (const main of ['wasi.cjs', 'wasi.mjs']) {
      assert.equal(execFileSync(process.execPath, [main], { cwd: dir, encoding: 'utf8' }), 'Hello, world!\narg 1: wasi ✓\n', main);
    }
    const types = readFileSync(path.join(pkg, 'dist/index.d.ts'), 'utf8');
    assert.match(types, /export declare function run\(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init({ module }) loads the core from where it is given (bytes, a file URL, a compiled module)', () => {
  const core = path.join(REPO, 'npm/dist/core/wrun_web_bg.wasm');
  for (const given of [
    `readFileSync(${JSON.stringify(core)})`,
    `pathToFileURL(${JSON.stringify(core)})`,
    `new WebAssembly.Module(readFileSync(${JSON.stringify(core)}))`,
  ]) {
    const script = `
      import { readFileSync } from 'node:fs';
      import { pathToFileURL } from 'node:url';
      import { init, run } from ${JSON.stringify(path.join(REPO, 'npm/dist/index.js'))};
      const c = await init({ module: ${given} });
      // The browser build was given: it has no Node-fs directories, which the Node build has.
      const r = await run(readFileSync(${JSON.stringify(`${GUESTS}hello.wasm`)}), { args: ['hello', 'x'] });
      process.stdout.write(String(c.SessionBuilder.hasPathApi()) + ' ' + r.stdoutText);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(out, 'false Hello, world!\narg 1: x\n', given);
  }
});
