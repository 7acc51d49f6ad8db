// The shell's grammar, parsed into plain data so that expansion happens when each command runs
// (`false; echo $?` must see the status of `false`, not the one from before the line started).
//
//   line     := pipeline ((';' | '&' | '&&' | '||') pipeline)* [';' | '&']
//   pipeline := command ('|' command)*
//   command  := (NAME=value)* (word | redirect)+
//   redirect := ('<' | '>' | '>>' | '2>' | '2>>') word | '2>&1'
//
// A word is a list of parts: { text, quoted } literals, { variable, quoted } expansions and
// { command, quoted } substitutions (`$(...)`, a line of its own). `quoted` decides field
// splitting and globbing. No subshells, functions or control flow: this is the small shell the
// playground needs, not POSIX sh.

export class ShellSyntaxError extends Error {}

const OPERATORS = ['2>&1', '2>>', '&&', '||', '>>', '2>', '|', ';', '<', '>', '&'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Splits a line into words and operators: [{ word: parts } | { op }]. */
export function tokenize(line) {
  const tokens = [];
  let parts = null; // the word being read, if any
  const push = (part) => {
    parts ??= [];
    const last = parts[parts.length - 1];
    // Merge neighbouring literals with the same quoting, so "a"b stays two parts but abc is one.
    if (part.text !== undefined && last?.text !== undefined && last.quoted === part.quoted) last.text += part.text;
    else parts.push(part);
  };
  const endWord = () => {
    if (parts) tokens.push({ word: parts });
    parts = null;
  };
  // `$NAME`, `${NAME}`, `$?`, `$(...)`: returns the index after it, or -1 when `$` is a plain character.
  const variable = (i, quoted) => {
    const rest = line.slice(i + 1);
    if (rest[0] === '(') {
      const end = closingParen(line, i + 2);
      push({ command: line.slice(i + 2, end), quoted });
      return end + 1;
    }
    if (rest[0] === '?') { push({ variable: '?', quoted }); return i + 2; }
    if (rest[0] === '{') {
      const end = rest.indexOf('}');
      if (end < 0) throw new ShellSyntaxError('missing } after ${');
      const name = rest.slice(1, end);
      if (!NAME.test(name) || name.match(NAME)[0] !== name) throw new ShellSyntaxError(`bad substitution: \${${name}}`);
      push({ variable: name, quoted });
      return i + end + 2;
    }
    const m = rest.match(NAME);
    if (!m) return -1;
    push({ variable: m[0], quoted });
    return i + 1 + m[0].length;
  };

  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { endWord(); i++; continue; }
    if (c === '#' && !parts) break; // a comment only where a word would start
    // `2>` is an operator only as a whole word start: `a2>f` is the word a2 then `>`.
    const op = OPERATORS.find((o) => line.startsWith(o, i) && (o[0] !== '2' || !parts));
    if (op) { endWord(); tokens.push({ op, at: i }); i += op.length; continue; }
    if (c === '\\') {
      if (i + 1 < line.length) push({ text: line[i + 1], quoted: true });
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unterminated ' quote");
      push({ text: line.slice(i + 1, end), quoted: true });
      i = end + 1;
      continue;
    }
    if (c === '"') {
      push({ text: '', quoted: true }); // "" is an empty word, not no word
      i++;
      for (;;) {
        if (i >= line.length) throw new ShellSyntaxError('unterminated " quote');
        const d = line[i];
        if (d === '"') { i++; break; }
        if (d === '\\' && '"\\$`'.includes(line[i + 1])) { push({ text: line[i + 1], quoted: true }); i += 2; continue; }
        if (d === '$') {
          const next = variable(i, true);
          if (next >= 0) { i = next; continue; }
        }
        push({ text: d, quoted: true });
        i++;
      }
      continue;
    }
    if (c === '$') {
      const next = variable(i, false);
      if (next >= 0) { i = next; continue; }
    }
    push({ text: c, quoted: false });
    i++;
  }
  endWord();
  return tokens;
}

/** Where the `)` closing a `$(` is (`from` is just after the `(`), skipping quotes and nested ones. */
function closingParen(line, from) {
  let depth = 1;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') { i++; continue; }
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new ShellSyntaxError('missing ) after $(');
}

/** An unquoted `NAME=...` word at the start of a command: returns [name, parts of the value]. */
function assignment(parts) {
  const first = parts[0];
  if (!first || first.quoted || first.text === undefined) return null;
  const m = first.text.match(/^([A-Za-z_][A-Za-z0-9_]*)=/);
  if (!m) return null;
  const rest = first.text.slice(m[0].length);
  return [m[1], [...(rest ? [{ text: rest, quoted: false }] : []), ...parts.slice(1)]];
}

