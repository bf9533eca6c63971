//! Running slow work off the event loop: a [`Job`] is an napi `AsyncTask` whose closure runs on
//! the libuv thread pool; its failure (a core error or a panic, as [`portail::ffi::ErrorInfo`]) is turned into a JS `Error` back on the JS thread.

use napi::bindgen_prelude::*;

/// A closure run on a worker thread, resolving a Promise with its value (`T`, converted to the
/// JavaScript value `J` back on the JS thread, e.g. bytes into a `Buffer`).
pub struct Job<T, J = T> {
    run: Option<Box<dyn FnOnce() -> portail::Result<T> + Send>>,
    _js: std::marker::PhantomData<fn() -> J>,
}

impl<T: Send + 'static, J: From<T> + ToNapiValue + TypeName> Job<T, J> {
    /// An async task running `run` off the main thread.
    pub fn spawn(
        run: impl FnOnce() -> portail::Result<T> + Send + 'static,
    ) -> AsyncTask<Job<T, J>> {
        AsyncTask::new(Job {
            run: Some(Box::new(run)),
            _js: std::marker::PhantomData,
        })
    }

    /// An async task running `run` on the converted arguments, or rejecting with their
    /// `invalid_input` (a Promise method never throws for bad input).
    pub fn spawn_with<A: Send + 'static>(
        args: portail::Result<A>,
        run: impl FnOnce(A) -> portail::Result<T> + Send + 'static,
    ) -> AsyncTask<Job<T, J>> {
        Self::spawn(move || run(args?))
    }
}

impl<T: Send + 'static, J: From<T> + ToNapiValue + TypeName> Task for Job<T, J> {
    type Output = std::result::Result<T, portail::ffi::ErrorInfo>;
    type JsValue = J;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.run.take() {
            Some(run) => Ok(portail::ffi::guard(run)),
            None => Ok(Err(portail::Error::state("task", "already run").into())),
        }
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<J> {
        output
            .map(J::from)
            .map_err(|e| crate::error::to_js(&env, &e))
    }
}
