// The built playground in Firefox (JSPI) and WebKit (no JSPI: interactive programs on wasmi on the
// page), served without COOP/COEP, as playground.test.mjs drives it in Chromium. Input goes
// through xterm's own `input()` (what a key press ends in), since WebDriver has no common way to
// type into the terminal: tools, pipes, the Rhai REPL, Ctrl-C on a busy loop, and files kept across
// a reload.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../npm/test/serve.mjs';
import { haveFirefox, haveWebKit, launchFirefox, launchWebKit } from '../../npm/test/browsers.mjs';
import { LOOP, REPO } from '../../npm/test/helpers.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${DIST}index.html`) && existsSync(`${DIST}bin/rg.wasm`);
const T = { timeout: 180_000 };

/** In the page: waits for the shell to be at its prompt. */
async function atPrompt() {
  const t0 = Date.now();
  for (;;) {
    const s = window.playground?.shell;
    if (document.body.dataset.ready === '1' && s?.editor.active && !s.foreground) return;
    if (Date.now() - t0 > 60_000) throw new Error(`no prompt: ${window.playground?.terminal.text().slice(-400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** In the page: types `keys` into the terminal; with `wait`, returns what printed before the next prompt. */
async function type(keys, wait) {
  const pg = window.playground;
  const idle = () => pg.shell.editor.active && !pg.shell.foreground;
  pg.terminal.term.input(keys);
  if (!wait) return null;
  await new Promise((r) => setTimeout(r, 30));
  const t0 = Date.now();
  // Idle, and the next prompt drawn: the terminal writes what it is given in order, so by then
  // the command's output is on the screen too (WebKit sometimes reports idle first).
  const prompted = () => /\$ $/.test(pg.terminal.text().split('\n').at(-1));
  while (!idle() || !prompted()) {
    if (Date.now() - t0 > 60_000) throw new Error(`still running: ${pg.terminal.text().slice(-400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // What printed between the line the command was typed on and the new prompt (found by its
  // text: the prompt before it may have been drawn a moment after the shell was ready).
  const command = keys.replace(/\r$/, '');
  const lines = pg.terminal.text().split('\n');
  let at = lines.length - 2;
  while (at >= 0 && !lines[at].endsWith(command)) at--;
  return lines.slice(at + 1, -1).join('\n');
}

/** In the page: waits until the screen matches `source`. */
async function screenHas(source) {
  const t0 = Date.now();
  while (!new RegExp(source).test(window.playground.terminal.text())) {
    if (Date.now() - t0 > 60_000) throw new Error(`not on screen: ${source}\n${window.playground.terminal.text().slice(-400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const [name, launch, available, jspi] of [
  ['Firefox', launchFirefox, haveFirefox, true],
  ['WebKit', launchWebKit, haveWebKit, false],
]) {
  const skip = !available ? `${name} is not installed (scripts/setup.sh installs it)`
    : !built ? 'the playground is not built: ./scripts/playground.sh --build-only' : false;
  describe(`the playground in ${name}`, { skip }, () => {
    let server;
    let browser;
    let page;
    // Each test's commands run in the page; the helpers go along as source.
    const inPage = (body, ...args) => page.evaluate(
      new Function('args', `const atPrompt = ${atPrompt}; const type = ${type}; const screenHas = ${screenHas};
        return (async () => { ${body} })();`), args);
    before(async () => {
      server = await serve(DIST);
      browser = await launch();
      page = await browser.open(`${server.url}/`);
      await page.evaluate(atPrompt);
    });
    after(async () => {
      await page?.close();
      await browser?.close();
      await server?.close();
    });

    test('tools from /bin, a pipe, $? and a script', T, async () => {
      const r = await inPage(`
        await atPrompt();
        return { ls: await type('ls /bin\\r', true), pipe: await type('echo hello world | rg -o wor\\r', true),
          status: await type('echo $?\\r', true), script: await type('rhai-run hello.rhai\\r', true) };`);
      assert.match(r.ls, /\brg\b/);
      assert.equal(r.pipe, 'wor');
      assert.equal(r.status, '0');
      assert.equal(r.script, 'hello, wasm!\nhello, wasi!\nhello, wrun!');
    });

    test(`the Rhai REPL: a conversation on stdin, then Ctrl-D (${jspi ? 'JSPI, in a worker' : 'no JSPI: wasmi on the page'})`, T, async () => {
      const r = await inPage(`
        await atPrompt();
        type('rhai-repl\\r');
        await screenHas('rhai> $');
        const engine = document.getElementById('engine').textContent;
        type('let x = 40\\r');
        await screenHas('let x = 40\\nrhai> $');
        type('x + 2\\r');
        await screenHas('x \\\\+ 2\\n42\\nrhai> $');
        await type('\\x04', false);
        await atPrompt();
        return { engine, status: await type('echo $?\\r', true) };`);
      assert.equal(r.status, '0');
      assert.match(r.engine, jspi ? /JSPI, in a worker/ : /wasmi/);
    });

    test('Ctrl-C stops a busy loop and the prompt works again', T, async () => {
      const r = await inPage(`
        await atPrompt();
        const input = document.getElementById('upload-input');
        const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(args[0])], 'loop.wasm', { type: 'application/wasm' }));
        input.files = files.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        await screenHas('uploaded loop\\\\.wasm');
        await atPrompt();
        type('./loop.wasm\\r');
        await new Promise((res) => setTimeout(res, 500));
        const running = !!window.playground.shell.foreground;
        const t0 = Date.now();
        type('\\x03');
        await atPrompt();
        return { running, stopMs: Date.now() - t0, status: await type('echo $?\\r', true) };`, LOOP);
      assert.equal(r.running, true, 'the loop ran');
      assert.ok(r.stopMs < 2000, `Ctrl-C took ${r.stopMs} ms`);
      assert.equal(r.status, '130');
    });

    test('line editing: history with the up arrow, tab completion, Ctrl-U', T, async () => {
      const r = await inPage(`
        await atPrompt();
        const one = await type('echo one\\r', true);
        type('\\x1b[A\\r');
        await screenHas('echo one\\none\\n.*echo one\\none');
        await atPrompt();
        type('ech\\t');
        await screenHas('echo $');
        type('two\\r');
        await screenHas('echo two\\ntwo');
        await atPrompt();
        type('echo wrong\\x15echo right\\r');
        await screenHas('\\nright\\n');
        await atPrompt();
        return one;`);
      assert.equal(r, 'one');
    });

    test('upload through the input, export-home as a download, import-home from it', T, async () => {
      const r = await inPage(`
        await atPrompt();
        const choose = (id, file) => {
          const picked = new DataTransfer();
          picked.items.add(file);
          const input = document.getElementById(id);
          input.files = picked.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        };
        choose('upload-input', new File([args[0]], 'data.csv', { type: 'text/csv' }));
        await screenHas(args[1]);
        await atPrompt();
        const count = await type('rg -c rust data.csv\\r', true);
        await type('echo from ${name} > exported.txt\\r', true);
        // The page offers the tar through a link's click: catch what it links to.
        const click = HTMLAnchorElement.prototype.click;
        const download = new Promise((resolve) => {
          HTMLAnchorElement.prototype.click = function () {
            HTMLAnchorElement.prototype.click = click;
            fetch(this.href).then((res) => res.arrayBuffer()).then((b) => resolve({ name: this.download, bytes: new Uint8Array(b) }));
          };
        });
        document.getElementById('export').click();
        const tar = await download;
        await type('rm exported.txt\\r', true);
        const gone = await type('cat exported.txt\\r', true);
        choose('import-input', new File([tar.bytes], 'home.tar', { type: 'application/x-tar' }));
        await screenHas(args[2]);
        await atPrompt();
        return { count, name: tar.name, tar: Array.from(tar.bytes), gone, back: await type('cat exported.txt\\r', true) };`,
      'name,lang\nrg,rust\nrhai,rust\nxterm,typescript\n', 'uploaded data\\.csv \\(\\d+ bytes\\)', 'imported \\d+ entries from home\\.tar');
      assert.equal(r.count, '2');
      assert.equal(r.name, 'home.tar');
      assert.match(r.gone, /No such file/);
      assert.equal(r.back, `from ${name}`);
      // The archive is a tar native wrun mounts.
      const wrun = `${REPO}target/release/wrun`;
      if (existsSync(wrun)) {
        const dir = mkdtempSync(join(tmpdir(), 'wrun-playground-'));
        try {
          writeFileSync(join(dir, 'home.tar'), Buffer.from(r.tar));
          const out = execFileSync(wrun, ['--fs', join(dir, 'home.tar'), `${DIST}bin/rg.wasm`, '--no-heading', `from ${name}`, '/home'], { encoding: 'utf8' });
          assert.equal(out, `/home/exported.txt:from ${name}\n`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    });

    test('files written in /home are there after a reload', T, async () => {
      await inPage(`
        await atPrompt();
        await type('echo kept in ${name} > /home/kept.txt\\r', true);
        await window.playground.user.flush?.();
        setTimeout(() => location.reload(), 50);`);
      await new Promise((r) => setTimeout(r, 500));
      await page.evaluate(atPrompt);
      const r = await inPage(`await atPrompt(); return type('cat /home/kept.txt\\r', true);`);
      assert.equal(r, `kept in ${name}`);
    });

    test('the built site works from a subdirectory of a static host', T, async () => {
      const parent = await serve(fileURLToPath(new URL('..', `file://${DIST}`)));
      // The same page goes there (WebKitWebDriver has one session at a time); this test is last.
      await page.goto(`${parent.url}/dist/`);
      try {
        await page.evaluate(atPrompt);
        const r = await page.evaluate(new Function('args', `const atPrompt = ${atPrompt}; const type = ${type};
          return (async () => { await atPrompt(); return type('echo from a subdirectory | rg -o "sub\\\\w+"\\r', true); })();`), []);
        assert.equal(r, 'subdirectory');
      } finally {
        await parent.close();
      }
    });
  });
}
