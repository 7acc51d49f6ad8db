// The built playground (playground/dist, from ./scripts/playground.sh --build-only) in Chromium,
// served without COOP/COEP, driven with the keyboard as a person would type.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../npm/test/serve.mjs';
import { launch, newPage, artifact, haveChromium } from '../../npm/test/chromium.mjs';
import { LOOP, REPO, WRITES_THEN_LOOPS, wat } from '../../npm/test/helpers.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TOOLS = ['rg.wasm', 'rhai-repl.wasm', 'rhai-run.wasm', 'index.json'];
const built = existsSync(`${DIST}index.html`) && TOOLS.every((t) => existsSync(`${DIST}bin/${t}`));
const skip = !haveChromium ? 'no Chromium at /usr/bin/chromium'
  : !built ? `the playground is not built with its tools (${DIST}bin/): run ./scripts/playground.sh --build-only` : false;
const hasCoreutils = existsSync(`${DIST}bin/coreutils.wasm`);
const hasPython = existsSync(`${DIST}bin/python.wasm`);
const T = { timeout: 90_000 };

/** (module (func (export "_start") unreachable)) */
const TRAP = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114, 116, 0, 0,
  10, 5, 1, 3, 0, 0, 11];

describe('the playground in Chromium', { skip }, () => {
  let server;
  let browser;
  before(async () => {
    server = await serve(DIST);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Uncaught errors, console errors and failed requests (see newPage in npm/test/chromium.mjs). */
  const problems = (page) => page.problems;

  /** A fresh page (fresh storage) with the shell at its prompt. */
  async function open({ origin = server.url, path = '/', noJSPI = false } = {}) {
    const page = await newPage(browser, origin);
    page.wasmRequests = [];
    page.coreRequests = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm') && r.url().includes('/bin/')) page.wasmRequests.push(new URL(r.url()).pathname);
      if (/\/wrun_web_bg-[^/]*\.wasm$/.test(r.url())) page.coreRequests++;
    });
    // A browser without JSPI (Safari and Firefox before they ship it), as far as the page can tell.
    if (noJSPI) await page.addInitScript(() => { delete WebAssembly.Suspending; delete WebAssembly.promising; });
    await page.goto(`${origin}${path}`);
    await ready(page);
    return page;
  }

  async function ready(page) {
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 30_000 });
    await idle(page);
    await page.click('#terminal');
  }

  const screen = (page) => page.evaluate(() => window.playground.terminal.text());
  const idle = (page, timeout = 30_000) => page.waitForFunction(() => {
    const s = window.playground?.shell;
    return s && s.editor.active && !s.foreground;
  }, null, { timeout });
  const screenHas = (page, pattern, timeout = 30_000) => page.waitForFunction(
    ([source, flags]) => new RegExp(source, flags).test(window.playground.terminal.text()),
    [pattern.source, pattern.flags], { timeout });

  /** Types a command, waits for the next prompt, and returns the lines printed in between. */
  async function run(page, line, { timeout } = {}) {
    const before = (await screen(page)).split('\n').length;
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(30);
    await idle(page, timeout);
    const lines = (await screen(page)).split('\n');
    return lines.slice(before, -1).join('\n');
  }

  /** The foreground colour (palette index) of the first cell of the line containing `text`. */
  const colourOf = (page, text) => page.evaluate((t) => {
    const b = window.playground.terminal.term.buffer.active;
    for (let i = b.length - 1; i >= 0; i--) {
      const line = b.getLine(i);
      if (line.translateToString(true).includes(t)) return line.getCell(0).getFgColor();
    }
    return null;
  }, text);

  test('ls /bin lists the bundled tools; help and the status bar name the engine', T, async () => {
    const page = await open();
    const ls = await run(page, 'ls -1 /bin');
    for (const t of ['rg.wasm', 'rhai-repl.wasm', 'rhai-run.wasm']) assert.match(ls, new RegExp(`^${t.replace('.', '\\.')}$`, 'm'));
    if (hasCoreutils) assert.match(ls, /^coreutils\.wasm$/m);
    assert.deepEqual(page.wasmRequests, [], 'listing /bin downloads nothing');
    const help = await run(page, 'help');
    assert.match(help, /Engine: browser engine with JSPI, in a worker/);
    assert.match(await page.textContent('#engine'), /JSPI/);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    // The runtime's download was shown with a percentage that reached 100%.
    const log = await page.evaluate(() => window.playground.status.log);
    const runtime = log.filter((l) => l.startsWith('loading the wrun runtime: '));
    assert.ok(runtime.length >= 1, `no runtime progress in ${JSON.stringify(log)}`);
    assert.match(runtime.at(-1), /^loading the wrun runtime: (\d+) KiB of \1 KiB \[100%\]$/);
    // The page preloads the core (vite.config.js) and the package's own fetch is answered by it.
    assert.match(await page.content(), /<link rel="preload" href="\.\/assets\/wrun_web_bg-[^"]*\.wasm" as="fetch"/);
    assert.equal(page.coreRequests, 1, 'the core is fetched once');
    await run(page, 'ls /bin');
    await page.screenshot({ path: artifact('playground-help.png') });
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('rg searches a file; the tool is fetched once, on first use', T, async () => {
    const page = await open();
    await run(page, "echo 'a needle in a haystack' > hay.txt");
    const out = await run(page, 'rg -n needle hay.txt');
    assert.equal(out, '1:a needle in a haystack');
    assert.equal(await run(page, 'rg -c hay hay.txt notes.txt | rg -c :'), '1');
    // No path: rg searches the current directory (preopened as "."), with colours on the tty.
    assert.match(await run(page, 'rg haystack'), /hay\.txt/);
    assert.deepEqual(page.wasmRequests, ['/bin/rg.wasm']);
    const log = await page.evaluate(() => window.playground.status.log);
    assert.ok(log.some((l) => /^rg\.wasm: [\d.]+ MB of [\d.]+ MB \[100%\]$/.test(l)), `no rg download progress in ${JSON.stringify(log)}`);
    assert.match(await page.textContent('#status-text'), /rg exited with 0/);
    await page.screenshot({ path: artifact('playground-rg.png') });
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('pipes (builtins and programs), $? and && / ||', T, async () => {
    const page = await open();
    assert.equal(await run(page, 'echo hello world | rg world'), 'hello world');
    assert.equal(await run(page, 'echo hello world | rg nothing; echo status=$?'), 'status=1');
    assert.equal(await run(page, 'echo one two | rg -o "t\\w+" | cat'), 'two');
    assert.equal(await run(page, 'false || echo "fell back"'), 'fell back');
    assert.equal(await run(page, 'X=quoted; echo "$X" \'$X\''), 'quoted $X');
    if (hasCoreutils) assert.equal((await run(page, 'printf "b\\na\\nb\\n" | sort | uniq -c')).replace(/ +/g, ' ').trim(), '1 a\n 2 b');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('pipelines run at once through bounded pipes: yes | head, a long stream in bounded memory, 2>&1 |', { timeout: 120_000, skip: !hasCoreutils && 'coreutils not built' }, async () => {
    const page = await open();
    await run(page, 'echo warm | tr a-z A-Z'); // fetches coreutils, compiles it once
    // The reader ends: the writer's next write fails (EPIPE), `yes` ends quietly, all within a second.
    let t0 = Date.now();
    assert.equal(await run(page, 'yes | head -n 2'), 'y\ny');
    const yesMs = Date.now() - t0;
    assert.ok(yesMs < 1000, `yes | head -n 2 took ${yesMs} ms`);
    assert.equal(await run(page, 'echo $?'), '0');
    // A stream through a pipe holds a bounded part of it, never the stream: the renderer's
    // memory (the page's JS heap and every ArrayBuffer, the workers' memories included), sampled
    // after a collection while it runs, peaks no higher for 4x the data (168.9 MB vs 38.9 MB).
    const cdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const u = await cdp.send('Runtime.getHeapUsage');
      return u.usedSize + (u.backingStorageSize ?? 0);
    };
    const peakOf = async (n) => {
      const base = await heap();
      let peak = base;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, await heap());
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const started = Date.now();
      assert.equal(await run(page, `seq 1 ${n} | tail -n 1`, { timeout: 60_000 }), String(n));
      const ms = Date.now() - started;
      sampling = false;
      await sampler;
      const grew = (peak - base) / 2 ** 20;
      console.log(`seq 1 ${n} | tail -n 1: ${ms} ms, peak +${grew.toFixed(1)} MiB over ${(base / 2 ** 20).toFixed(1)} MiB`);
      return grew;
    };
    const small = await peakOf(5_000_000);
    const big = await peakOf(20_000_000);
    assert.ok(big - small < 16, `4x the data took ${(big - small).toFixed(1)} MiB more at the peak (${small.toFixed(1)} → ${big.toFixed(1)} MiB)`);
    // Two programs' memories (about 20 MiB here) and the chunks on their way, not the stream.
    assert.ok(big < 64, `the renderer held ${big.toFixed(1)} MiB more while 168.9 MB went through`);
    // The builtin cat writes into a pipe at its reader's pace too: 80 MiB, none of it dropped.
    await page.evaluate(() => window.playground.user.writeFile('/home/big.txt', new Uint8Array(40 << 20).fill(97)));
    assert.equal(await run(page, 'cat big.txt big.txt | wc -c', { timeout: 60_000 }), String(80 << 20));
    assert.equal(await run(page, 'rm big.txt'), '');
    // stderr into the pipe too.
    assert.equal(await run(page, 'ls /nowhere 2>&1 | tr a-z A-Z'), "LS: CANNOT ACCESS '/NOWHERE': NO SUCH FILE OR DIRECTORY");
    // Ctrl-C stops every stage of a pipeline.
    await page.keyboard.type('yes | cat > /dev/null');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
    t0 = Date.now();
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.ok(Date.now() - t0 < 1500, 'Ctrl-C was slow');
    assert.equal(await run(page, 'echo $?'), '130');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('jobs: cmd &, jobs, wait, fg; command substitution', { timeout: 120_000, skip: !hasCoreutils && 'coreutils not built' }, async () => {
    const page = await open();
    assert.equal(await run(page, 'echo $(echo hi | tr a-z A-Z)'), 'HI');
    assert.equal(await run(page, 'X="$(printf "a\\nb\\n\\n")"; echo "[$X]"'), '[a\nb]');
    assert.equal(await run(page, 'echo $(echo one; echo two) three'), 'one two three');
    assert.equal(await run(page, 'sleep 2 &'), '[1]');
    assert.match(await run(page, 'jobs'), /^\[1\] +Running +sleep 2$/);
    const t0 = Date.now();
    // The job's end is reported before the next prompt, as bash does.
    assert.match(await run(page, 'wait'), /^\[1\] +Done +sleep 2$/);
    assert.ok(Date.now() - t0 > 800, 'wait returned before the job ended');
    assert.equal(await run(page, 'echo after'), 'after');
    assert.equal(await run(page, 'jobs'), '');
    // fg brings a job to the foreground; Ctrl-C then stops it (and only it).
    assert.equal(await run(page, 'sleep 30 &'), '[1]');
    await page.keyboard.type('fg %1');
    await page.keyboard.press('Enter');
    await screenHas(page, /fg %1\nsleep 30$/m);
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.equal(await run(page, 'echo $?'), '130');
    assert.equal(await run(page, 'jobs'), '');
    // Ctrl-C during a foreground command leaves a background job running.
    await run(page, 'sleep 3 &');
    await page.keyboard.type('yes > /dev/null');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    const stopAt = Date.now();
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.ok(Date.now() - stopAt < 1500, 'Ctrl-C was slow');
    assert.equal(await run(page, 'echo $?'), '130');
    assert.match(await run(page, 'jobs'), /^\[1\] +Running +sleep 3$/);
    assert.match(await run(page, 'wait %1; echo $?'), /^0\n\[1\] +Done +sleep 3$/);
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('share links: a fresh page writes the shared file, shows the command, then runs it', T, async () => {
    const page = await open();
    await run(page, "echo 'a shared needle' > s.txt");
    const out = await run(page, "share -f s.txt 'rg -n needle s.txt && echo \"done: $?\"'");
    const link = out.split('\n')[0];
    assert.match(link, new RegExp(`^${server.url}/#run=[\\w-]+$`));
    await page.dispose();
    // A fresh page (fresh storage: the file can only come from the link).
    const other = await newPage(browser, server.url);
    await other.goto(link);
    await other.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 30_000 });
    await screenHas(other, /shared \$ rg -n needle s\.txt && echo "done: \$\?"\n1:a shared needle\ndone: 0\n/);
    await idle(other);
    assert.equal(await other.evaluate(() => location.hash), '', 'the link runs once: a reload does not run it again');
    assert.equal(await run(other, 'pwd'), '/tmp/shared');
    // A damaged link says so, and the shell works.
    await other.goto('about:blank'); // else only the fragment changes, and the page stays
    await other.goto(`${server.url}/#run=not-a-link`);
    await ready(other);
    assert.match(await screen(other), /this share link is damaged/);
    assert.equal(await run(other, 'echo ok'), 'ok');
    assert.deepEqual(problems(other), []);
    await other.dispose();
  });

  test('redirections: > then cat, >>, < into a program, 2>', T, async () => {
    const page = await open();
    assert.equal(await run(page, 'echo hi > f.txt'), '');
    assert.equal(await run(page, 'cat f.txt'), 'hi');
    await run(page, 'echo there >> f.txt');
    assert.equal(await run(page, 'cat f.txt'), 'hi\nthere');
    assert.equal(await run(page, 'rg -c h < f.txt'), '2');
    assert.equal(await run(page, 'rg --nope 2> err.txt; echo $?'), '2');
    assert.match(await run(page, 'cat err.txt'), /unrecognized flag --nope/);
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('the Rhai REPL: a two-turn conversation on stdin, then Ctrl-D', T, async () => {
    const page = await open();
    await page.keyboard.type('rhai-repl');
    await page.keyboard.press('Enter');
    await screenHas(page, /rhai> $/);
    assert.match(await page.textContent('#status-text'), /running rhai-repl \(Ctrl-C stops it\)/);
    assert.equal(await page.textContent('#engine'), 'engine: browser engine with JSPI, in a worker');
    await page.keyboard.type('let x = 40');
    await page.keyboard.press('Enter');
    await screenHas(page, /let x = 40\nrhai> $/);
    await page.keyboard.type('x + 2');
    await page.keyboard.press('Enter');
    await screenHas(page, /x \+ 2\n42\nrhai> $/);
    // Line editing works inside the program's input too (cooked mode): fix a typo before Enter.
    await page.keyboard.type('x * 3O');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('0');
    await page.keyboard.press('Enter');
    await screenHas(page, /\n1200\nrhai> $/);
    await page.screenshot({ path: artifact('playground-repl.png') });
    await page.keyboard.press('Control+d');
    await idle(page);
    assert.equal(await run(page, 'echo $?'), '0');
    assert.equal(await run(page, 'rhai-run hello.rhai'), 'hello, wasm!\nhello, wasi!\nhello, wrun!');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('Ctrl-C stops an infinite loop at once and the prompt works again', T, async () => {
    const page = await open();
    await page.setInputFiles('#upload-input', { name: 'loop.wasm', mimeType: 'application/wasm', buffer: Buffer.from(LOOP) });
    await screenHas(page, /uploaded loop\.wasm \(\d+ bytes\)/);
    await page.keyboard.type('./loop.wasm');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.busy === '1');
    await page.waitForTimeout(500);
    // The page still answers while the loop spins (it runs in a worker).
    const t0 = Date.now();
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    assert.ok(Date.now() - t0 < 500, 'the page answered late');
    assert.equal(await page.evaluate(() => !!window.playground.shell.foreground), true, 'the loop is still running');
    const t1 = Date.now();
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    const stopMs = Date.now() - t1;
    assert.ok(stopMs < 1500, `Ctrl-C took ${stopMs} ms`);
    assert.match(await screen(page), /\.\/loop\.wasm\n\^C\n/);
    assert.equal(await run(page, 'echo $?'), '130');
    // Ctrl-C also ends a program that waits for input, and the REPL starts again afterwards.
    await page.keyboard.type('rhai-repl');
    await page.keyboard.press('Enter');
    await screenHas(page, /rhai> $/);
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.equal(await run(page, 'echo alive'), 'alive');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('one live tree: Ctrl-C keeps what a program wrote, programs see /bin, and a second tab is read-only', T, async () => {
    const page = await open();
    // A program that writes /kept.txt (its first preopen is /), closes it, then spins.
    await page.setInputFiles('#upload-input', { name: 'writer.wasm', mimeType: 'application/wasm', buffer: Buffer.from(await wat(WRITES_THEN_LOOPS)) });
    await screenHas(page, /uploaded writer\.wasm/);
    await page.keyboard.type('./writer.wasm');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.playground.user.exists('/kept.txt') && window.playground.user.stat('/kept.txt').size > 0);
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.equal(await run(page, 'cat /kept.txt'), 'written before the kill');
    // /bin is there for programs too (rg lists it, itself included).
    assert.match(await run(page, 'rg --files /bin'), /^\/bin\/rg\.wasm$/m);
    // Saved after the command: a reload finds the file.
    await page.evaluate(() => window.playground.user.flush());
    // A second tab of the same site: read-only, and it says so.
    const second = await page.context().newPage();
    const errors = [];
    second.on('pageerror', (e) => errors.push(String(e)));
    await second.goto(page.url());
    await ready(second);
    assert.match(await screen(second), /read-only: the playground is open in another tab/);
    assert.equal(await run(second, 'cat /kept.txt'), 'written before the kill');
    assert.match(await run(second, 'echo no > /home/refused.txt'), /Read-only file system/);
    // The first tab closes: the second can write, and says so.
    await page.close();
    await screenHas(second, /the other tab closed: files here can be changed again/);
    await idle(second);
    assert.equal(await run(second, 'echo yes > /home/taken.txt; cat /home/taken.txt'), 'yes');
    assert.deepEqual(errors, []);
    await second.close();
    await page.dispose();
  });

  test('python: the REPL (a block, input() from the keyboard, Ctrl-D), a script on /home files, Ctrl-C on a busy loop', { timeout: 240_000, skip: !hasPython && 'python.wasm not built (CPython could not be fetched)' }, async () => {
    const page = await open();
    const type = async (text) => { await page.keyboard.type(text); await page.keyboard.press('Enter'); };
    await type('python');
    // The first use fetches 26 MB (checked against its SHA-256) and compiles it.
    await screenHas(page, /Python 3\.12\.0[^\n]*\n[\s\S]*>>> $/, 180_000);
    await type('x = 6');
    await screenHas(page, /x = 6\n>>> $/);
    await type('def f(n):');
    await screenHas(page, /def f\(n\):\n\.\.\. $/);
    await type('    return n * n');
    await screenHas(page, /return n \* n\n\.\.\. $/);
    await type('');
    await screenHas(page, /\.\.\.\s*\n>>> $/);
    await type('f(x)');
    await screenHas(page, /f\(x\)\n36\n>>> $/);
    await type("input('name? ')");
    await screenHas(page, /name\? $/);
    await type('wrun');
    await screenHas(page, /name\? wrun\n'wrun'\n>>> $/);
    await page.keyboard.press('Control+d');
    await idle(page, 10_000);
    assert.equal(await run(page, 'echo $?'), '0');
    // A script that reads and writes files in /home.
    await page.evaluate(() => window.playground.user.writeFile('/home/s.py', "text = open('/home/notes.txt').read()\nopen('/home/upper.txt', 'w').write(text.upper())\nprint('words:', len(text.split()))\n"));
    assert.match(await run(page, 'python /home/s.py', { timeout: 60_000 }), /^words: \d+$/);
    assert.match(await run(page, 'cat /home/upper.txt'), /^EVERYTHING IN \/HOME STAYS/);
    // WASI has no signals: Ctrl-C ends the interpreter, and the shell goes on.
    await type("python3 -c 'while True: pass'");
    await page.waitForTimeout(2000);
    assert.equal(await page.evaluate(() => !!window.playground.shell.foreground), true, 'the loop is running');
    const t0 = Date.now();
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.ok(Date.now() - t0 < 1500, `Ctrl-C took ${Date.now() - t0} ms`);
    assert.equal(await run(page, 'echo $?'), '130');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('errors are one red line and the shell carries on: unknown command, trap, not wasm', T, async () => {
    const page = await open();
    assert.equal(await run(page, 'nosuchcommand --flag'), 'nosuchcommand: command not found (try `help` or `ls /bin`)');
    assert.equal(await colourOf(page, 'nosuchcommand: command not found'), 1, 'red');
    await page.setInputFiles('#upload-input', { name: 'trap.wasm', mimeType: 'application/wasm', buffer: Buffer.from(TRAP) });
    await screenHas(page, /uploaded trap\.wasm/);
    assert.equal(await run(page, 'trap.wasm'), 'trap.wasm: the program trapped: unreachable');
    assert.equal(await colourOf(page, 'trap.wasm: the program trapped'), 1, 'red');
    assert.equal(await run(page, 'echo $?'), '134');
    assert.equal(await run(page, './notes.txt'), './notes.txt: not a WebAssembly program');
    assert.equal(await run(page, "echo 'unterminated"), "shell: unterminated ' quote");
    assert.equal(await run(page, 'cat missing.txt'), 'cat: missing.txt: No such file or directory');
    await page.screenshot({ path: artifact('playground-errors.png') });
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('files persist across a reload; builtins mkdir, cd, cp, mv, rm -r', T, async () => {
    const page = await open();
    await run(page, 'mkdir -p work/deep && cd work');
    assert.equal(await run(page, 'pwd'), '/home/work');
    await run(page, 'echo "kept across reloads" > keep.txt && cp keep.txt deep/copy.txt && mv deep/copy.txt deep/moved.txt');
    assert.equal(await run(page, 'ls deep'), 'moved.txt');
    await page.reload();
    await ready(page);
    assert.equal(await run(page, 'cat work/keep.txt work/deep/moved.txt'), 'kept across reloads\nkept across reloads');
    assert.equal(await run(page, 'ls /tmp'), '');
    await run(page, 'rm -r work');
    assert.match(await run(page, 'ls'), /^hello\.rhai\s+notes\.txt$/);
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('upload a file with the button, then run tools on it', T, async () => {
    const page = await open();
    const csv = 'name,lang\nrg,rust\nrhai,rust\nxterm,typescript\n';
    await page.setInputFiles('#upload-input', { name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await screenHas(page, /uploaded data\.csv \(\d+ bytes\) to \/home/);
    assert.equal(await run(page, 'rg -c rust data.csv'), '2');
    if (hasCoreutils) assert.equal((await run(page, 'wc -l data.csv')).trim(), '4 data.csv');
    // Dropping files on the page does the same.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped rust\n'], 'dropped.txt', { type: 'text/plain' }));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    });
    await screenHas(page, /uploaded dropped\.txt \(13 bytes\)/);
    assert.equal(await run(page, 'rg -c rust dropped.txt data.csv'), 'dropped.txt:1\ndata.csv:2');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('export-home gives a tar that native wrun mounts; import-home brings it back', T, async () => {
    const page = await open();
    await run(page, 'echo "from the browser" > exported.txt');
    const [download] = await Promise.all([page.waitForEvent('download'), run(page, 'export-home')]);
    const dir = mkdtempSync(join(tmpdir(), 'wrun-playground-'));
    try {
      const tar = join(dir, 'home.tar');
      await download.saveAs(tar);
      const wrun = `${REPO}target/release/wrun`;
      if (existsSync(wrun)) {
        const out = execFileSync(wrun, ['--fs', tar, `${DIST}bin/rg.wasm`, '--no-heading', 'browser', '/home'], { encoding: 'utf8' });
        assert.match(out, /\/home\/exported\.txt:from the browser/);
      }
      await run(page, 'rm exported.txt');
      await page.setInputFiles('#import-input', { name: 'home.tar', mimeType: 'application/x-tar', buffer: readFileSync(tar) });
      await screenHas(page, /imported \d+ entries from home\.tar/);
      assert.equal(await run(page, 'cat exported.txt'), 'from the browser');
      // A download builtin for single files.
      const [one] = await Promise.all([page.waitForEvent('download'), run(page, 'download notes.txt')]);
      assert.equal(one.suggestedFilename(), 'notes.txt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('without JSPI: programs run on wasmi on the page, on the live files; Ctrl-C stops a loop and keeps what it wrote', T, async () => {
    const page = await open({ noJSPI: true });
    assert.match(await page.textContent('#engine'), /^engine: wasmi/);
    await page.keyboard.type('rhai-repl');
    await page.keyboard.press('Enter');
    await screenHas(page, /rhai> $/);
    await page.keyboard.type('let x = 40');
    await page.keyboard.press('Enter');
    await screenHas(page, /let x = 40\nrhai> $/);
    await page.keyboard.type('x + 2');
    await page.keyboard.press('Enter');
    await screenHas(page, /x \+ 2\n42\nrhai> $/);
    await page.keyboard.press('Control+d');
    await idle(page);
    // A pipe, and programs that see /bin (the live trees: nothing copied).
    assert.equal(await run(page, 'echo hello world | rg world'), 'hello world');
    assert.match(await run(page, 'ls /bin | rg -c rg'), /^[1-9]\d*$/);
    assert.equal(await page.textContent('#engine'), 'engine: wasmi (no JSPI in this browser; stopped between fuel slices)');
    // Writes /kept.txt, closes it, then spins.
    await page.setInputFiles('#upload-input', { name: 'writer.wasm', mimeType: 'application/wasm', buffer: Buffer.from(await wat(WRITES_THEN_LOOPS)) });
    await screenHas(page, /uploaded writer\.wasm/);
    await page.keyboard.type('writer.wasm');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.playground.user.exists('/kept.txt') && window.playground.user.stat('/kept.txt').size > 0);
    await page.waitForTimeout(300);
    const t0 = Date.now();
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    assert.ok(Date.now() - t0 < 500, 'the page answered late: wasmi must yield between fuel slices');
    await page.keyboard.press('Control+c');
    await idle(page, 2000);
    assert.equal(await run(page, 'echo $?'), '130');
    assert.equal(await run(page, 'cat /kept.txt'), 'written before the kill');
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });

  test('the built site works from a subdirectory of a static host', T, async () => {
    const parent = await serve(fileURLToPath(new URL('..', `file://${DIST}`)));
    try {
      const page = await open({ origin: parent.url, path: '/dist/' });
      assert.equal(await run(page, 'echo from a subdirectory | rg -o "sub\\w+"'), 'subdirectory');
      assert.deepEqual(page.wasmRequests, ['/dist/bin/rg.wasm']);
      assert.deepEqual(problems(page), []);
      await page.dispose();
    } finally {
      await parent.close();
    }
  });

  test('line editing, history, tab completion, clear, and resizing with the window', T, async () => {
    const page = await open();
    await page.keyboard.type('echo world');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('hello ');
    await page.keyboard.press('Enter');
    await idle(page);
    assert.match(await screen(page), /\nhello world\n/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.type('history #');
    assert.equal(await page.evaluate(() => window.playground.shell.editor.line), 'history # hello world');
    assert.match(await run(page, ''), /^ +1 {2}echo hello world\n +2 {2}history # hello world$/);
    // Completion: a command, then a path.
    await page.keyboard.type('rhai-re');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => window.playground.shell.editor.line), 'rhai-repl ');
    await page.keyboard.press('Control+u');
    await page.keyboard.type('cat no');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => window.playground.shell.editor.line), 'cat notes.txt ');
    await page.keyboard.press('Control+c');
    await idle(page);
    await run(page, 'clear');
    assert.equal(await screen(page), '~ $ ');
    const cols = await page.evaluate(() => window.playground.terminal.columns());
    await page.setViewportSize({ width: 600, height: 400 });
    await page.waitForFunction((c) => window.playground.terminal.columns() < c, cols);
    assert.deepEqual(problems(page), []);
    await page.dispose();
  });
});
