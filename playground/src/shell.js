// The shell: reads lines at a prompt, runs builtins and WebAssembly programs, wires pipes and
// redirections, and routes the terminal's keys to whatever is in the foreground.
//
// The commands of a pipeline run at once (each program in its own worker), joined by bounded
// pipes (io.js): a writer waits while its pipe is full, and gets EPIPE once its reader ended, so
// `yes | head -n 2` ends at once and a long stream holds little memory. Builtins and programs are
// in builtins.js and programs.js, background jobs in jobs.js, completion in completion.js.
import { hasJSPI } from 'wrun';
import { parse, expandWord, globToRegExp, unescapeGlob, ShellSyntaxError } from './shell-parse.js';
import { LineEditor } from './line-editor.js';
import { TerminalReader } from './cooked-input.js';
import { resolvePath, tildify } from './vfs.js';
import { BUILTINS, describeError } from './builtins.js';
import { resolveProgram, startProgram } from './programs.js';
import { Jobs } from './jobs.js';
import { complete } from './completion.js';
import { BrokenPipe, Interrupted, Pipe, Sink } from './io.js';
import { RED } from './terminal.js';

const HISTORY_KEY = 'wrun-playground-history';

/** A command that ended before it started (an error in its words, unknown): its status. */
const finished = (status) => ({ input: null, interrupt() {}, done: Promise.resolve(status) });

/** Where `> /dev/null` writes. */
const discard = () => ({ terminal: false, write() {} });

export class Shell {
  /** fs: the ShellFs view; user: the persistent FileSystem programs get; status: the status line. */
  constructor({ terminal, fs, user, tools, status, files }) {
    this.terminal = terminal;
    this.fs = fs;
    this.user = user;
    this.tools = tools;
    this.status = status;
    this.files = files;
    this.vars = new Map([['HOME', '/home'], ['PATH', '/bin'], ['USER', 'user'], ['TERM', 'xterm-256color'], ['PWD', '/home']]);
    this.exported = new Set(this.vars.keys());
    this.cwd = '/home';
    this.lastStatus = 0;
    this.history = loadHistory();
    this.foreground = null; // { input?: CookedInput | TerminalReader, interrupt() }
    this.jobs = new Jobs(this);
    this.inputChain = Promise.resolve();
    this.typeahead = [];
    this.editor = new LineEditor({
      write: terminal.write,
      columns: terminal.columns,
      history: this.history,
      complete: (line, cursor) => complete(this, line, cursor),
    });
  }

  /**
   * The engine a program runs on: the browser's own, in a worker, where the worker can wait for
   * the page (JSPI suspends the program; cross-origin isolation lets the worker block), so the
   * program works on the live files and can wait for terminal input or a pipe. Elsewhere
   * (WebKit: no JSPI, and a page served without COOP/COEP) wasmi on the page, which pauses
   * between calls for the same.
   */
  engineFor(interactive) {
    if (hasJSPI) return 'browser';
    return interactive || globalThis.crossOriginIsolated !== true ? 'wasmi' : 'browser';
  }

  /** The engine a program runs on, in words, for `help` and the status line. */
  engineLabel(interactive = true) {
    if (this.engineFor(interactive) === 'wasmi') return 'wasmi (no JSPI in this browser; stopped between fuel slices)';
    return `browser engine${hasJSPI ? ' with JSPI' : ''}, in a worker`;
  }

  /** Takes the terminal's keys and shows the prompt; with `shared` (a share link), runs its command first. */
  start(shared = null) {
    this.terminal.onData((data) => this.onData(data));
    if (shared) this.runShared(shared);
    else this.prompt();
  }

  onData(data) {
    // Ctrl-C must reach a running program at once, never queued behind other input.
    if (this.foreground && data.includes('\x03')) {
      this.foreground.interrupt();
      return;
    }
    this.inputChain = this.inputChain.then(() => this.route(data)).catch((e) => this.error(`shell: ${e.message}`));
  }

