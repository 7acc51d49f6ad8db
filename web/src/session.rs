//! `WasiSession`: the WASI state of one program run, called by the guest's imports.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::WebAssembly;
use runtime_core::embedder::CollectOutput;
use runtime_core::dispatch::{self, CallOutcome, RawArgs};
use runtime_core::{imports, WasiCtx, WasiCtxBuilder, WasiFunc};
use wasm_bindgen::prelude::*;

use crate::errors::error;
use crate::fs::FileSystem;
use crate::js_env::{BrowserClocks, BrowserEntropy, JsOutput, JsStdin, RecordingWaiter, StdinQueue, WaitRequest};
use crate::memory::JsMemory;
use crate::path_api::JsPathApi;
#[cfg(feature = "remote-client")]
use crate::remote_fs::JsTransport;
#[cfg(feature = "remote-client")]
use runtime_core::vfs::remote::RemoteDir;
use runtime_core::vfs::remote::Link;

/// [`WasiSession::call`] result: the program called `proc_exit` (see `exitCode`).
pub const CALL_EXIT: i32 = -1;
/// [`WasiSession::call`] result: the call must trap (see `trapMessage`).
pub const CALL_TRAP: i32 = -2;
/// [`WasiSession::call`] result: nothing happened yet; suspend and call again (see `waitDeadlineMs`).
pub const CALL_WOULD_BLOCK: i32 = -3;

/// Configures a run before it starts; `start()` turns it into a [`WasiSession`].
#[wasm_bindgen]
pub struct SessionBuilder {
    builder: Option<WasiCtxBuilder>,
    stdout: Option<js_sys::Function>,
    stderr: Option<js_sys::Function>,
    stdin_tty: bool,
    stdout_tty: bool,
    collect: bool,
    output_limit: usize,
    every_write: bool,
    /// The Node-`fs`-like adapter preopens were made on: one for all, so a rename between two
    /// of them is a rename, not `EXDEV`.
    #[cfg(feature = "path-api")]
    path_api: Option<Rc<JsPathApi>>,
    /// The way to the page's `FileSystem` for [`Self::preopen_remote`]: one for all preopens.
    link: Option<Rc<Link>>,
    /// How that link reaches the page: at once through this function, or (none) later.
    transport: Option<js_sys::Function>,
}

/// Bytes of stdout (and of stderr) a run keeps for its result unless told otherwise.
pub const DEFAULT_OUTPUT_LIMIT: usize = 256 << 20;

#[wasm_bindgen]
impl SessionBuilder {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SessionBuilder {
        SessionBuilder {
            builder: Some(WasiCtx::builder()),
            stdout: None,
            stderr: None,
            stdin_tty: false,
            stdout_tty: false,
            collect: true,
            output_limit: DEFAULT_OUTPUT_LIMIT,
            every_write: false,
            #[cfg(feature = "path-api")]
            path_api: None,
            link: None,
            transport: None,
        }
    }

    fn b(&mut self) -> Result<&mut WasiCtxBuilder, JsValue> {
        self.builder.as_mut().ok_or_else(|| error("this session was already started"))
    }

    /// Adds an argument (the first is the program's name).
    pub fn arg(&mut self, arg: &str) -> Result<(), JsValue> {
        self.b()?.arg(arg);
        Ok(())
    }

    pub fn env(&mut self, key: &str, value: &str) -> Result<(), JsValue> {
        if key.contains('=') {
            return Err(error(&format!("environment variable name `{key}` contains `=`")));
        }
        self.b()?.env(key, value);
        Ok(())
    }

    /// Preopens `fsPath` of `fs` under `guestPath` (descriptors 3, 4, … in call order).
    pub fn preopen(&mut self, guest_path: &str, fs: &FileSystem, fs_path: &str) -> Result<(), JsValue> {
        let dir = fs.open_dir(fs_path)?;
        self.b()?.preopen(guest_path, dir);
        Ok(())
    }

    /// Makes the directories of [`Self::preopen_remote`] call `serve(request) => answer` and
    /// have the answer at once (the run is on the page's thread). Without it each request waits:
    /// the call returns `CALL_WOULD_BLOCK`, see `WasiSession.remoteRequest`.
    #[wasm_bindgen(js_name = remoteTransport)]
    pub fn remote_transport(&mut self, serve: js_sys::Function) {
        self.transport = Some(serve);
    }

