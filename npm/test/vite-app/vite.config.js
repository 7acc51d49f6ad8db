// `import 'wrun'` resolves to this checkout's package source, without installing it.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [{ find: /^wrun$/, replacement: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) }],
  },
});
