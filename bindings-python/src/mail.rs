//! Mail (`portail::mail`): `portail.OutgoingMessage`, `portail.MemoryMailer`,
//! `portail.FileMailer`, and any Python object with `send(message)` as a mailer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use portail::{MailError, Mailer};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error::IntoPyResult;

/// An e-mail handed to a mailer. `as_bytes()` gives its RFC 5322 form.
#[pyclass(frozen, eq, module = "portail", name = "OutgoingMessage")]
#[derive(Clone, PartialEq)]
pub struct OutgoingMessage {
    pub(crate) inner: portail::OutgoingMessage,
}

#[pymethods]
impl OutgoingMessage {
    /// A message, for testing a host mailer (portail builds the real ones).
    #[new]
    #[pyo3(signature = (*, message_id, notification_id, from_, to, subject, body, from_name=None,
        reply_to=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        message_id: String,
        notification_id: String,
        from_: String,
        to: String,
        subject: String,
        body: String,
        from_name: Option<String>,
        reply_to: Option<String>,
    ) -> Self {
        OutgoingMessage {
            inner: portail::OutgoingMessage {
                message_id,
                notification_id,
                from: from_,
                from_name,
                reply_to,
                to,
                subject,
                body,
                date: chrono::Utc::now(),
            },
        }
    }

    /// The stable Message-ID (the same on every attempt of a notification).
    #[getter]
    fn message_id(&self) -> &str {
        &self.inner.message_id
    }
    /// The notification it delivers.
    #[getter]
    fn notification_id(&self) -> &str {
        &self.inner.notification_id
    }
    /// The sender address ("Adresse mail de notification").
    #[getter]
    fn from_(&self) -> &str {
        &self.inner.from
    }
    /// The sender's display name (the company).
    #[getter]
    #[allow(clippy::wrong_self_convention)]
    fn from_name(&self) -> Option<&str> {
        self.inner.from_name.as_deref()
    }
    /// The Reply-To address ("Adresse mail de réponse").
    #[getter]
    fn reply_to(&self) -> Option<&str> {
        self.inner.reply_to.as_deref()
    }
    /// The recipient.
    #[getter]
    fn to(&self) -> &str {
        &self.inner.to
    }
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }
    /// The `Date` header: the portal's clock when handed to the mailer.
    #[getter]
    fn date(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.date
    }

    /// The message as RFC 5322 bytes (headers encoded, body transfer-encoded), ready for
    /// `smtplib.SMTP.sendmail` or an `.eml` file.
    fn as_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self
            .inner
            .to_rfc5322()
            .map_err(portail::Error::from)
            .py_err(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn __repr__(&self) -> String {
        format!(
            "OutgoingMessage(message_id={:?}, to={:?}, subject={:?})",
            self.inner.message_id, self.inner.to, self.inner.subject
        )
    }
}

/// A mailer keeping messages in memory, for tests: `messages()` lists what was sent.
#[pyclass(frozen, module = "portail", name = "MemoryMailer")]
pub struct MemoryMailer {
    pub(crate) inner: Arc<portail::MemoryMailer>,
}

#[pymethods]
impl MemoryMailer {
    #[new]
    fn new() -> Self {
        MemoryMailer {
            inner: Arc::new(portail::MemoryMailer::new()),
        }
    }

    /// The messages sent so far, oldest first.
    fn messages(&self) -> Vec<OutgoingMessage> {
        self.inner
            .messages()
            .into_iter()
            .map(|inner| OutgoingMessage { inner })
            .collect()
    }

    /// Forget the messages sent so far.
    fn clear(&self) {
        self.inner.clear()
    }

    /// Make the next sends fail: `transient` failures first, then `permanent` ones (errors
    /// given as their texts).
    #[pyo3(signature = (*, transient=Vec::new(), permanent=Vec::new()))]
    fn fail_next(&self, transient: Vec<String>, permanent: Vec<String>) {
        self.inner.fail_next(
            transient
                .into_iter()
                .map(MailError::Transient)
                .chain(permanent.into_iter().map(MailError::Permanent)),
        )
    }

    fn __len__(&self) -> usize {
        self.inner.messages().len()
    }
}

/// The embedded default transport: one RFC 5322 `.eml` file per message in a folder.
#[pyclass(frozen, module = "portail", name = "FileMailer")]
pub struct FileMailer {
    pub(crate) inner: Arc<portail::FileMailer>,
}

#[pymethods]
impl FileMailer {
    #[new]
    fn new(py: Python<'_>, directory: PathBuf) -> PyResult<Self> {
        let inner = crate::enter(py, || portail::FileMailer::open(directory))?;
        Ok(FileMailer {
            inner: Arc::new(inner),
        })
    }

    /// The folder holding the `.eml` files.
    #[getter]
    fn directory(&self) -> PathBuf {
        self.inner.dir().to_path_buf()
    }

    /// The file of a notification's message.
    fn path_of(&self, notification_id: &str) -> PathBuf {
        self.inner.path_of(notification_id)
    }

