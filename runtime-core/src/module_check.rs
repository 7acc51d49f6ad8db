//! Engine-neutral checks of a module before it is compiled, shared by `wrun` and the web library
//! so both give the same one-line error for the same bad input: not wasm, a component or another
//! version, an import we do not provide (named), a WASI import with the wrong signature (which a
//! browser would not notice: JS functions accept any arguments), no `_start` (or one of the wrong
//! type), a memory that starts larger than the memory cap allows.
//!
//! Feature `module-check` (adds `wasmparser`, parsing only: no validation).
//!
//! ```
//! use runtime_core::module_check::{check, CheckErrorKind, Wording};
//!
//! let sig = b"\0asm\x01\0\0\0\x01\x05\x01\x60\x01\x7f\x00\x02\x23\x01\x16wasi_snapshot_preview1\x08fd_write\x00\x00";
//! let e = check(sig, None, None, &Wording::default(), false).unwrap_err();
//! assert_eq!(e.kind, CheckErrorKind::Link);
//! assert!(e.message.contains("with type (i32) -> (), but WASI defines it as (i32, i32, i32, i32) -> (i32)"));
//! ```

use std::fmt;

use wasmparser::{Parser, Payload, TypeRef, ValType};

use crate::imports::{ValType as WasiVal, WasiFunc, WasiVersion};

/// What kind of problem a check found; front ends map it to their error types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckErrorKind {
    /// Not a (well-formed) core module.
    InvalidModule,
    /// An import the runtime does not provide, or provides with another type; a memory that
    /// cannot be created within the cap.
    Link,
    /// No entry point (`_start`, or the function asked for), or one of the wrong type.
    NoStart,
}

/// A check's one-line finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError {
    pub kind: CheckErrorKind,
    pub message: String,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CheckError {}

/// The front end's own words inside the messages.
#[derive(Clone, Debug)]
pub struct Wording {
    /// Appended to "… so it is not a WASI command": how to call another export instead
    /// (`; to call one … use --invoke NAME`).
    pub no_start_hint: &'static str,
    /// The name of the memory cap (`--max-memory`, `maxMemoryBytes`).
    pub memory_cap: &'static str,
    /// Appended to "… which wrun does not provide": how to run the module anyway, if the caller
    /// can (`; --unknown-imports-trap runs it anyway…`).
    pub unknown_import_hint: &'static str,
}

impl Default for Wording {
    fn default() -> Self {
        Wording { no_start_hint: "", memory_cap: "the memory cap", unknown_import_hint: "" }
    }
}

fn fail<T>(kind: CheckErrorKind, message: String) -> Result<T, CheckError> {
    Err(CheckError { kind, message })
}

fn invalid<T>(message: String) -> Result<T, CheckError> {
    fail(CheckErrorKind::InvalidModule, message)
}

fn link<T>(message: String) -> Result<T, CheckError> {
    fail(CheckErrorKind::Link, message)
}

/// Reads the magic and version itself, because the parser's messages for them are cryptic.
fn check_header(wasm: &[u8]) -> Result<(), CheckError> {
    if !wasm.starts_with(b"\0asm") {
        return invalid("not a WebAssembly module: it does not start with the wasm magic bytes (\\0asm)".into());
    }
    match wasm.get(4..8) {
        None => invalid("invalid module: the file is truncated (it ends inside the 8-byte header)".into()),
        Some([1, 0, 0, 0]) => Ok(()),
        Some([0x0d, 0, 1, 0]) => invalid("this is a WebAssembly component; wrun runs core modules (WASI preview 1)".into()),
        Some(v) => invalid(format!(
            "unsupported WebAssembly binary version {} (wrun runs version 1 modules)",
            u32::from_le_bytes([v[0], v[1], v[2], v[3]])
        )),
    }
}

/// The parser's error as one line, with the likely cause of an early end of file.
fn parse_error(e: wasmparser::BinaryReaderError) -> CheckError {
    let message = if e.message().starts_with("unexpected end-of-file") {
        format!(
            "invalid module: unexpected end of file at offset {:#x} (the file is truncated, or a section's size is wrong)",
            e.offset()
        )
    } else {
        format!("invalid module: {e}")
    };
    CheckError { kind: CheckErrorKind::InvalidModule, message }
}

fn wasi_val(v: WasiVal) -> ValType {
    match v {
        WasiVal::I32 => ValType::I32,
        WasiVal::I64 => ValType::I64,
    }
}

