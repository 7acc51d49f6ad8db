//! One bridge from Rust errors to JS `Error`s: a message, plus `code` ("ENOENT") and `errno`
//! where there is one.

use runtime_core::Errno;
use wasm_bindgen::JsValue;

/// POSIX-style name of an errno, as Node's `err.code`. (The names are ASCII: the ASCII upper-casing
/// keeps Unicode's case tables out of the download.)
pub fn errno_code(e: Errno) -> String {
    format!("E{:?}", e).to_ascii_uppercase()
}

/// An `Error` for a failed filesystem operation: `ENOENT: no such file or directory, open '/x'`.
pub fn fs_error(e: Errno, op: &str, path: &str) -> JsValue {
    let code = errno_code(e);
    let err = js_sys::Error::new(&format!("{code}: {e}, {op} '{path}'"));
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&err, &"errno".into(), &JsValue::from(e.raw()));
    let _ = js_sys::Reflect::set(&err, &"syscall".into(), &op.into());
    let _ = js_sys::Reflect::set(&err, &"path".into(), &path.into());
    err.into()
}

/// A plain `Error` with a message.
pub fn error(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

/// An `Error` whose `kind` ("invalid-module", "link", "no-start") is the `WrunError` kind the
/// package reports it as. (For the module checks and the wasmi add-on: not in the `wrun/wasi` build.)
#[cfg(any(feature = "runner", feature = "wasmi"))]
pub fn kinded_error(msg: &str, kind: &str) -> JsValue {
    let err = error(msg);
    let _ = js_sys::Reflect::set(&err, &"kind".into(), &kind.into());
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_look_like_node() {
        assert_eq!(errno_code(Errno::Noent), "ENOENT");
        assert_eq!(errno_code(Errno::Notempty), "ENOTEMPTY");
    }
}
