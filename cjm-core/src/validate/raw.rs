//! A JSON-like tree that any serde source can produce (JSON text, a Python dict through
//! pythonize, a JS object through serde-wasm-bindgen), read under limits.
//!
//! Why not `serde_json::Value`: it turns NaN and infinities into `null` without a word,
//! keeps only the last of duplicate keys, and has no size or depth limits for sources other
//! than JSON text. This tree keeps non-finite numbers and duplicate keys so that validation
//! can report them with their path, and the loader stops with a `too_deep`,
//! `string_too_long`, `too_many_items` or `document_too_large` problem (with the path where
//! it happened) before an adversarial input can exhaust the stack or memory.

use crate::error::{Problem, ProblemCode};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Limits applied while reading a document. The defaults fit any real journey map with
/// room to spare; raise them through [`super::Loader`] if a map needs more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document: bytes of JSON text (as given, before parsing), or for in-memory
    /// sources an estimate (string bytes plus 8 per value).
    pub max_bytes: usize,
    /// Deepest nesting of objects and arrays (the root object is depth 1).
    pub max_depth: usize,
    /// Longest string, in bytes.
    pub max_string_bytes: usize,
    /// Most items in one array or fields in one object.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 32,
            max_string_bytes: 64 * 1024,
            max_items: 100_000,
        }
    }
}

/// A parsed value. Objects keep their fields in input order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Arr(Vec<Raw>),
    Obj(Vec<(String, Raw)>),
    /// A value the source could not give as JSON (a Python `Decimal`, text with a lone
    /// surrogate…), already reported by the reader with its path: the checks skip it, and
    /// a document holding one never validates.
    Unreadable,
}

impl Raw {
    /// The JSON type name used in messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "boolean",
            Raw::Int(_) | Raw::UInt(_) => "integer",
            Raw::Float(_) => "number",
            Raw::Str(_) => "string",
            Raw::Arr(_) => "array",
            Raw::Obj(_) => "object",
            Raw::Unreadable => "unreadable value",
        }
    }

    /// The field `key` of an object (the last one if duplicated).
    pub(crate) fn get(&self, key: &str) -> Option<&Raw> {
        match self {
            Raw::Obj(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Raw::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Raw]> {
        match self {
            Raw::Arr(items) => Some(items),
            _ => None,
        }
    }

    /// The value as a finite `f64`, if it is a number.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss, reason = "used for range checks only")]
        match self {
            Raw::Int(i) => Some(*i as f64),
            Raw::UInt(u) => Some(*u as f64),
            Raw::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }

    /// Converts to `serde_json::Value`. Callers make sure every number is finite first
    /// (validation reports non-finite ones); a non-finite number would become `null`.
    pub(crate) fn into_json(self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Raw::Null | Raw::Unreadable => Value::Null,
            Raw::Bool(b) => Value::Bool(b),
            Raw::Int(i) => Value::from(i),
            Raw::UInt(u) => Value::from(u),
            Raw::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Raw::Str(s) => Value::String(s),
            Raw::Arr(items) => Value::Array(items.into_iter().map(Raw::into_json).collect()),
            Raw::Obj(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, v.into_json()))
                    .collect(),
            ),
        }
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A field of an object.
    Key(String),
    /// An item of an array.
    Index(usize),
}

/// Renders a path as `touchpoints[3].stage`; keys that are not plain identifiers are
/// quoted: `extensions["my key"]`.
#[must_use]
pub fn render_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !k.starts_with(|c: char| c.is_ascii_digit());
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push('[');
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(']');
                }
            }
        }
    }
    out
}

/// Shared state of one read: limits, the current path, the running size, the first
/// limit that was hit and, when the read recovers, the values it could not read.
pub(crate) struct ReadCtx {
    limits: Limits,
    path: RefCell<Vec<Seg>>,
    bytes: RefCell<usize>,
    failure: RefCell<Option<Problem>>,
    /// Whether a value that fails to read is reported and skipped (see
    /// [`super::Loader::load_tree`]) instead of stopping the read.
    recover: bool,
    unreadable: RefCell<Vec<Problem>>,
}