/// A function type as `(i32, i64) -> (i32)`.
pub fn describe(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

type FuncSig = Option<(Vec<ValType>, Vec<ValType>)>;

/// Checks imports, memories and the entry point. `invoke` names the function to call instead of
/// `_start`, if any; `max_memory` is the memory cap in bytes. With `unknown_functions_trap`, a
/// function import that is not WASI's passes (the engine links it to a trap).
///
/// Returns the WASI the module imports: preview 1, or `wasi_unstable` (never both).
pub fn check(wasm: &[u8], invoke: Option<&str>, max_memory: Option<u64>, words: &Wording, unknown_functions_trap: bool) -> Result<WasiVersion, CheckError> {
    let mut version = None;
    check_module(wasm, invoke, max_memory, words, unknown_functions_trap, Extent::Whole, &mut version)?;
    Ok(version.unwrap_or_default())
}

/// As [`check`], reading no further than the start of the code section: everything checked
/// lies before it, so `wasm` may end a few bytes after the code section's header (its id, size
/// and count). For a caller that has the engine parse the rest: the browser, which compiles a
/// large program while it downloads, need not copy it whole into the core to check it. What
/// only the whole module shows (a truncated code or data section) is then the engine's to find;
/// the caller may run [`check`] when it does, for the same message as `wrun`.
pub fn check_head(wasm: &[u8], invoke: Option<&str>, max_memory: Option<u64>, words: &Wording, unknown_functions_trap: bool) -> Result<WasiVersion, CheckError> {
    let mut version = None;
    check_module(wasm, invoke, max_memory, words, unknown_functions_trap, Extent::Head, &mut version)?;
    Ok(version.unwrap_or_default())
}

/// How much of the module a check reads.
#[derive(Clone, Copy, PartialEq)]
enum Extent {
    Whole,
    /// Up to the code section's start.
    Head,
}

fn check_module(
    wasm: &[u8],
    invoke: Option<&str>,
    max_memory: Option<u64>,
    words: &Wording,
    unknown_functions_trap: bool,
    extent: Extent,
    version: &mut Option<WasiVersion>,
) -> Result<(), CheckError> {
    check_header(wasm)?;
    let mut types: Vec<FuncSig> = Vec::new();
    // The type index of every function, imported ones first, as the index space counts them.
    let mut func_types: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, u32)> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(parse_error)? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.map_err(parse_error)?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(parse_error)?;
                    check_import(&types, import.module, import.name, import.ty, words, unknown_functions_trap)?;
                    if let Some(v) = WasiVersion::from_module(import.module) {
                        if version.is_some_and(|seen| seen != v) {
                            return link(format!(
                                "the module imports both `{}` and `{}`: one WASI or the other",
                                WasiVersion::Preview1.module(),
                                WasiVersion::Unstable.module()
                            ));
                        }
                        *version = Some(v);
                    }
                    if let TypeRef::Func(index) = import.ty {
                        func_types.push(index);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty.map_err(parse_error)?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    check_memory(&memory.map_err(parse_error)?, max_memory, words)?;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(parse_error)?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            Payload::CodeSectionStart { .. } if extent == Extent::Head => break,
            _ => {}
        }
    }
    let names = || {
        let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
        if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
    };
    let find = |name: &str| exports.iter().find(|(n, _)| n == name).map(|&(_, index)| index);
    if let Some(name) = invoke {
        return match find(name) {
            Some(_) => Ok(()),
            None => fail(CheckErrorKind::NoStart, format!("the module exports no function `{name}` (it exports: {})", names())),
        };
    }
    let Some(start) = find("_start") else {
        return fail(
            CheckErrorKind::NoStart,
            format!("the module has no `_start` function, so it is not a WASI command{} (it exports: {})", words.no_start_hint, names()),
        );
    };
    match func_types.get(start as usize).and_then(|&t| types.get(t as usize)) {
        Some(Some((params, results))) if params.is_empty() && results.is_empty() => Ok(()),
        Some(Some((params, results))) => fail(
            CheckErrorKind::NoStart,
            format!(
                "the module's `_start` has type {}, but a WASI command's `_start` takes no arguments and returns nothing",
                describe(params, results)
            ),
        ),
        _ => invalid("invalid module: `_start` refers to a missing function or type".into()),
    }
}