  async route(data) {
    const target = this.foreground?.input;
    if (target) return target.feed(data);
    // Between a line's Enter and the next prompt (or while a command that reads no terminal input
    // runs), keys wait here, as in a tty's input queue.
    if (!this.editor.active) { this.typeahead.push(data); return; }
    for (const e of await this.editor.feed(data)) {
      if (e.type === 'line') {
        this.remember(e.text);
        // Not awaited: the input chain must stay free to take keys for the command.
        this.runLine(e.text).catch((err) => this.error(`shell: ${err.message}`)).then(() => this.afterCommand());
      } else if (e.type === 'rest') {
        this.typeahead.push(e.data);
      } else if (e.type === 'interrupt') {
        this.lastStatus = 130;
        await this.prompt();
      } else if (e.type === 'eof') {
        this.terminal.write('\r\n\x1b[2m(Ctrl-D ends a program\'s input; there is no shell to leave here)\x1b[0m\r\n');
        await this.prompt();
      } else if (e.type === 'clear') {
        this.terminal.clear();
        this.editor.redraw();
      }
    }
  }

  /** Makes `input` (or the prompt, when null) the receiver of keys, giving it any typed ahead. */
  setForeground(fg) {
    this.foreground = fg;
    if (fg?.input && this.typeahead.length) {
      const keys = this.typeahead.splice(0);
      for (const k of keys) this.inputChain = this.inputChain.then(() => fg.input.feed(k)).catch(() => {});
    }
  }

  async afterCommand() {
    try {
      await this.user.flush();
    } catch (e) {
      this.error(`could not save files: ${e.message}`);
    }
    await this.prompt();
  }

  async prompt() {
    await this.terminal.drain();
    if (this.terminal.cursorX() !== 0) this.terminal.write('\r\n');
    // Background jobs that ended since the last prompt, as bash reports them.
    for (const line of this.jobs.reportEnded()) this.terminal.write(`${line}\r\n`);
    const mark = this.lastStatus === 0 ? '\x1b[1;32m$\x1b[0m' : '\x1b[1;31m$\x1b[0m';
    this.editor.start(`\x1b[1;36m${tildify(this.cwd, this.vars.get('HOME'))}\x1b[0m ${mark} `);
    const keys = this.typeahead.splice(0);
    for (const k of keys) this.inputChain = this.inputChain.then(() => this.route(k)).catch(() => {});
  }

  /**
   * Opens a share link: its files go into a fresh /tmp/shared, which becomes the current
   * directory, and its command is typed at the prompt (so it shows before it runs) and run.
   */
  async runShared({ command, files }) {
    try {
      if (this.user.exists('/tmp/shared')) this.user.remove('/tmp/shared', { recursive: true });
      this.user.mkdir('/tmp/shared', { recursive: true });
      for (const [name, bytes] of files) this.user.writeFile(`/tmp/shared/${name}`, bytes);
      this.setCwd('/tmp/shared');
    } catch (e) {
      await this.notify(RED(`share link: its files could not be written (${describeError(e)}); not running it`));
      return;
    }
    await this.prompt();
    this.onData(`${command.replace(/[\r\n]+/g, ' ')}\r`);
  }

  /** Prints a message above the prompt line (uploads, imports) without losing what is typed. */
  async notify(text) {
    if (this.editor.active) {
      this.editor.moveTo(0);
      this.terminal.write(`\r\x1b[J${text}\r\n`);
      this.editor.redraw();
    } else {
      await this.terminal.drain();
      this.terminal.write(`${this.terminal.cursorX() ? '\r\n' : ''}${text}\r\n`);
    }
  }

