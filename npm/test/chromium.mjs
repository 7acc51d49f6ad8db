// Chromium for the browser tests: the system build (/usr/bin/chromium) through playwright-core,
// headless, offline (every request that is not to our 127.0.0.1 server is aborted).
import { existsSync, mkdirSync } from 'node:fs';
import { REPO } from './helpers.mjs';

export const CHROMIUM = process.env.WRUN_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const ARTIFACTS = `${REPO}target/test-artifacts/`;

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Where screenshots go (created on demand, kept after the run). */
export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}`;
}

/**
 * A page in a fresh context, allowed to reach `origin` only. `page.problems` collects uncaught
 * page errors, console errors and failed requests, so tests can assert there were none.
 */
export async function newPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => {
    // An artefact of the interception above: a .wasm fetch whose body is read through a stream
    // (the package's core and the playground's tools, to report progress; a program given as a
    // Response, read while it compiles) is at times reported as "net::ERR_ABORTED" although
    // every byte arrived and the module runs. Without interception the same request finishes
    // normally. A .wasm that really failed to arrive fails to compile, which the tests see. Any
    // other failure is a problem.
    const path = new URL(r.url()).pathname;
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && path.endsWith('.wasm')) return;
    page.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => { if (r.status() >= 400) page.problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.dispose = () => context.close();
  return page;
}
