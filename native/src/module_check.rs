//! Engine-neutral checks before a module is compiled, so every engine gives the same one-line
//! error for the same bad input: not wasm, a component, an import we do not provide (named), a
//! WASI import with the wrong signature, no `_start` (or one of the wrong type), a memory larger
//! than `--max-memory` allows. A module an engine then refuses is explained by [`load_failure`].

use anyhow::{bail, Context as _};
use runtime_core::imports::{self, ValType as WasiVal, WasiFunc};
use wasmparser::{Parser, Payload, TypeRef, ValType};

/// Turns the file's bytes into a binary module: WebAssembly text is assembled, anything else must
/// start with the wasm magic.
pub fn to_binary(bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).ok().map(str::trim_start);
    if text.is_some_and(|t| t.starts_with('(') || t.starts_with(";;")) {
        return wat::parse_bytes(&bytes).map(|b| b.into_owned()).map_err(|e| invalid_text(&e));
    }
    if bytes.is_empty() {
        bail!("not a WebAssembly module: the file is empty");
    }
    bail!("not a WebAssembly module: the file does not start with the wasm magic bytes (\\0asm)")
}

/// `wat` renders an error as the message, then a `--> <anon>:LINE:COL` line and a source snippet;
/// a wrun message is one line, so this keeps the message and the position.
fn invalid_text(e: &wat::Error) -> anyhow::Error {
    let text = e.to_string();
    let message = text.lines().next().unwrap_or_default().trim();
    let position = text.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|loc| {
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next()?;
        let line = parts.next()?;
        Some(format!(" at line {line}, column {col}"))
    });
    anyhow::anyhow!("invalid WebAssembly text{}: {message}", position.unwrap_or_default())
}

/// Reads the version field itself, because the parser's message for it is cryptic.
fn check_version(wasm: &[u8]) -> anyhow::Result<()> {
    match wasm.get(4..8) {
        None => bail!("invalid module: the file is truncated (it ends inside the 8-byte header)"),
        // Version 1 is a core module; `0d 00 01 00` is a component, which `check` names.
        Some([1, 0, 0, 0] | [0x0d, 0, 1, 0]) => Ok(()),
        Some(v) => bail!(
            "unsupported WebAssembly binary version {} (wrun runs version 1 modules)",
            u32::from_le_bytes([v[0], v[1], v[2], v[3]])
        ),
    }
}

/// The parser's error as one line, with the likely cause of an early end of file.
fn invalid(e: wasmparser::BinaryReaderError) -> anyhow::Error {
    if e.message().starts_with("unexpected end-of-file") {
        anyhow::anyhow!(
            "invalid module: unexpected end of file at offset {:#x} (the file is truncated, or a section's size is wrong)",
            e.offset()
        )
    } else {
        anyhow::anyhow!("invalid module: {e}")
    }
}

/// Why an engine refused a module that passed [`check`]: the validator's reason when the module is
/// invalid, so every engine reports the same thing; otherwise the engine's own reason (a feature it
/// does not support), cut to its first line.
pub fn load_failure(wasm: &[u8], engine: &str, engine_error: &str) -> anyhow::Error {
    match wasmparser::Validator::new().validate_all(wasm) {
        Err(e) => anyhow::anyhow!("invalid module: {e}"),
        Ok(_) => {
            let reason = engine_error.lines().next().unwrap_or_default().trim();
            anyhow::anyhow!("the {engine} engine cannot load this module: {reason}")
        }
    }
}

fn wasi_val(v: WasiVal) -> ValType {
    match v {
        WasiVal::I32 => ValType::I32,
        WasiVal::I64 => ValType::I64,
    }
}

fn describe(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

/// Checks imports, memories and the entry point. `invoke` is the `--invoke` function, if any;
/// `max_memory` is `--max-memory`.
pub fn check(wasm: &[u8], invoke: Option<&str>, max_memory: Option<u64>) -> anyhow::Result<()> {
    check_version(wasm)?;
    let mut types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    // The type index of every function, imported ones first, as the index space counts them.
    let mut func_types: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, u32)> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(invalid)? {
            Payload::Version { encoding: wasmparser::Encoding::Component, .. } => {
                bail!("this is a WebAssembly component; wrun runs core modules (WASI preview 1)")
            }
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.context("invalid type section")?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.context("invalid import section")?;
                    check_import(&types, import.module, import.name, import.ty)?;
                    if let TypeRef::Func(index) = import.ty {
                        func_types.push(index);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty.context("invalid function section")?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    check_memory(&memory.context("invalid memory section")?, max_memory)?;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.context("invalid export section")?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            _ => {}
        }
    }
    let names = || {
        let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
        if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
    };
    let find = |name: &str| exports.iter().find(|(n, _)| n == name).map(|&(_, index)| index);
    match invoke {
        Some(name) if find(name).is_none() => bail!("the module exports no function `{name}` (it exports: {})", names()),
        Some(_) => Ok(()),
        None => {
            let Some(start) = find("_start") else {
                bail!(
                    "the module has no `_start` function, so it is not a WASI command; \
                     to call one of its exports use --invoke NAME (it exports: {})",
                    names()
                )
            };
            match func_types.get(start as usize).and_then(|&t| types.get(t as usize)) {
                Some(Some((params, results))) if params.is_empty() && results.is_empty() => Ok(()),
                Some(Some((params, results))) => bail!(
                    "the module's `_start` has type {}, but a WASI command's `_start` takes no arguments and returns nothing",
                    describe(params, results)
                ),
                _ => bail!("invalid module: `_start` refers to a missing function or type"),
            }
        }
    }
}

/// A memory whose initial size is already over `--max-memory` could never be created.
fn check_memory(memory: &wasmparser::MemoryType, max_memory: Option<u64>) -> anyhow::Result<()> {
    let Some(max) = max_memory else { return Ok(()) };
    let page = 1u64 << memory.page_size_log2.unwrap_or(16);
    let initial = memory.initial.saturating_mul(page);
    if initial > max {
        let pages = if memory.initial == 1 { "page" } else { "pages" };
        bail!(
            "the module's memory starts at {} {pages} ({initial} bytes), more than --max-memory allows ({max} bytes)",
            memory.initial
        );
    }
    Ok(())
}

fn check_import(types: &[Option<(Vec<ValType>, Vec<ValType>)>], module: &str, name: &str, ty: TypeRef) -> anyhow::Result<()> {
    let TypeRef::Func(index) = ty else {
        bail!("the module imports `{module}::{name}`, which is not a function; wrun provides only WASI preview 1 functions");
    };
    let wasi = if module == imports::MODULE { WasiFunc::from_name(name) } else { None };
    let Some(func) = wasi else {
        let hint = if module == "wasi_unstable" {
            " (`wasi_unstable` is the pre-2020 WASI; rebuild for wasm32-wasip1)"
        } else if module.starts_with("wasi:") {
            " (a WASI preview 2 interface; wrun runs preview 1 modules)"
        } else {
            ""
        };
        bail!("the module imports `{module}::{name}`, which wrun does not provide{hint}");
    };
    let want_params: Vec<ValType> = func.params().iter().map(|&p| wasi_val(p)).collect();
    let want_results: Vec<ValType> = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
    let Some(Some((params, results))) = types.get(index as usize) else {
        bail!("invalid module: import `{module}::{name}` refers to a missing function type");
    };
    if *params != want_params || *results != want_results {
        bail!(
            "the module imports `{module}::{name}` with type {}, but WASI defines it as {}",
            describe(params, results),
            describe(&want_params, &want_results)
        );
    }
    Ok(())
}