/**
 * Parses a line into a list of { pipeline: [command], op, text } where `op` ("&&", "||", ";",
 * "&" or null) joins it to the next ("&": it runs in the background) and `text` is its source. A
 * command is { assignments: [[name, parts]], words: [parts], redirects: [{ op, target: parts }] }.
 */
export function parse(line) {
  const tokens = tokenize(line);
  const list = [];
  let pipeline = [];
  let command = null;
  let from = 0; // where the pipeline's text starts
  const text = (to) => line.slice(from, to).replace(/#.*$/, '').trim();
  const endCommand = (op) => {
    if (!command) throw new ShellSyntaxError(`syntax error near \`${op}'`);
    pipeline.push(command);
    command = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.word) {
      command ??= { assignments: [], words: [], redirects: [] };
      const a = command.words.length === 0 ? assignment(t.word) : null;
      if (a) command.assignments.push(a);
      else command.words.push(t.word);
    } else if (t.op === '|') {
      endCommand('|');
    } else if (t.op === ';' || t.op === '&&' || t.op === '||' || t.op === '&') {
      endCommand(t.op);
      list.push({ pipeline, op: t.op, text: text(t.at) });
      from = t.at + t.op.length;
      pipeline = [];
    } else if (t.op === '2>&1') {
      command ??= { assignments: [], words: [], redirects: [] };
      command.redirects.push({ op: '2>&1' });
    } else {
      const target = tokens[i + 1];
      if (!target?.word) throw new ShellSyntaxError(`syntax error: \`${t.op}' needs a file name`);
      command ??= { assignments: [], words: [], redirects: [] };
      command.redirects.push({ op: t.op, target: target.word });
      i++;
    }
  }
  if (command) {
    pipeline.push(command);
  } else if (pipeline.length) {
    throw new ShellSyntaxError('syntax error: the line ends with `|\'');
  }
  if (pipeline.length) list.push({ pipeline, op: null, text: text(line.length) });
  else if (list.length && !';&'.includes(list[list.length - 1].op)) throw new ShellSyntaxError(`syntax error: the line ends with \`${list[list.length - 1].op}'`);
  const last = list[list.length - 1];
  if (last && last.op !== '&') last.op = null;
  return list;
}

/**
 * Expands a word into fields: variables from `lookup(name)`, unquoted ones split on whitespace,
 * `~` at the start to $HOME. Returns [{ text, glob }] where `glob` says the field holds an unquoted
 * `*` or `?` that should match file names.
 */
export function expandWord(parts, lookup) {
  const fields = [];
  let current = null; // { text, glob, hadQuoted, pattern }
  const add = (text, quoted) => {
    current ??= { text: '', glob: false, hadQuoted: false };
    current.text += text;
    if (quoted) current.hadQuoted = true;
    if (!quoted && /[*?]/.test(text)) current.glob = true;
    current.pattern = (current.pattern ?? '') + (quoted ? escapeGlob(text) : text);
  };
  parts.forEach((p, index) => {
    if (p.text !== undefined) {
      let text = p.text;
      if (index === 0 && !p.quoted && (text === '~' || text.startsWith('~/'))) text = (lookup('HOME') ?? '/') + text.slice(1);
      add(text, p.quoted);
      return;
    }
    // A substitution's output comes in `value` (the shell ran it before expanding).
    const value = p.command !== undefined ? p.value ?? '' : lookup(p.variable) ?? '';
    if (p.quoted) { add(value, true); return; }
    // Unquoted: split into fields on whitespace; leading/trailing blanks end the current field.
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, k) => {
      if (k > 0 && current) { fields.push(current); current = null; }
      if (piece) add(piece, false);
    });
  });
  if (current && (current.text !== '' || current.hadQuoted)) fields.push(current);
  return fields.map((f) => ({ text: f.text, glob: f.glob, pattern: f.pattern }));
}

const escapeGlob = (text) => text.replace(/[*?\\]/g, '\\$&');

/** A glob pattern segment (with `\` escapes for literal characters) as a RegExp. */
export function globToRegExp(segment) {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\' && i + 1 < segment.length) re += segment[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Removes glob escapes: the literal text of a pattern segment. */
export const unescapeGlob = (segment) => segment.replace(/\\(.)/g, '$1');
