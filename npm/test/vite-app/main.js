// A tiny app using the package as `import ... from 'wrun'` (vite.config.js aliases it to the
// local npm/dist). hello.wasm is served from the public dir, which the test fills.
import { run } from 'wrun';

async function show(id, options) {
  const el = document.getElementById(id);
  try {
    const hello = await fetch(new URL('hello.wasm', document.baseURI));
    const r = await run(hello, { args: ['hello', 'from', 'vite ⚡'], ...options });
    el.textContent = r.stdoutText;
  } catch (e) {
    el.textContent = `error: ${e.kind ?? e.name}: ${e.message}`;
  }
}

export async function main() {
  await show('out', {});
  await show('out-worker', { worker: true });
  await show('out-wasmi', { engine: 'wasmi' });
  document.body.dataset.done = '1';
}

// `node --test test/` also imports every module under test/, this one included: only run in a page.
if (typeof document !== 'undefined') main();
