//! Core values to Python objects, generically from their serde form: the records of
//! `portail.records` and the enums of `portail.enums` are the typed surface, read once per class.
//!
//! - A serde *struct* named `X` becomes `portail.records.X` (or its name in [`RENAMES`]),
//!   built from its fields; a field the record does not declare is left out (the record decides
//!   what Python sees).
//! - Each field is converted by the record's type hint for it (`typing.get_type_hints`, read
//!   once per class): a `datetime` gets the RFC 3339 text as an aware UTC `datetime`, an enum of
//!   `portail.enums` its member, a record the record (also from a serde map, as
//!   `#[serde(flatten)]` gives), `List[...]`, `Tuple[..., ...]`, `Dict[..., ...]` and
//!   `Optional[...]` of those likewise.
//! - A struct that has no record (the form serde gives an adjacently tagged enum, e.g.
//!   `SkipReason` as `{"reason", "role"}`) is flattened into the record holding it.
//! - Otherwise: a map is a `dict`, a sequence a `list`, a unit variant its name, `None` `None`;
//!   an externally tagged variant with data is an error (no view has one).
//!
//! A new core field thus needs its line in `records.py` (and the `.pyi`), and no Rust code.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use pyo3::IntoPyObjectExt;
use serde::ser::{self, Serialize};

/// Serde names of the contract's views whose record is named otherwise in `portail.records`.
const RENAMES: &[(&str, &str)] = &[
    ("PageView", "Page"),
    ("AccountView", "Account"),
    ("InvitationView", "Invitation"),
    ("DocumentView", "Document"),
    ("NotificationDecisionView", "NotificationDecision"),
    ("BatchReportView", "BatchReport"),
    ("BatchRowView", "BatchRow"),
    ("LockoutView", "Lockout"),
    ("DownloadView", "Download"),
];

/// `value` as a Python object (see the module's documentation).
pub(crate) fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let out = value
        .serialize(ToPy {
            py,
            conv: &Conv::Plain,
            holder: None,
        })
        .map_err(|e| e.0)?;
    out.into_object(py)
}

/// How a value is converted: what the type hint of its field says.
enum Conv {
    /// As serde gives it.
    Plain,
    /// RFC 3339 text to an aware UTC `datetime`.
    DateTime,
    /// A value to the member of an enum class.
    Enum(HashMap<String, Py<PyAny>>),
    /// A struct or map to a record.
    Record(Arc<Record>),
    /// A sequence to a `list` of converted items.
    List(Box<Conv>),
    /// A sequence to a `tuple` of converted items.
    Tuple(Box<Conv>),
    /// A map to a `dict` of converted keys and values.
    Dict(Box<Conv>, Box<Conv>),
}

/// A record class of `portail.records` and how each of its fields is converted.
struct Record {
    cls: Py<PyType>,
    fields: Vec<Field>,
}

struct Field {
    name: String,
    key: Py<PyString>,
    conv: Conv,
    /// The field's plain default (not a `default_factory`), if any.
    default: Option<Py<PyAny>>,
}

impl Record {
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field `name` and its index, looked for from index `at` on first (serde gives the
    /// fields in the order the record declares them, so this is usually the first one tried).
    fn field_from(&self, name: &str, at: usize) -> Option<(usize, &Field)> {
        let (after, before) = self.fields.split_at(at.min(self.fields.len()));
        (before.iter().enumerate().map(|(i, f)| (at + i, f)))
            .chain(after.iter().enumerate())
            .find(|(_, f)| f.name == name)
    }
}

/// The records read so far, by serde name (`None`: no record of that name).
fn records() -> &'static RwLock<HashMap<String, Option<Arc<Record>>>> {
    static RECORDS: OnceLock<RwLock<HashMap<String, Option<Arc<Record>>>>> = OnceLock::new();
    RECORDS.get_or_init(Default::default)
}