impl ReadCtx {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            path: RefCell::new(Vec::new()),
            bytes: RefCell::new(0),
            failure: RefCell::new(None),
            recover: false,
            unreadable: RefCell::new(Vec::new()),
        }
    }

    /// A context whose read goes on past values that fail to read: for sources over a
    /// tree in memory, where a failed entry leaves its siblings readable.
    pub(crate) fn recovering(limits: Limits) -> Self {
        Self {
            recover: true,
            ..Self::new(limits)
        }
    }

    /// The values the read could not read and went past, each as a `wrong_type` problem
    /// with its path, in document order.
    pub(crate) fn take_unreadable(&self) -> Vec<Problem> {
        std::mem::take(&mut *self.unreadable.borrow_mut())
    }

    /// After an entry failed to read, with the path at `depth` segments plus the entry's
    /// own (if any): in a recovering read, records the failure at that path and returns
    /// true (the caller goes on with [`Raw::Unreadable`]) with the path left at `depth`
    /// segments; a limit that was hit, or a read that does not recover, stops instead.
    fn recovered(&self, depth: usize, entry: bool, err: &dyn fmt::Display) -> bool {
        if !self.recover || self.failure.borrow().is_some() {
            // The path stays where the read stopped, for the problem that ends it.
            return false;
        }
        self.path
            .borrow_mut()
            .truncate(if entry { depth + 1 } else { depth });
        self.unreadable.borrow_mut().push(Problem {
            code: ProblemCode::WrongType,
            path: self.current_path(),
            message: err.to_string(),
        });
        self.path.borrow_mut().truncate(depth);
        true
    }

    /// The problem that stopped the read, if a limit stopped it.
    pub(crate) fn take_failure(&self) -> Option<Problem> {
        self.failure.borrow_mut().take()
    }

    /// The path where the reader was when it stopped.
    pub(crate) fn current_path(&self) -> String {
        render_path(&self.path.borrow())
    }

    fn fail<E: de::Error>(&self, code: ProblemCode, message: String) -> E {
        let problem = Problem {
            code,
            path: self.current_path(),
            message: message.clone(),
        };
        let mut slot = self.failure.borrow_mut();
        if slot.is_none() {
            *slot = Some(problem);
        }
        E::custom(message)
    }

    fn add_bytes<E: de::Error>(&self, n: usize) -> Result<(), E> {
        let mut bytes = self.bytes.borrow_mut();
        *bytes = bytes.saturating_add(n);
        if *bytes > self.limits.max_bytes {
            let max = self.limits.max_bytes;
            drop(bytes);
            return Err(self.fail(
                ProblemCode::DocumentTooLarge,
                format!("document is larger than the limit of `{max}` bytes"),
            ));
        }
        Ok(())
    }
}

/// Reads one value at a given depth.
pub(crate) struct RawSeed<'a> {
    pub(crate) ctx: &'a ReadCtx,
    pub(crate) depth: usize,
}

