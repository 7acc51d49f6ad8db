// Builtin commands. Each gets { args, shell, fs, stdin, stdout, stderr } and resolves to an exit
// status. stdin.read() gives the next chunk (null at the end); stdout/stderr take strings or bytes.
// They work on the shell's whole tree (/bin included), which programs do not see.
import { resolvePath, basename, tildify } from './vfs.js';
import { columnize } from './line-editor.js';
import { makeLink } from './share.js';

const ERRNO_TEXT = {
  ENOENT: 'No such file or directory', EEXIST: 'File exists', ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory', ENOTEMPTY: 'Directory not empty', EACCES: 'Permission denied',
  EINVAL: 'Invalid argument', ENOSPC: 'No space left', EBUSY: 'Resource busy', EXDEV: 'Cross-device link',
  EROFS: 'Read-only file system',
};

/** An error from a FileSystem as the short text `ls` or `cat` would print. */
export function describeError(e) {
  return ERRNO_TEXT[e?.code] ?? e?.message ?? String(e);
}

/** Splits `-abc` style flags (from `allowed`) from operands; `--` ends flags. */
function options(args, allowed) {
  const flags = new Set();
  const rest = [];
  let done = false;
  for (const a of args) {
    if (!done && a === '--') { done = true; continue; }
    if (!done && a.length > 1 && a.startsWith('-')) {
      for (const f of a.slice(1)) {
        if (!allowed.includes(f)) throw new Error(`invalid option -- '${f}'`);
        flags.add(f);
      }
      continue;
    }
    rest.push(a);
  }
  return { flags, rest };
}

/** Writes `name: message` to stderr, red on the terminal; returns 1. */
function fail(ctx, message) {
  const line = `${ctx.args[0]}: ${message}`;
  ctx.stderr.write(ctx.stderr.terminal ? `\x1b[31m${line}\x1b[0m\n` : `${line}\n`);
  return 1;
}

const path = (ctx, p) => resolvePath(ctx.shell.cwd, p);
const colour = (ctx, code, text) => (ctx.stdout.terminal ? `\x1b[${code}m${text}\x1b[0m` : text);

function styled(ctx, dir, name) {
  let st;
  try { st = ctx.fs.lstat(resolvePath(dir, name)); } catch { return name; }
  if (st.type === 'directory') return colour(ctx, '1;34', `${name}/`);
  if (st.type === 'symlink') return colour(ctx, '36', name);
  if (name.endsWith('.wasm')) return colour(ctx, '1;32', name);
  return name;
}