/// The record of serde struct `name`, read once.
fn record_named(py: Python<'_>, name: &str) -> PyResult<Option<Arc<Record>>> {
    if let Some(found) = records().read().ok().and_then(|m| m.get(name).cloned()) {
        return Ok(found);
    }
    let class_name = RENAMES
        .iter()
        .find(|(serde, _)| *serde == name)
        .map_or(name, |(_, class)| class);
    let module = crate::convert::records_module(py)?;
    let record = match module.getattr(class_name) {
        Ok(cls) if is_dataclass(py, &cls)? => Some(Arc::new(read_record(py, cls.cast_into()?)?)),
        _ => None,
    };
    if let Ok(mut m) = records().write() {
        m.insert(name.to_string(), record.clone());
    }
    Ok(record)
}

/// The helpers of `typing`, `dataclasses` and `datetime` the type hints are read with.
struct Typing {
    get_type_hints: Py<PyAny>,
    get_origin: Py<PyAny>,
    get_args: Py<PyAny>,
    fields: Py<PyAny>,
    is_dataclass: Py<PyAny>,
    union: Py<PyAny>,
    datetime: Py<PyAny>,
    enum_base: Py<PyAny>,
    none_type: Py<PyAny>,
    missing: Py<PyAny>,
}

fn typing(py: Python<'_>) -> PyResult<&Typing> {
    static TYPING: PyOnceLock<Typing> = PyOnceLock::new();
    TYPING.get_or_try_init(py, || {
        let typing = py.import("typing")?;
        let dataclasses = py.import("dataclasses")?;
        Ok(Typing {
            get_type_hints: typing.getattr("get_type_hints")?.unbind(),
            get_origin: typing.getattr("get_origin")?.unbind(),
            get_args: typing.getattr("get_args")?.unbind(),
            union: typing.getattr("Union")?.unbind(),
            fields: dataclasses.getattr("fields")?.unbind(),
            is_dataclass: dataclasses.getattr("is_dataclass")?.unbind(),
            missing: dataclasses.getattr("MISSING")?.unbind(),
            datetime: py.import("datetime")?.getattr("datetime")?.unbind(),
            enum_base: py.import("enum")?.getattr("Enum")?.unbind(),
            none_type: py.None().bind(py).get_type().into_any().unbind(),
        })
    })
}

fn is_dataclass(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.is_instance_of::<PyType>()
        && typing(py)?.is_dataclass.call1(py, (obj,))?.is_truthy(py)?)
}

/// A record class and the conversion of each field, from its type hints.
fn read_record(py: Python<'_>, cls: Bound<'_, PyType>) -> PyResult<Record> {
    let t = typing(py)?;
    let hints = t.get_type_hints.bind(py).call1((&cls,))?;
    let mut fields = Vec::new();
    for field in t.fields.bind(py).call1((&cls,))?.try_iter()? {
        let field = field?;
        let name: String = field.getattr("name")?.extract()?;
        let conv = conv_of(py, &hints.get_item(&name)?)?;
        let default = field.getattr("default")?;
        fields.push(Field {
            key: PyString::intern(py, &name).unbind(),
            name,
            conv,
            default: (!default.is(t.missing.bind(py))).then(|| default.unbind()),
        });
    }
    Ok(Record {
        cls: cls.unbind(),
        fields,
    })
}

