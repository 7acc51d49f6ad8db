;; Exits with 7, the payload of an exception caught as a reference (`catch_all_ref`), thrown again
;; (`throw_ref`) and caught by its tag: exception handling with exnref, as wasi-sdk's C++ with
;; -fwasm-exceptions emits. The CLI tests and the npm package's tests both run it.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (tag $oops (param i32))
  (func $fail (param i32) (throw $oops (local.get 0)))
  (func (export "_start")
    (call $exit
      (block $caught (result i32)
        (try_table (catch $oops $caught)
          (throw_ref
            (block $any (result exnref)
              (try_table (catch_all_ref $any) (call $fail (i32.const 7)))
              (unreachable))))
        (i32.const 99)))))