function human(n) {
  if (n < 1024) return `${n}`;
  const units = ['K', 'M', 'G'];
  let u = -1;
  do { n /= 1024; u++; } while (n >= 1024 && u < units.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)}${units[u]}`;
}

async function ls(ctx) {
  const { flags, rest } = options(ctx.args.slice(1), 'lah1');
  const targets = rest.length ? rest : ['.'];
  let status = 0;
  const show = (dir, names) => {
    const visible = names.filter((n) => flags.has('a') || !n.startsWith('.'));
    if (flags.has('l')) {
      for (const n of visible) {
        const p = resolvePath(dir, n);
        const st = ctx.fs.lstat(p);
        const kind = st.type === 'directory' ? 'd' : st.type === 'symlink' ? 'l' : '-';
        const size = flags.has('h') ? human(st.size) : String(st.size);
        const when = st.pending ? 'not fetched yet  ' : new Date(st.mtimeMs).toISOString().slice(0, 16).replace('T', ' ') + ' ';
        const link = st.type === 'symlink' ? ` -> ${ctx.fs.readlink(p)}` : '';
        ctx.stdout.write(`${kind} ${size.padStart(9)} ${when} ${styled(ctx, dir, n)}${link}\n`);
      }
    } else if (ctx.stdout.terminal && !flags.has('1')) {
      // Columns on the terminal, measured without colour codes, as ls does.
      const plain = visible.map((n) => n + (ctx.fs.isDir(resolvePath(dir, n)) ? '/' : ''));
      const styledBy = new Map(visible.map((n, i) => [plain[i], styled(ctx, dir, n)]));
      ctx.stdout.write(columnize(plain, ctx.shell.terminal.columns(), (n) => styledBy.get(n)).replace(/\r\n/g, '\n'));
    } else {
      for (const n of visible) ctx.stdout.write(`${n}\n`);
    }
  };
  const files = [];
  const dirs = [];
  for (const t of targets) {
    const p = path(ctx, t);
    if (!ctx.fs.exists(p)) { status = fail(ctx, `cannot access '${t}': No such file or directory`); continue; }
    if (ctx.fs.isDir(p)) dirs.push([t, p]); else files.push(t);
  }
  if (files.length) show(ctx.shell.cwd, files);
  for (const [t, p] of dirs) {
    if (targets.length > 1) ctx.stdout.write(`${files.length || dirs[0][0] !== t ? '\n' : ''}${t}:\n`);
    show(p, ctx.fs.readdir(p));
  }
  return status;
}

/** Writes bytes in slices, each awaited: a full pipe holds the builtin back until its reader caught up. */
async function writeAll(ctx, bytes) {
  for (let at = 0; at < bytes.length; at += 1 << 20) await ctx.stdout.write(bytes.subarray(at, at + (1 << 20)));
}

async function cat(ctx) {
  const { rest } = options(ctx.args.slice(1), 'u');
  if (!rest.length || rest.includes('-')) {
    for (let chunk = await ctx.stdin.read(); chunk; chunk = await ctx.stdin.read()) await writeAll(ctx, chunk);
    if (!rest.length) return 0;
  }
  let status = 0;
  for (const f of rest.filter((x) => x !== '-')) {
    const p = path(ctx, f);
    if (ctx.fs.isDir(p)) { status = fail(ctx, `${f}: Is a directory`); continue; }
    let bytes;
    try { bytes = await ctx.fs.readFile(p); } catch (e) { status = fail(ctx, `${f}: ${describeError(e)}`); continue; }
    await writeAll(ctx, bytes);
  }
  return status;
}

function echo(ctx) {
  let args = ctx.args.slice(1);
  let newline = true;
  if (args[0] === '-n') { newline = false; args = args.slice(1); }
  ctx.stdout.write(args.join(' ') + (newline ? '\n' : ''));
  return 0;
}

function cd(ctx) {
  const arg = ctx.args[1] ?? ctx.shell.vars.get('HOME');
  const target = arg === '-' ? ctx.shell.vars.get('OLDPWD') ?? ctx.shell.cwd : arg;
  const p = path(ctx, target.startsWith('~') ? ctx.shell.vars.get('HOME') + target.slice(1) : target);
  if (!ctx.fs.exists(p)) return fail(ctx, `${target}: No such file or directory`);
  if (!ctx.fs.isDir(p)) return fail(ctx, `${target}: Not a directory`);
  ctx.shell.setCwd(p);
  return 0;
}

function mkdir(ctx) {
  const { flags, rest } = options(ctx.args.slice(1), 'p');
  if (!rest.length) return fail(ctx, 'missing operand');
  let status = 0;
  for (const d of rest) {
    try { ctx.fs.mkdir(path(ctx, d), { recursive: flags.has('p') }); } catch (e) { status = fail(ctx, `cannot create directory '${d}': ${describeError(e)}`); }
  }
  return status;
}

function rm(ctx) {
  const { flags, rest } = options(ctx.args.slice(1), 'rRf');
  const recursive = flags.has('r') || flags.has('R');
  if (!rest.length && !flags.has('f')) return fail(ctx, 'missing operand');
  let status = 0;
  for (const f of rest) {
    const p = path(ctx, f);
    if (!ctx.fs.exists(p)) { if (!flags.has('f')) status = fail(ctx, `cannot remove '${f}': No such file or directory`); continue; }
    if (ctx.fs.isDir(p) && !recursive) { status = fail(ctx, `cannot remove '${f}': Is a directory (use rm -r)`); continue; }
    if (p === '/' || p === '/bin' || p === ctx.shell.vars.get('HOME')) { status = fail(ctx, `refusing to remove '${f}'`); continue; }
    try { ctx.fs.remove(p, { recursive }); } catch (e) { status = fail(ctx, `cannot remove '${f}': ${describeError(e)}`); }
  }
  return status;
}

/** mv and cp: `SRC DST`, or `SRC... DIR`. */
async function moveOrCopy(ctx, copy) {
  const { flags, rest } = options(ctx.args.slice(1), copy ? 'rRf' : 'f');
  if (rest.length < 2) return fail(ctx, 'missing file operand');
  const dest = path(ctx, rest[rest.length - 1]);
  const sources = rest.slice(0, -1);
  const intoDir = ctx.fs.isDir(dest);
  if (sources.length > 1 && !intoDir) return fail(ctx, `target '${rest[rest.length - 1]}' is not a directory`);
  let status = 0;
  for (const s of sources) {
    const from = path(ctx, s);
    const to = intoDir ? resolvePath(dest, basename(from)) : dest;
    try {
      if (!ctx.fs.exists(from)) throw Object.assign(new Error(), { code: 'ENOENT' });
      if (to === from || to.startsWith(`${from}/`)) throw new Error(`cannot ${copy ? 'copy' : 'move'} '${s}' into itself`);
      if (copy) {
        if (ctx.fs.isDir(from) && !flags.has('r') && !flags.has('R')) throw new Error(`-r not specified; omitting directory '${s}'`);
        await ctx.fs.copy(from, to);
      } else {
        await ctx.fs.rename(from, to);
      }
    } catch (e) {
      status = fail(ctx, `'${s}': ${describeError(e)}`);
    }
  }
  return status;
}

function touch(ctx) {
  let status = 0;
  for (const f of ctx.args.slice(1)) {
    const p = path(ctx, f);
    try { if (!ctx.fs.exists(p)) ctx.fs.writeFile(p, new Uint8Array(0)); } catch (e) { status = fail(ctx, `'${f}': ${describeError(e)}`); }
  }
  return status;
}

function env(ctx) {
  for (const [k, v] of Object.entries(ctx.shell.env())) ctx.stdout.write(`${k}=${v}\n`);
  return 0;
}

function exportVar(ctx) {
  if (ctx.args.length === 1) return env(ctx);
  for (const a of ctx.args.slice(1)) {
    const i = a.indexOf('=');
    const name = i < 0 ? a : a.slice(0, i);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return fail(ctx, `'${a}': not a valid identifier`);
    if (i >= 0) ctx.shell.vars.set(name, a.slice(i + 1));
    ctx.shell.exported.add(name);
  }
  return 0;
}

function unset(ctx) {
  for (const a of ctx.args.slice(1)) { ctx.shell.vars.delete(a); ctx.shell.exported.delete(a); }
  return 0;
}

function history(ctx) {
  ctx.shell.history.forEach((h, i) => ctx.stdout.write(`${String(i + 1).padStart(5)}  ${h}\n`));
  return 0;
}

async function which(ctx) {
  let status = 0;
  for (const name of ctx.args.slice(1)) {
    if (BUILTINS[name]) { ctx.stdout.write(`${name}: shell builtin\n`); continue; }
    const candidates = name.includes('/') ? [path(ctx, name)] : [`/bin/${name}.wasm`, `/bin/${name}`];
    const found = candidates.find((p) => ctx.fs.exists(p) && !ctx.fs.isDir(p));
    if (found) ctx.stdout.write(`${found}\n`); else status = fail(ctx, `${name}: not found`);
  }
  return status;
}

/** Breaks `text` at spaces into lines of at most `width` columns, indenting the ones after the first. */
function wrap(text, width) {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + 1 + word.length > width) lines.push(word);
    else lines[last] += (lines[last] ? ' ' : '') + word;
  }
  return lines.join('\n  ');
}

function help(ctx) {
  const s = ctx.shell;
  const b = (t) => colour(ctx, '1', t);
  const tools = s.tools.list.map((t) => `  ${t.name.padEnd(11)} ${t.description ?? ''}`).join('\n');
  ctx.stdout.write(`${b('wrun playground')}: real WASI command-line programs, run by wrun in this page.