/// The conversion a type hint asks for.
fn conv_of(py: Python<'_>, hint: &Bound<'_, PyAny>) -> PyResult<Conv> {
    let t = typing(py)?;
    let origin = t.get_origin.bind(py).call1((hint,))?;
    let args: Vec<Bound<'_, PyAny>> = t.get_args.bind(py).call1((hint,))?.extract()?;
    let arg = |i: usize| match args.get(i) {
        Some(a) => conv_of(py, a),
        None => Ok(Conv::Plain),
    };
    if origin.is(t.union.bind(py)) {
        let some: Vec<_> = args
            .iter()
            .filter(|a| !a.is(t.none_type.bind(py)))
            .collect();
        return match some.as_slice() {
            [only] => conv_of(py, only),
            _ => Ok(Conv::Plain),
        };
    }
    if origin.is(py.get_type::<PyList>()) {
        return Ok(Conv::List(Box::new(arg(0)?)));
    }
    if origin.is(py.get_type::<PyTuple>()) {
        return Ok(Conv::Tuple(Box::new(arg(0)?)));
    }
    if origin.is(py.get_type::<PyDict>()) {
        return Ok(Conv::Dict(Box::new(arg(0)?), Box::new(arg(1)?)));
    }
    if !origin.is_none() || !hint.is_instance_of::<PyType>() {
        return Ok(Conv::Plain);
    }
    let cls = hint.cast::<PyType>()?;
    if cls.is(t.datetime.bind(py)) {
        return Ok(Conv::DateTime);
    }
    if cls.is_subclass(t.enum_base.bind(py))? {
        let mut members = HashMap::new();
        for member in cls.try_iter()? {
            let member = member?;
            members.insert(member.getattr("value")?.extract()?, member.unbind());
        }
        return Ok(Conv::Enum(members));
    }
    if is_dataclass(py, hint)? {
        let name: String = cls.getattr("__name__")?.extract()?;
        if let Some(record) = record_named(py, &name)? {
            return Ok(Conv::Record(record));
        }
    }
    Ok(Conv::Plain)
}

/// A record built from its fields, missing ones taking their plain defaults: without calling
/// `__init__` when every field is then there (a frozen dataclass's `__init__` sets each field
/// through `object.__setattr__`, which dominated listings), else through `__init__` (a
/// `default_factory` applies, a missing field raises).
fn build_record<'py>(
    py: Python<'py>,
    record: &Record,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    struct Object {
        new: Py<PyAny>,
        setattr: Py<PyAny>,
        dict: Py<PyString>,
    }
    static OBJECT: PyOnceLock<Object> = PyOnceLock::new();
    let cls = record.cls.bind(py);
    if kwargs.len() < record.fields.len() {
        for field in &record.fields {
            if let Some(default) = &field.default {
                let key = field.key.bind(py);
                if !kwargs.contains(key)? {
                    kwargs.set_item(key, default.bind(py))?;
                }
            }
        }
    }
    if kwargs.len() != record.fields.len() {
        return cls.call((), Some(&kwargs));
    }
    let object = OBJECT.get_or_try_init(py, || -> PyResult<Object> {
        let object = py.import("builtins")?.getattr("object")?;
        Ok(Object {
            new: object.getattr("__new__")?.unbind(),
            setattr: object.getattr("__setattr__")?.unbind(),
            dict: PyString::intern(py, "__dict__").unbind(),
        })
    })?;
    let instance = object.new.bind(py).call1((cls,))?;
    object
        .setattr
        .bind(py)
        .call1((&instance, object.dict.bind(py), kwargs))?;
    Ok(instance)
}

/// A serde error carrying the Python exception.
#[derive(Debug)]
pub(crate) struct Error(PyErr);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(PyValueError::new_err(msg.to_string()))
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error(e)
    }
}

type Result<T> = std::result::Result<T, Error>;

/// What a value became: an object, or the fields of a struct without a record, to flatten into
/// the record holding it.
enum Out<'py> {
    Object(Bound<'py, PyAny>),
    Fields(Vec<(&'static str, Bound<'py, PyAny>)>),
}

impl<'py> Out<'py> {
    fn into_object(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Out::Object(o) => Ok(o),
            Out::Fields(fields) => {
                let dict = PyDict::new(py);
                for (k, v) in fields {
                    dict.set_item(k, v)?;
                }
                Ok(dict.into_any())
            }
        }
    }
}

/// The serializer: `conv` is what the value's field asks for; `holder` the record whose field
/// this is (a struct without a record is flattened into it).
#[derive(Clone, Copy)]
struct ToPy<'py, 'a> {
    py: Python<'py>,
    conv: &'a Conv,
    holder: Option<&'a Record>,
}

