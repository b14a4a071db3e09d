//! A Python object as a serde source for documents: what `cjm.load(mapping)` reads.
//!
//! It hands the core the JSON-like values a document holds (`dict` and other mappings,
//! `list`, `tuple` and other sequences, `str`, `int`, `float`, `bool`, `None`) and converts
//! what has one exact JSON form: a NumPy integer, float or bool becomes the Python value
//! it stands for; a `decimal.Decimal` becomes an integer when it is whole, a float when a
//! float holds it exactly (`Decimal("0.5")`, `Decimal("1.10")`), NaN or infinity (which
//! validation reports as `not_finite`). A value with no exact JSON form (an integer beyond
//! any float, a `Decimal` no float holds, text with a lone surrogate, `bytes`, any other
//! type) fails alone, with a message naming it. The core reads through
//! [`cjm_core::load_tree`], which reports each such failure as `wrong_type` at its path and
//! reads on, so one call reports every problem of the document.

use std::fmt;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySet,
    PyString, PyTuple, PyType,
};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A Python value read as a document value.
pub(crate) struct PyDoc<'a, 'py>(pub(crate) &'a Bound<'py, PyAny>);

/// Why one value cannot be read; the core reports it at the value's path.
#[derive(Debug)]
pub(crate) struct DocError(String);

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocError {}

impl de::Error for DocError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// A Python exception met while reading a value (a mapping whose `items()` raises…).
fn python_error(err: &PyErr, py: Python<'_>) -> DocError {
    DocError(format!("reading the value raised `{}`", err.value(py)))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    let t = obj.get_type();
    let name = t
        .qualname()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    match t.module() {
        Ok(m) if m.to_cow().is_ok_and(|m| m != "builtins") => format!("{m}.{name}"),
        _ => name,
    }
}

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