${b('Engine')}: ${s.engineLabel(true)}.${s.engineFor(true) === s.engineFor(false) ? '' : `\n  (programs whose input is a pipe or a file: ${s.engineLabel(false)})`}
${b('Files')}: /home is saved in this browser (IndexedDB) after every command; /tmp is emptied on
  reload; /bin is the shell's own (programs see / without it). Upload with the button or by
  dropping files on the page; \`download FILE\`; \`export-home\` / \`import-home\` (a tar that
  \`wrun --fs home.tar\` mounts natively).

${b('Programs')} in /bin, fetched on first use (any .wasm file also runs by its path, e.g. ./a.wasm):
${tools || '  (none were built into this site)'}

${b('Builtins')}: ${wrap(Object.keys(BUILTINS).sort().join(' '), s.terminal.columns() - 10)}
${b('Shell')}: a | b (at once, through bounded pipes), > >> < 2> 2>&1, ; && ||, cmd & with jobs, fg,
  wait, $(cmd), 'single' "double $VAR" quotes, $?, * globs, ~.
${b('Keys')}: Tab completes, Up/Down history, Ctrl-A/E/U/K/W edit, Ctrl-C stops a program, Ctrl-D
  ends its input, Ctrl-L clears.
`);
  return 0;
}

/** `share [-f FILE]... COMMAND`: a link that opens the playground and runs COMMAND (with the files). */
async function share(ctx) {
  const args = ctx.args.slice(1);
  const files = [];
  while (args[0] === '-f') {
    const name = args[1];
    if (!name) return fail(ctx, 'usage: share [-f FILE]... COMMAND');
    const p = path(ctx, name);
    if (!ctx.fs.exists(p) || ctx.fs.isDir(p)) return fail(ctx, `${name}: not a file`);
    files.push([basename(p), await ctx.fs.readFile(p)]);
    args.splice(0, 2);
  }
  if (args[0] === '--') args.shift();
  if (!args.length) return fail(ctx, "usage: share [-f FILE]... COMMAND (quote a command line: share 'echo hi | rg hi')");
  const link = makeLink(`${location.origin}${location.pathname}`, args.join(' '), files);
  ctx.stdout.write(`${link}\n`);
  try { await navigator.clipboard.writeText(link); ctx.stderr.write(colour(ctx, '2', '(copied)') + '\n'); } catch { /* no clipboard permission: the link is printed */ }
  return 0;
}

