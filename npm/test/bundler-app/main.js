// A tiny app using the package as `import ... from 'wrun'`, built by webpack 5 and by esbuild
// (browser-bundlers.test.mjs). With `?cdn=PATH` it loads the core and the wasmi add-on from PATH
// through init({ module, wasmiModule }), as a page taking them from a CDN would.
import { init, run } from 'wrun';

async function show(id, options) {
  const el = document.getElementById(id);
  try {
    const hello = await fetch(new URL('hello.wasm', document.baseURI));
    const r = await run(hello, { args: ['hello', 'from', 'a bundle ⚡'], ...options });
    el.textContent = r.stdoutText;
  } catch (e) {
    el.textContent = `error: ${e.kind ?? e.name}: ${e.message}`;
  }
}

async function main() {
  const cdn = new URLSearchParams(location.search).get('cdn');
  if (cdn) await init({ module: `${cdn}/wrun_web_bg.wasm`, wasmiModule: `${cdn}/wrun_web_wasmi_bg.wasm` });
  await show('out', {});
  await show('out-worker', { worker: true });
  await show('out-wasmi', { engine: 'wasmi' });
  document.body.dataset.done = '1';
}

if (typeof document !== 'undefined') main();
