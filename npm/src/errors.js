// Errors the package throws: real `Error`s with a `kind` a program can switch on.

/** kind: "invalid-module" | "link" | "no-start" | "trap" | "killed" | "timeout" | "out-of-fuel" | "needs-input" */
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

// Unwinds the guest from inside an import: never escapes the package.
export class ExitSignal {
  constructor(code) { this.code = code; }
}
