//! Every JavaScript argument, converted at the boundary (issue 13): a wrong JS type, a bad
//! enum string or an unknown key of an option object (a misspelt `externalID`) becomes the
//! core's `invalid_input` naming the argument or key, never napi's `InvalidArg`; and because
//! an [`Arg`] never fails to convert, a method returning a Promise rejects with that error
//! instead of throwing synchronously.
//!
//! napi-rs does not expose the field names of a `#[napi(object)]` type, so each input object
//! lists its JavaScript keys once, beside its struct, with [`object_input!`]; the Node test
//! `tests/node/input.test.mjs` checks every list against the interface in `index.d.ts`.

use napi::bindgen_prelude::*;
use napi::sys;

/// The keys an input object may have, and the input objects nested under some of them.
pub struct Shape {
    /// The TypeScript interface (for the drift test).
    pub name: &'static str,
    pub keys: &'static [(&'static str, Option<&'static Shape>)],
}

/// Why an input was refused: the path of the offending key inside the argument (empty for
/// the argument itself) and the reason.
#[derive(Debug, Clone)]
pub struct Bad {
    path: String,
    reason: String,
}

impl Bad {
    fn prefixed(mut self, prefix: &str) -> Bad {
        self.path = match (prefix.is_empty(), self.path.starts_with('[')) {
            (true, _) => self.path,
            (false, true) => format!("{prefix}{}", self.path),
            (false, false) if self.path.is_empty() => prefix.to_string(),
            (false, false) => format!("{prefix}.{}", self.path),
        };
        self
    }
}

/// A value that can be taken from JavaScript with errors naming the offending key.
pub trait Input: Sized {
    /// Convert `value`; a refusal names the path inside it.
    ///
    /// # Safety
    /// `env` and `value` come from napi, on the JavaScript thread.
    unsafe fn input(env: sys::napi_env, value: sys::napi_value) -> std::result::Result<Self, Bad>;
}

/// The keys of an input object (see [`object_input!`]).
pub trait Keyed {
    const SHAPE: Shape;
}

/// An argument as received: its value, or why it was refused. Converting never fails, so the
/// method decides whether the refusal is thrown (synchronous methods, through `guard`) or
/// rejects its Promise (see [`crate::task::Job::spawn_with`]).
pub struct Arg<T>(std::result::Result<T, Bad>);

impl<T: Input> FromNapiValue for Arg<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        Ok(Arg(unsafe { T::input(env, value) }))
    }
}

impl<T> Arg<T> {
    /// The value, or `invalid_input` naming the argument `name` (its Rust name; the error
    /// names it as JavaScript does) or the key inside it.
    pub fn get(self, name: &str) -> portail::Result<T> {
        self.0.map_err(|bad| {
            let field = if bad.path.is_empty() || bad.path.starts_with('[') {
                format!("{}{}", camel(name), bad.path)
            } else {
                bad.path
            };
            portail::Error::invalid(field, bad.reason)
        })
    }
}

/// An [`Arg`], or an optional one (`Option<Arg<T>>` keeps the parameter optional in the
/// `.d.ts`).
pub trait Take {
    type Value;
    fn take(self, name: &str) -> portail::Result<Self::Value>;
}

impl<T> Take for Arg<T> {
    type Value = T;
    fn take(self, name: &str) -> portail::Result<T> {
        self.get(name)
    }
}

impl<T> Take for Option<Arg<T>> {
    type Value = Option<T>;
    fn take(self, name: &str) -> portail::Result<Option<T>> {
        self.map(|a| a.get(name)).transpose()
    }
}

/// Take several [`Arg`]s at once: `let (a, b) = args!(a, b)?;` (a `portail::Result`).
#[macro_export]
macro_rules! args {
    ($($a:ident),+ $(,)?) => {
        (|| -> portail::Result<_> {
            Ok(($($crate::input::Take::take($a, stringify!($a))?,)+))
        })()
    };
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A napi conversion error as a refusal: napi appends ` on Struct.field` for each object it
/// was reading (innermost first), which becomes the path.
fn from_napi(e: Error) -> Bad {
    let mut reason = e.reason.as_str();
    let mut path: Vec<&str> = Vec::new();
    while let Some(i) = reason.rfind(" on ") {
        match reason[i + 4..].split_once('.') {
            Some((_, field)) if !field.contains(' ') && !field.is_empty() => {
                path.push(field);
                reason = &reason[..i];
            }
            _ => break,
        }
    }
    let reason = match reason
        .strip_prefix("Missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        Some(field) => {
            path.push(field);
            "is required".to_string()
        }
        None => match e.status {
            Status::StringExpected => "expected a string".to_string(),
            Status::NumberExpected => "expected a number".to_string(),
            Status::BooleanExpected => "expected a boolean".to_string(),
            Status::ObjectExpected => "expected an object".to_string(),
            Status::ArrayExpected => "expected an array".to_string(),
            Status::DateExpected => "expected a Date".to_string(),
            _ => reason.to_string(),
        },
    };
    Bad {
        path: path.join("."),
        reason,
    }
}