impl<'py> ToPy<'py, '_> {
    fn object(&self, o: impl IntoPyObject<'py>) -> Result<Out<'py>> {
        Ok(Out::Object(o.into_bound_py_any(self.py)?))
    }

    fn text(&self, v: &str) -> Result<Out<'py>> {
        match self.conv {
            Conv::DateTime => {
                let t = DateTime::parse_from_rfc3339(v)
                    .map_err(|e| PyValueError::new_err(format!("{v:?}: {e}")))?;
                self.object(t.with_timezone(&Utc))
            }
            Conv::Enum(members) => match members.get(v) {
                Some(m) => Ok(Out::Object(m.bind(self.py).clone())),
                None => Err(PyValueError::new_err(format!("unknown value {v:?}")).into()),
            },
            _ => self.object(v),
        }
    }

    fn with<'b>(&self, conv: &'b Conv, holder: Option<&'b Record>) -> ToPy<'py, 'b> {
        ToPy {
            py: self.py,
            conv,
            holder,
        }
    }
}

/// The serializer methods of plain values.
macro_rules! plain {
    ($($method:ident: $t:ty),* $(,)?) => {
        $(fn $method(self, v: $t) -> Result<Out<'py>> {
            self.object(v)
        })*
    };
}

impl<'py, 'a> ser::Serializer for ToPy<'py, 'a> {
    type Ok = Out<'py>;
    type Error = Error;
    type SerializeSeq = Seq<'py, 'a>;
    type SerializeTuple = Seq<'py, 'a>;
    type SerializeTupleStruct = Seq<'py, 'a>;
    // No view has an externally tagged variant with data: the contract's enums are unit enums
    // or internally / adjacently tagged (structs).
    type SerializeTupleVariant = ser::Impossible<Out<'py>, Error>;
    type SerializeMap = Map<'py, 'a>;
    type SerializeStruct = Struct<'py, 'a>;
    type SerializeStructVariant = ser::Impossible<Out<'py>, Error>;

    plain!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8]);

    fn serialize_char(self, v: char) -> Result<Out<'py>> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Out<'py>> {
        self.text(v)
    }
    fn serialize_none(self) -> Result<Out<'py>> {
        Ok(Out::Object(self.py.None().into_bound(self.py)))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Out<'py>> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Out<'py>> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Out<'py>> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<Out<'py>> {
        self.text(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Out<'py>> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<Out<'py>> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: externally tagged"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'py, 'a>> {
        Ok(Seq {
            to: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'py, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'py, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: externally tagged"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'py, 'a>> {
        let record = match self.conv {
            Conv::Record(r) => Some(r.clone()),
            _ => None,
        };
        Ok(Map {
            to: self,
            dict: PyDict::new(self.py),
            record,
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Struct<'py, 'a>> {
        let record = match self.conv {
            Conv::Record(r) => Some(r.clone()),
            _ => record_named(self.py, name)?,
        };
        Ok(Struct {
            to: self,
            target: match record {
                Some(record) => Target::Record(record, PyDict::new(self.py)),
                None => Target::Fields(Vec::new()),
            },
            at: 0,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: externally tagged"
        )))
    }
}

/// A sequence being converted.
struct Seq<'py, 'a> {
    to: ToPy<'py, 'a>,
    items: Vec<Bound<'py, PyAny>>,
}

impl<'py> Seq<'py, '_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let item = match self.to.conv {
            Conv::List(c) | Conv::Tuple(c) => value.serialize(self.to.with(c, None))?,
            _ => value.serialize(self.to.with(&Conv::Plain, None))?,
        };
        self.items.push(item.into_object(self.to.py)?);
        Ok(())
    }

    fn finish(self) -> Result<Out<'py>> {
        let py = self.to.py;
        Ok(Out::Object(match self.to.conv {
            Conv::Tuple(_) => PyTuple::new(py, self.items)?.into_any(),
            _ => PyList::new(py, self.items)?.into_any(),
        }))
    }
}

impl<'py> ser::SerializeSeq for Seq<'py, '_> {
    type Ok = Out<'py>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Out<'py>> {
        self.finish()
    }
}

impl<'py> ser::SerializeTuple for Seq<'py, '_> {
    type Ok = Out<'py>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Out<'py>> {
        self.finish()
    }
}

