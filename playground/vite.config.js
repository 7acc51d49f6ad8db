// The playground as a static site: relative asset paths (`base: './'`) so the built folder works
// from any directory of any static host. `import 'wrun'` is this checkout's package source.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [{ find: /^wrun$/, replacement: fileURLToPath(new URL('../npm/src/index.js', import.meta.url)) }],
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { host: '127.0.0.1', port: 8080 },
});