    /// Preopens the directory the page's `FsOwner.addRoot` numbered `handle` under `guestPath`.
    /// Only the full build (Node's, and every worker's) and the wasmi add-on have it: the page
    /// only owns trees.
    #[wasm_bindgen(js_name = preopenRemote)]
    pub fn preopen_remote(&mut self, guest_path: &str, handle: u32) -> Result<(), JsValue> {
        #[cfg(feature = "remote-client")]
        {
            let link = match (&self.link, &self.transport) {
                (Some(link), _) => link.clone(),
                (None, Some(serve)) => Link::immediate(Box::new(JsTransport(serve.clone()))),
                (None, None) => {
                    let link = Link::deferred();
                    self.b()?.deferred_link(link.clone());
                    link
                }
            };
            self.link = Some(link.clone());
            self.b()?.preopen(guest_path, Box::new(RemoteDir::new(link, handle)));
            Ok(())
        }
        #[cfg(not(feature = "remote-client"))]
        {
            let _ = (guest_path, handle);
            Err(error("this build of the core only owns file systems (workers and the wasmi add-on load the builds that reach them)"))
        }
    }

    /// Whether this build mounts directories of a `FileSystem` another instance owns.
    #[wasm_bindgen(js_name = hasRemoteClient)]
    pub fn has_remote_client() -> bool {
        cfg!(feature = "remote-client")
    }

    /// The module imports `wasi_unstable` (WASI's snapshot 0): its calls use that ABI.
    #[wasm_bindgen(js_name = wasiUnstable)]
    pub fn wasi_unstable(&mut self) -> Result<(), JsValue> {
        self.b()?.version(runtime_core::WasiVersion::Unstable);
        Ok(())
    }

    /// Whether this build mounts Node-`fs`-like objects ([`Self::preopen_paths`]): the build
    /// Node loads does, the one pages load does not.
    #[wasm_bindgen(js_name = hasPathApi)]
    pub fn has_path_api() -> bool {
        cfg!(feature = "path-api")
    }

    /// Preopens directory `root` of a Node-`fs`-like object (through `npm/src/path-api.js`'s
    /// adapter `api`) under `guestPath`, confined to it.
    #[wasm_bindgen(js_name = preopenPaths)]
    pub fn preopen_paths(&mut self, guest_path: &str, api: JsPathApi, root: &str) -> Result<(), JsValue> {
        #[cfg(feature = "path-api")]
        {
            let api = match &self.path_api {
                Some(known) if JsValue::from(&**known) == JsValue::from(&api) => known.clone(),
                _ => Rc::new(api),
            };
            self.path_api = Some(api.clone());
            let dir = runtime_core::vfs::pathfs::PathDir::open(api, root).map_err(|e| crate::errors::fs_error(e, "preopen", root))?;
            self.b()?.preopen(guest_path, Box::new(dir));
            Ok(())
        }
        #[cfg(not(feature = "path-api"))]
        {
            let _ = (guest_path, api, root);
            Err(error("this build of the core has no Node-fs-like directories (the page loaded the browser build; Node loads the one that has them)"))
        }
    }

    /// Receives stdout as `Uint8Array` chunks while the program runs.
    #[wasm_bindgen(js_name = onStdout)]
    pub fn on_stdout(&mut self, f: js_sys::Function) {
        self.stdout = Some(f);
    }

    #[wasm_bindgen(js_name = onStderr)]
    pub fn on_stderr(&mut self, f: js_sys::Function) {
        self.stderr = Some(f);
    }

    /// Whether stdin and stdout/stderr report themselves as a terminal.
    pub fn tty(&mut self, stdin: bool, stdout: bool) {
        self.stdin_tty = stdin;
        self.stdout_tty = stdout;
    }

    /// Whether each write reaches the output callbacks at once (as with a terminal, without
    /// telling the program it writes to one), rather than gathered: for modules whose exports JS
    /// calls, which no exit or wait flushes.
    #[wasm_bindgen(js_name = deliverEveryWrite)]
    pub fn deliver_every_write(&mut self, yes: bool) {
        self.every_write = yes;
    }

