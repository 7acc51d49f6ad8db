//! The core's JS-facing API, run by wasm-bindgen-test in Node and (with WASM_BINDGEN_USE_BROWSER=1)
//! in Chrome. Engine-neutral on purpose: no `run_in_browser` here, so Node really runs them.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use wrun_web::{wasi_imports, FileSystem, SessionBuilder, CALL_EXIT, CALL_TRAP, CALL_WOULD_BLOCK};

fn index_of(name: &str) -> u32 {
    wasi_imports()
        .iter()
        .position(|e| js_sys::Array::from(&e).get(0).as_string().as_deref() == Some(name))
        .unwrap() as u32
}

fn memory() -> WebAssembly::Memory {
    let desc = js_sys::Object::new();
    Reflect::set(&desc, &"initial".into(), &1.into()).unwrap();
    WebAssembly::Memory::new(&desc).unwrap()
}

fn poke(mem: &WebAssembly::Memory, at: u32, bytes: &[u8]) {
    Uint8Array::new(&mem.buffer()).subarray(at, at + bytes.len() as u32).copy_from(bytes);
}

fn peek_u32(mem: &WebAssembly::Memory, at: u32) -> u32 {
    let mut b = [0u8; 4];
    Uint8Array::new(&mem.buffer()).subarray(at, at + 4).copy_to(&mut b);
    u32::from_le_bytes(b)
}

/// A small xorshift from `seed`: `next(n)` is below `n`. The shapes tests draw from it can be
/// replayed from the shape number a failure names.
fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

#[wasm_bindgen_test]
fn imports_list_every_preview1_function() {
    let list = wasi_imports();
    assert_eq!(list.length(), 46);
    let path_open = js_sys::Array::from(&list.get(index_of("path_open")));
    assert_eq!(path_open.get(1).as_string().unwrap(), "iiiiiIIii");
}

#[wasm_bindgen_test]
fn filesystem_round_trips_and_reports_errno() {
    let fs = FileSystem::new();
    fs.mkdir("/a/b", Some(true)).unwrap();
    fs.write_file("/a/b/f.txt", "héllo".as_bytes()).unwrap();
    assert_eq!(fs.read_file("/a/b/f.txt").unwrap(), "héllo".as_bytes());
    assert_eq!(fs.readdir("/a").unwrap(), vec!["b".to_string()]);
    let err = fs.read_file("/missing").unwrap_err();
    assert_eq!(Reflect::get(&err, &"code".into()).unwrap().as_string().unwrap(), "ENOENT");
    assert!(err.dyn_ref::<js_sys::Error>().is_some());
    let tar = fs.export_tar().unwrap();
    let copy = FileSystem::new();
    copy.import_tar(&tar).unwrap();
    assert_eq!(copy.read_file("a/b/f.txt").unwrap(), "héllo".as_bytes());
}

#[wasm_bindgen_test]
fn fd_write_reaches_the_stdout_callback_through_js_memory() {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u8>::new()));
    let sink = seen.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(Uint8Array)>::new(move |chunk: Uint8Array| {
        sink.borrow_mut().extend(chunk.to_vec());
    });
    let mut b = SessionBuilder::new();
    b.arg("prog").unwrap();
    b.tty(false, true);
    b.on_stdout(cb.as_ref().unchecked_ref::<js_sys::Function>().clone());
    let mut s = b.start().unwrap();
    let mem = memory();
    s.set_memory(mem.clone());
    poke(&mem, 0, &16u32.to_le_bytes());
    poke(&mem, 4, &6u32.to_le_bytes());
    poke(&mem, 16, "hé ✓\n".as_bytes()[..6].as_ref());
    let r = s.call(index_of("fd_write"), 1, 0, 1, 32, 0, 0, 0, 0, 0, 0, 0);
    assert_eq!(r, 0);
    assert_eq!(peek_u32(&mem, 32), 6);
    assert_eq!(seen.borrow().as_slice(), &"hé ✓\n".as_bytes()[..6]);
    drop(cb);
}