impl<'py> ser::SerializeTupleStruct for Seq<'py, '_> {
    type Ok = Out<'py>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Out<'py>> {
        self.finish()
    }
}

/// A map being converted: a `dict`, or a record when the field asks for one.
struct Map<'py, 'a> {
    to: ToPy<'py, 'a>,
    dict: Bound<'py, PyDict>,
    record: Option<Arc<Record>>,
    key: Option<Bound<'py, PyAny>>,
}

impl<'py> ser::SerializeMap for Map<'py, '_> {
    type Ok = Out<'py>;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let conv = match self.to.conv {
            Conv::Dict(k, _) => k.as_ref(),
            _ => &Conv::Plain,
        };
        self.key = Some(
            key.serialize(self.to.with(conv, None))?
                .into_object(self.to.py)?,
        );
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let py = self.to.py;
        let key = self
            .key
            .take()
            .ok_or_else(|| PyValueError::new_err("a map value without its key"))?;
        if let Some(record) = &self.record {
            let name = key.cast::<PyString>().map_err(PyErr::from)?.to_cow()?;
            if let Some(field) = record.field(&name) {
                let v = value.serialize(self.to.with(&field.conv, Some(&**record)))?;
                put(py, record, &self.dict, field, v)?;
            }
            return Ok(());
        }
        let conv = match self.to.conv {
            Conv::Dict(_, v) => v.as_ref(),
            _ => &Conv::Plain,
        };
        let v = value.serialize(self.to.with(conv, None))?;
        self.dict.set_item(key, v.into_object(py)?)?;
        Ok(())
    }

    fn end(self) -> Result<Out<'py>> {
        match &self.record {
            Some(record) => Ok(Out::Object(build_record(self.to.py, record, self.dict)?)),
            None => Ok(Out::Object(self.dict.into_any())),
        }
    }
}

/// Set `field` of a record being built; a struct without a record is flattened into it.
fn put<'py>(
    py: Python<'py>,
    record: &Record,
    kwargs: &Bound<'py, PyDict>,
    field: &Field,
    value: Out<'py>,
) -> Result<()> {
    match value {
        Out::Object(v) => kwargs.set_item(field.key.bind(py), v)?,
        Out::Fields(fields) => {
            for (name, v) in fields {
                if let Some(f) = record.field(name) {
                    kwargs.set_item(f.key.bind(py), v)?;
                }
            }
        }
    }
    Ok(())
}

/// What a struct becomes.
enum Target<'py> {
    /// A record, from the keyword arguments gathered so far.
    Record(Arc<Record>, Bound<'py, PyDict>),
    /// Fields to flatten into the record holding it.
    Fields(Vec<(&'static str, Bound<'py, PyAny>)>),
}

/// A struct being converted.
struct Struct<'py, 'a> {
    to: ToPy<'py, 'a>,
    target: Target<'py>,
    /// Where the next field is looked for first.
    at: usize,
}

impl<'py> ser::SerializeStruct for Struct<'py, '_> {
    type Ok = Out<'py>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let py = self.to.py;
        match &mut self.target {
            Target::Record(record, kwargs) => {
                if let Some((i, field)) = record.field_from(key, self.at) {
                    self.at = i + 1;
                    let v = value.serialize(self.to.with(&field.conv, Some(&**record)))?;
                    put(py, record, kwargs, field, v)?;
                }
            }
            Target::Fields(fields) => {
                // Converted as the holding record's field of that name asks.
                let conv = self
                    .to
                    .holder
                    .and_then(|h| h.field(key))
                    .map_or(&Conv::Plain, |f| &f.conv);
                let v = value.serialize(self.to.with(conv, None))?;
                fields.push((key, v.into_object(py)?));
            }
        }
        Ok(())
    }

    fn end(self) -> Result<Out<'py>> {
        match self.target {
            Target::Record(record, kwargs) => {
                Ok(Out::Object(build_record(self.to.py, &record, kwargs)?))
            }
            Target::Fields(fields) => Ok(Out::Fields(fields)),
        }
    }
}