    /// Whether to keep all output for `stdout()`/`stderr()` after the run (default true).
    pub fn collect(&mut self, yes: bool) {
        self.collect = yes;
    }

    /// Bytes of stdout, and of stderr, kept for the result (default 256 MiB). Past it a program
    /// whose output goes to no callback gets `ENOSPC`; with a callback, collecting stops.
    #[wasm_bindgen(js_name = outputLimit)]
    pub fn output_limit(&mut self, bytes: f64) {
        self.output_limit = bytes as usize;
    }

    /// Fixed clocks and seeded randomness.
    pub fn deterministic(&mut self, seed: f64) -> Result<(), JsValue> {
        self.b()?.deterministic(seed as u64);
        Ok(())
    }

    pub fn start(&mut self) -> Result<WasiSession, JsValue> {
        let mut b = self.builder.take().ok_or_else(|| error("this session was already started"))?;
        let stdin = Rc::new(RefCell::new(StdinQueue::default()));
        let wait = Rc::new(RefCell::new(WaitRequest::default()));
        let out = CollectOutput::default();
        let err = CollectOutput::default();
        let collect = |c: &CollectOutput| self.collect.then(|| c.data.clone());
        b.stdin(Box::new(JsStdin { queue: stdin.clone(), terminal: self.stdin_tty }))
            .stdout(Box::new(JsOutput::new(self.stdout.take(), self.stdout_tty, self.every_write, collect(&out), self.output_limit)))
            .stderr(Box::new(JsOutput::new(self.stderr.take(), self.stdout_tty, self.every_write, collect(&err), self.output_limit)))
            .clocks(Box::new(BrowserClocks::new()))
            .entropy(Box::new(BrowserEntropy))
            .waiter(Box::new(RecordingWaiter { last: wait.clone() }));
        let ctx = b.build().map_err(|e| error(&format!("cannot set up the program's environment: {e}")))?;
        Ok(WasiSession { ctx, memory: None, memory_size: Cell::new(0), stdin, wait, exit_code: None, trap: None, stdout: out, stderr: err, link: self.link.take() })
    }
}

impl Default for SessionBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// One running program's WASI state.
#[wasm_bindgen]
pub struct WasiSession {
    pub(crate) ctx: WasiCtx,
    memory: Option<WebAssembly::Memory>,
    /// The guest memory's size as last seen (see [`JsMemory`]).
    memory_size: Cell<u64>,
    stdin: Rc<RefCell<StdinQueue>>,
    wait: Rc<RefCell<WaitRequest>>,
    pub(crate) exit_code: Option<u32>,
    pub(crate) trap: Option<String>,
    stdout: CollectOutput,
    stderr: CollectOutput,
    #[cfg_attr(not(feature = "remote-client"), allow(dead_code))]
    link: Option<Rc<Link>>,
}

impl Drop for WasiSession {
    fn drop(&mut self) {
        if let Some(m) = &self.memory {
            crate::memory::release(m);
        }
    }
}

#[wasm_bindgen]
impl WasiSession {
    /// The guest's exported memory, once it is instantiated.
    #[wasm_bindgen(js_name = setMemory)]
    pub fn set_memory(&mut self, memory: WebAssembly::Memory) {
        self.memory = Some(memory);
        self.memory_size.set(0);
    }

