//! A memory cap for guests on the browser's own engine: the module's memory section is rewritten
//! so its maximum is at most the cap. `memory.grow` past it then fails with -1 inside the guest,
//! exactly as under `wrun --max-memory`, instead of the tab running out of memory.

use wasm_bindgen::prelude::*;

const PAGE: u64 = 65536;
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

/// Rewrites `wasm` so no memory may grow beyond `max_bytes`. Errors if a memory already starts
/// larger than that, or the module is malformed.
pub fn cap_memory(wasm: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    let cap_pages = max_bytes / PAGE;
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
        if id != MEMORY_SECTION {
            out.push(id);
            write_leb(&mut out, size as u64);
            out.extend_from_slice(body);
        } else {
            let mut p = 0;
            let count = read_leb(body, &mut p)?;
            let mut section = Vec::new();
            write_leb(&mut section, count);
            for _ in 0..count {
                let flags = *body.get(p).ok_or("truncated memory section")?;
                p += 1;
                let min = read_leb(body, &mut p)?;
                let max = if flags & 1 != 0 { Some(read_leb(body, &mut p)?) } else { None };
                if min > cap_pages {
                    return Err(format!(
                        "the program needs {} of memory to start, more than the {} cap",
                        human(min * PAGE),
                        human(max_bytes)
                    ));
                }
                section.push(flags | 1);
                write_leb(&mut section, min);
                write_leb(&mut section, max.map_or(cap_pages, |m| m.min(cap_pages)));
            }
            out.push(id);
            write_leb(&mut out, section.len() as u64);
            out.extend_from_slice(&section);
        }
        pos = end;
    }
    Ok(out)
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

    #[test]
    fn refuses_a_start_above_the_cap_and_bad_input() {
        assert!(cap_memory(&module(&[1, 0, 17]), 16 * PAGE).unwrap_err().contains("to start"));
        assert!(cap_memory(b"nope", PAGE).is_err());
        let mut truncated = module(&[1, 0, 1]);
        truncated.truncate(11);
        assert!(cap_memory(&truncated, PAGE).is_err());
    }
}
