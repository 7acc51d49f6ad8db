// Running WebAssembly programs for the shell: finding them (/bin, paths), the files and
// directories they see, and `spawn` with the terminal, pipes and Ctrl-C wired in.
import { spawn, hasJSPI } from 'wrun';
import { CookedInput } from './cooked-input.js';
import { resolvePath } from './vfs.js';
import { argsForPipedStdin } from './tools.js';
import { concat, Interrupted, Pipe, PIPE_LIMIT } from './io.js';

const isWasm = (b) => b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
const ms = (t) => (t < 1000 ? `${Math.round(t)} ms` : `${(t / 1000).toFixed(1)} s`);

/**
 * Finds a program: a path (anything with a slash, or a `.wasm` file here), else /bin/NAME.wasm
 * or /bin/NAME. Resolves to { bytes, module?, argv0, tool } or null.
 */
export async function resolveProgram(shell, name) {
  const candidates = name.includes('/') ? [resolvePath(shell.cwd, name)]
    : [`/bin/${name}.wasm`, `/bin/${name}`, ...(name.endsWith('.wasm') ? [resolvePath(shell.cwd, name)] : [])];
  for (const path of candidates) {
    if (!shell.fs.exists(path) || shell.fs.isDir(path)) continue;
    const pending = path.startsWith('/bin/') && shell.fs.stat(path).pending;
    if (pending) shell.status.busy(`fetching ${name}`);
    const bytes = await shell.fs.readFile(path);
    if (!isWasm(bytes)) return { notWasm: true };
    const target = path.startsWith('/bin/') ? binLinkTarget(shell, path) : path;
    return { bytes, module: shell.tools.moduleFor(bytes), tool: target.split('/').pop().replace(/\.wasm$/, ''), argv0: name };
  }
  return null;
}

/** Where a /bin entry that is a symlink (a coreutils name) points. */
function binLinkTarget(shell, path) {
  try {
    if (shell.fs.lstat(path).type === 'symlink') return resolvePath('/bin', shell.fs.readlink(path));
  } catch { /* not a link */ }
  return path;
}

/**
 * Preopens: the whole tree, its top directories by name, /bin (the in-memory tools, another
 * FileSystem: a rename between it and the rest is EXDEV, as between two mounts), and the current
 * directory as `.`. Programs reach the trees themselves, so none of this is copied.
 */
function preopens(shell) {
  const pre = { '/': '/' };
  for (const name of shell.user.readdir('/')) {
    if (shell.user.stat(`/${name}`).type === 'directory') pre[`/${name}`] = `/${name}`;
  }
  pre['/bin'] = { fs: shell.fs.bin };
  // wasi-libc resolves relative paths against the preopen named "." when it is the last one
  // with an empty prefix (there is no initial working directory in WASI preview 1): so `.` goes
  // last, and relative paths work from the shell's directory. `..` cannot climb out of it.
  if (shell.cwd === '/bin' || shell.cwd.startsWith('/bin/')) {
    if (shell.fs.exists(shell.cwd)) pre['.'] = { fs: shell.fs.bin, path: shell.cwd.slice(4) || '/' };
  } else if (shell.cwd !== '/' && shell.user.exists(shell.cwd)) {
    pre['.'] = shell.cwd;
  }
  return pre;
}

/**
 * Starts a resolved program with `spawn`: { input, interrupt(), done }, where done resolves to
 * its exit status (rejects with Interrupted when Ctrl-C stopped it). io.stdin is the terminal
 * (null), bytes, or a Pipe; io.stdout/io.stderr a Sink or a Pipe, whose `write` may return a
 * promise: the program's writes then wait for it (and fail with EPIPE if it rejects).
 */
