// The shell's grammar in Node: tokens, pipelines and lists, redirections, quoting, expansion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, expandWord, globToRegExp, ShellSyntaxError } from '../src/shell-parse.js';

const VARS = { HOME: '/home', X: 'a b', EMPTY: '', '?': '3' };
const lookup = (n) => VARS[n];
/** The argv a command would get (no globbing). */
const argv = (cmd) => cmd.words.flatMap((w) => expandWord(w, lookup).map((f) => f.text));
const first = (line) => parse(line)[0].pipeline[0];

test('words, quotes and escapes', () => {
  assert.deepEqual(argv(first(`echo  'a  b' "c $X" d\\ e ''`)), ['echo', 'a  b', 'c a b', 'd e', '']);
  assert.deepEqual(argv(first(`echo "\\"q\\" \\$X \\n" 'it''s'`)), ['echo', '"q" $X \\n', 'its']);
  assert.deepEqual(argv(first('echo a"b"c\'d\'')), ['echo', 'abcd']);
});

test('variables: $?, ${NAME}, unquoted splitting, empty ones vanish unless quoted, ~', () => {
  assert.deepEqual(argv(first('echo $? ${HOME}/x $X "$X" $EMPTY "$EMPTY" $NOPE ~ ~/f a~')),
    ['echo', '3', '/home/x', 'a', 'b', 'a b', '', '/home', '/home/f', 'a~']);
  assert.deepEqual(argv(first('echo $ a$ $1')), ['echo', '$', 'a$', '$1']);
});

test('pipelines, lists and redirections', () => {
  const list = parse('echo hello world | rg world > out.txt; cat < in 2>&1 && a || b');
  assert.equal(list.length, 4);
  assert.deepEqual(list.map((l) => l.op), [';', '&&', '||', null]);
  const [echo, rg] = list[0].pipeline;
  assert.deepEqual(argv(echo), ['echo', 'hello', 'world']);
  assert.deepEqual(argv(rg), ['rg', 'world']);
  assert.deepEqual(rg.redirects.map((r) => [r.op, r.target[0].text]), [['>', 'out.txt']]);
  const cat = list[1].pipeline[0];
  assert.deepEqual(cat.redirects.map((r) => r.op), ['<', '2>&1']);
  assert.deepEqual(first('a >>log 2>err').redirects.map((r) => [r.op, r.target[0].text]), [['>>', 'log'], ['2>', 'err']]);
  // `2` inside a word is not a descriptor.
  assert.deepEqual(argv(first('echo a2>f')), ['echo', 'a2']);
});

test('assignments before a command, comments, a trailing semicolon', () => {
  const c = first('A=1 B="x y" env # ignored');
  assert.deepEqual(c.assignments.map(([k, v]) => [k, v.map((p) => p.text).join('')]), [['A', '1'], ['B', 'x y']]);
  assert.deepEqual(argv(c), ['env']);
  assert.equal(parse('echo a;').length, 1);
  assert.deepEqual(parse('   '), []);
  assert.deepEqual(parse('# only a comment'), []);
});

test('syntax errors are ShellSyntaxError with a message', () => {
  for (const bad of ["echo 'open", 'echo "open', 'a |', '| a', 'a >', 'a && && b', 'echo ${X', 'a ||']) {
    assert.throws(() => parse(bad), ShellSyntaxError, bad);
  }
});

test('globs: unquoted * and ? only', () => {
  const [w] = first('echo *.txt').words.slice(1);
  const [f] = expandWord(w, lookup);
  assert.equal(f.glob, true);
  assert.ok(globToRegExp(f.pattern).test('a.txt'));
  assert.ok(!globToRegExp(f.pattern).test('a.txtx'));
  const [q] = expandWord(first('echo "*.txt"').words[1], lookup);
  assert.equal(q.glob, false);
  const [mixed] = expandWord(first('echo "a*"?').words[1], lookup);
  assert.ok(globToRegExp(mixed.pattern).test('a*b'));
  assert.ok(!globToRegExp(mixed.pattern).test('aXb'));
});
