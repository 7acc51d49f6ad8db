// A tiny read-only static file server for the browser tests: binds 127.0.0.1 on a free port and
// serves one directory (the repository root by default). It deliberately sends no
// Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy headers, so pages are NOT
// cross-origin isolated (no SharedArrayBuffer): the package must work there.
//
//   const server = await serve();            // or serve('/some/dir')
//   page.goto(`${server.url}/npm/test/pages/hello.html`); ... await server.close();
//
// Run directly (`node test/serve.mjs [dir]`) to browse the test pages by hand, e.g.
// http://127.0.0.1:PORT/npm/test/pages/repl.html
import { createServer } from 'node:http';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.stdout': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.tar': 'application/x-tar',
};

/** Starts serving `root` (on `port`, or a free one); resolves with `{ url, port, close() }`. */
/**
 * The bytes a page received in `response` (Playwright's), served from `root`. A body the page
 * read as a stream (the package's core loader does, to report progress) is not kept by the
 * browser, so Playwright cannot return it: the file it was served from is read instead.
 */
export async function responseBytes(response, root = REPO_ROOT) {
  try {
    return await response.body();
  } catch {
    try {
      return readFileSync(join(root, decodeURIComponent(new URL(response.url()).pathname)));
    } catch {
      return null; // a redirect or an error page: no body
    }
  }
}

export async function serve(root = REPO_ROOT, { port: wantedPort = 0 } = {}) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    const reply = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'read-only server\n');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      return reply(400, 'bad path\n');
    }
    if (pathname.includes('\0')) return reply(400, 'bad path\n');
    let file = resolve(join(root, pathname));
    if (file !== root && !file.startsWith(root + sep)) return reply(403, 'outside the served directory\n');
    try {
      let st = await stat(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = await stat(file);
      }
      if (!st.isFile()) return reply(404, 'not found\n');
      res.writeHead(200, {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      reply(404, 'not found\n');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(wantedPort, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
}

// `node --test test/` runs every module under test/ (this one too): serve only when run by hand.
if (!process.env.NODE_TEST_CONTEXT && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await serve(process.argv[2] ?? REPO_ROOT);
  console.log(`serving ${process.argv[2] ?? REPO_ROOT} at ${s.url}/ (Ctrl-C to stop)`);
}
