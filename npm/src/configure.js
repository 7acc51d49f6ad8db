// Turns run options into a core SessionBuilder; shared by the main thread and the worker.
import { misuse } from './process.js';
import { nodePathApi } from './core.js';
import { mountsOf } from './fs.js';

function envPairs(env) {
  if (Array.isArray(env)) return env.map((kv) => { const i = kv.indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]; });
  return Object.entries(env ?? {});
}

/**
 * `fs` is the FileSystem to mount (or null); output callbacks receive Uint8Array chunks.
 * `remote`: the preopens as `[guestPath, handle]` of the page's FsOwner, when the FileSystem is
 * reached through it (`serve` given: on this thread, at once; else through `WasiSession.remoteRequest`).
 */
export function configure(core, opts, fs, { onStdout, onStderr } = {}, remote = null, serve = null) {
  const b = new core.SessionBuilder();
  for (const a of opts.args ?? [opts.name ?? 'program.wasm']) b.arg(String(a));
  for (const [k, v] of envPairs(opts.env)) b.env(k, String(v ?? ''));
  if (serve) b.remoteTransport(serve);
  for (const [guest, handle] of remote ?? []) b.preopenRemote(guest, handle);
  // A Node-`fs`-like object: one adapter for all its preopens (a rename between two is a rename).
  const nodeFsLike = !!fs && typeof fs.openSync === 'function' && typeof fs.lstatSync === 'function';
  const pathApi = nodeFsLike ? nodePathApi() : null;
  if (nodeFsLike && (!pathApi || !core.SessionBuilder.hasPathApi())) {
    throw misuse('a Node-fs-like `fs` (node:fs, memfs) in a page needs `await init({ nodeFs: true })` first, before anything else loads the runtime (or give a wrun FileSystem as `fs`)');
  }
  const api = pathApi?.(fs);
  for (const [guest, mounted, path] of remote ? [] : mountsOf(fs, opts.preopens)) {
    if (!mounted) throw misuse('preopens need a FileSystem (the fs option)');
    if (api && mounted === fs) b.preopenPaths(guest, api, path);
    else b.preopen(guest, mounted.raw, path);
  }
  if (opts.wasiUnstable) b.wasiUnstable();
  b.tty(!!opts.tty, !!opts.tty);
  if (onStdout) b.onStdout(onStdout);
  if (onStderr) b.onStderr(onStderr);
  if (opts.maxOutputBytes !== undefined) b.outputLimit(Number(opts.maxOutputBytes));
  if (opts.deterministic !== undefined) b.deterministic(Number(opts.deterministic));
  return b;
}
