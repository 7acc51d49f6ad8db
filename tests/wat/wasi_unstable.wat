;; A program built for `wasi_unstable` (WASI snapshot 0, before 2020), checking the three places
;; its ABI differs from preview 1: fd_seek's whence numbering, the filestat layout and the clock
;; subscription of poll_oneoff. Exits with the number of the first check that fails (0: all
;; passed, after printing "wasi_unstable ok"). Needs one writable preopen (fd 3).
;; native/tests/cli_run.rs runs it on every engine; npm/test/wasi.test.mjs through the WASI
;; polyfill with version 'unstable'.
(module
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $pstat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "f.txt")
  (data (i32.const 200) "0123456789")
  (data (i32.const 220) "wasi_unstable ok\n")
  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))
  (func (export "_start") (local $fd i32)
    ;; Create f.txt in the preopen and write 10 bytes.
    (call $check (i32.eqz (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5) (i32.const 1)
      (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0))) (i32.const 1))
    (local.set $fd (i32.load (i32.const 0)))
    (i32.store (i32.const 8) (i32.const 200)) (i32.store (i32.const 12) (i32.const 10))
    (call $check (i32.eqz (call $write (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16))) (i32.const 2))
    ;; whence 2 is SET in snapshot 0 (END in preview 1): offset 3.
    (call $check (i32.eqz (call $seek (local.get $fd) (i64.const 3) (i32.const 2) (i32.const 24))) (i32.const 3))
    (call $check (i64.eq (i64.load (i32.const 24)) (i64.const 3)) (i32.const 4))
    ;; whence 1 is END (CUR in preview 1): 1 before the end is 9.
    (call $check (i32.eqz (call $seek (local.get $fd) (i64.const -1) (i32.const 1) (i32.const 24))) (i32.const 5))
    (call $check (i64.eq (i64.load (i32.const 24)) (i64.const 9)) (i32.const 6))
    ;; whence 0 is CUR: 9 - 2 = 7.
    (call $check (i32.eqz (call $seek (local.get $fd) (i64.const -2) (i32.const 0) (i32.const 24))) (i32.const 7))
    (call $check (i64.eq (i64.load (i32.const 24)) (i64.const 7)) (i32.const 8))
    ;; A 56-byte filestat: filetype (4, a regular file) at 16, nlink (u32) at 20, size at 24;
    ;; nothing written past it (a preview 1 filestat is 64 bytes).
    (i64.store (i32.const 356) (i64.const -1))
    (call $check (i32.eqz (call $fstat (local.get $fd) (i32.const 300))) (i32.const 9))
    (call $check (i32.eq (i32.load8_u (i32.const 316)) (i32.const 4)) (i32.const 10))
    (call $check (i32.eq (i32.load (i32.const 320)) (i32.const 1)) (i32.const 11))
    (call $check (i64.eq (i64.load (i32.const 324)) (i64.const 10)) (i32.const 12))
    (call $check (i64.eq (i64.load (i32.const 356)) (i64.const -1)) (i32.const 13))
    (call $check (i32.eqz (call $pstat (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 5) (i32.const 300))) (i32.const 14))
    (call $check (i64.eq (i64.load (i32.const 324)) (i64.const 10)) (i32.const 15))
    ;; A relative 1 ms clock subscription, snapshot 0 layout: userdata 7, tag 0 (clock) at 8,
    ;; identifier at 16, clock id 1 (monotonic) at 24, timeout at 32.
    (i64.store (i32.const 400) (i64.const 7))
    (i32.store8 (i32.const 408) (i32.const 0))
    (i64.store (i32.const 416) (i64.const 99))
    (i32.store (i32.const 424) (i32.const 1))
    (i64.store (i32.const 432) (i64.const 1000000))
    (call $check (i32.eqz (call $poll (i32.const 400) (i32.const 500) (i32.const 1) (i32.const 40))) (i32.const 16))
    (call $check (i32.eq (i32.load (i32.const 40)) (i32.const 1)) (i32.const 17))
    (call $check (i64.eq (i64.load (i32.const 500)) (i64.const 7)) (i32.const 18))
    (call $check (i32.eqz (i32.load16_u (i32.const 508))) (i32.const 19))
    (i32.store (i32.const 8) (i32.const 220)) (i32.store (i32.const 12) (i32.const 17))
    (call $check (i32.eqz (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16))) (i32.const 20))))
