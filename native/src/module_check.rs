//! Engine-neutral checks before a module is compiled, so every engine gives the same one-line
//! error for the same bad input: not wasm, a component, an import we do not provide (named), a
//! WASI import with the wrong signature, no `_start`.

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
        return wat::parse_bytes(&bytes).map(|b| b.into_owned()).map_err(|e| anyhow::anyhow!("invalid WebAssembly text: {e}"));
    }
    if bytes.is_empty() {
        bail!("not a WebAssembly module: the file is empty");
    }
    bail!("not a WebAssembly module: the file does not start with the wasm magic bytes (\\0asm)")
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

/// Checks imports and the entry point. `invoke` is the `--invoke` function, if any.
pub fn check(wasm: &[u8], invoke: Option<&str>) -> anyhow::Result<()> {
    let mut types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    let mut exports: Vec<String> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("invalid module")? {
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
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.context("invalid export section")?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        exports.push(export.name.to_string());
                    }
                }
            }
            Payload::CodeSectionStart { .. } => {}
            _ => {}
        }
    }
    match invoke {
        Some(name) if !exports.iter().any(|e| e == name) => {
            bail!("the module exports no function `{name}` (it exports: {})", exports.join(", "))
        }
        None if !exports.iter().any(|e| e == "_start") => bail!(
            "the module has no `_start` function, so it is not a WASI command; \
             to call one of its exports use --invoke NAME (it exports: {})",
            if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") }
        ),
        _ => Ok(()),
    }
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
