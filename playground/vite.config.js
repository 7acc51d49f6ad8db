// The playground as a static site: relative asset paths (`base: './'`) so the built folder works
// from any directory of any static host. `import 'wrun'` is this checkout's package source.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * A `<link rel="preload">` for the runtime's core in the built page, so the browser fetches it
 * while it still loads the page's script, instead of after running it: the core's URL is only
 * known once the bundle names it. The package's own fetch of it is then answered by
 * the preload (same URL, CORS mode and credentials).
 */
function preloadCore() {
  return {
    name: 'wrun-preload-core',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const core = Object.keys(ctx.bundle ?? {}).find((f) => /(^|\/)wrun_web_bg-[^/]*\.wasm$/.test(f));
        if (!core) return html;
        return [{ tag: 'link', attrs: { rel: 'preload', href: `./${core}`, as: 'fetch', type: 'application/wasm', crossorigin: '' }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [preloadCore()],
  resolve: {
    alias: [{ find: /^wrun$/, replacement: fileURLToPath(new URL('../npm/src/index.js', import.meta.url)) }],
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { host: '127.0.0.1', port: 8080 },
});
