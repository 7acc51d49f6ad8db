//! Running a guest inside the wasmi interpreter (the `wasmi` feature, a separately loaded build),
//! through runtime-core's interpreter, the one `wrun --engine wasmi` uses too.
//!
//! Used where the browser's own engine cannot do what is asked: counting fuel, pausing on stdin
//! without JSPI, or stopping a busy loop on the page's main thread. The guest runs in slices of
//! fuel; between slices `step()` returns to JS, which can yield to the event loop, deliver
//! input, or stop the run. A WASI call that would block pauses the guest with wasmi's resumable
//! calls; the call is made again when JS calls `step()` after input arrives or its deadline.

use js_sys::Uint8Array;
use runtime_core::interpreter::{Interpreter, LoadError, Options, Step, WasiHost};
use runtime_core::WasiCtx;
use wasm_bindgen::prelude::*;

use crate::errors::{error, kinded_error};
use crate::session::{SessionBuilder, WasiSession};

/// `step()` results.
const STEP_FINISHED: u32 = 0;
const STEP_WAITING: u32 = 1;
const STEP_YIELDED: u32 = 2;
const STEP_OUT_OF_FUEL: u32 = 3;

/// Fuel per slice: a few milliseconds of interpretation, so pages stay responsive.
const SLICE: u64 = 2_000_000;

impl WasiHost for WasiSession {
    fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.ctx
    }
}

/// A guest running in wasmi, advanced by `step()`.
#[wasm_bindgen]
pub struct WasmiRun {
    guest: Interpreter<WasiSession>,
}

#[wasm_bindgen]
impl WasmiRun {
    /// Compiles and instantiates `wasm` with the session `builder` configures. `fuel` caps the
    /// instructions run; `max_memory` caps linear memory in bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(builder: &mut SessionBuilder, wasm: &[u8], fuel: Option<f64>, max_memory: Option<f64>) -> Result<WasmiRun, JsValue> {
        let session = builder.start()?;
        let limits = Options { fuel: fuel.map(|f| f as u64), slice: Some(SLICE), max_memory: max_memory.map(|m| m as u64), unknown_imports_trap: false };
        let mut guest = Interpreter::new(wasm, session, &limits).map_err(|e| match e {
            LoadError::Invalid(e) => kinded_error(&format!("invalid module: {e}"), "invalid-module"),
            LoadError::Link(e) => kinded_error(&format!("cannot instantiate the module: {e}"), "link"),
        })?;
        guest.prepare("_start", Vec::new()).map_err(|_| kinded_error("the module has no `_start` function", "no-start"))?;
        Ok(WasmiRun { guest })
    }

    /// Runs one slice. Returns 0 finished (see `exitCode`), 1 waiting for input or a deadline
    /// (see `waitDeadlineMs`/`waitsForInput`), 2 yielded (call again), 3 out of fuel. Throws on a trap.
    pub fn step(&mut self) -> Result<u32, JsValue> {
        let step = self.guest.step();
        let session = self.guest.host_mut();
        match step {
            Step::SliceEnded => Ok(STEP_YIELDED),
            Step::Waiting => Ok(STEP_WAITING),
            Step::Finished => {
                session.flush();
                Ok(STEP_FINISHED)
            }
            Step::Exited(code) => {
                session.flush();
                session.exit_code = Some(code);
                Ok(STEP_FINISHED)
            }
            Step::OutOfFuel => {
                session.flush();
                Ok(STEP_OUT_OF_FUEL)
            }
            // Nothing in the browser interrupts a waiting call; the page stops the run instead.
            Step::Interrupted => Err(error("interrupted")),
            Step::Trapped(message) => {
                session.flush();
                session.trap = Some(message.clone());
                Err(error(&message))
            }
        }
    }

    /// The program's exit status once finished (0 when `_start` returned).
    #[wasm_bindgen(js_name = exitCode)]
    pub fn exit_code(&self) -> u32 {
        self.guest.host().exit_code.unwrap_or(0)
    }

    #[wasm_bindgen(js_name = waitDeadlineMs)]
    pub fn wait_deadline_ms(&self) -> f64 {
        self.guest.host().wait_deadline_ms()
    }

    #[wasm_bindgen(js_name = waitsForInput)]
    pub fn waits_for_input(&self) -> bool {
        self.guest.host().waits_for_input()
    }

    #[wasm_bindgen(js_name = writeStdin)]
    pub fn write_stdin(&mut self, data: Vec<u8>) {
        self.guest.host_mut().write_stdin(data);
    }

    #[wasm_bindgen(js_name = closeStdin)]
    pub fn close_stdin(&mut self) {
        self.guest.host_mut().close_stdin();
    }

    #[wasm_bindgen(js_name = stdinUnread)]
    pub fn stdin_unread(&self) -> f64 {
        self.guest.host().stdin_unread()
    }

    /// After step() returned 1: the request for the page's `FsOwner.serve`, if the call waits for
    /// one (a run in a worker whose FileSystem is the page's); give the answer to `remoteAnswer`.
    #[wasm_bindgen(js_name = remoteRequest)]
    pub fn remote_request(&self) -> Option<Vec<u8>> {
        self.guest.host().remote_request()
    }

    #[wasm_bindgen(js_name = remoteAnswer)]
    pub fn remote_answer(&self, answer: Vec<u8>) {
        self.guest.host().remote_answer(answer);
    }

    pub fn stdout(&self) -> Uint8Array {
        self.guest.host().stdout()
    }

    pub fn stderr(&self) -> Uint8Array {
        self.guest.host().stderr()
    }
}
