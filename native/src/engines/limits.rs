//! `--max-memory` as wasmtime's resource limiter: [`runtime_core::limits::GrowthBudget`] (what
//! the cap covers, shared with the web library) behind wasmtime's trait. (wasmi takes the budget
//! itself: runtime-core implements its trait, for the browser's wasmi build too.)

use runtime_core::limits::GrowthBudget;

/// The growth budget of one run, as wasmtime's `ResourceLimiter`.
#[derive(Debug, Default)]
pub struct GuestLimits(GrowthBudget);

impl GuestLimits {
    /// `None` allows any growth (the engines' own limits still apply).
    pub fn new(max: Option<u64>) -> Self {
        GuestLimits(GrowthBudget::new(max))
    }
}

impl wasmtime::ResourceLimiter for GuestLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(self.0.memory_growing(current, desired, maximum))
    }
    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.0.memory_grow_failed();
        Ok(())
    }
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(self.0.table_growing(current, desired, maximum))
    }
    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.0.table_grow_failed();
        Ok(())
    }
}
