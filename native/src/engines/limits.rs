//! `--max-memory` as the engines' resource limiter.
//!
//! The flag bounds what a guest can make the host allocate by itself. Linear memories are what it
//! names, and with multi-memory they share the budget: all of a module's memories together stay
//! within it. Tables are guest-grown host memory too (`table.grow` of a million elements at a time
//! would otherwise pass any `--max-memory`), so they get a budget of the same size, counted at
//! [`TABLE_ELEMENT_BYTES`] an element. The usual module, with one memory and a small table, can
//! grow its memory to exactly `--max-memory`, as before.

/// Bytes one table element is counted as: a function reference is a pointer in both engines.
pub const TABLE_ELEMENT_BYTES: u64 = 8;

/// Instances, tables and memories a store may create (the engines' own defaults).
const MAX_OBJECTS: usize = 10_000;

/// The growth budget of one run.
#[derive(Debug, Default)]
pub struct GuestLimits {
    max: Option<u64>,
    memory_bytes: u64,
    table_bytes: u64,
}

impl GuestLimits {
    /// `None` allows any growth (the engines' own limits still apply).
    pub fn new(max: Option<u64>) -> Self {
        GuestLimits { max, memory_bytes: 0, table_bytes: 0 }
    }

    /// A linear memory asks to grow (or, at instantiation, to be created) from `current` to
    /// `desired` bytes.
    pub fn memory_growing(&mut self, current: usize, desired: usize) -> bool {
        grow(&mut self.memory_bytes, self.max, current as u64, desired as u64)
    }

    /// A table asks to grow from `current` to `desired` elements.
    pub fn table_growing(&mut self, current: usize, desired: usize) -> bool {
        let bytes = |n: usize| (n as u64).saturating_mul(TABLE_ELEMENT_BYTES);
        grow(&mut self.table_bytes, self.max, bytes(current), bytes(desired))
    }
}

/// Books a growth from `current` to `desired` against `used`, unless it would pass `max`.
fn grow(used: &mut u64, max: Option<u64>, current: u64, desired: u64) -> bool {
    let next = used.saturating_sub(current).saturating_add(desired);
    if max.is_some_and(|m| next > m) {
        return false;
    }
    *used = next;
    true
}

impl wasmtime::ResourceLimiter for GuestLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(GuestLimits::memory_growing(self, current, desired))
    }
    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(GuestLimits::table_growing(self, current, desired))
    }
}

impl wasmi::ResourceLimiter for GuestLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool, wasmi_core::LimiterError> {
        Ok(GuestLimits::memory_growing(self, current, desired))
    }
    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool, wasmi_core::LimiterError> {
        Ok(GuestLimits::table_growing(self, current, desired))
    }
    fn instances(&self) -> usize {
        MAX_OBJECTS
    }
    fn tables(&self) -> usize {
        MAX_OBJECTS
    }
    fn memories(&self) -> usize {
        MAX_OBJECTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_share_one_budget_and_tables_another() {
        let mut l = GuestLimits::new(Some(1 << 20));
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
        let mut unlimited = GuestLimits::new(None);
        assert!(unlimited.table_growing(0, usize::MAX));
    }
}
