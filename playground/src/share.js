// Share links: `share [-f FILE]... COMMAND` makes a URL that opens the playground, writes the
// given files into /tmp/shared (never over anyone's /home) and runs the command there, typed at
// the prompt first so the visitor sees what runs. Everything travels in the URL's fragment,
// which browsers do not send to the server.
const PREFIX = '#run=';

const toBase64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const urlSafe = (b64) => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromUrlSafe = (text) => text.replace(/-/g, '+').replace(/_/g, '/');

/** The link for `command` with `files` ([[name, bytes]]), on the page at `base`. */
export function makeLink(base, command, files) {
  const payload = { c: command, f: Object.fromEntries(files.map(([name, bytes]) => [name, toBase64(bytes)])) };
  return `${base}${PREFIX}${urlSafe(toBase64(new TextEncoder().encode(JSON.stringify(payload))))}`;
}

/** What a link's fragment asks for: { command, files: [[name, bytes]] }, or null if it is no share link. Throws for a damaged one. */
export function readLink(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  let payload;
  try {
    payload = JSON.parse(new TextDecoder().decode(fromBase64(fromUrlSafe(hash.slice(PREFIX.length)))));
  } catch {
    throw new Error('this share link is damaged (cut short when copied?)');
  }
  if (typeof payload?.c !== 'string') throw new Error('this share link names no command');
  const files = Object.entries(payload.f ?? {}).map(([name, b64]) => {
    // A name, not a path: the files go side by side in /tmp/shared.
    if (!name || name.includes('/') || name === '.' || name === '..') throw new Error(`this share link has a bad file name: ${JSON.stringify(name)}`);
    return [name, fromBase64(b64)];
  });
  return { command: payload.c, files };
}
