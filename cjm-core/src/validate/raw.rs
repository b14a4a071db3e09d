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
/// room to spare; raise them through [`crate::Loader`] if a map needs more.
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
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path as `touchpoints[3].stage`; keys that are not plain identifiers are
/// quoted: `extensions["my key"]`.
pub(crate) fn render_path(segs: &[Seg]) -> String {
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
    /// [`crate::Loader::load_tree`]) instead of stopping the read.
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
