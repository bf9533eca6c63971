//! The Python binding of portail: the private native module `portail._native`.
//!
//! The public package (`bindings-python/python/portail/`) re-exports these classes next to the
//! records, enums and exceptions written in Python. This crate only converts, calls the core and
//! converts back: every rule lives in `portail` (core). Each file mirrors the core module of the
//! same name.
//!
//! GIL discipline: every call into the core goes through [`enter`], which detaches from the
//! interpreter (other Python threads run meanwhile), catches panics and maps the core error to
//! its Python exception. Host callbacks (a Python mailer, a progress callable) re-attach.

use pyo3::prelude::*;

#[macro_use]
mod convert;
mod access;
mod accounts;
mod clock;
mod config;
mod documents;
mod error;
mod folders;
mod mail;
mod notifications;
mod parties;
mod pdf;
mod portal;
mod security;
mod signing;
mod templates;
mod to_py;
mod view;

/// Run `f` (a core call) with the interpreter released: panics become
/// `portail.InternalError`, core errors their `portail.PortailError` subclass.
// The contract's error is built once per failed call at the boundary.
#[allow(clippy::result_large_err)]
pub(crate) fn enter<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> portail::Result<T> + Send,
    T: Send,
{
    py.detach(move || portail::ffi::guard(f))
        .map_err(|info| error::info_to_py(py, &info))
}

#[pymodule(name = "_native", gil_used = false)]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<portal::Portal>()?;
    m.add_class::<parties::Parties>()?;
    m.add_class::<folders::Folders>()?;
    m.add_class::<templates::Templates>()?;
    m.add_class::<documents::Documents>()?;
    m.add_class::<notifications::Notifications>()?;
    m.add_class::<notifications::RetryPolicy>()?;
    m.add_class::<security::SecurityPolicy>()?;
    m.add_class::<clock::FixedClock>()?;
    m.add_class::<mail::OutgoingMessage>()?;
    m.add_class::<mail::MemoryMailer>()?;
    m.add_class::<mail::FileMailer>()?;
    m.add_class::<mail::SmtpMailer>()?;
    m.add_class::<accounts::Accounts>()?;
    m.add_class::<view::PortalView>()?;
    m.add_function(wrap_pyfunction!(config::new_settings, m)?)?;
    m.add_function(wrap_pyfunction!(config::new_audience_settings, m)?)?;
    m.add_function(wrap_pyfunction!(pdf::pdf_watermark, m)?)?;
    m.add_function(wrap_pyfunction!(pdf::pdf_stamp_signature, m)?)?;
    m.add_function(wrap_pyfunction!(pdf::pdf_page_count, m)?)?;
    m.add_function(wrap_pyfunction!(pdf::pdf_sample, m)?)?;
    m.add_function(wrap_pyfunction!(pdf::pdf_to_winansi_lossy, m)?)?;
    m.add_function(wrap_pyfunction!(error::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(error::_raise_for_test, m)?)?;
    Ok(())
}
