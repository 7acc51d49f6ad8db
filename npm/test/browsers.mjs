// Firefox and WebKit for the tests, from Debian's packages (nothing downloaded): Firefox ESR over
// WebDriver BiDi with puppeteer-core, WebKitGTK's MiniBrowser over W3C WebDriver (WebKitWebDriver
// under xvfb-run, since MiniBrowser has no headless mode). Both give the same small interface:
//
//   const browser = await launchFirefox();        // or launchWebKit(); null when not installed
//   const page = await browser.open(url);         // waits for the load event (WebKit: one at a time)
//   await page.goto(otherUrl);
//   await page.evaluate((a, b) => ..., a, b);     // an async function run in the page; JSON in/out
//   await page.close(); await browser.close();
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const FIREFOX = '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';

/** MiniBrowser's path, as `dpkg -L libwebkit2gtk-4.1-0` lists it (null when not installed). */
function miniBrowser() {
  const r = spawnSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' });
  return r.stdout?.split('\n').find((l) => l.endsWith('/MiniBrowser')) ?? null;
}

export const haveFirefox = existsSync(FIREFOX);
export const haveWebKit = existsSync(WEBKIT_DRIVER) && existsSync('/usr/bin/xvfb-run') && miniBrowser() !== null;

export async function launchFirefox() {
  if (!haveFirefox) return null;
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  return {
    name: 'firefox',
    async open(url) {
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(url, { waitUntil: 'load' });
      return {
        problems,
        goto: (to) => page.goto(to, { waitUntil: 'load' }),
        evaluate: (fn, ...args) => page.evaluate(fn, ...args),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function launchWebKit() {
  if (!haveWebKit) return null;
  const port = await freePort();
  // Its own process group, so the whole xvfb-run tree can be stopped at the end.
  const driver = spawn('xvfb-run', ['-a', WEBKIT_DRIVER, `--port=${port}`], { detached: true, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await r.json();
    if (json.value?.error) throw new Error(`WebDriver ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  };
  for (let i = 0; ; i++) {
    try {
      await call('GET', '/status');
      break;
    } catch (e) {
      if (i > 100) throw new Error(`WebKitWebDriver did not start: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () => { try { process.kill(-driver.pid, 'SIGTERM'); } catch { /* already gone */ } };
  return {
    name: 'webkit',
    async open(url) {
      const caps = { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] } } } };
      const { sessionId } = await call('POST', '/session', caps);
      const s = `/session/${sessionId}`;
      await call('POST', `${s}/timeouts`, { script: 170_000, pageLoad: 60_000 });
      await call('POST', `${s}/url`, { url });
      return {
        problems: [],
        // One session at a time (WebKitWebDriver's limit): a page goes elsewhere rather than open.
        goto: (to) => call('POST', `${s}/url`, { url: to }),
        async evaluate(fn, ...args) {
          // WebDriver's asynchronous script: the last argument is the callback.
          const script = `const done = arguments[arguments.length - 1];
            (${fn.toString()})(...Array.from(arguments).slice(0, -1)).then(
              (value) => done({ value }), (e) => done({ error: String((e && e.stack) || e) }));`;
          const r = await call('POST', `${s}/execute/async`, { script, args });
          if (r?.error) throw new Error(r.error);
          return r?.value;
        },
        close: () => call('DELETE', s).catch(() => {}),
      };
    },
    async close() {
      stop();
    },
  };
}
