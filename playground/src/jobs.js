// Background jobs: `cmd &` starts a pipeline that does not own the terminal (its stdin is empty,
// its output still reaches the screen), `jobs` lists them, `fg` brings one to the foreground
// (Ctrl-C then stops it), `wait` waits for them. Ended jobs are reported before the next
// prompt, as bash does.
import { Interrupted } from './io.js';

export class Jobs {
  constructor(shell) {
    this.shell = shell;
    this.list = []; // { id, text, job, state: 'Running' | 'Done' | 'Exit N' | 'Interrupted', status }
    this.ended = [];
  }

  /** Starts `text` in the background with `start(io)`; prints `[n]` as bash does; resolves to 0. */
  async start(text, start) {
    const job = await start({ background: true });
    const id = this.list.reduce((n, j) => Math.max(n, j.id), 0) + 1;
    const entry = { id, text, job, state: 'Running', status: null };
    this.list.push(entry);
    this.shell.terminal.write(`[${id}]\r\n`);
    job.done.then(
      (status) => { entry.status = status; entry.state = status === 0 ? 'Done' : `Exit ${status}`; },
      () => { entry.status = 130; entry.state = 'Interrupted'; },
    ).then(() => this.ended.push(entry));
    return 0;
  }

  /** Finds a job by `%n` (or `n`); the newest one when `spec` is missing. */
  find(spec) {
    if (spec === undefined) return this.list[this.list.length - 1] ?? null;
    const id = Number(String(spec).replace(/^%/, ''));
    return this.list.find((j) => j.id === id) ?? null;
  }

  /** Lines for jobs that ended since they were last reported; they leave the table. */
  reportEnded() {
    const lines = this.ended.splice(0).filter((j) => !j.foreground).map((j) => format(j));
    this.list = this.list.filter((j) => j.state === 'Running');
    return lines;
  }

  /** `jobs`: every job with its state. */
  describe() {
    return this.list.map((j) => format(j));
  }

  /** `fg`: waits for a job in the foreground (the builtin's Ctrl-C stops it). Resolves to its status. */
  async foreground(entry, ctx) {
    ctx.stdout.write(`${entry.text}\n`);
    entry.foreground = true; // its end is fg's status, not a report at the next prompt
    ctx.onInterrupt(() => entry.job.interrupt());
    try {
      return await entry.job.done;
    } finally {
      this.list = this.list.filter((j) => j !== entry);
      this.ended = this.ended.filter((j) => j !== entry);
    }
  }

  /** `wait`: resolves when the given jobs ended, with the last one's status; Ctrl-C stops the waiting, not the jobs. */
  async wait(entries, ctx) {
    const interrupted = new Promise((_, reject) => ctx.onInterrupt(() => reject(new Interrupted())));
    let status = 0;
    for (const e of entries) {
      await Promise.race([e.job.done.catch(() => {}), interrupted]);
      status = e.status ?? 0;
    }
    return status;
  }
}

function format(j) {
  return `[${j.id}]  ${j.state.padEnd(22)}${j.text}`;
}