/// The browser's output path (guest memory a JS `WebAssembly.Memory`, stdout a JS callback) over
/// many iovec shapes: empty iovecs anywhere (wasi-libc writes `[empty buffer, data]`), many of
/// them, large ones. Each write must report every byte and deliver them in order.
#[wasm_bindgen_test]
fn fd_write_takes_every_iovec_shape_through_js() {
    // Collecting for a result takes the general path (gathered in the core); delivering only to
    // the callback, the bytes go to it straight from guest memory.
    for collect in [true, false] {
        every_iovec_shape(collect);
    }
}

fn every_iovec_shape(collect: bool) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u8>::new()));
    let sink = seen.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(Uint8Array)>::new(move |chunk: Uint8Array| {
        sink.borrow_mut().extend(chunk.to_vec());
    });
    let mut b = SessionBuilder::new();
    b.tty(false, true);
    b.collect(collect);
    b.on_stdout(cb.as_ref().unchecked_ref::<js_sys::Function>().clone());
    let mut s = b.start().unwrap();
    let mem = memory();
    s.set_memory(mem.clone());
    let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
    for shape in 0..200 {
        let count = next(12) as u32;
        let mut want = Vec::new();
        let mut at = 1024u32;
        for i in 0..count {
            let len = match next(4) {
                0 | 1 => 0,
                2 => next(16) as u32,
                _ => next(3000) as u32,
            };
            let bytes: Vec<u8> = (0..len).map(|j| (shape as u32 * 7 + i * 31 + j) as u8).collect();
            poke(&mem, at, &bytes);
            poke(&mem, i * 8, &at.to_le_bytes());
            poke(&mem, i * 8 + 4, &len.to_le_bytes());
            want.extend_from_slice(&bytes);
            at += len + 3;
        }
        seen.borrow_mut().clear();
        let r = s.call(index_of("fd_write"), 1, 0, count, 512, 0, 0, 0, 0, 0, 0, 0);
        assert_eq!(r, 0, "shape {shape}");
        assert_eq!(peek_u32(&mem, 512) as usize, want.len(), "shape {shape}: nwritten");
        assert_eq!(*seen.borrow(), want, "shape {shape}: the bytes delivered");
    }
    // An iovec outside memory traps, whichever path, and nothing is delivered.
    seen.borrow_mut().clear();
    poke(&mem, 0, &1_000_000_000u32.to_le_bytes());
    poke(&mem, 4, &8u32.to_le_bytes());
    assert_eq!(s.call(index_of("fd_write"), 1, 0, 1, 512, 0, 0, 0, 0, 0, 0, 0), CALL_TRAP);
    assert!(seen.borrow().is_empty());
    drop(cb);
}

