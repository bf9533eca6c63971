//! Mail: the message handed to a mailer, and a mailer implemented in JavaScript.
//!
//! A JS mailer is an object with `send(message)` returning a Promise. It is called through a
//! weak `ThreadsafeFunction` (it never keeps Node alive) from the worker thread running
//! `dispatch`/`sync`, which waits for the Promise; the JS main thread is never blocked. A
//! rejection with an error whose `permanent` is `true` is a permanent failure (never retried);
//! any other rejection (or throw) is transient (retried with backoff).

use std::thread::ThreadId;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

/// One e-mail to send.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    /// Stable per notification, with angle brackets: `<id@domain>`.
    pub message_id: String,
    pub notification_id: String,
    /// "Adresse mail de notification".
    pub from: String,
    pub from_name: Option<String>,
    /// "Adresse mail de réponse".
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The `Date` header: the portal's clock when handed to the mailer (defaults to now).
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

object_input!(OutgoingMessage {
    messageId,
    notificationId,
    from,
    fromName,
    replyTo,
    to,
    subject,
    body,
    date,
});

impl From<portail::OutgoingMessage> for OutgoingMessage {
    fn from(m: portail::OutgoingMessage) -> Self {
        OutgoingMessage {
            message_id: m.message_id,
            notification_id: m.notification_id,
            from: m.from,
            from_name: m.from_name,
            reply_to: m.reply_to,
            to: m.to,
            subject: m.subject,
            body: m.body,
            date: Some(m.date),
        }
    }
}

impl From<OutgoingMessage> for portail::OutgoingMessage {
    fn from(m: OutgoingMessage) -> Self {
        portail::OutgoingMessage {
            message_id: m.message_id,
            notification_id: m.notification_id,
            from: m.from,
            from_name: m.from_name,
            reply_to: m.reply_to,
            to: m.to,
            subject: m.subject,
            body: m.body,
            date: m.date.unwrap_or_else(chrono::Utc::now),
        }
    }
}

/// The message as RFC 5322 bytes (what an `.eml` file holds), e.g. for a JS mailer handing raw
/// messages to its SMTP library; a message that cannot be built is a `mail` error.
#[napi]
pub fn message_to_rfc5322(
    env: &Env,
    #[napi(ts_arg_type = "OutgoingMessage")] message: crate::input::Arg<OutgoingMessage>,
) -> Result<Buffer> {
    crate::error::guard(env, || {
        let m: portail::OutgoingMessage = message.get("message")?.into();
        Ok(m.to_rfc5322()?.into())
    })
}

object_input!(portail::ffi::SmtpOptions as SmtpOptions {
    host,
    port,
    deadlineMs
});

/// How a JS mailer's `send` failed (built from its rejection by the adapter).
#[napi(object)]
pub struct MailFailure {
    pub permanent: bool,
    pub message: String,
}

type SendFn = ThreadsafeFunction<
    OutgoingMessage,
    Promise<Option<MailFailure>>,
    OutgoingMessage,
    Status,
    false,
    true,
>;

/// A `portail::Mailer` over a JavaScript object's `send`.
pub struct JsMailer {
    send: SendFn,
    js_thread: ThreadId,
}

/// Wraps `mailer.send` so that it always returns a Promise of `null` (sent) or a
/// `{ permanent, message }` failure: a synchronous throw or a rejection never escapes into
/// Node's uncaught-exception path, and a `send` that never settles fails (transient) after
/// `TIMEOUT_MS` (an unref'd timer: it keeps nothing alive).
const ADAPTER: &str = r#"(function (mailer) {
  return function portailSend(message) {
    var timer;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () {
        reject(new Error('mailer.send did not settle within ' + TIMEOUT_MS + ' ms'));
      }, TIMEOUT_MS);
      if (timer && typeof timer.unref === 'function') timer.unref();
    });
    var sending = Promise.resolve().then(function () { return mailer.send(message); });
    return Promise.race([sending, timeout]).then(function () {
      clearTimeout(timer);
      return null;
    }, function (e) {
      clearTimeout(timer);
      var permanent = !!(e && typeof e === 'object' && e.permanent === true);
      var text = (e && typeof e === 'object' && 'message' in e) ? String(e.message) : String(e);
      return { permanent: permanent, message: text };
    });
  };
})"#;

impl JsMailer {
    /// Build from a JS object with a `send` method (on the JS thread); a `send` that has not
    /// settled after `timeout_ms` is a transient failure.
    pub fn new(env: &Env, mailer: Object, timeout_ms: i64) -> portail::Result<JsMailer> {
        let build = || -> Result<SendFn> {
            let send: Unknown = mailer.get_named_property("send")?;
            if send.get_type()? != ValueType::Function {
                return Err(Error::new(
                    Status::InvalidArg,
                    "mailer.send is not a function",
                ));
            }
            let adapter: Function<Object, Function<OutgoingMessage, Promise<Option<MailFailure>>>> =
                env.run_script(ADAPTER.replace(
                    "TIMEOUT_MS",
                    &timeout_ms.clamp(1, i64::from(u32::MAX)).to_string(),
                ))?;
            let wrapped = adapter.call(mailer)?;
            wrapped.build_threadsafe_function().weak::<true>().build()
        };
        let send = build().map_err(|e| crate::error::invalid("mailer", e.reason.clone()))?;
        Ok(JsMailer {
            send,
            js_thread: std::thread::current().id(),
        })
    }
}

impl portail::Mailer for JsMailer {
    fn send(
        &self,
        message: &portail::OutgoingMessage,
    ) -> std::result::Result<(), portail::MailError> {
        if std::thread::current().id() == self.js_thread {
            // Waiting here would deadlock the event loop: the binding runs dispatch and sync
            // as async tasks, so this only happens if that rule is broken.
            return Err(portail::MailError::Transient(
                "a JavaScript mailer cannot be called on the JavaScript thread".into(),
            ));
        }
        let call = async {
            let promise = self.send.call_async(message.clone().into()).await?;
            promise.await
        };
        match futures::executor::block_on(call) {
            Ok(None) => Ok(()),
            Ok(Some(f)) if f.permanent => Err(portail::MailError::Permanent(f.message)),
            Ok(Some(f)) => Err(portail::MailError::Transient(f.message)),
            Err(e) => Err(portail::MailError::Transient(format!(
                "JavaScript mailer: {}",
                e.reason
            ))),
        }
    }
}
