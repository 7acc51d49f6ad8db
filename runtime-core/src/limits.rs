//! The growth budget behind `wrun --max-memory` and the web library's `maxMemoryBytes`, shared by
//! every engine adapter (each wraps it in its engine's `ResourceLimiter`).
//!
//! The cap bounds what a guest can make the host allocate by itself. Linear memories are what it
//! names, and with multi-memory they share it: all of a module's memories together stay within
//! it. Tables are guest-grown host memory too (`table.grow` of a million elements at a time would
//! otherwise pass any cap), so they get a budget of the same size, counted at
//! [`TABLE_ELEMENT_BYTES`] an element. The usual module, with one memory and a small table, can
//! grow its memory to exactly the cap.
//!
//! ```
//! use runtime_core::limits::GrowthBudget;
//!
//! let mut b = GrowthBudget::new(Some(2 * 65536));
//! assert!(b.memory_growing(0, 65536));
//! assert!(b.memory_growing(65536, 2 * 65536));
//! assert!(!b.memory_growing(2 * 65536, 3 * 65536)); // memory.grow returns -1
//! ```

/// Bytes one table element is counted as: a reference is a pointer in every engine.
pub const TABLE_ELEMENT_BYTES: u64 = 8;

/// Instances, tables and memories one store may create (wasmtime's and wasmi's own defaults).
pub const MAX_OBJECTS: usize = 10_000;

/// The growth budget of one run.
#[derive(Debug, Default, Clone)]
pub struct GrowthBudget {
    max: Option<u64>,
    memory_bytes: u64,
    table_bytes: u64,
}

impl GrowthBudget {
    /// `None` allows any growth (the engine's own limits still apply).
    pub fn new(max: Option<u64>) -> Self {
        GrowthBudget { max, memory_bytes: 0, table_bytes: 0 }
    }

    /// A linear memory asks to grow (or, at instantiation, to be created) from `current` to
    /// `desired` bytes. `false` refuses: `memory.grow` returns -1, instantiation fails.
    pub fn memory_growing(&mut self, current: usize, desired: usize) -> bool {
        book(&mut self.memory_bytes, self.max, current as u64, desired as u64)
    }

    /// A table asks to grow from `current` to `desired` elements.
    pub fn table_growing(&mut self, current: usize, desired: usize) -> bool {
        let bytes = |n: usize| (n as u64).saturating_mul(TABLE_ELEMENT_BYTES);
        book(&mut self.table_bytes, self.max, bytes(current), bytes(desired))
    }
}

/// Books a growth from `current` to `desired` against `used`, unless it would pass `max`.
fn book(used: &mut u64, max: Option<u64>, current: u64, desired: u64) -> bool {
    let next = used.saturating_sub(current).saturating_add(desired);
    if max.is_some_and(|m| next > m) {
        return false;
    }
    *used = next;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_share_one_budget_and_tables_another() {
        let mut l = GrowthBudget::new(Some(1 << 20));
        assert!(l.memory_growing(0, 1 << 19));
        assert!(l.memory_growing(1 << 19, 1 << 20));
        assert!(!l.memory_growing(1 << 20, (1 << 20) + 65536));
        // A second memory gets nothing left.
        assert!(!l.memory_growing(0, 65536));
        assert!(l.memory_growing(0, 0));
        // Tables: 1 MiB is 131072 elements.
        assert!(l.table_growing(0, 131_072));
        assert!(!l.table_growing(131_072, 131_073));
        assert!(!l.table_growing(0, usize::MAX));
        let mut unlimited = GrowthBudget::new(None);
        assert!(unlimited.table_growing(0, usize::MAX));
    }
}