/// A memory whose initial size is already over the cap could never be created.
fn check_memory(memory: &wasmparser::MemoryType, max_memory: Option<u64>, words: &Wording) -> Result<(), CheckError> {
    let Some(max) = max_memory else { return Ok(()) };
    let page = 1u64 << memory.page_size_log2.unwrap_or(16);
    let initial = memory.initial.saturating_mul(page);
    if initial > max {
        let pages = if memory.initial == 1 { "page" } else { "pages" };
        return link(format!(
            "the module's memory starts at {} {pages} ({initial} bytes), more than {} allows ({max} bytes)",
            memory.initial, words.memory_cap
        ));
    }
    Ok(())
}

fn check_import(types: &[FuncSig], module: &str, name: &str, ty: TypeRef, words: &Wording, unknown_functions_trap: bool) -> Result<(), CheckError> {
    let TypeRef::Func(index) = ty else {
        return link(format!("the module imports `{module}::{name}`, which is not a function; wrun provides only WASI preview 1 functions"));
    };
    let version = WasiVersion::from_module(module);
    let wasi = version.and_then(|v| WasiFunc::from_name(name).filter(|&f| v.has(f)));
    let Some(func) = wasi else {
        if unknown_functions_trap && version.is_none() {
            return Ok(());
        }
        let hint = if module.starts_with("wasi:") {
            " (a WASI preview 2 interface; wrun runs preview 1 modules)"
        } else {
            words.unknown_import_hint
        };
        return link(format!("the module imports `{module}::{name}`, which wrun does not provide{hint}"));
    };
    let want_params: Vec<ValType> = func.params().iter().map(|&p| wasi_val(p)).collect();
    let want_results: Vec<ValType> = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
    let Some(Some((params, results))) = types.get(index as usize) else {
        return invalid(format!("invalid module: import `{module}::{name}` refers to a missing function type"));
    };
    if *params != want_params || *results != want_results {
        return link(format!(
            "the module imports `{module}::{name}` with type {}, but WASI defines it as {}",
            describe(params, results),
            describe(&want_params, &want_results)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Wording {
        Wording { no_start_hint: "; to call one of its exports use --invoke NAME", memory_cap: "--max-memory", unknown_import_hint: "" }
    }

    #[test]
    fn header_errors() {
        let e = check(b"hello!!!", None, None, &words(), false).unwrap_err();
        assert_eq!((e.kind, e.message.contains("magic")), (CheckErrorKind::InvalidModule, true));
        assert!(check(b"\0asm\x01\0", None, None, &words(), false).unwrap_err().message.contains("8-byte header"));
        assert!(check(b"\0asm\x02\0\0\0", None, None, &words(), false).unwrap_err().message.contains("version 2"));
        assert!(check(b"\0asm\x0d\0\x01\0", None, None, &words(), false).unwrap_err().message.contains("component"));
        // A section declaring far more bytes than the file has.
        let e = check(b"\0asm\x01\0\0\0\x01\xff\xff\xff\x0f\x01", None, None, &words(), false).unwrap_err();
        assert!(e.message.contains("invalid module"), "{e}");
    }

    #[test]
    fn the_head_is_enough_and_the_whole_check_finds_a_truncated_code_section() {
        // (module (func (export "_start"))), cut after the code section's header and count.
        let whole = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x07\x0a\x01\x06_start\0\0\x0a\x04\x01\x02\0\x0b";
        assert!(check(whole, None, None, &words(), false).is_ok());
        let cut = &whole[..whole.len() - 3];
        assert!(check_head(cut, None, None, &words(), false).is_ok());
        let e = check(cut, None, None, &words(), false).unwrap_err();
        assert!(e.message.contains("unexpected end of file"), "{e}");
        // What lies before the code is checked as ever.
        let e = check_head(&whole[..20], None, None, &words(), false).unwrap_err();
        assert_eq!(e.kind, CheckErrorKind::InvalidModule);
    }

    #[test]
    fn no_start_names_exports_and_the_hint() {
        // (module (func (export "main")))
        let m = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x07\x08\x01\x04main\0\0\x0a\x04\x01\x02\0\x0b";
        let e = check(m, None, None, &words(), false).unwrap_err();
        assert_eq!(e.kind, CheckErrorKind::NoStart);
        assert!(e.message.contains("--invoke NAME (it exports: main)"), "{e}");
        assert!(check(m, Some("main"), None, &words(), false).is_ok());
    }
}
