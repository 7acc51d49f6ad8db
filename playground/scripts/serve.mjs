// Serves a built playground on 127.0.0.1 with the tests' static server (no COOP/COEP headers):
//   node playground/scripts/serve.mjs playground/dist 8080
import { serve } from '../../npm/test/serve.mjs';

const [dir = new URL('../dist', import.meta.url).pathname, port = '8080'] = process.argv.slice(2);
const s = await serve(dir, { port: Number(port) });
console.log(`wrun playground: ${s.url}/  (serving ${dir}; Ctrl-C to stop)`);