export function startProgram(shell, program, argv, assigns, io) {
  const interactive = io.stdin === null;
  const engine = shell.engineFor(interactive);
  // A program on the browser's engine in a worker that cannot suspend (no JSPI; the worker
  // blocks on shared memory) cannot wait for a pipe either: it gets the pipe's whole content.
  const wholePipe = io.stdin instanceof Pipe && engine === 'browser' && !hasJSPI;
  const tty = interactive && io.stdout.terminal;
  let args = argv.slice(1);
  if (!interactive) args = argsForPipedStdin(program.tool, args);
  const env = { ...shell.env(), ...Object.fromEntries(assigns) };
  if (tty) Object.assign(env, { COLUMNS: String(shell.terminal.columns()), LINES: String(shell.terminal.rows()) });
  // The end of stderr, to name an out-of-memory abort (Rust prints "memory allocation of N
  // bytes failed", then traps with `unreachable`).
  let stderrTail = '';
  const tailDecoder = new TextDecoder();
  const stderr = (chunk) => {
    stderrTail = (stderrTail + tailDecoder.decode(chunk, { stream: true })).slice(-300);
    return io.stderr.write(chunk);
  };
  const started = performance.now();
  shell.status.busy(`running ${argv[0]} (Ctrl-C stops it)`);
  shell.status.setEngine(`engine: ${shell.engineLabel(interactive)}`);
  let killed = false;
  let proc = null;
  const begin = (stdin) => spawn(engine === 'browser' && program.module ? program.module : program.bytes, {
    args: [program.argv0, ...args],
    env,
    fs: shell.user,
    preopens: preopens(shell),
    engine,
    // wasmi runs on the page, in fuel slices (a worker would compile its add-on anew each time).
    worker: engine === 'browser',
    tty,
    stdin,
    // The output goes to the terminal, a pipe or a file as it is written: no copy of it is kept.
    maxOutputBytes: 0,
    onStdout: (chunk) => io.stdout.write(chunk),
    onStderr: stderr,
  });
  if (!wholePipe) proc = begin(interactive ? undefined : io.stdin);
  const input = interactive ? new CookedInput(shell.terminal, {
    onLine: (text) => proc.stdin.write(`${text}\n`),
    onEof: (text) => (text ? proc.stdin.write(text) : proc.stdin.close()),
  }) : null;
  let overflow = false;
  for (const sink of new Set([io.stdout, io.stderr])) sink.onOverflow = () => { overflow = true; proc?.kill(); };
  const done = (async () => {
    try {
      if (wholePipe) {
        const whole = await readAll(io.stdin);
        if (killed) throw new Interrupted();
        proc = begin(whole);
      }
      const r = await proc.wait();
      shell.status.idle(`${argv[0]} exited with ${r.exitCode} in ${ms(performance.now() - started)}`);
      return r.exitCode;
    } catch (e) {
      if (overflow) {
        shell.error(`${argv[0]}: stopped: more than ${PIPE_LIMIT >> 20} MiB of output held for a file or a pipe`);
        shell.status.idle(`${argv[0]} stopped: too much output`);
        return 141;
      }
      if (killed || e.kind === 'killed' || e instanceof Interrupted) {
        shell.status.idle(`${argv[0]} stopped (Ctrl-C)`);
        throw new Interrupted();
      }
      await shell.terminal.drain();
      if (shell.terminal.cursorX() !== 0) shell.terminal.write('\r\n');
      const oom = e.kind === 'trap' && stderrTail.match(/memory allocation of \d+ bytes failed/);
      shell.error(`${argv[0]}: ${oom ? `out of memory (${oom[0]})` : e.message ?? e}`);
      shell.status.idle(`${argv[0]} failed: ${e.kind ?? 'error'}`);
      return e.exitCode ?? 1;
    }
  })();
  return { input, interrupt: () => { killed = true; proc?.kill(); io.stdin?.closeRead?.(); }, done };
}

/** All that comes through a pipe until its writer closes it (at most PIPE_LIMIT bytes). */
async function readAll(pipe) {
  const chunks = [];
  let size = 0;
  for (let c = await pipe.read(); c; c = await pipe.read()) {
    size += c.length;
    if (size > PIPE_LIMIT) throw new Error(`more than ${PIPE_LIMIT >> 20} MiB through a pipe`);
    chunks.push(c);
  }
  return concat(chunks);
}
