// Boots the playground: terminal, runtime, files (persistent /home, in-memory /bin), shell.
import { init, FileSystem, hasJSPI } from 'wrun';
import { createTerminal, DIM, BOLD } from './terminal.js';
import { Status } from './status.js';
import { Tools } from './tools.js';
import { ShellFs } from './vfs.js';
import { Files } from './files.js';
import { Shell } from './shell.js';
import { readLink } from './share.js';
import './style.css';

const STORE = 'wrun-playground';
const kib = (n) => `${Math.round(n / 1024)} KiB`;

// Files a first visit finds in /home, to have something to search and run.
const WELCOME = {
  'notes.txt': 'Everything in /home stays in this browser between visits.\nrg searches it: try `rg -n browser`.\nexport-home saves it as a tar that `wrun --fs home.tar` mounts natively.\n',
  'hello.rhai': 'let names = ["wasm", "wasi", "wrun"];\nfor n in names {\n    print(`hello, ${n}!`);\n}\n',
};

async function main() {
  const status = new Status();
  const terminal = createTerminal(document.getElementById('terminal'));
  const t0 = performance.now();
  await init({ onProgress: ({ done, total }) => status.busy(`loading the wrun runtime: ${kib(done)} of ${kib(total)}`, done / total) });
  const user = await FileSystem.openPersistent(STORE);
  const bin = await FileSystem.create();
  if (!user.exists('/home') && !user.readOnly) {
    user.mkdir('/home');
    for (const [name, text] of Object.entries(WELCOME)) user.writeFile(`/home/${name}`, text);
  }
  // /tmp lives in the saved tree (programs see one tree) but starts empty on every visit (in the
  // tab that writes the files).
  if (!user.readOnly) {
    if (user.exists('/tmp')) user.remove('/tmp', { recursive: true });
    user.mkdir('/tmp');
  }

  const tools = new Tools(new URL('bin/', document.baseURI), bin, (p) => status.progress(p));
  await tools.loadCatalogue();
  const fs = new ShellFs(user, bin, tools);
  const files = new Files(user);
  const shell = new Shell({ terminal, fs, user, tools, status, files });
  files.shell = shell;

  const engine = shell.engineLabel(true);
  status.setEngine(`engine: ${engine}`);
  status.idle(`ready in ${Math.round(performance.now() - t0)} ms`);
  terminal.write(`${BOLD('wrun playground')}: WASI programs running in your browser (${engine}).\r\n`);
  terminal.write(DIM(`Try: ls /bin · rg --help · echo hello world | rg world · rhai-repl · help\r\n`));
  if (shell.engineFor(true) !== shell.engineFor(false)) terminal.write(DIM(`This browser has no JSPI: programs reading the terminal run on wasmi, others on the ${shell.engineLabel(false)}.\r\n`));
  else if (!hasJSPI) terminal.write(DIM('This browser has no JSPI: programs run on wasmi, an interpreter.\r\n'));
  if (user.readOnly) {
    // One tab writes the saved files at a time (see FileSystem.openPersistent).
    terminal.write(`${BOLD('read-only')}: the playground is open in another tab, which saves the files; here they can be read, not changed, until it closes.\r\n`);
    status.setEngine(`engine: ${engine} · files read-only`);
    user.whenWritable.then(() => {
      status.setEngine(`engine: ${engine}`);
      shell.notify('\x1b[32mthe other tab closed: files here can be changed again\x1b[0m');
    });
  }
  // A share link (see share.js) runs its command once; the fragment goes, so a reload does not.
  let shared = null;
  try {
    shared = readLink(location.hash);
  } catch (e) {
    terminal.write(`\x1b[31m${e.message}\x1b[0m\r\n`);
  }
  if (location.hash.startsWith('#run=')) history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (shared) terminal.write(DIM('Opened from a share link: its files are in /tmp/shared, and it runs:\r\n'));
  shell.start(shared);
  // For the tests and for poking around in the console.
  window.playground = { shell, terminal, fs, user, tools, status };
  document.body.dataset.ready = '1';
}

main().catch((e) => {
  document.getElementById('status-text').textContent = `failed to start: ${e.message}`;
  console.error(e);
});