    /// Calls WASI function number `func` (index into `wasiImports()`). Each i32 argument is one
    /// number; each i64 is two (low, high 32 bits). Returns the errno (>= 0), or `CALL_EXIT`,
    /// `CALL_TRAP`, `CALL_WOULD_BLOCK`.
    #[allow(clippy::too_many_arguments)]
    pub fn call(&mut self, func: u32, a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, a7: u32, a8: u32, a9: u32, a10: u32) -> i32 {
        let Some(&f) = WasiFunc::ALL.get(func as usize) else {
            self.trap = Some(format!("no WASI function number {func}"));
            return CALL_TRAP;
        };
        // An i64 comes as two numbers, low then high 32 bits.
        let mut numbers = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10].into_iter().map(u64::from);
        let args: RawArgs = f
            .params()
            .iter()
            .map(|ty| {
                let lo = numbers.next().unwrap_or(0);
                match ty {
                    imports::ValType::I32 => lo,
                    imports::ValType::I64 => lo | (numbers.next().unwrap_or(0) << 32),
                }
            })
            .collect();
        let mut mem = JsMemory::new(self.memory.as_ref(), &self.memory_size);
        match dispatch::call(&mut self.ctx, &mut mem, f, &args) {
            CallOutcome::Return(errno) => i32::from(errno),
            CallOutcome::Exit(code) => {
                self.exit_code = Some(code);
                CALL_EXIT
            }
            CallOutcome::Suspend => CALL_WOULD_BLOCK,
            CallOutcome::Trap(msg) => {
                self.trap = Some(msg);
                CALL_TRAP
            }
            // Nothing in the browser interrupts a waiting call; the page stops the run instead.
            CallOutcome::Interrupted => {
                self.trap = Some(format!("{}: interrupted", f.name()));
                CALL_TRAP
            }
        }
    }

    /// The status passed to `proc_exit`, if the program called it.
    #[wasm_bindgen(js_name = exitCode)]
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_code
    }

    #[wasm_bindgen(js_name = trapMessage)]
    pub fn trap_message(&self) -> Option<String> {
        self.trap.clone()
    }

    /// After `CALL_WOULD_BLOCK`: milliseconds until the call's deadline (0 if passed), or -1 for none.
    #[wasm_bindgen(js_name = waitDeadlineMs)]
    pub fn wait_deadline_ms(&self) -> f64 {
        match self.wait.borrow().deadline {
            None => -1.0,
            Some(d) => {
                let now = self.ctx.now(runtime_core::abi::clockid::MONOTONIC).unwrap_or(0);
                (d.saturating_sub(now) as f64 / 1e6).max(0.0)
            }
        }
    }

    /// After `CALL_WOULD_BLOCK`: whether the call waits for stdin.
    #[wasm_bindgen(js_name = waitsForInput)]
    pub fn waits_for_input(&self) -> bool {
        self.wait.borrow().input
    }

    /// After `CALL_WOULD_BLOCK`: the request for the page's `FsOwner.serve`, if the call waits
    /// for one. Give the answer to `remoteAnswer`, then make the call again.
    #[wasm_bindgen(js_name = remoteRequest)]
    pub fn remote_request(&self) -> Option<Vec<u8>> {
        #[cfg(feature = "remote-client")]
        return self.link.as_ref()?.waiting();
        #[cfg(not(feature = "remote-client"))]
        None
    }

    #[wasm_bindgen(js_name = remoteAnswer)]
    pub fn remote_answer(&self, answer: Vec<u8>) {
        #[cfg(feature = "remote-client")]
        if let Some(link) = &self.link {
            link.answer(answer);
        }
        #[cfg(not(feature = "remote-client"))]
        let _ = answer;
    }

    /// Gives the program more stdin.
    #[wasm_bindgen(js_name = writeStdin)]
    pub fn write_stdin(&mut self, data: Vec<u8>) {
        // By value: wasm-bindgen hands over the buffer it copied the bytes into.
        self.stdin.borrow_mut().push(data);
    }

    /// Gives the program more stdin, read where it is (not copied into the core): the page must
    /// not change `data` until the program has read it.
    #[wasm_bindgen(js_name = writeStdinInPlace)]
    pub fn write_stdin_in_place(&mut self, data: js_sys::Uint8Array) {
        self.stdin.borrow_mut().push_page(data);
    }

    /// Ends the program's stdin (reads then return end of file).
    #[wasm_bindgen(js_name = closeStdin)]
    pub fn close_stdin(&mut self) {
        self.stdin.borrow_mut().close();
    }

    /// Bytes given to stdin that the program has not read yet.
    #[wasm_bindgen(js_name = stdinUnread)]
    pub fn stdin_unread(&self) -> f64 {
        self.stdin.borrow().unread() as f64
    }

    /// Delivers buffered output to the callbacks.
    pub fn flush(&mut self) {
        self.ctx.flush_outputs();
    }

    /// Everything the program wrote to stdout (when collecting).
    pub fn stdout(&self) -> js_sys::Uint8Array {
        // Copied once, straight from this module's memory into a JS array.
        js_sys::Uint8Array::from(self.stdout.data.borrow().as_slice())
    }

    pub fn stderr(&self) -> js_sys::Uint8Array {
        js_sys::Uint8Array::from(self.stderr.data.borrow().as_slice())
    }
}
