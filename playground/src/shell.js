// The shell: reads lines at a prompt, runs builtins and WebAssembly programs, wires pipes and
// redirections, and routes the terminal's keys to whatever is in the foreground.
//
// A pipeline runs one command after another, each getting the previous one's whole output as
// stdin: simple, and enough for filters. (Each program has its own worker, so they could run side
// by side; streaming between them is not done.) Builtins and programs are in builtins.js and
// programs.js, completion in completion.js.
import { hasJSPI } from 'wrun';
import { parse, expandWord, globToRegExp, unescapeGlob, ShellSyntaxError } from './shell-parse.js';
import { LineEditor } from './line-editor.js';
import { TerminalReader } from './cooked-input.js';
import { resolvePath, tildify } from './vfs.js';
import { BUILTINS, describeError } from './builtins.js';
import { resolveProgram, runProgram } from './programs.js';
import { complete } from './completion.js';
import { Interrupted, Sink } from './io.js';
import { RED } from './terminal.js';

const HISTORY_KEY = 'wrun-playground-history';

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
    this.inputChain = Promise.resolve();
    this.typeahead = [];
    this.editor = new LineEditor({
      write: terminal.write,
      columns: terminal.columns,
      history: this.history,
      complete: (line, cursor) => complete(this, line, cursor),
    });
  }

  /** The engine a program with terminal input runs on, for `help` and the status line. */
  engineLabel(interactive = true) {
    if (interactive && !hasJSPI) return 'wasmi (no JSPI in this browser; stopped between fuel slices)';
    return `browser engine${hasJSPI ? ' with JSPI' : ''}, in a worker`;
  }

  start() {
    this.terminal.onData((data) => this.onData(data));
    this.prompt();
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
    const mark = this.lastStatus === 0 ? '\x1b[1;32m$\x1b[0m' : '\x1b[1;31m$\x1b[0m';
    this.editor.start(`\x1b[1;36m${tildify(this.cwd, this.vars.get('HOME'))}\x1b[0m ${mark} `);
    const keys = this.typeahead.splice(0);
    for (const k of keys) this.inputChain = this.inputChain.then(() => this.route(k)).catch(() => {});
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

  async runLine(line) {
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
    for (const { pipeline, op } of list) {
      if (!skip) {
        try {
          this.lastStatus = await this.runPipeline(pipeline);
        } catch (e) {
          this.lastStatus = 130;
          if (e instanceof Interrupted) return; // Ctrl-C ends the whole line
          this.error(`shell: ${e.message}`);
          this.lastStatus = 1;
        }
      }
      skip = (op === '&&' && this.lastStatus !== 0) || (op === '||' && this.lastStatus === 0);
    }
  }

  /** Expands words into arguments, with globbing against the shell's files. */
  expandWords(words) {
    const out = [];
    for (const w of words) {
      for (const field of expandWord(w, (n) => this.lookup(n))) {
        const matches = field.glob ? this.glob(field.pattern) : [];
        if (matches.length) out.push(...matches);
        else out.push(field.text);
      }
    }
    return out;
  }

  /** Paths matching a pattern (relative patterns give relative results), sorted; [] if none. */
  glob(pattern) {
    const absolute = pattern.startsWith('/');
    let found = [absolute ? '/' : ''];
    for (const seg of pattern.split('/').filter(Boolean)) {
      const next = [];
      for (const base of found) {
        const dir = resolvePath(this.cwd, base || '.');
        if (!/[*?]/.test(seg.replace(/\\./g, ''))) {
          const p = `${base}${base && !base.endsWith('/') ? '/' : ''}${unescapeGlob(seg)}`;
          if (this.fs.exists(resolvePath(this.cwd, p))) next.push(p);
          continue;
        }
        const re = globToRegExp(seg);
        let names = [];
        try { names = this.fs.readdir(dir); } catch { continue; }
        for (const n of names) {
          if (n.startsWith('.') && !seg.startsWith('.')) continue;
          if (re.test(n)) next.push(`${base}${base && !base.endsWith('/') ? '/' : ''}${n}`);
        }
      }
      found = next;
    }
    return found.filter((p) => p !== '' && p !== '/').sort();
  }

  async runPipeline(commands) {
    let input = null;
    let status = 0;
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i];
      const last = i === commands.length - 1;
      const argv = this.expandWords(cmd.words);
      const assigns = cmd.assignments.map(([k, parts]) => [k, expandWord(parts, (n) => this.lookup(n)).map((f) => f.text).join(' ')]);
      if (argv.length === 0) {
        for (const [k, v] of assigns) this.vars.set(k, v);
        status = 0;
        input = new Uint8Array(0);
        continue;
      }
      const write = (bytes) => this.terminal.write(bytes);
      const io = { stdin: i === 0 ? null : input, stdout: last ? new Sink(write) : new Sink(), stderr: new Sink(write) };
      const outputs = [];
      for (const r of cmd.redirects) {
        if (r.op === '2>&1') { io.stderr = io.stdout; continue; }
        const target = this.expandWords([r.target]);
        if (target.length !== 1) { this.error(`shell: ${target.join(' ') || '""'}: ambiguous redirect`); return 1; }
        const path = resolvePath(this.cwd, target[0]);
        if (r.op === '<') {
          try { io.stdin = await this.fs.readFile(path); } catch (e) { this.error(`shell: ${target[0]}: ${describeError(e)}`); return 1; }
        } else {
          const sink = new Sink();
          if (r.op.startsWith('2')) io.stderr = sink; else io.stdout = sink;
          outputs.push({ sink, path, append: r.op.endsWith('>>'), name: target[0] });
        }
      }
      status = await this.runCommand(argv, assigns, io);
      for (const { sink, path, append, name } of outputs) {
        try {
          if (append) this.fs.appendFile(path, sink.bytes()); else this.fs.writeFile(path, sink.bytes());
        } catch (e) {
          this.error(`shell: ${name}: ${describeError(e)}`);
          status = 1;
        }
      }
      input = io.stdout.bytes();
    }
    return status;
  }

  /** Runs one command; resolves to its exit status. io.stdin is bytes, or null for the terminal. */
  async runCommand(argv, assigns, io) {
    const name = argv[0];
    const builtin = BUILTINS[name];
    if (builtin) return this.runBuiltin(builtin, argv, io);
    let program;
    try {
      program = await resolveProgram(this, name);
    } catch (e) {
      this.error(`${name}: ${e.message}`);
      return 126;
    }
    if (!program) {
      this.error(`${name}: command not found (try \`help\` or \`ls /bin\`)`);
      return 127;
    }
    if (program.notWasm) {
      this.error(`${name}: not a WebAssembly program`);
      return 126;
    }
    return runProgram(this, program, argv, assigns, io);
  }

  async runBuiltin(builtin, argv, io) {
    const reader = io.stdin === null ? new TerminalReader(this.terminal) : null;
    let interrupted = false;
    this.setForeground({
      input: reader,
      interrupt: () => { interrupted = true; this.terminal.write('^C'); reader?.cancel(new Interrupted()); },
    });
    const stdin = reader ?? { read: (() => { let given = io.stdin; return async () => { const b = given; given = null; return b; }; })() };
    try {
      return await builtin({ args: argv, shell: this, fs: this.fs, stdin, stdout: io.stdout, stderr: io.stderr });
    } catch (e) {
      if (e instanceof Interrupted || interrupted) throw new Interrupted();
      io.stderr.write(io.stderr.terminal ? `${RED(`${argv[0]}: ${e.message}`)}\n` : `${argv[0]}: ${e.message}\n`);
      return 1;
    } finally {
      this.foreground = null;
    }
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