/// `fd_read` from stdin over many iovec shapes, with input given both ways: copied into the core
/// (`writeStdin`) and read where it lies in the page (`writeStdinInPlace`, straight into guest
/// memory; more than 8 iovecs take the general path). Every byte arrives once, in order.
#[wasm_bindgen_test]
fn fd_read_takes_every_iovec_shape_from_both_kinds_of_stdin() {
    let mut s = SessionBuilder::new().start().unwrap();
    let mem = memory();
    s.set_memory(mem.clone());
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
    let mut given = Vec::new();
    for chunk in 0..60u32 {
        let len: u32 = [0, 1, 7, 100, 5000][next(5) as usize];
        let bytes: Vec<u8> = (0..len).map(|j| (chunk * 13 + j) as u8).collect();
        given.extend_from_slice(&bytes);
        if chunk % 2 == 0 {
            s.write_stdin(bytes);
        } else {
            s.write_stdin_in_place(Uint8Array::from(bytes.as_slice()));
        }
    }
    s.close_stdin();
    assert_eq!(s.stdin_unread() as usize, given.len());
    let mut read = Vec::new();
    for shape in 0.. {
        let count = next(11) as u32;
        let mut iovecs = Vec::new();
        let mut at = 1024u32;
        for i in 0..count {
            let len: u32 = [0, 3, 64, 65, 2000][next(5) as usize];
            poke(&mem, i * 8, &at.to_le_bytes());
            poke(&mem, i * 8 + 4, &len.to_le_bytes());
            iovecs.push((at, len));
            at += len + 5;
        }
        assert_eq!(s.call(index_of("fd_read"), 0, 0, count, 512, 0, 0, 0, 0, 0, 0, 0), 0, "shape {shape}");
        let mut n = peek_u32(&mem, 512) as usize;
        if n == 0 && iovecs.iter().any(|&(_, len)| len > 0) {
            break; // the end of input
        }
        for (ptr, len) in iovecs {
            let take = n.min(len as usize);
            let mut b = vec![0u8; take];
            Uint8Array::new(&mem.buffer()).subarray(ptr, ptr + take as u32).copy_to(&mut b);
            read.extend_from_slice(&b);
            n -= take;
        }
        assert_eq!(n, 0, "shape {shape}: more read than the iovecs hold");
    }
    assert_eq!(read, given);
    assert_eq!(s.stdin_unread(), 0.0);

    // A page's chunk whose buffer the page gave away (detached) since: EIO, not a panic or a
    // false end of input, on both paths (one iovec, and more than 8).
    for count in [1u32, 9] {
        let mut s = SessionBuilder::new().start().unwrap();
        s.set_memory(mem.clone());
        let chunk = Uint8Array::from(&b"gone"[..]);
        s.write_stdin_in_place(chunk.clone());
        js_sys::Function::new_with_args("a", "structuredClone(a.buffer, { transfer: [a.buffer] })").call1(&JsValue::NULL, &chunk).unwrap();
        for i in 0..count {
            poke(&mem, i * 8, &(1024 + i * 16).to_le_bytes());
            poke(&mem, i * 8 + 4, &4u32.to_le_bytes());
        }
        const EIO: i32 = 29;
        assert_eq!(s.call(index_of("fd_read"), 0, 0, count, 512, 0, 0, 0, 0, 0, 0, 0), EIO, "{count} iovecs");
    }
}

/// A callback that throws is a reader gone: EPIPE, on both paths (collected and gathered in the
/// core, or taken straight from guest memory).
#[wasm_bindgen_test]
fn a_throwing_callback_is_a_broken_pipe() {
    for collect in [true, false] {
        let mut b = SessionBuilder::new();
        b.tty(false, true);
        b.collect(collect);
        b.on_stdout(js_sys::Function::new_no_args("throw new Error('the reader went away')"));
        let mut s = b.start().unwrap();
        let mem = memory();
        s.set_memory(mem.clone());
        poke(&mem, 0, &64u32.to_le_bytes());
        poke(&mem, 4, &5u32.to_le_bytes());
        poke(&mem, 64, b"hello");
        const EPIPE: i32 = 64;
        assert_eq!(s.call(index_of("fd_write"), 1, 0, 1, 512, 0, 0, 0, 0, 0, 0, 0), EPIPE, "collect {collect}");
    }
}

#[wasm_bindgen_test]
fn exit_trap_and_would_block_are_reported() {
    let mut s = SessionBuilder::new().start().unwrap();
    let mem = memory();
    s.set_memory(mem.clone());
    // fd_read on an open, empty stdin: nothing to read yet.
    poke(&mem, 0, &64u32.to_le_bytes());
    poke(&mem, 4, &8u32.to_le_bytes());
    assert_eq!(s.call(index_of("fd_read"), 0, 0, 1, 32, 0, 0, 0, 0, 0, 0, 0), CALL_WOULD_BLOCK);
    assert!(s.waits_for_input());
    s.write_stdin(b"hi".to_vec());
    assert_eq!(s.call(index_of("fd_read"), 0, 0, 1, 32, 0, 0, 0, 0, 0, 0, 0), 0);
    assert_eq!(peek_u32(&mem, 32), 2);
    // A pointer past the end of memory traps.
    assert_eq!(s.call(index_of("fd_write"), 1, 1_000_000_000, 1, 32, 0, 0, 0, 0, 0, 0, 0), CALL_TRAP);
    assert!(s.trap_message().unwrap().contains("out of bounds"));
    assert_eq!(s.call(index_of("proc_exit"), 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), CALL_EXIT);
    assert_eq!(s.exit_code(), Some(3));
    let _ = JsValue::NULL;
}
