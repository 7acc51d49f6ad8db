//! A memory cap for guests on the browser's own engine: the module's memory and table sections are
//! rewritten so their maximums are at most the cap. `memory.grow` and `table.grow` past it then
//! fail with -1 inside the guest, as under `wrun --max-memory`, instead of the tab running out of
//! memory. wasmparser reads the module (the same parser as the checks); only the limits are
//! written back, every other byte is copied as it is.

use runtime_core::limits::TABLE_ELEMENT_BYTES;
use wasm_bindgen::prelude::*;
use wasmparser::{BinaryReader, BinaryReaderError, MemoryType, Parser, Payload, RefType, TableType};

const TABLE_SECTION: u8 = 4;
const MEMORY_SECTION: u8 = 5;

fn write_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// Rewrites `wasm` so no memory may grow beyond `max_bytes` and no table beyond `max_bytes` at
/// [`TABLE_ELEMENT_BYTES`] an element (the budgets `wrun --max-memory` gives; there several
/// memories share one, here each memory gets it). Errors if a memory or table already starts
/// larger than that, or the module is malformed.
pub fn cap_memory(wasm: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(wasm.len() + 16);
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(message)?;
        match &payload {
            Payload::Version { num: 1, range, .. } => out.extend_from_slice(&wasm[..range.end]),
            Payload::Version { .. } => return Err("not a core WebAssembly module (a component?)".into()),
            _ => {}
        }
        let Some((id, range)) = payload.as_section() else { continue };
        let body = &wasm[range.clone()];
        let rewritten = match id {
            MEMORY_SECTION => Some(cap_memories(body, range.start, max_bytes)?),
            TABLE_SECTION => Some(cap_tables(body, range.start, max_bytes)?),
            _ => None,
        };
        let body = rewritten.as_deref().unwrap_or(body);
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// The capped maximum of limits `initial..maximum` counted in units of `unit` bytes, or the error
/// for a minimum already above the cap (`what` names it).
fn capped_max(initial: u64, maximum: Option<u64>, unit: u64, max_bytes: u64, what: &str) -> Result<u64, String> {
    let cap = max_bytes / unit;
    if initial > cap {
        return Err(format!(
            "the program needs {} of {what} to start, more than the {} cap",
            human(initial.saturating_mul(unit)),
            human(max_bytes)
        ));
    }
    Ok(maximum.map_or(cap, |m| m.min(cap)))
}

/// Memories: `flags min [max] [page-size]`, written back with a maximum always present.
fn cap_memories(body: &[u8], offset: usize, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut r = BinaryReader::new(body, offset);
    let count = r.read_var_u32().map_err(message)?;
    let mut section = Vec::with_capacity(body.len() + 8);
    write_leb(&mut section, count.into());
    for _ in 0..count {
        let m: MemoryType = r.read().map_err(message)?;
        let page = 1u64 << m.page_size_log2.unwrap_or(16);
        let max = capped_max(m.initial, m.maximum, page, max_bytes, "memory")?;
        let flags = 1 | u8::from(m.shared) << 1 | u8::from(m.memory64) << 2 | u8::from(m.page_size_log2.is_some()) << 3;
        section.push(flags);
        write_leb(&mut section, m.initial);
        write_leb(&mut section, max);
        if let Some(log2) = m.page_size_log2 {
            write_leb(&mut section, log2.into());
        }
    }
    end_of_section(&r)?;
    Ok(section)
}

/// Tables: `reftype limits`, or `0x40 0x00 reftype limits expr` with an initializer. Reading a
/// constant expression would link wasmparser's operator decoder into the web core (10 KB gzip), so
/// from the first table with an initializer on the rest of the section is copied as it is (that
/// table's own maximum is still capped); the browser's own table limit (10 million elements in V8)
/// then bounds the others.
fn cap_tables(body: &[u8], offset: usize, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut r = BinaryReader::new(body, offset);
    let count = r.read_var_u32().map_err(message)?;
    let mut section = Vec::with_capacity(body.len() + 8);
    write_leb(&mut section, count.into());
    for _ in 0..count {
        let start = r.current_position();
        let with_init = body.get(start) == Some(&0x40);
        if with_init {
            r.read_bytes(2).map_err(message)?;
        }
        let mut ref_type = r.clone();
        ref_type.read::<RefType>().map_err(message)?;
        section.extend_from_slice(&body[start..ref_type.current_position()]);
        let t: TableType = r.read().map_err(message)?;
        let max = capped_max(t.initial, t.maximum, TABLE_ELEMENT_BYTES, max_bytes, "table")?;
        section.push(1 | u8::from(t.shared) << 1 | u8::from(t.table64) << 2);
        write_leb(&mut section, t.initial);
        write_leb(&mut section, max);
        if with_init {
            section.extend_from_slice(&body[r.current_position()..]);
            return Ok(section);
        }
    }
    end_of_section(&r)?;
    Ok(section)
}

fn message(e: BinaryReaderError) -> String {
    e.to_string()
}

fn end_of_section(r: &BinaryReader) -> Result<(), String> {
    if r.eof() {
        Ok(())
    } else {
        Err(format!("section has extra bytes at offset {:#x}", r.original_position()))
    }
}

/// JS entry point of [`cap_memory`].
#[wasm_bindgen(js_name = capMemory)]
pub fn cap_memory_js(wasm: &[u8], max_bytes: f64) -> Result<Vec<u8>, JsValue> {
    cap_memory(wasm, max_bytes as u64).map_err(|e| crate::errors::error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: u64 = 65536;

    fn section(id: u8, body: &[u8]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.push(id);
        m.push(body.len() as u8);
        m.extend_from_slice(body);
        m
    }

    fn module(memory: &[u8]) -> Vec<u8> {
        let mut m = section(MEMORY_SECTION, memory);
        m.extend_from_slice(&[0, 2, 1, b'x']); // a custom section after it survives
        m
    }

    #[test]
    fn adds_or_lowers_the_maximum() {
        // (memory 1): min 1, no max → max = cap (4 pages).
        let capped = cap_memory(&module(&[1, 0, 1]), 4 * PAGE).unwrap();
        assert_eq!(capped, module(&[1, 1, 1, 4]));
        // (memory 1 100) → max 4; (memory 1 2) keeps 2.
        assert_eq!(cap_memory(&module(&[1, 1, 1, 100]), 4 * PAGE).unwrap(), module(&[1, 1, 1, 4]));
        assert_eq!(cap_memory(&module(&[1, 1, 1, 2]), 4 * PAGE).unwrap(), module(&[1, 1, 1, 2]));
        // Shared and 64-bit memories keep their flags.
        assert_eq!(cap_memory(&module(&[1, 3, 1, 100]), 4 * PAGE).unwrap(), module(&[1, 3, 1, 4]));
        assert_eq!(cap_memory(&module(&[1, 4, 1]), 4 * PAGE).unwrap(), module(&[1, 5, 1, 4]));
    }

    #[test]
    fn counts_custom_pages_in_their_own_size() {
        // (memory 1 (pagesize 1)): 4 pages of 64 KiB are 262 144 one-byte pages (LEB 80 80 10).
        assert_eq!(cap_memory(&module(&[1, 8, 1, 0]), 4 * PAGE).unwrap(), module(&[1, 9, 1, 0x80, 0x80, 0x10, 0]));
    }

    fn tables(table: &[u8]) -> Vec<u8> {
        section(TABLE_SECTION, table)
    }

    #[test]
    fn caps_tables_at_eight_bytes_an_element() {
        // 512 bytes are 64 elements: (table 1 funcref) gets max 64, (table 2 10 externref) keeps 10.
        assert_eq!(cap_memory(&tables(&[2, 0x70, 0, 1, 0x6f, 1, 2, 10]), 512).unwrap(), tables(&[2, 0x70, 1, 1, 64, 0x6f, 1, 2, 10]));
        // A typed reference (0x64 heap type 0) with an initializer after its limits.
        let with_init = [1, 0x40, 0, 0x64, 0, 0, 5, 0xd2, 0, 0x0b];
        let capped = [1, 0x40, 0, 0x64, 0, 1, 5, 64, 0xd2, 0, 0x0b];
        assert_eq!(cap_memory(&tables(&with_init), 512).unwrap(), tables(&capped));
        assert!(cap_memory(&tables(&[1, 0x70, 0, 65]), 512).unwrap_err().contains("table to start"));
    }

    #[test]
    fn refuses_a_start_above_the_cap_and_bad_input() {
        assert!(cap_memory(&module(&[1, 0, 17]), 16 * PAGE).unwrap_err().contains("to start"));
        assert!(cap_memory(b"nope", PAGE).is_err());
        let mut truncated = module(&[1, 0, 1]);
        truncated.truncate(11);
        assert!(cap_memory(&truncated, PAGE).is_err());
        assert!(cap_memory(&module(&[1, 0, 1, 0]), PAGE).unwrap_err().contains("extra bytes"));
        assert!(cap_memory(&module(&[1, 0x10, 1]), PAGE).is_err());
        assert!(cap_memory(b"\0asm\x0d\0\x01\0", PAGE).is_err(), "a component is not a module");
    }
}
