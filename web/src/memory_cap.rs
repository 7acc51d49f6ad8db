//! A memory cap for guests on the browser's own engine: the module's memory and table sections are
//! rewritten so their maximums are at most the cap. `memory.grow` and `table.grow` past it then
//! fail with -1 inside the guest, as under `wrun --max-memory`, instead of the tab running out of
//! memory.

use runtime_core::limits::TABLE_ELEMENT_BYTES;
use wasm_bindgen::prelude::*;

const PAGE: u64 = 65536;
const TABLE_SECTION: u8 = 4;
const MEMORY_SECTION: u8 = 5;

fn read_leb(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut result = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos).ok_or("truncated module")?;
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(result);
        }
        shift += 7;
        if shift >= 64 {
            return Err("malformed LEB128 number".into());
        }
    }
}

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
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("not a WebAssembly module".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        pos += 1;
        let size = read_leb(wasm, &mut pos)? as usize;
        let end = pos.checked_add(size).filter(|&e| e <= wasm.len()).ok_or("truncated module")?;
        let body = &wasm[pos..end];
        let rewritten = match id {
            MEMORY_SECTION => Some(cap_memories(body, max_bytes)?),
            TABLE_SECTION => Some(cap_tables(body, max_bytes)?),
            _ => None,
        };
        out.push(id);
        let body = rewritten.as_deref().unwrap_or(body);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(body);
        pos = end;
    }
    Ok(out)
}

/// Limits (`flags min [max]`) read at `p` and written to `section` with the maximum at most
/// `cap` units; `what` names them in the error for a minimum above the cap.
fn cap_limits(body: &[u8], p: &mut usize, section: &mut Vec<u8>, cap: u64, unit: u64, max_bytes: u64, what: &str) -> Result<(), String> {
    let flags = *body.get(*p).ok_or("truncated limits")?;
    *p += 1;
    let min = read_leb(body, p)?;
    let max = if flags & 1 != 0 { Some(read_leb(body, p)?) } else { None };
    if min > cap {
        return Err(format!(
            "the program needs {} of {what} to start, more than the {} cap",
            human(min.saturating_mul(unit)),
            human(max_bytes)
        ));
    }
    section.push(flags | 1);
    write_leb(section, min);
    write_leb(section, max.map_or(cap, |m| m.min(cap)));
    Ok(())
}

fn cap_memories(body: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut p = 0;
    let count = read_leb(body, &mut p)?;
    let mut section = Vec::new();
    write_leb(&mut section, count);
    for _ in 0..count {
        cap_limits(body, &mut p, &mut section, max_bytes / PAGE, PAGE, max_bytes, "memory")?;
    }
    section.extend_from_slice(body.get(p..).unwrap_or_default());
    Ok(section)
}

/// Tables: `reftype limits`, or `0x40 0x00 reftype limits expr` with an initializer. The
/// initializer is a constant expression this rewriter does not parse, so from the first such
/// table on the rest of the section is copied as it is (that table's own maximum is still
/// capped); the browser's own table limit (10 million elements in V8) then bounds the others.
fn cap_tables(body: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    let cap = max_bytes / TABLE_ELEMENT_BYTES;
    let mut p = 0;
    let count = read_leb(body, &mut p)?;
    let mut section = Vec::new();
    write_leb(&mut section, count);
    for _ in 0..count {
        let start = p;
        let with_init = body.get(p) == Some(&0x40);
        if with_init {
            p += 2;
        }
        // The reference type: one byte, or `0x63`/`0x64` (nullable or not) and a heap type.
        let ty = *body.get(p).ok_or("truncated table section")?;
        p += 1;
        if ty == 0x63 || ty == 0x64 {
            read_leb(body, &mut p)?;
        }
        section.extend_from_slice(body.get(start..p).ok_or("truncated table section")?);
        cap_limits(body, &mut p, &mut section, cap, TABLE_ELEMENT_BYTES, max_bytes, "table")?;
        if with_init {
            break;
        }
    }
    section.extend_from_slice(body.get(p..).unwrap_or_default());
    Ok(section)
}

/// JS entry point of [`cap_memory`].
#[wasm_bindgen(js_name = capMemory)]
pub fn cap_memory_js(wasm: &[u8], max_bytes: f64) -> Result<Vec<u8>, JsValue> {
    cap_memory(wasm, max_bytes as u64).map_err(|e| crate::errors::error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(memory: &[u8]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.push(MEMORY_SECTION);
        m.push(memory.len() as u8);
        m.extend_from_slice(memory);
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
    }

    fn tables(table: &[u8]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.push(TABLE_SECTION);
        m.push(table.len() as u8);
        m.extend_from_slice(table);
        m
    }

    #[test]
    fn caps_tables_at_eight_bytes_an_element() {
        // 512 bytes are 64 elements: (table 1 funcref) gets max 64, (table 2 10 externref) keeps 10.
        assert_eq!(cap_memory(&tables(&[2, 0x70, 0, 1, 0x6f, 1, 2, 10]), 512).unwrap(), tables(&[2, 0x70, 1, 1, 64, 0x6f, 1, 2, 10]));
        // A typed reference (0x64 heap type 0) with an initializer after its limits.
        let with_init = [1, 0x40, 0, 0x64, 0, 0, 5, 0xd2, 0, 0x0b];
        assert_eq!(cap_memory(&tables(&with_init), 512).unwrap(), tables(&[1, 0x40, 0, 0x64, 0, 1, 5, 64, 0xd2, 0, 0x0b]));
        assert!(cap_memory(&tables(&[1, 0x70, 0, 65]), 512).unwrap_err().contains("table to start"));
    }

    #[test]
    fn refuses_a_start_above_the_cap_and_bad_input() {
        assert!(cap_memory(&module(&[1, 0, 17]), 16 * PAGE).unwrap_err().contains("to start"));
        assert!(cap_memory(b"nope", PAGE).is_err());
        let mut truncated = module(&[1, 0, 1]);
        truncated.truncate(11);
        assert!(cap_memory(&truncated, PAGE).is_err());
    }
}