function jobs(ctx) {
  for (const line of ctx.shell.jobs.describe()) ctx.stdout.write(`${line}\n`);
  return 0;
}

/** `fg [%n]`: the job (the newest by default) in the foreground; its status. */
function fg(ctx) {
  const job = ctx.shell.jobs.find(ctx.args[1]);
  if (!job) return fail(ctx, ctx.args[1] ? `${ctx.args[1]}: no such job` : 'current: no such job');
  return ctx.shell.jobs.foreground(job, ctx);
}

/** `wait [%n...]`: until the jobs (all, by default) ended; the last one's status. */
function wait(ctx) {
  const specs = ctx.args.slice(1);
  const entries = specs.length ? specs.map((s) => ctx.shell.jobs.find(s)) : [...ctx.shell.jobs.list];
  const missing = specs.find((s, i) => !entries[i]);
  if (missing !== undefined) return fail(ctx, `${missing}: no such job`);
  return ctx.shell.jobs.wait(entries, ctx);
}

function clear(ctx) {
  ctx.shell.terminal.clear();
  return 0;
}

async function download(ctx) {
  if (ctx.args.length < 2) return fail(ctx, 'usage: download FILE...');
  for (const f of ctx.args.slice(1)) {
    const p = path(ctx, f);
    if (!ctx.fs.exists(p) || ctx.fs.isDir(p)) return fail(ctx, `${f}: not a file`);
    ctx.shell.files.save(basename(p), await ctx.fs.readFile(p));
  }
  return 0;
}

async function upload(ctx) {
  const names = await ctx.shell.files.pickAndUpload();
  if (!names.length) ctx.stdout.write('(nothing chosen)\n');
  return 0;
}

function exportHome(ctx) {
  const name = ctx.args[1] ?? 'home.tar';
  const bytes = ctx.shell.files.homeTar();
  ctx.shell.files.save(name, bytes);
  ctx.stdout.write(`saved ${name} (${human(bytes.length)}); natively: wrun --fs ${name} tool.wasm (files under /home)\n`);
  return 0;
}

async function importHome(ctx) {
  let bytes;
  if (ctx.args[1]) {
    try { bytes = await ctx.fs.readFile(path(ctx, ctx.args[1])); } catch (e) { return fail(ctx, `${ctx.args[1]}: ${describeError(e)}`); }
  } else {
    bytes = await ctx.shell.files.pickTar();
    if (!bytes) { ctx.stdout.write('(nothing chosen)\n'); return 0; }
  }
  try {
    const n = ctx.shell.files.importHomeTar(bytes);
    ctx.stdout.write(`imported ${n} entries into ${tildify('/home', ctx.shell.vars.get('HOME'))}\n`);
  } catch (e) {
    return fail(ctx, `not a tar archive wrun can read: ${e.message}`);
  }
  return 0;
}

export const BUILTINS = {
  cd, pwd: (ctx) => { ctx.stdout.write(`${ctx.shell.cwd}\n`); return 0; },
  ls, cat, echo, mkdir, rm, touch,
  mv: (ctx) => moveOrCopy(ctx, false), cp: (ctx) => moveOrCopy(ctx, true),
  env, export: exportVar, unset, help, history, clear, which, type: which,
  true: () => 0, false: () => 1,
  exit: (ctx) => { ctx.stdout.write('this shell lives in the page: close the tab to leave\n'); return 0; },
  download, upload, 'export-home': exportHome, 'import-home': importHome,
  jobs, fg, wait, share,
};
