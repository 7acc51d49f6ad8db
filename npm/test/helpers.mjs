// Shared by the Node and browser tests: guest programs, small hand-written modules, and WAT.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const GUESTS = `${REPO}target/guests/`;
export const EXPECTED = `${REPO}tests/guests/`;

/** A built guest's bytes (target/guests/NAME.wasm). */
export const guest = (name) => new Uint8Array(readFileSync(`${GUESTS}${name}.wasm`));
/** A guest's expected stdout (tests/guests/{rust,c}/NAME.stdout). */
export const expectedStdout = (lang, name) => readFileSync(`${EXPECTED}${lang}/${name}.stdout`, 'utf8');

/** `(module (func (export "_start") (loop (br 0))))`: runs forever and never calls WASI. */
export const LOOP = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114,
  116, 0, 0, 10, 9, 1, 7, 0, 3, 64, 12, 0, 11, 11];

/** `(module (import "env" "foo" (func)) (func (export "_start")))`: an import wrun does not provide. */
export const IMPORTS_ENV_FOO = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 102, 111,
  111, 0, 0, 3, 2, 1, 0, 7, 10, 1, 6, 95, 115, 116, 97, 114, 116, 0, 1, 10, 4, 1, 2, 0, 11];

/** `(module (func (export "main")))`: a library, not a command. */
export const NO_START = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 8, 1, 4, 109, 97, 105, 110, 0,
  0, 10, 4, 1, 2, 0, 11];

/** Text that is no module at all. */
export const NOT_WASM = Array.from(new TextEncoder().encode('#!/bin/sh\necho this is not wasm\n'));

let binaryen;
/**
 * Assembles WebAssembly text with binaryen (a devDependency), checking the result validates.
 * `referenceTypes` enables `table.grow` and friends; `threads`, shared memories.
 */
export async function wat(text, { referenceTypes = false, threads = false } = {}) {
  binaryen ??= (await import('binaryen')).default;
  const m = binaryen.parseText(text);
  if (referenceTypes) m.setFeatures(m.getFeatures() | binaryen.Features.ReferenceTypes);
  if (threads) m.setFeatures(m.getFeatures() | binaryen.Features.Atomics);
  try {
    if (!m.validate()) throw new Error('the WAT does not validate');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * Writes its two clocks (realtime, monotonic: 8 bytes each) and 32 bytes of random_get to stdout,
 * raw: two runs print the same bytes only if clocks and randomness are fixed.
 */
export const CLOCKS_AND_RANDOM = `(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (call $clock (i32.const 0) (i64.const 1) (i32.const 16)) (then unreachable))
    (if (call $clock (i32.const 1) (i64.const 1) (i32.const 24)) (then unreachable))
    (if (call $random (i32.const 32) (i32.const 32)) (then unreachable))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 48))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))))`;

/** Creates `made-by-guest.txt` ("written by the guest\\n") in the first preopen (fd 3). */
export const WRITES_A_FILE = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "made-by-guest.txt")
  (data (i32.const 200) "written by the guest\\n")
  (func (export "_start")
    ;; path_open(fd 3, no follow, path, O_CREAT|O_TRUNC, rights fd_write, 0, no flags, &fd at 8)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 17) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8))
      (then unreachable))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 21))
    (if (call $write (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 12)) (then unreachable))))`;

/** 1 MiB of every byte value (much of it invalid UTF-8), from a fixed xorshift sequence. */
export function pseudoRandomBytes(n = 1 << 20, seed = 0x9e3779b9) {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps all of stdin in its memory, growing it as input arrives, and echoes it at the end. */
export const SLURP = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $end i32) (local $n i32)
    (local.set $end (i32.const 1024))
    (loop $more
      (if (i32.gt_u (i32.add (local.get $end) (i32.const 65536)) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.const 1)))))
      (i32.store (i32.const 0) (local.get $end)) (i32.store (i32.const 4) (i32.const 65536))
      (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
      (local.set $n (i32.load (i32.const 8)))
      (local.set $end (i32.add (local.get $end) (local.get $n)))
      (br_if $more (local.get $n)))
    (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.sub (local.get $end) (i32.const 1024)))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))))`;