  remember(line) {
    if (!line.trim() || this.history[this.history.length - 1] === line) return;
    this.history.push(line);
    if (this.history.length > 500) this.history.splice(0, this.history.length - 500);
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(this.history)); } catch { /* private mode */ }
  }

  error(message) {
    this.terminal.write(`${RED(message)}\r\n`);
  }

  lookup(name) {
    if (name === '?') return String(this.lastStatus);
    return this.vars.get(name);
  }

  env() {
    const env = {};
    for (const k of this.exported) if (this.vars.has(k)) env[k] = this.vars.get(k);
    return env;
  }

  setCwd(path) {
    this.vars.set('OLDPWD', this.cwd);
    this.cwd = path;
    this.vars.set('PWD', path);
  }

  /** Runs a line; with `out`, the last command of each pipeline writes there (a substitution). */
  async runLine(line, out = null) {
    let list;
    try {
      list = parse(line);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.error(`shell: ${e.message}`);
      this.lastStatus = 2;
      return;
    }
    let skip = false;
    for (const { pipeline, op, text } of list) {
      if (!skip) {
        try {
          if (op === '&') this.lastStatus = await this.jobs.start(text, (io) => this.startPipeline(pipeline, io));
          else this.lastStatus = await this.runPipeline(pipeline, out);
        } catch (e) {
          this.lastStatus = 130;
          // Ctrl-C ends the whole line, and the line a substitution is part of (`out`).
          if (e instanceof Interrupted) {
            if (out) throw e;
            return;
          }
          this.error(`shell: ${e.message}`);
          this.lastStatus = 1;
        }
      }
      skip = (op === '&&' && this.lastStatus !== 0) || (op === '||' && this.lastStatus === 0);
    }
  }

  /** Runs a pipeline in the foreground: Ctrl-C stops all of its commands. Resolves to the last one's status. */
  async runPipeline(commands, out = null) {
    // What had the keys before (the line a substitution is part of) gets them back after.
    const previous = this.foreground;
    // Ctrl-C while the commands start (a tool may be downloading) stops what started.
    let early = false;
    this.setForeground({ input: null, interrupt: () => { this.terminal.write('^C'); early = true; } });
    try {
      const job = await this.startPipeline(commands, { out, stopped: () => early });
      if (early) job.interrupt();
      this.setForeground({ input: job.input, interrupt: () => { this.terminal.write('^C'); job.interrupt(); } });
      return await job.done;
    } finally {
      this.foreground = previous;
    }
  }

  /**
   * Starts every command of a pipeline at once, each joined to the next by a bounded pipe (a
   * writer waits while it is full; when a reader ends, its writer's writes fail with EPIPE).
   * io.out: where the last one writes (default the terminal); io.background: stdin is empty, not
   * the terminal. Returns { input, interrupt(), done } where done resolves to the last command's
   * status, or rejects with Interrupted if Ctrl-C stopped any.
   */
  async startPipeline(commands, { out = null, background = false, stopped = () => false } = {}) {
    const toTerminal = new Sink((bytes) => this.terminal.write(bytes));
    const pipes = commands.slice(1).map(() => new Pipe());
    const stages = [];
    try {
      for (let i = 0; i < commands.length; i++) {
        if (stopped()) throw new Interrupted();
        const io = {
          stdin: i > 0 ? pipes[i - 1] : background ? new Uint8Array(0) : null,
          stdout: i < pipes.length ? pipes[i] : out ?? toTerminal,
          stderr: toTerminal,
        };
        const stage = await this.startStage(commands[i], io, commands.length === 1);
        // A command that ended closes its ends of the pipes: the next one reads to the end, the
        // one before gets EPIPE on its next write.
        stage.done = stage.done.finally(() => { pipes[i]?.close(); pipes[i - 1]?.closeRead(); });
        stages.push(stage);
      }
    } catch (e) {
      // A word could not be expanded, or Ctrl-C came while starting: what started stops.
      for (const st of stages) {
        st.interrupt();
        st.done.catch(() => {}); // its Interrupted is this one
      }
      for (const p of pipes) p.closeRead();
      throw e;
    }
    const done = Promise.allSettled(stages.map((st) => st.done)).then((results) => {
      const stopped = results.find((r) => r.status === 'rejected');
      if (stopped) throw stopped.reason;
      return results[results.length - 1].value;
    });
    return { input: stages[0]?.input ?? null, interrupt: () => stages.forEach((st) => st.interrupt()), done };
  }

  /** Expands one command's words and redirections and starts it: { input, interrupt, done }. */
  async startStage(cmd, io, alone) {
    const argv = await this.expandWords(cmd.words);
    const assigns = [];
    for (const [k, parts] of cmd.assignments) assigns.push([k, (await this.expand(parts)).map((f) => f.text).join(' ')]);
    if (argv.length === 0) {
      // Assignments alone set the shell's variables (in a pipeline they would be a subshell's).
      if (alone) for (const [k, v] of assigns) this.vars.set(k, v);
      return finished(0);
    }
    const outputs = [];
    for (const r of cmd.redirects) {
      if (r.op === '2>&1') { io.stderr = io.stdout; continue; }
      const target = await this.expandWords([r.target]);
      if (target.length !== 1) { this.error(`shell: ${target.join(' ') || '""'}: ambiguous redirect`); return finished(1); }
      const path = resolvePath(this.cwd, target[0]);
      if (path === '/dev/null') {
        // The shell's own /dev/null (the trees have no /dev): nothing in, everything out discarded.
        if (r.op === '<') io.stdin = new Uint8Array(0);
        else if (r.op.startsWith('2')) io.stderr = discard(); else io.stdout = discard();
        continue;
      }
      if (r.op === '<') {
        try { io.stdin = await this.fs.readFile(path); } catch (e) { this.error(`shell: ${target[0]}: ${describeError(e)}`); return finished(1); }
      } else {
        const sink = new Sink();
        if (r.op.startsWith('2')) io.stderr = sink; else io.stdout = sink;
        outputs.push({ sink, path, append: r.op.endsWith('>>'), name: target[0] });
      }
    }
    const stage = await this.startCommand(argv, assigns, io);
    stage.done = stage.done.then((status) => {
      for (const { sink, path, append, name } of outputs) {
        try {
          if (append) this.fs.appendFile(path, sink.bytes()); else this.fs.writeFile(path, sink.bytes());
        } catch (e) {
          this.error(`shell: ${name}: ${describeError(e)}`);
          status = 1;
        }
      }
      return status;
    });
    return stage;
  }

  /** Expands words into arguments, with globbing against the shell's files. */
  async expandWords(words) {
    const out = [];
    for (const w of words) {
      for (const field of await this.expand(w)) {
        const matches = field.glob ? this.glob(field.pattern) : [];
        if (matches.length) out.push(...matches);
        else out.push(field.text);
      }
    }
    return out;
  }

  /** A word's fields, after running its command substitutions (their output, less trailing newlines). */
  async expand(parts) {
    for (const p of parts) {
      if (p.command === undefined) continue;
      const sink = new Sink();
      await this.runLine(p.command, sink);
      p.value = new TextDecoder().decode(sink.bytes()).replace(/\n+$/, '');
    }
    return expandWord(parts, (n) => this.lookup(n));
  }

  /** Starts one command: { input, interrupt(), done } (done: its exit status). */
  async startCommand(argv, assigns, io) {
    const name = argv[0];
    const builtin = BUILTINS[name];
    if (builtin) return this.startBuiltin(builtin, argv, io);
    let program;
    try {
      program = await resolveProgram(this, name);
    } catch (e) {
      this.error(`${name}: ${e.message}`);
      return finished(126);
    }
    if (!program) {
      this.error(`${name}: command not found (try \`help\` or \`ls /bin\`)`);
      return finished(127);
    }
    if (program.notWasm) {
      this.error(`${name}: not a WebAssembly program`);
      return finished(126);
    }
    return startProgram(this, program, argv, assigns, io);
  }

  startBuiltin(builtin, argv, io) {
    const reader = io.stdin === null ? new TerminalReader(this.terminal) : null;
    let interrupted = false;
    const given = io.stdin instanceof Uint8Array ? io.stdin : null;
    const stdin = reader ?? (given ? { read: (() => { let g = given; return async () => { const b = g; g = null; return b; }; })() } : io.stdin);
    // A write returns a promise when the pipe is full (a builtin writing much awaits it) or
    // closed; one nobody awaits must not surface as an unhandled rejection.
    const quiet = (sink) => ({
      terminal: sink.terminal,
      write: (data) => {
        const r = sink.write(data);
        r?.catch?.(() => {});
        return r;
      },
    });
    // What Ctrl-C must also stop while the builtin waits (fg's job, wait's waiting).
    const onInterrupt = [];
    const done = (async () => {
      try {
        return await builtin({ args: argv, shell: this, fs: this.fs, stdin, stdout: quiet(io.stdout), stderr: quiet(io.stderr), onInterrupt: (f) => onInterrupt.push(f) });
      } catch (e) {
        if (e instanceof Interrupted || interrupted) throw new Interrupted();
        // Its reader ended: as a program killed by SIGPIPE, nothing to say (bash's status 141).
        if (e instanceof BrokenPipe) return 141;
        io.stderr.write(io.stderr.terminal ? `${RED(`${argv[0]}: ${e.message}`)}\n` : `${argv[0]}: ${e.message}\n`);
        return 1;
      }
    })();
    return { input: reader, interrupt: () => { interrupted = true; reader?.cancel(new Interrupted()); onInterrupt.forEach((f) => f()); }, done };
  }
}

function loadHistory() {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(h) ? h.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
