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
 * `referenceTypes` enables `table.grow` and friends; `threads`, shared memories; `exceptions`,
 * exception handling with `exnref` (`try_table`, `throw_ref`).
 */
export async function wat(text, { referenceTypes = false, threads = false, simd = false, exceptions = false } = {}) {
  binaryen ??= (await import('binaryen')).default;
  const m = binaryen.parseText(text);
  if (referenceTypes) m.setFeatures(m.getFeatures() | binaryen.Features.ReferenceTypes);
  if (threads) m.setFeatures(m.getFeatures() | binaryen.Features.Atomics);
  if (simd) m.setFeatures(m.getFeatures() | binaryen.Features.SIMD128);
  if (exceptions) m.setFeatures(m.getFeatures() | binaryen.Features.ExceptionHandling | binaryen.Features.ReferenceTypes);
  try {
    if (!m.validate()) throw new Error('the WAT does not validate');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * tests/wat/exceptions.wat (the CLI's tests run it too): exits with 7 through exnref exception
 * handling. Assemble with `wat(EXCEPTIONS, { exceptions: true })`.
 */
export const EXCEPTIONS = readFileSync(`${REPO}tests/wat/exceptions.wat`, 'utf8');

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

/** Writes `kept.txt` ("written before the kill\\n") in the first preopen, closes it, then loops forever. */
export const WRITES_THEN_LOOPS = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "kept.txt")
  (data (i32.const 200) "written before the kill\\n")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 8) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8))
      (then unreachable))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 24))
    (if (call $write (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 12)) (then unreachable))
    (if (call $close (i32.load (i32.const 8))) (then unreachable))
    (loop $forever (br $forever))))`;

/** Reads all of `big.bin` in the first preopen into memory, then writes it to `copy.bin` in one call. */
export const COPIES_BIG = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 200)
  (data (i32.const 100) "big.bin")
  (data (i32.const 120) "copy.bin")
  (func (export "_start") (local $in i32) (local $end i32)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7) (i32.const 0)
                    (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8))
      (then unreachable))
    (local.set $in (i32.load (i32.const 8)))
    (local.set $end (i32.const 65536))
    (loop $more
      (i32.store (i32.const 16) (local.get $end))
      (i32.store (i32.const 20) (i32.const 4194304))
      (if (call $read (local.get $in) (i32.const 16) (i32.const 1) (i32.const 24)) (then unreachable))
      (local.set $end (i32.add (local.get $end) (i32.load (i32.const 24))))
      (br_if $more (i32.load (i32.const 24))))
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 8) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8))
      (then unreachable))
    (i32.store (i32.const 16) (i32.const 65536))
    (i32.store (i32.const 20) (i32.sub (local.get $end) (i32.const 65536)))
    (if (call $write (i32.load (i32.const 8)) (i32.const 16) (i32.const 1) (i32.const 28)) (then unreachable))
    (if (i32.ne (i32.load (i32.const 28)) (i32.load (i32.const 20))) (then unreachable))))`;

/**
 * Appends `lines` lines ("X\\n") to `mine` in the first preopen, one open-append-close each, 2 ms
 * apart; then waits (5 ms sleeps, 10 s at most) until `theirs` holds as many, and exits 0 — or 1
 * if it never did, 2/3 if its own file could not be opened or written.
 */
export function appender(mine, theirs, lines = 20) {
  return `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "${mine}")
  (data (i32.const 150) "${theirs}")
  (data (i32.const 200) "X\\n")
  (func $sleep (param $ns i64)
    ;; one monotonic-clock subscription at 300, its event at 400
    (i64.store (i32.const 300) (i64.const 0))
    (i32.store8 (i32.const 308) (i32.const 0))
    (i32.store (i32.const 316) (i32.const 1))
    (i64.store (i32.const 324) (local.get $ns))
    (i64.store (i32.const 332) (i64.const 0))
    (i32.store16 (i32.const 340) (i32.const 0))
    (drop (call $poll (i32.const 300) (i32.const 400) (i32.const 1) (i32.const 440))))
  (func (export "_start") (local $i i32) (local $fd i32) (local $tries i32)
    (loop $append
      ;; O_CREAT, rights fd_write, fdflags APPEND
      (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const ${mine.length}) (i32.const 1)
                      (i64.const 64) (i64.const 0) (i32.const 1) (i32.const 8))
        (then (call $exit (i32.const 2))))
      (i32.store (i32.const 0) (i32.const 200))
      (i32.store (i32.const 4) (i32.const 2))
      (if (call $write (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 12)) (then (call $exit (i32.const 3))))
      (drop (call $close (i32.load (i32.const 8))))
      (call $sleep (i64.const 2000000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $append (i32.lt_u (local.get $i) (i32.const ${lines}))))
    (loop $watch
      ;; rights fd_filestat_get; the size is at 32 in the filestat
      (if (i32.eqz (call $open (i32.const 3) (i32.const 0) (i32.const 150) (i32.const ${theirs.length}) (i32.const 0)
                               (i64.const 2097152) (i64.const 0) (i32.const 0) (i32.const 8)))
        (then
          (local.set $fd (i32.load (i32.const 8)))
          (drop (call $fstat (local.get $fd) (i32.const 500)))
          (drop (call $close (local.get $fd)))
          (if (i64.ge_u (i64.load (i32.const 532)) (i64.const ${2 * lines})) (then (call $exit (i32.const 0))))))
      (call $sleep (i64.const 5000000))
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (br_if $watch (i32.lt_u (local.get $tries) (i32.const 2000))))
    (call $exit (i32.const 1))))`;
}

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
