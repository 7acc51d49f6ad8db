// Every name the package exports, used as its types say: `tsc --noEmit --strict` must accept this
// file (npm/test/types.test.mjs), so the .d.ts cannot drift from what the package does.
import {
  init, run, spawn, FileSystem, WASI, WrunError, RunResult, hasJSPI, EXIT_STATUS,
  type Program, type RunOptions, type Preopen, type Process, type WrunErrorKind, type Stat, type Dirent, type Encoding,
  type WASIOptions, type WasmSource, type NodeFsLike, type FileSystemPromises,
} from 'wrun';

async function main(bytes: Uint8Array<ArrayBuffer>, fsLike: NodeFsLike): Promise<number> {
  await init({ onProgress: ({ done, total }) => console.log(done / total), module: new URL('https://cdn.example/core.wasm') });
  const source: WasmSource = bytes;
  await init({ module: source, wasmiModule: await WebAssembly.compile(bytes) });

  const program: Program = bytes;
  const fetched: Program = fetch('https://example.org/tool.wasm');
  const fs: FileSystem = await FileSystem.create();
  fs.mkdir('/home', { recursive: true });
  fs.writeFile('/home/a.txt', 'hi', 'utf8');
  fs.writeFile('/home/b.bin', new Uint8Array([1, 2]), { encoding: 'base64' });
  const text: string = fs.readFile('/home/a.txt', 'utf8');
  const raw: Uint8Array = fs.readFile('/home/b.bin');
  const names: string[] = fs.readdir('/home');
  const entries: Dirent[] = fs.readdir('/home', { withFileTypes: true });
  const st: Stat = fs.stat('/home/a.txt');
  const isFile: boolean = st.isFile() && !st.isDirectory() && !fs.lstat('/home').isSymbolicLink();
  const when: Date = st.mtime;
  fs.rename('/home/a.txt', '/home/c.txt');
  fs.symlink('c.txt', '/home/l');
  const target: string = fs.readlink('/home/l');
  fs.unlink('/home/l');
  fs.rm('/home/x', { recursive: true, force: true });
  fs.remove('/home/b.bin');
  fs.rmdir('/nothing/here');
  const exists: boolean = fs.exists('/home') && fs.existsSync('/home');
  const promises: FileSystemPromises = fs.promises;
  const read: Uint8Array = await promises.readFile('/home/c.txt');
  const readText: string = await promises.readFile('/home/c.txt', 'utf8');
  await fs.promises.writeFile('/home/d.txt', 'x');
  const tar: Uint8Array = fs.exportTar();
  fs.importTar(tar);
  fs.replaceWithTar(tar);
  fs.setQuota(1 << 20);
  const used: number = fs.usedBytes;
  const persistent = await FileSystem.openPersistent('home');
  await persistent.flush();
  const readOnly: boolean = persistent.readOnly;
  if (readOnly) await persistent.whenWritable;

  const bin: Preopen = { fs: await FileSystem.create(), path: '/' };
  await run(new Uint8Array(0), { fs, preopens: { '/home': '/home', '/bin': bin } });

  const controller = new AbortController();
  const options: RunOptions = {
    args: ['tool', '--help'], env: { LANG: 'C' }, stdin: new Blob(['x']), fs, preopens: { '/home': '/home' },
    engine: 'auto', worker: true, timeoutMs: 1000, fuel: 1e6, maxMemoryBytes: 1 << 24, maxOutputBytes: 1 << 20,
    tty: false, deterministic: 1, signal: controller.signal, name: 'tool',
    onStdout: (c: Uint8Array) => c.length, onStderr: (c: Uint8Array) => c.length,
  };
  const result: RunResult = await run(program, options);
  const streamedResult: RunResult = await run(fetched);
  console.log(streamedResult.exitCode);
  const out: string = result.stdoutText + result.stderrText;
  const code: number = result.exitCode;

  const proc: Process = spawn(program, { stdin: new ReadableStream<Uint8Array>() });
  proc.stdin.write('line\n');
  const writer = proc.stdin.getWriter();
  await writer.write(new Uint8Array([10]));
  await writer.close();
  for await (const chunk of proc.stdout) console.log(chunk.byteLength);
  const reader = proc.stderr.getReader();
  await reader.read();
  const status: number = await proc.exited;
  const maybe: number | null = proc.exitCode;
  proc.kill();
  try {
    await proc.wait();
  } catch (e) {
    if (e instanceof WrunError) {
      const kind: WrunErrorKind = e.kind;
      console.log(kind, e.exitCode, e.status, e.trap, e.stdout?.length, e.stderr?.length);
    }
  }

  const wasiOptions: WASIOptions = { version: 'unstable', args: ['m'], env: { A: 'b' }, preopens: { '/': '/' }, fs: fsLike, returnOnExit: true, stdin: 'in', onStdout: (c) => c.length, interactive: true };
  const wasi = new WASI(wasiOptions);
  const { instance } = await WebAssembly.instantiate(bytes, { ...wasi.getImportObject(), env: {} });
  wasi.initialize(instance);
  wasi.finalizeBindings(instance, { memory: new WebAssembly.Memory({ initial: 1 }) });
  wasi.setInstance(instance);
  const exit: number = wasi.start(instance);
  const later: number = await wasi.startAsync(instance);
  wasi.stdin.write('more');
  wasi.stdin.close();
  wasi.kill();
  wasi.flush();
  const imports: Record<string, unknown> = wasi.wasiImport;
  const suspending = wasi.getImportObject({ suspending: true });

  const jspi: boolean = hasJSPI;
  const killed: 137 = EXIT_STATUS.killed;
  console.log(readText, text, raw, names, entries, isFile, when, target, exists, read, used, out, code, status, maybe, exit, later, imports, suspending, jspi, killed);
  return EXIT_STATUS.trap;
}

export { main };