impl<'de> DeserializeSeed<'de> for RawSeed<'_> {
    type Value = Raw;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawSeed<'_> {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        self.ctx.add_bytes(8)?;
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        self.ctx.add_bytes(8)?;
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        self.ctx.add_bytes(8)?;
        Ok(if v >= 0 {
            Raw::UInt(v.unsigned_abs())
        } else {
            Raw::Int(v)
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        self.ctx.add_bytes(8)?;
        Ok(Raw::UInt(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "out-of-range integers become floats, then range checks apply"
        )]
        match (i64::try_from(v), u64::try_from(v)) {
            (_, Ok(u)) => self.visit_u64(u),
            (Ok(i), _) => self.visit_i64(i),
            _ => self.visit_f64(v as f64),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "out-of-range integers become floats, then range checks apply"
        )]
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => self.visit_f64(v as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        self.ctx.add_bytes(8)?;
        Ok(Raw::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        self.visit_string(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        if v.len() > self.ctx.limits.max_string_bytes {
            let max = self.ctx.limits.max_string_bytes;
            let len = v.len();
            return Err(self.ctx.fail(
                ProblemCode::StringTooLong,
                format!("string of `{len}` bytes is longer than the limit of `{max}` bytes"),
            ));
        }
        self.ctx.add_bytes(v.len().saturating_add(8))?;
        Ok(Raw::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Err(E::custom(format!(
            "expected a JSON value, found `{}` bytes of binary data",
            v.len()
        )))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        self.enter::<A::Error>()?;
        let mut items = Vec::new();
        let depth = self.ctx.path.borrow().len();
        loop {
            self.ctx.path.borrow_mut().push(Seg::Index(items.len()));
            let next = seq.next_element_seed(RawSeed {
                ctx: self.ctx,
                depth: self.depth + 1,
            });
            let item = match next {
                Ok(Some(item)) => item,
                Ok(None) => {
                    self.ctx.path.borrow_mut().truncate(depth);
                    break;
                }
                Err(err) if self.ctx.recovered(depth, true, &err) => {
                    self.ctx.add_bytes::<A::Error>(8)?;
                    Raw::Unreadable
                }
                Err(err) => return Err(err),
            };
            self.ctx.path.borrow_mut().truncate(depth);
            // An array of exactly the limit is allowed: the check comes once an item
            // past it has been read.
            if items.len() >= self.ctx.limits.max_items {
                let max = self.ctx.limits.max_items;
                return Err(self.ctx.fail(
                    ProblemCode::TooManyItems,
                    format!("array has more than the limit of `{max}` items"),
                ));
            }
            items.push(item);
        }
        Ok(Raw::Arr(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        self.enter::<A::Error>()?;
        let mut fields = Vec::new();
        let depth = self.ctx.path.borrow().len();
        loop {
            let key = match map.next_key_seed(KeySeed { ctx: self.ctx }) {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(err) if self.ctx.recovered(depth, false, &err) => {
                    // The key's value is passed over (its result does not matter: the
                    // entry is reported already).
                    let _ = map.next_value_seed(Skip);
                    continue;
                }
                Err(err) => return Err(err),
            };
            if fields.len() >= self.ctx.limits.max_items {
                let max = self.ctx.limits.max_items;
                return Err(self.ctx.fail(
                    ProblemCode::TooManyItems,
                    format!("object has more than the limit of `{max}` fields"),
                ));
            }
            self.ctx.path.borrow_mut().push(Seg::Key(key.clone()));
            let value = match map.next_value_seed(RawSeed {
                ctx: self.ctx,
                depth: self.depth + 1,
            }) {
                Ok(value) => value,
                Err(err) if self.ctx.recovered(depth, true, &err) => {
                    self.ctx.add_bytes::<A::Error>(8)?;
                    Raw::Unreadable
                }
                Err(err) => return Err(err),
            };
            self.ctx.path.borrow_mut().truncate(depth);
            fields.push((key, value));
        }
        Ok(Raw::Obj(fields))
    }
}

/// Passes over one value.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        <de::IgnoredAny as serde::Deserialize>::deserialize(deserializer).map(|_| ())
    }
}

impl RawSeed<'_> {
    fn enter<E: de::Error>(&self) -> Result<(), E> {
        if self.depth > self.ctx.limits.max_depth {
            let max = self.ctx.limits.max_depth;
            return Err(self.ctx.fail(
                ProblemCode::TooDeep,
                format!("nesting is deeper than the limit of `{max}` levels"),
            ));
        }
        self.ctx.add_bytes(8)
    }
}

/// Reads an object key, which must be a string.
struct KeySeed<'a> {
    ctx: &'a ReadCtx,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.visit_string(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        if v.len() > self.ctx.limits.max_string_bytes {
            let max = self.ctx.limits.max_string_bytes;
            return Err(self.ctx.fail(
                ProblemCode::StringTooLong,
                format!("object key is longer than the limit of `{max}` bytes"),
            ));
        }
        self.ctx.add_bytes(v.len().saturating_add(8))?;
        Ok(v)
    }

    // A key of another type is a `wrong_type` problem at the object's path: the read stops
    // there, or with a source that recovers, goes on without the entry.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Err(E::custom(format!(
            "object keys must be strings, found the integer `{v}`"
        )))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Err(E::custom(format!(
            "object keys must be strings, found the integer `{v}`"
        )))
    }
}

impl Raw {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Raw::Null => de::Unexpected::Unit,
            Raw::Bool(b) => de::Unexpected::Bool(*b),
            Raw::Int(i) => de::Unexpected::Signed(*i),
            Raw::UInt(u) => de::Unexpected::Unsigned(*u),
            Raw::Float(f) => de::Unexpected::Float(*f),
            Raw::Str(s) => de::Unexpected::Str(s),
            Raw::Arr(_) => de::Unexpected::Seq,
            Raw::Obj(_) => de::Unexpected::Map,
            Raw::Unreadable => de::Unexpected::Other("a value with no JSON form"),
        }
    }

    fn invalid<'de, V: Visitor<'de>>(&self, visitor: &V) -> RawError {
        de::Error::invalid_type(self.unexpected(), visitor)
    }
}

