// Errors the package throws: real `Error`s with a `kind` a program can switch on.

/** kind: "invalid-module" | "link" | "no-start" | "trap" | "killed" | "timeout" | "out-of-fuel" | "needs-input" | "invalid-exit" */
export class WrunError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = 'WrunError';
    this.kind = kind;
    Object.assign(this, extra);
  }
}

/** Why a stopped program stopped, in the words `wrun` uses (`timed out after 200ms (--timeout)`). */
export function stopMessage(kind, timeoutMs) {
  if (kind === 'timeout') return `the program timed out${timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`} (timeoutMs) and was stopped`;
  return 'the program was killed';
}

/** Exit status for each way a run can end without `proc_exit`, matching the native `wrun`. */
export const EXIT_STATUS = { trap: 134, timeout: 124, 'out-of-fuel': 124, killed: 137 };

/**
 * The result of a program that called `proc_exit(code)`. A status past 125 would pass for a
 * stopped program (134 trapped, 137 killed...): it is an error with exit status 1, as in the native
 * `wrun` and wasmtime. `core` is the loaded web core, which holds the rule and its message.
 */
export function exited(core, code, outputs) {
  const invalid = core.invalidExitStatus(code);
  if (invalid !== undefined) throw new WrunError('invalid-exit', invalid, { exitCode: 1, status: code | 0, ...outputs });
  return { exitCode: code, ...outputs };
}

// Unwinds the guest from inside an import. `run` and `spawn` catch it; through the `WASI`
// polyfill it reaches whoever called into the module (a reactor's export), so it is an Error.
export class ExitSignal extends Error {
  constructor(code) {
    super(`the program exited with status ${code}`);
    this.name = 'WasiExit';
    this.code = code;
    this.exitCode = code;
  }
}
