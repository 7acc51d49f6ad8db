//! The growth budget behind `wrun --max-memory` and the web library's `maxMemoryBytes`, shared by
//! every engine adapter (each wraps it in its engine's `ResourceLimiter`).
//!
//! The cap bounds what a guest can make the host allocate by itself. Linear memories are what it
//! names, and with multi-memory they share it: all of a module's memories together stay within
//! it. Tables are guest-grown host memory too (`table.grow` of a million elements at a time would
//! otherwise pass any cap), so they get a budget of the same size, counted at
//! [`TABLE_ELEMENT_BYTES`] an element. The usual module, with one memory and a small table, can
//! grow its memory to exactly the cap. Natively, wasmtime's GC heap (GC objects and exceptions) is
//! a memory it grows through the same limiter, so it shares the memories' budget.
//!
//! ```
//! use runtime_core::limits::GrowthBudget;
//!
//! let mut b = GrowthBudget::new(Some(2 * 65536));
//! assert!(b.memory_growing(0, 65536, None));
//! assert!(b.memory_growing(65536, 2 * 65536, None));
//! assert!(!b.memory_growing(2 * 65536, 3 * 65536, None)); // memory.grow returns -1
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
    /// What the last permitted growth of each kind booked before it, to give back if the
    /// engine then fails that growth (the OS refuses the pages, say).
    memory_before: Option<u64>,
    table_before: Option<u64>,
}

impl GrowthBudget {
    /// `None` allows any growth (the engine's own limits still apply).
    pub fn new(max: Option<u64>) -> Self {
        GrowthBudget { max, ..GrowthBudget::default() }
    }

    /// A linear memory asks to grow (or, at instantiation, to be created) from `current` to
    /// `desired` bytes; `maximum` is its own declared maximum, if any. `false` refuses:
    /// `memory.grow` returns -1, instantiation fails.
    pub fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool {
        // Engines ask before they check the declared maximum: a growth that will fail anyway
        // must not be booked.
        if maximum.is_some_and(|m| desired > m) {
            return false;
        }
        self.memory_before = Some(self.memory_bytes);
        book(&mut self.memory_bytes, self.max, current as u64, desired as u64)
    }

    /// A table asks to grow from `current` to `desired` elements (`maximum`: its declared one).
    pub fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool {
        if maximum.is_some_and(|m| desired > m) {
            return false;
        }
        let bytes = |n: usize| (n as u64).saturating_mul(TABLE_ELEMENT_BYTES);
        self.table_before = Some(self.table_bytes);
        book(&mut self.table_bytes, self.max, bytes(current), bytes(desired))
    }

    /// The engine failed a memory growth this budget had permitted: give its bytes back.
    pub fn memory_grow_failed(&mut self) {
        if let Some(before) = self.memory_before.take() {
            self.memory_bytes = before;
        }
    }

    /// The engine failed a table growth this budget had permitted.
    pub fn table_grow_failed(&mut self) {
        if let Some(before) = self.table_before.take() {
            self.table_bytes = before;
        }
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

/// wasmi asks the budget directly (`wrun --engine wasmi`, and the web library's wasmi build).
#[cfg(feature = "wasmi")]
impl wasmi::ResourceLimiter for GrowthBudget {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, wasmi_core::LimiterError> {
        Ok(GrowthBudget::memory_growing(self, current, desired, maximum))
    }
    fn memory_grow_failed(&mut self, _error: &wasmi_core::MemoryError) -> Result<(), wasmi_core::LimiterError> {
        GrowthBudget::memory_grow_failed(self);
        Ok(())
    }
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, wasmi_core::LimiterError> {
        Ok(GrowthBudget::table_growing(self, current, desired, maximum))
    }
    fn table_grow_failed(&mut self, _error: &wasmi_core::TableError) -> Result<(), wasmi_core::LimiterError> {
        GrowthBudget::table_grow_failed(self);
        Ok(())
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
        let mut l = GrowthBudget::new(Some(1 << 20));
        assert!(l.memory_growing(0, 1 << 19, None));
        assert!(l.memory_growing(1 << 19, 1 << 20, None));
        assert!(!l.memory_growing(1 << 20, (1 << 20) + 65536, None));
        // A second memory gets nothing left.
        assert!(!l.memory_growing(0, 65536, None));
        assert!(l.memory_growing(0, 0, None));
        // Tables: 1 MiB is 131072 elements.
        assert!(l.table_growing(0, 131_072, None));
        assert!(!l.table_growing(131_072, 131_073, None));
        assert!(!l.table_growing(0, usize::MAX, None));
        let mut unlimited = GrowthBudget::new(None);
        assert!(unlimited.table_growing(0, usize::MAX, None));
    }

    #[test]
    fn growths_that_fail_anyway_are_not_booked() {
        // Cap 64 MiB; a memory declared to stop at 16 MiB, now at 8 MiB.
        let mib = 1usize << 20;
        let mut l = GrowthBudget::new(Some(64 << 20));
        assert!(l.memory_growing(0, 8 * mib, Some(16 * mib)));
        // Past its own maximum: refused, and nothing booked...
        assert!(!l.memory_growing(8 * mib, 58 * mib, Some(16 * mib)));
        // ...so growing to that maximum still works.
        assert!(l.memory_growing(8 * mib, 16 * mib, Some(16 * mib)));
        // A permitted growth the engine then fails gives its bytes back.
        let mut m = GrowthBudget::new(Some(64 << 20));
        assert!(m.memory_growing(0, 60 * mib, None));
        m.memory_grow_failed();
        assert!(m.memory_growing(0, 64 * mib, None));
        assert!(m.table_growing(0, 1000, None));
        m.table_grow_failed();
        assert!(m.table_growing(0, (64 << 20) / 8, None));
    }
}
