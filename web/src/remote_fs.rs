//! One tree, reached from other threads and instances: a program that runs in a worker, or on
//! the wasmi add-on (a WebAssembly instance of its own), works on the page's `FileSystem` itself
//! through [`vfs::remote`], not on a copy. The page serves each run with an [`FsOwner`]; the run's
//! session mounts [`vfs::remote::RemoteDir`]s over a link that answers either at once (the wasmi
//! add-on on the page calls the owner directly) or later (a worker posts the request and suspends
//! the guest until the page answers; the call is then made again, see `npm/src/engine.js`).

use runtime_core::vfs::remote::FsServer;
#[cfg(feature = "remote-client")]
use runtime_core::vfs::remote::Transport;
use wasm_bindgen::prelude::*;

use crate::fs::FileSystem;

/// The page's side of one run on its `FileSystem`s: the handles that run opened.
#[wasm_bindgen]
#[derive(Default)]
pub struct FsOwner {
    server: FsServer,
}

#[wasm_bindgen]
impl FsOwner {
    #[wasm_bindgen(constructor)]
    pub fn new() -> FsOwner {
        FsOwner::default()
    }

    /// Opens directory `path` of `fs` as a preopen's root; the run mounts it with
    /// `preopenRemote(guestPath, handle)`. (Roots of two FileSystems are two trees: a rename
    /// between them is `EXDEV`.)
    #[wasm_bindgen(js_name = addRoot)]
    pub fn add_root(&mut self, fs: &FileSystem, path: &str) -> Result<u32, JsValue> {
        let dir = fs.open_dir(path)?;
        Ok(self.server.add_root(dir))
    }

    /// Answers one request of the run.
    pub fn serve(&mut self, request: &[u8]) -> Vec<u8> {
        self.server.serve(request)
    }
}

#[cfg(feature = "remote-client")]
/// A link's transport that calls a JS function `(request: Uint8Array) => Uint8Array` and has the
/// answer at once: the page's `FsOwner.serve`, for a run on the same thread.
pub(crate) struct JsTransport(pub(crate) js_sys::Function);

#[cfg(feature = "remote-client")]
impl Transport for JsTransport {
    fn call(&self, request: &[u8]) -> Option<Vec<u8>> {
        let answer = self.0.call1(&JsValue::NULL, &js_sys::Uint8Array::from(request)).ok()?;
        Some(answer.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec())
    }
}