impl<'de> Deserializer<'de> for PyDoc<'_, '_> {
    type Error = DocError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DocError> {
        let obj = self.0;
        let py = obj.py();
        if obj.is_none() {
            return visitor.visit_unit();
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return visitor.visit_bool(b.is_true());
        }
        if let Ok(i) = obj.cast::<PyInt>() {
            return int(i, visitor);
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return visitor.visit_f64(f.value());
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return match s.to_cow() {
                Ok(text) => visitor.visit_str(&text),
                Err(_) => Err(DocError(
                    "text that is not valid Unicode: it holds a lone surrogate, which UTF-8 \
                     cannot encode"
                        .to_owned(),
                )),
            };
        }
        if let Ok(d) = obj.cast::<PyDict>() {
            return visitor.visit_map(Entries::new(d.iter().collect()));
        }
        if let Ok(l) = obj.cast::<PyList>() {
            return visitor.visit_seq(Items::new(l.iter().collect()));
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return visitor.visit_seq(Items::new(t.iter().collect()));
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Err(DocError(format!(
                "binary data (`{}`) is not JSON: decode it to text first",
                type_name(obj)
            )));
        }
        if let Ok(decimal) = DECIMAL.import(py, "decimal", "Decimal") {
            if obj.is_instance(decimal).unwrap_or(false) {
                return from_decimal(obj, visitor).map_err(|e| match e {
                    Read::Python(err) => python_error(&err, py),
                    Read::Doc(err) => err,
                });
            }
        }
        if is_numpy(obj) {
            return numpy(obj, visitor);
        }
        if let Ok(m) = obj.cast::<PyMapping>() {
            let items = m.items().map_err(|e| python_error(&e, py))?;
            let mut pairs = Vec::with_capacity(items.len());
            for item in items.iter() {
                pairs.push(
                    item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()
                        .map_err(|e| python_error(&e, py))?,
                );
            }
            return visitor.visit_map(Entries::new(pairs));
        }
        let sequence = obj.cast::<pyo3::types::PySequence>().is_ok()
            || obj.is_instance_of::<PySet>()
            || obj.is_instance_of::<PyFrozenSet>();
        if sequence {
            let items = obj
                .try_iter()
                .and_then(|it| it.collect::<PyResult<Vec<_>>>())
                .map_err(|e| python_error(&e, py))?;
            return visitor.visit_seq(Items::new(items));
        }
        Err(DocError(format!(
            "a value of Python type `{}`, which has no JSON form: use dict, list, str, int, \
             float, bool or None",
            type_name(obj)
        )))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// An integer: as a 64-bit integer when it fits, else as the core's wider integers (read
/// as floats), else as a float when one holds it; beyond that it has no JSON form here.
fn int<'de, V: Visitor<'de>>(i: &Bound<'_, PyInt>, visitor: V) -> Result<V::Value, DocError> {
    if let Ok(v) = i.extract::<i64>() {
        return visitor.visit_i64(v);
    }
    if let Ok(v) = i.extract::<u64>() {
        return visitor.visit_u64(v);
    }
    if let Ok(v) = i.extract::<i128>() {
        return visitor.visit_i128(v);
    }
    if let Ok(v) = i.extract::<u128>() {
        return visitor.visit_u128(v);
    }
    if let Ok(f) = i.call_method0("__float__").and_then(|f| f.extract::<f64>()) {
        return visitor.visit_f64(f);
    }
    let bits = i
        .call_method0("bit_length")
        .and_then(|b| b.extract::<u64>())
        .unwrap_or(0);
    Err(DocError(format!(
        "an integer of `{bits}` bits, beyond the range of a JSON number (a float holds up to \
         about 1.8e308)"
    )))
}

/// A failure while reading a `Decimal`: of Python, or of the value.
enum Read {
    Python(PyErr),
    Doc(DocError),
}

impl From<PyErr> for Read {
    fn from(err: PyErr) -> Self {
        Self::Python(err)
    }
}

/// A `Decimal`: NaN and infinities as floats (validation reports them), a whole one as an
/// integer, another as the float that holds it exactly, if one does.
fn from_decimal<'de, V: Visitor<'de>>(d: &Bound<'_, PyAny>, visitor: V) -> Result<V::Value, Read> {
    let py = d.py();
    if d.call_method0("is_nan")?.is_truthy()? {
        return visitor.visit_f64(f64::NAN).map_err(Read::Doc);
    }
    if d.call_method0("is_infinite")?.is_truthy()? {
        let negative = d.call_method0("is_signed")?.is_truthy()?;
        let inf = if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return visitor.visit_f64(inf).map_err(Read::Doc);
    }
    if d.eq(d.call_method0("to_integral_value")?)? {
        let whole = py.get_type::<PyInt>().call1((d,))?;
        return int(whole.cast::<PyInt>().map_err(PyErr::from)?, visitor).map_err(Read::Doc);
    }
    let float = d.call_method0("__float__")?;
    let exact = d.get_type().call1((float.str()?,))?;
    if d.eq(exact)? {
        return visitor.visit_f64(float.extract()?).map_err(Read::Doc);
    }
    Err(Read::Doc(DocError(format!(
        "`Decimal` `{}` has no exact float: convert it with `float()` if rounding is \
         acceptable, or give it as text",
        cjm_core::error::excerpt(&d.str()?.to_string_lossy())
    ))))
}

/// Whether the value is a NumPy scalar (without importing NumPy).
fn is_numpy(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type()
        .module()
        .is_ok_and(|m| m.to_cow().is_ok_and(|m| m == "numpy"))
}

/// A NumPy scalar: a bool, an integer or a float, read as the Python value it stands for.
fn numpy<'de, V: Visitor<'de>>(obj: &Bound<'_, PyAny>, visitor: V) -> Result<V::Value, DocError> {
    let py = obj.py();
    let name = obj
        .get_type()
        .qualname()
        .map_or_else(|_| String::new(), |n| n.to_string());
    if name == "bool" || name == "bool_" {
        return visitor.visit_bool(obj.is_truthy().map_err(|e| python_error(&e, py))?);
    }
    if let Ok(i) = py
        .import("operator")
        .and_then(|op| op.call_method1("index", (obj,)))
    {
        if let Ok(i) = i.cast::<PyInt>() {
            return int(i, visitor);
        }
    }
    if let Ok(f) = obj
        .call_method0("__float__")
        .and_then(|f| f.extract::<f64>())
    {
        // NumPy floats of up to 64 bits are exact as Python floats; wider ones
        // (`longdouble`) round, as `float()` does.
        return visitor.visit_f64(f);
    }
    Err(DocError(format!(
        "a value of Python type `{}`, which has no JSON form: use dict, list, str, int, \
         float, bool or None",
        type_name(obj)
    )))
}

/// The entries of a mapping, read in order.
struct Entries<'py> {
    entries: std::vec::IntoIter<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    value: Option<Bound<'py, PyAny>>,
}

impl<'py> Entries<'py> {
    fn new(entries: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>) -> Self {
        Self {
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = DocError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DocError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(PyDoc(&key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DocError> {
        match self.value.take() {
            Some(value) => seed.deserialize(PyDoc(&value)),
            None => Err(DocError("a value without its key".to_owned())),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The items of a sequence, read in order.
struct Items<'py> {
    items: std::vec::IntoIter<Bound<'py, PyAny>>,
}

impl<'py> Items<'py> {
    fn new(items: Vec<Bound<'py, PyAny>>) -> Self {
        Self {
            items: items.into_iter(),
        }
    }
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = DocError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DocError> {
        match self.items.next() {
            Some(item) => seed.deserialize(PyDoc(&item)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
