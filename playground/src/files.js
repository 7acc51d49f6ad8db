// Moving files between the page and the computer: uploads (button, drag and drop), downloads,
// and the home directory as a tar archive (the format `wrun --fs` mounts natively).
import { FileSystem } from 'wrun';
import { resolvePath } from './vfs.js';

export class Files {
  /** user: the persistent FileSystem. shell is attached later (it needs this object too). */
  constructor(user) {
    this.user = user;
    this.shell = null;
    this.uploadInput = document.getElementById('upload-input');
    this.tarInput = document.getElementById('import-input');
    this.uploadInput.addEventListener('change', () => this.uploadChosen());
    this.tarInput.addEventListener('change', () => this.importChosen());
    // Closing the chooser without a choice: the builtins waiting on it get nothing.
    this.uploadInput.addEventListener('cancel', () => { this.pendingPick?.([]); this.pendingPick = null; });
    this.tarInput.addEventListener('cancel', () => { this.pendingTar?.(null); this.pendingTar = null; });
    document.getElementById('upload').addEventListener('click', () => this.uploadInput.click());
    document.getElementById('export').addEventListener('click', () => this.save('home.tar', this.homeTar()));
    document.getElementById('import').addEventListener('click', () => this.tarInput.click());
    this.dragAndDrop();
  }

  /** Offers `bytes` as a download named `name`. */
  save(name, bytes) {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** Writes browser File objects into the shell's current directory; returns their names. */
  async store(fileList) {
    const dir = this.shell.cwd.startsWith('/bin') ? this.shell.vars.get('HOME') : this.shell.cwd;
    const names = [];
    for (const f of fileList) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      this.shell.fs.writeFile(resolvePath(dir, f.name), bytes);
      names.push(`${f.name} (${bytes.length} bytes)`);
    }
    if (names.length) {
      await this.user.flush();
      await this.shell.notify(`\x1b[32muploaded ${names.join(', ')} to ${dir}\x1b[0m`);
    }
    return names;
  }

  async uploadChosen() {
    const files = [...this.uploadInput.files];
    this.uploadInput.value = '';
    await this.store(files);
    this.pendingPick?.(files.map((f) => f.name));
    this.pendingPick = null;
  }

  /** For the `upload` builtin: opens the file chooser (it resolves when files are chosen). */
  pickAndUpload() {
    return new Promise((resolve) => {
      this.pendingPick = resolve;
      this.uploadInput.click();
    });
  }

  async importChosen() {
    const [file] = this.tarInput.files;
    this.tarInput.value = '';
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (this.pendingTar) {
      this.pendingTar(bytes);
      this.pendingTar = null;
      return;
    }
    try {
      const n = this.importHomeTar(bytes);
      await this.user.flush();
      await this.shell.notify(`\x1b[32mimported ${n} entries from ${file.name} into /home\x1b[0m`);
    } catch (e) {
      await this.shell.notify(`\x1b[31mimport-home: ${file.name} is not a tar archive wrun can read: ${e.message}\x1b[0m`);
    }
  }

  pickTar() {
    return new Promise((resolve) => {
      this.pendingTar = resolve;
      this.tarInput.click();
    });
  }

  /** /home (and anything else saved, but not /tmp) as a tar: entries are `home/...`. */
  homeTar() {
    const scratch = new FileSystem();
    scratch.importTar(this.user.exportTar());
    if (scratch.exists('/tmp')) scratch.remove('/tmp', { recursive: true });
    return scratch.exportTar();
  }

  /**
   * Merges a tar into the saved tree. An archive made by export-home (or `wrun --fs-out`) has a
   * top-level home/ and lands where it came from; any other archive is unpacked into /home.
   */
  importHomeTar(bytes) {
    const scratch = new FileSystem();
    scratch.importTar(bytes);
    const top = scratch.readdir('/');
    const root = top.includes('home') ? '/' : '/home';
    let count = 0;
    const copy = (from, to) => {
      const st = scratch.lstat(from);
      count++;
      if (st.type === 'directory') {
        if (!this.user.exists(to)) this.user.mkdir(to, { recursive: true });
        for (const n of scratch.readdir(from)) copy(resolvePath(from, n), resolvePath(to, n));
      } else if (st.type === 'symlink') {
        if (!this.user.exists(to)) this.user.symlink(scratch.readlink(from), to);
      } else {
        this.user.writeFile(to, scratch.readFile(from));
      }
    };
    for (const n of top) copy(`/${n}`, resolvePath(root, n));
    return count;
  }

  dragAndDrop() {
    const overlay = document.getElementById('drop');
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    window.addEventListener('dragenter', (e) => { if (hasFiles(e)) { depth++; overlay.hidden = false; } });
    window.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; overlay.hidden = true; } });
    window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    window.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      overlay.hidden = true;
      this.store([...e.dataTransfer.files]);
    });
  }
}