    /// The `.eml` text of a notification's message; `NotFoundError` if none was written.
    fn read(&self, py: Python<'_>, notification_id: &str) -> PyResult<String> {
        let m = &self.inner;
        crate::enter(py, || m.read(notification_id))
    }
}

/// Real SMTP delivery (the core's lettre transport): plain SMTP to a local relay or sink.
#[pyclass(frozen, module = "portail", name = "SmtpMailer")]
pub struct SmtpMailer {
    pub(crate) inner: Arc<portail::SmtpMailer>,
}

#[pymethods]
impl SmtpMailer {
    /// Plain SMTP to `host:port` without TLS (a local relay, or a test sink). 4xx replies and
    /// connection failures are transient, 5xx permanent. `deadline` (a `timedelta`, default
    /// 30 s, at least 10 ms) bounds each message's whole send (connection, every command,
    /// DATA); past it the send is abandoned and reported transient.
    #[staticmethod]
    #[pyo3(signature = (host, port, *, deadline=None))]
    fn unencrypted(
        py: Python<'_>,
        host: &str,
        port: u16,
        deadline: Option<chrono::Duration>,
    ) -> PyResult<Self> {
        if host.trim().is_empty() {
            return Err(crate::error::to_py(
                py,
                &portail::Error::invalid("host", "must not be empty"),
            ));
        }
        let mut mailer = portail::SmtpMailer::unencrypted(host, port);
        if let Some(d) = deadline {
            mailer = mailer.deadline(crate::portal::std_duration(d));
        }
        Ok(SmtpMailer {
            inner: Arc::new(mailer),
        })
    }
}

/// A host's mailer implemented in Python: any object with `send(message)`.
///
/// `send` runs with the interpreter attached. `portail.PermanentMailError` marks the message
/// abandoned; any other exception (`portail.TransientMailError` included) is transient and
/// retried with backoff. A failing mailer never crashes a dispatch. A `BaseException` that is
/// not an `Exception` (`KeyboardInterrupt`, `SystemExit`) is recorded as transient too, and
/// raised again once the dispatch returns.
pub(crate) struct PyMailer {
    obj: Py<PyAny>,
    interrupt: Mutex<Option<PyErr>>,
}

impl PyMailer {
    /// The first `KeyboardInterrupt`-like exception raised by `send` since the last call.
    pub(crate) fn take_interrupt(&self) -> Option<PyErr> {
        self.interrupt.lock().ok().and_then(|mut e| e.take())
    }
}

impl Mailer for PyMailer {
    fn send(&self, message: &portail::OutgoingMessage) -> Result<(), MailError> {
        Python::attach(|py| {
            let msg = OutgoingMessage {
                inner: message.clone(),
            };
            match self.obj.call_method1(py, "send", (msg,)) {
                Ok(_) => Ok(()),
                Err(err) => {
                    let outcome = classify(py, &err);
                    if !err.is_instance_of::<PyException>(py) {
                        if let Ok(mut slot) = self.interrupt.lock() {
                            slot.get_or_insert(err);
                        }
                    }
                    Err(outcome)
                }
            }
        })
    }
}

fn classify(py: Python<'_>, err: &PyErr) -> MailError {
    let text = {
        let value = err.value(py);
        let type_name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "Exception".into());
        match value.str() {
            Ok(s) if !s.to_string().is_empty() => format!("{type_name}: {s}"),
            _ => type_name,
        }
    };
    let permanent = py
        .import("portail.exceptions")
        .and_then(|m| m.getattr("PermanentMailError"))
        .map(|cls| err.is_instance(py, &cls))
        .unwrap_or(false);
    if permanent {
        MailError::Permanent(text)
    } else {
        MailError::Transient(text)
    }
}

/// A mailer for the core, and the host's Python mailer when it is one.
pub(crate) type ResolvedMailer = (Arc<dyn Mailer>, Option<Arc<PyMailer>>);

/// The mailer given to a portal: a `MemoryMailer`, a `FileMailer`, or any object with `send`
/// (then also returned as a `PyMailer`, whose interrupts the portal re-raises).
pub(crate) fn mailer_from_py(obj: &Bound<'_, PyAny>) -> PyResult<ResolvedMailer> {
    if let Ok(m) = obj.cast::<MemoryMailer>() {
        return Ok((m.get().inner.clone(), None));
    }
    if let Ok(m) = obj.cast::<FileMailer>() {
        return Ok((m.get().inner.clone(), None));
    }
    if let Ok(m) = obj.cast::<SmtpMailer>() {
        return Ok((m.get().inner.clone(), None));
    }
    if obj.hasattr("send")? {
        let host = Arc::new(PyMailer {
            obj: obj.clone().unbind(),
            interrupt: Mutex::new(None),
        });
        return Ok((host.clone(), Some(host)));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "mailer must be a MemoryMailer, FileMailer, SmtpMailer or an object with a send(message) method",
    ))
}
