// The `wrun/wasi` entry, used as its types say (npm/test/types.test.mjs).
import { init, WASI, FileSystem, WrunError, hasJSPI, type WASIOptions, type WasmSource } from 'wrun/wasi';

export async function polyfill(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const source: WasmSource = bytes;
  await init({ onProgress: ({ done, total }) => console.log(done / total), module: source, nodeFs: false });
  const fs = await FileSystem.create();
  fs.writeFile('/in.txt', 'text');
  const options: WASIOptions = { version: 'preview1', args: ['tool'], fs, preopens: { '/data': '/' } };
  const wasi = new WASI(options);
  const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
  try {
    return hasJSPI ? await wasi.startAsync(instance) : wasi.start(instance);
  } catch (e) {
    if (e instanceof WrunError) console.log(e.kind);
    throw e;
  }
}