/// The unknown keys of `value` (an object of shape `shape`), nested objects included.
unsafe fn check_keys(
    env: sys::napi_env,
    value: sys::napi_value,
    shape: &Shape,
) -> std::result::Result<(), Bad> {
    let ty = unsafe { type_of(env, value) }?;
    if ty != ValueType::Object {
        return Err(Bad {
            path: String::new(),
            reason: "expected an object".into(),
        });
    }
    // `Object.keys(value)`: own, enumerable, string keys.
    let mut raw_names = std::ptr::null_mut();
    let status = unsafe {
        sys::napi_get_all_property_names(
            env,
            value,
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut raw_names,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(Bad {
            path: String::new(),
            reason: "cannot read the keys".into(),
        });
    }
    let names = Object::from_raw(env, raw_names);
    let len = names.get_array_length().map_err(from_napi)?;
    for i in 0..len {
        let key: String = names.get_element(i).map_err(from_napi)?;
        match shape.keys.iter().find(|(k, _)| *k == key) {
            Some((_, Some(nested))) => {
                let raw = unsafe { get_named_property_raw_str(env, value, &key) }?;
                unsafe { check_keys(env, raw, nested) }.map_err(|b| b.prefixed(&key))?;
            }
            Some((_, None)) => {}
            None => return Err(unknown_key(&key, shape)),
        }
    }
    Ok(())
}

unsafe fn type_of(
    env: sys::napi_env,
    value: sys::napi_value,
) -> std::result::Result<ValueType, Bad> {
    let mut ty = 0;
    let status = unsafe { sys::napi_typeof(env, value, &mut ty) };
    if status != sys::Status::napi_ok {
        return Err(Bad {
            path: String::new(),
            reason: "unreadable value".into(),
        });
    }
    Ok(ValueType::from(ty))
}

unsafe fn get_named_property_raw_str(
    env: sys::napi_env,
    obj: sys::napi_value,
    key: &str,
) -> std::result::Result<sys::napi_value, Bad> {
    let o = Object::from_raw(env, obj);
    let v: Unknown = o.get_named_property_unchecked(key).map_err(from_napi)?;
    Ok(v.raw())
}

fn unknown_key(key: &str, shape: &Shape) -> Bad {
    let known = shape.keys.iter().map(|(k, _)| *k);
    let near = known
        .clone()
        .map(|k| (distance(&key.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d);
    let reason = match near {
        Some((_, k)) => format!("unknown key of {} (did you mean `{k}`?)", shape.name),
        None => format!(
            "unknown key of {} (expected one of: {})",
            shape.name,
            known.collect::<Vec<_>>().join(", ")
        ),
    };
    Bad {
        path: key.to_string(),
        reason,
    }
}

/// Levenshtein distance (short keys only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Convert with napi, the refusal naming the key.
///
/// # Safety
/// As [`Input::input`].
pub unsafe fn convert<T: FromNapiValue>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> std::result::Result<T, Bad> {
    unsafe { T::from_napi_value(env, value) }.map_err(from_napi)
}

/// Check the keys against `T`'s list, then convert with napi.
///
/// # Safety
/// As [`Input::input`].
pub unsafe fn convert_object<T: FromNapiValue + Keyed>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> std::result::Result<T, Bad> {
    unsafe { check_keys(env, value, &T::SHAPE) }?;
    unsafe { convert(env, value) }
}

impl<T: Input> Input for Option<T> {
    unsafe fn input(env: sys::napi_env, value: sys::napi_value) -> std::result::Result<Self, Bad> {
        match unsafe { type_of(env, value) }? {
            ValueType::Undefined | ValueType::Null => Ok(None),
            _ => unsafe { T::input(env, value) }.map(Some),
        }
    }
}

impl<T: Input> Input for Vec<T> {
    unsafe fn input(env: sys::napi_env, value: sys::napi_value) -> std::result::Result<Self, Bad> {
        let mut is_array = false;
        unsafe { sys::napi_is_array(env, value, &mut is_array) };
        if !is_array {
            return Err(Bad {
                path: String::new(),
                reason: "expected an array".into(),
            });
        }
        let array = Object::from_raw(env, value);
        let len = array.get_array_length().map_err(from_napi)?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let item: Unknown = array.get_element(i).map_err(from_napi)?;
            out.push(
                unsafe { T::input(env, item.raw()) }.map_err(|b| b.prefixed(&format!("[{i}]")))?,
            );
        }
        Ok(out)
    }
}

/// A JavaScript callback (napi converts any value to a `Function` and fails only when calling
/// it, so the type is checked here).
impl<Args: JsValuesTupleIntoVec, Return> Input for Function<'_, Args, Return> {
    unsafe fn input(env: sys::napi_env, value: sys::napi_value) -> std::result::Result<Self, Bad> {
        match unsafe { type_of(env, value) }? {
            ValueType::Function => unsafe { convert(env, value) },
            _ => Err(Bad {
                path: String::new(),
                reason: "expected a function".into(),
            }),
        }
    }
}

/// Values converted by napi as they are (strings, numbers, dates, bytes, string enums).
#[macro_export]
macro_rules! plain_input {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::input::Input for $t {
            unsafe fn input(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> std::result::Result<Self, $crate::input::Bad> {
                unsafe { $crate::input::convert(env, value) }
            }
        })+
    };
}

