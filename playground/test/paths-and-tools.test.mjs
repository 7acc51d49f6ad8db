// Small pure pieces in Node: path resolution for the shell, and the `-` the shell adds for rg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePath, basename, tildify } from '../src/vfs.js';
import { argsForPipedStdin } from '../src/tools.js';

test('resolvePath joins onto the current directory and folds . and ..', () => {
  assert.equal(resolvePath('/home', 'a/./b/../c'), '/home/a/c');
  assert.equal(resolvePath('/home/x', '/tmp//f'), '/tmp/f');
  assert.equal(resolvePath('/home', '../../..'), '/');
  assert.equal(resolvePath('/', '.'), '/');
  assert.equal(basename('/home/a/'), 'a');
  assert.equal(tildify('/home/a', '/home'), '~/a');
  assert.equal(tildify('/homely', '/home'), '/homely');
});

test('rg with piped stdin and no path gets `-`; with a path, or another tool, nothing changes', () => {
  const piped = (args, tool = 'rg') => argsForPipedStdin(tool, args);
  assert.deepEqual(piped(['world']), ['world', '-']);
  assert.deepEqual(piped(['-n', '-i', 'world']), ['-n', '-i', 'world', '-']);
  assert.deepEqual(piped(['-g', '*.txt', 'world']), ['-g', '*.txt', 'world', '-']);
  assert.deepEqual(piped(['-e', 'a', '-e', 'b']), ['-e', 'a', '-e', 'b', '-']);
  assert.deepEqual(piped(['--regexp=a']), ['--regexp=a', '-']);
  assert.deepEqual(piped(['world', 'file.txt']), ['world', 'file.txt']);
  assert.deepEqual(piped(['-e', 'a', 'file.txt']), ['-e', 'a', 'file.txt']);
  assert.deepEqual(piped(['--files']), ['--files'], 'no pattern: nothing to search stdin for');
  assert.deepEqual(piped(['world'], 'coreutils'), ['world']);
});
