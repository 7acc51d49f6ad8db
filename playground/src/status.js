// The status line under the terminal: what is loading or running (with a progress bar while a
// download's size is known), and which engine runs programs.

const mib = (n) => `${(n / 1048576).toFixed(1)} MB`;

export class Status {
  constructor() {
    this.text = document.getElementById('status-text');
    this.bar = document.getElementById('progress');
    this.engine = document.getElementById('engine');
    /** The last 200 busy lines shown, with their percentages (the tests read it). */
    this.log = [];
  }

  /** Something is happening; `fraction` in [0, 1] shows a bar, null an indeterminate one. */
  busy(text, fraction = null) {
    document.body.dataset.busy = '1';
    this.log.push(fraction === null ? text : `${text} [${Math.round(fraction * 100)}%]`);
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    this.text.textContent = text;
    this.bar.hidden = false;
    if (fraction === null) this.bar.removeAttribute('value');
    else this.bar.value = fraction;
  }

  idle(text) {
    delete document.body.dataset.busy;
    this.text.textContent = text;
    this.bar.hidden = true;
  }

  setEngine(text) { this.engine.textContent = text; }

  /** Progress reports from Tools.load. */
  progress({ phase, label, done, total, ms }) {
    if (phase === 'download') this.busy(`${label}: ${mib(done)}${total ? ` of ${mib(total)}` : ''}`, total ? done / total : null);
    else if (phase === 'compile') this.busy(`compiling ${label} (${mib(total)})…`);
    else if (phase === 'ready') this.busy(`${label} compiled in ${Math.round(ms)} ms; starting…`);
  }
}