/// The JavaScript keys of an input object, and the input objects nested under some of them:
/// `object_input!(Party { audience, code, emails: Emails });`. Keys are as in `index.d.ts`.
#[macro_export]
macro_rules! object_input {
    ($t:ident $(<$l:lifetime>)? { $($key:ident $(: $nested:ty)?),+ $(,)? }) => {
        impl $(<$l>)? $crate::input::Keyed for $t $(<$l>)? {
            const SHAPE: $crate::input::Shape = $crate::input::Shape {
                name: stringify!($t),
                keys: &[$((stringify!($key), $crate::object_input!(@nested $($nested)?))),+],
            };
        }
        impl $(<$l>)? $crate::input::Input for $t $(<$l>)? {
            unsafe fn input(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> std::result::Result<Self, $crate::input::Bad> {
                unsafe { $crate::input::convert_object(env, value) }
            }
        }
    };
    // A core type derived for napi (feature `napi`), named as in `index.d.ts`.
    ($t:path as $name:ident { $($key:ident $(: $nested:ty)?),+ $(,)? }) => {
        impl $crate::input::Keyed for $t {
            const SHAPE: $crate::input::Shape = $crate::input::Shape {
                name: stringify!($name),
                keys: &[$((stringify!($key), $crate::object_input!(@nested $($nested)?))),+],
            };
        }
        impl $crate::input::Input for $t {
            unsafe fn input(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> std::result::Result<Self, $crate::input::Bad> {
                unsafe { $crate::input::convert_object(env, value) }
            }
        }
    };
    (@nested) => { None };
    (@nested $nested:ty) => { Some(&<$nested as $crate::input::Keyed>::SHAPE) };
}

plain_input!(
    String,
    bool,
    u32,
    i64,
    f64,
    chrono::DateTime<chrono::Utc>,
    Uint8Array
);

// The core's string enums (napi derives them under its `napi` feature): a wrong string is
// `invalid_input` naming the key, like any other input.
plain_input!(
    portail::AccountStatus,
    portail::Audience,
    portail::DocumentKind,
    portail::EInvoicingConsent,
    portail::EmailRole,
    portail::InvitationStatus,
    portail::Language,
    portail::LinkTarget,
    portail::NotificationState,
    portail::PaymentStatus,
    portail::Phase,
    portail::SignaturePlacement,
    portail::TemplatePurpose,
    portail::UnpaidPolicy,
    portail::ffi::IdentifierSource,
);

/// Every input object's shape, for the drift test against `index.d.ts`.
pub(crate) fn shapes() -> Vec<&'static Shape> {
    use crate::*;
    vec![
        &<PageRequest as Keyed>::SHAPE,
        &<config::Settings as Keyed>::SHAPE,
        &<config::AudienceSettings as Keyed>::SHAPE,
        &<documents::PublishOptions as Keyed>::SHAPE,
        &<portal::PortalOptions as Keyed>::SHAPE,
        &<security::SecurityPolicy as Keyed>::SHAPE,
        &<portail::ffi::SmtpOptions as Keyed>::SHAPE,
        &<mail::OutgoingMessage as Keyed>::SHAPE,
        &<accounts::GenerateOptions as Keyed>::SHAPE,
        &<accounts::InviteOptions as Keyed>::SHAPE,
        &<accounts::BatchOptions as Keyed>::SHAPE,
        &<accounts::AccountFilter as Keyed>::SHAPE,
        &<notifications::NotificationFilter as Keyed>::SHAPE,
        &<parties::Party as Keyed>::SHAPE,
        &<parties::Emails as Keyed>::SHAPE,
        &<folders::Folder as Keyed>::SHAPE,
        &<templates::Template as Keyed>::SHAPE,
        &<signing::SignOptions as Keyed>::SHAPE,
        &<pdf::SignatureStamp as Keyed>::SHAPE,
        &<portail::Principal as Keyed>::SHAPE,
    ]
}

/// The keys of every input object, by interface (for `tests/node/input.test.mjs`).
#[napi_derive::napi(js_name = "_inputKeys")]
pub fn input_keys() -> std::collections::HashMap<String, Vec<String>> {
    shapes()
        .into_iter()
        .map(|s| {
            (
                s.name.to_string(),
                s.keys.iter().map(|(k, _)| k.to_string()).collect(),
            )
        })
        .collect()
}