const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// A tree read back into a typed value (options): unlike `serde_json::Value`, NaN and
/// infinities reach the type as they are, for its own checks to name them. Each method
/// visits only what its type can be (as `serde_json::Value` does), which keeps the code
/// generated per options type small.
impl<'de> Deserializer<'de> for Raw {
    type Error = RawError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Null => visitor.visit_unit(),
            Raw::Bool(b) => visitor.visit_bool(b),
            Raw::Str(s) => visitor.visit_string(s),
            Raw::Arr(_) => self.deserialize_seq(visitor),
            Raw::Obj(_) => self.deserialize_map(visitor),
            number => number.deserialize_f64(visitor),
        }
    }

    /// Any number: a whole float is an integer, as in JSON text (a JavaScript number
    /// beyond 2^53 arrives as a float), so that integer types say when it is out of range.
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked: whole and within the integer's range"
        )]
        match self {
            Raw::Int(i) => visitor.visit_i64(i),
            Raw::UInt(u) => visitor.visit_u64(u),
            Raw::Float(f) if f.fract() == 0.0 && (0.0..TWO_POW_64).contains(&f) => {
                visitor.visit_u64(f as u64)
            }
            Raw::Float(f) if f.fract() == 0.0 && (-TWO_POW_63..0.0).contains(&f) => {
                visitor.visit_i64(f as i64)
            }
            Raw::Float(f) => visitor.visit_f64(f),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_f64(visitor)
    }

    serde::forward_to_deserialize_any! { i8 i16 i32 i128 u8 u16 u32 u128 f32 }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Bool(b) => visitor.visit_bool(b),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Str(s) => visitor.visit_string(s),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Null => visitor.visit_unit(),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Arr(items) => {
                let len = items.len();
                let mut seq = Items(items.into_iter().enumerate());
                let value = visitor.visit_seq(&mut seq)?;
                match seq.0.next() {
                    Some(_) => Err(de::Error::invalid_length(len, &"fewer items")),
                    None => Ok(value),
                }
            }
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Raw::Obj(fields) => visitor.visit_map(Fields(fields.into_iter(), None)),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use de::IntoDeserializer;
        match self {
            Raw::Str(s) => visitor.visit_enum(s.into_deserializer()),
            Raw::Obj(fields) if fields.len() == 1 => visitor.visit_enum(
                de::value::MapAccessDeserializer::new(Fields(fields.into_iter(), None)),
            ),
            other => Err(other.invalid(&visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        char bytes byte_buf unit_struct tuple tuple_struct
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }
}

/// The error of reading a [`Raw`] tree into a type: the path from the root to where it
/// happened, and the message. Boxed: it passes through every generic call of a read.
#[derive(Debug)]
pub(crate) struct RawError(pub(crate) Box<(Vec<Seg>, String)>);

impl de::Error for RawError {
    #[cold]
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self(Box::new((Vec::new(), message.to_string())))
    }
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0 .1)
    }
}

impl std::error::Error for RawError {}

/// Puts `seg` in front of the path of an error coming up from below it.
#[cold]
fn at(mut e: RawError, seg: Seg) -> RawError {
    e.0 .0.insert(0, seg);
    e
}

/// The items of an array, numbered for error paths.
struct Items(std::iter::Enumerate<std::vec::IntoIter<Raw>>);

impl<'de> SeqAccess<'de> for Items {
    type Error = RawError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, RawError> {
        match self.0.next() {
            Some((i, item)) => seed
                .deserialize(item)
                .map(Some)
                .map_err(|e| at(e, Seg::Index(i))),
            None => Ok(None),
        }
    }
}

/// The fields of an object, and the value of the key just read.
struct Fields(std::vec::IntoIter<(String, Raw)>, Option<(String, Raw)>);

impl<'de> MapAccess<'de> for Fields {
    type Error = RawError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, RawError> {
        let Some((key, value)) = self.0.next() else {
            return Ok(None);
        };
        let read = seed.deserialize(de::value::StrDeserializer::<RawError>::new(&key));
        let read = read.map(Some).map_err(|e| at(e, Seg::Key(key.clone())));
        self.1 = Some((key, value));
        read
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, RawError> {
        let (key, value) = self
            .1
            .take()
            .ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(value).map_err(|e| at(e, Seg::Key(key)))
    }
}
