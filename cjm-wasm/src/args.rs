//! Reading arguments: the one place where JavaScript values are checked for their type.
//!
//! wasm-bindgen's own conversions assume the declared type (a `&str` parameter given a
//! number reads memory out of bounds), so every exported function takes `JsValue`s and
//! checks them here: a value of the wrong type is a `CjmError` `wrong_type` naming the
//! argument and what it must be. Options and documents given as objects must be plain
//! JSON: a `Date`, `RegExp`, `Map`, `Set`, class instance, function or symbol in them is
//! `wrong_type` with its path, where serde-wasm-bindgen would read `{}`. What the values
//! mean (ranges, NaN) is checked by the core ([`cjm_core::options_from`]).

use cjm_core::validate::{render_path, Seg};
use cjm_core::{Problem, ProblemCode};
use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::to_js;

/// A core result as a JavaScript one: the error becomes a `CjmError` ([`to_js`]).
pub(crate) trait Js<T> {
    fn js(self) -> Result<T, JsValue>;
}

impl<T> Js<T> for cjm_core::Result<T> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(|e| to_js(&e))
    }
}

/// A core input error (`family` `"input"`) made by the binding.
pub(crate) fn input_error(code: cjm_core::InputCode, message: String) -> JsValue {
    to_js(&cjm_core::Error::Input {
        code,
        row: None,
        message,
    })
}

/// `wrong_type`: argument `name` must be `want` (`"a string"`), and `value` is not.
pub(crate) fn wrong_type(name: &str, want: &str, value: &JsValue) -> JsValue {
    input_error(
        cjm_core::InputCode::WrongType,
        format!("`{name}` must be {want}, not {}", type_name(value)),
    )
}

/// `undefined` or `null`: an optional argument that is not given.
pub(crate) fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Reads argument `name` with `read` (`JsValue::as_string`…), or throws `wrong_type`
/// saying that it must be `want`.
pub(crate) fn arg<T>(
    value: &JsValue,
    name: &str,
    want: &str,
    read: fn(&JsValue) -> Option<T>,
) -> Result<T, JsValue> {
    read(value).ok_or_else(|| wrong_type(name, want, value))
}

/// `a string`, `a bigint`, `undefined`, `an array`, `a Date`…: what a value is.
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        return "null".to_owned();
    }
    if Array::is_array(value) {
        return "an array".to_owned();
    }
    if value.is_object() && !plain(value) {
        let name = Reflect::get(value, &JsValue::from_str("constructor"))
            .and_then(|c| Reflect::get(&c, &JsValue::from_str("name")));
        if let Some(name) = name.ok().and_then(|n| n.as_string()) {
            return format!("a {name}");
        }
    }
    match value.js_typeof().as_string().unwrap_or_default().as_str() {
        "undefined" => "undefined".to_owned(),
        "object" => "an object".to_owned(),
        other => format!("a {other}"),
    }
}

/// An object whose prototype is `Object.prototype` (of any realm) or `null`: not an
/// array, a `Date`, a class instance…
pub(crate) fn plain(value: &JsValue) -> bool {
    if !value.is_object() {
        return false;
    }
    let proto = Object::get_prototype_of(value);
    proto.is_null() || Object::get_prototype_of(&proto).is_null()
}

/// Appends a `wrong_type` problem for every value under `value` that JSON cannot hold
/// (see the module's documentation), with its path as the core writes paths. It looks
/// no deeper than the core reads (`Limits::max_depth`, which the core then reports).
pub(crate) fn non_json(value: &JsValue, path: &mut Vec<Seg>, found: &mut Vec<Problem>) {
    if path.len() > cjm_core::Limits::default().max_depth || found.len() >= 100 {
        return;
    }
    if Array::is_array(value) {
        for (i, item) in Array::from(value).iter().enumerate() {
            path.push(Seg::Index(i));
            non_json(&item, path, found);
            path.pop();
        }
    } else if plain(value) {
        for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
            let item = Reflect::get(value, &key).unwrap_or(JsValue::UNDEFINED);
            path.push(Seg::Key(key.as_string().unwrap_or_default()));
            non_json(&item, path, found);
            path.pop();
        }
    } else if value.is_object() || value.is_function() || value.is_symbol() {
        found.push(Problem {
            code: ProblemCode::WrongType,
            path: render_path(path),
            message: format!("expected a JSON value, found {}", type_name(value)),
        });
    }
}

/// Reads a value inside an argument (`options.survey`, `steps[2]`) into the core type
/// `T`: `undefined`/`null` is `None`; what JSON cannot hold is `wrong_type`; what does not
/// fit `T` is the core's `invalid_option`.
pub(crate) fn read_value<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<Option<T>, JsValue> {
    if absent(&value) {
        return Ok(None);
    }
    let mut found = Vec::new();
    non_json(&value, &mut Vec::new(), &mut found);
    if let Some(p) = found.first() {
        let place = match p.path.as_str() {
            "" => String::new(),
            path => format!(" option `{path}`"),
        };
        let message = format!("`{what}`:{place} {}", p.message);
        return Err(input_error(cjm_core::InputCode::WrongType, message));
    }
    cjm_core::options_from(serde_wasm_bindgen::Deserializer::from(value), what)
        .map(Some)
        .map_err(|e| to_js(&e))
}

/// Reads an optional options argument (a plain object; `undefined`/`null`: not given).
pub(crate) fn read_option<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<Option<T>, JsValue> {
    if !absent(&value) && !plain(&value) {
        return Err(wrong_type(what, "an object", &value));
    }
    read_value(value, what)
}

/// [`read_option`], the core type's default when not given.
pub(crate) fn opt<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    Ok(read_option(value, what)?.unwrap_or_default())
}

/// Reads a required options argument; `shape` says what it holds.
pub(crate) fn read_required<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    shape: &str,
) -> Result<T, JsValue> {
    read_option(value.clone(), what)?
        .ok_or_else(|| wrong_type(what, &format!("an object `{shape}`"), &value))
}

/// The value of `key` in the options object `value` (`what`), and a copy of the object
/// without it, for a value read apart from the rest (`options.journey`, a `Journey`;
/// `inputs.survey`, typed arrays). Every other key is kept as an own key (`__proto__`
/// too), a value `undefined` as `null`: not given, yet an unknown key still refused.
/// `undefined`/`null` for `value` gives both `undefined`.
pub(crate) fn split_off(
    value: &JsValue,
    key: &str,
    what: &str,
) -> Result<(JsValue, JsValue), JsValue> {
    if absent(value) {
        return Ok((JsValue::UNDEFINED, JsValue::UNDEFINED));
    }
    if !plain(value) {
        return Err(wrong_type(what, "an object", value));
    }
    let kept = Array::new();
    for entry in Object::entries(&Object::from(value.clone())).iter() {
        let entry = Array::from(&entry);
        if entry.get(0).as_string().as_deref() != Some(key) {
            if entry.get(1).is_undefined() {
                entry.set(1, JsValue::NULL);
            }
            kept.push(&entry);
        }
    }
    Ok((get(value, key), Object::from_entries(&kept)?.into()))
}

/// Refuses keys of a plain object outside `allowed` (and anything but an object).
pub(crate) fn check_keys(
    value: &JsValue,
    allowed: &[&str],
    what: &str,
    code: cjm_core::InputCode,
) -> Result<(), JsValue> {
    if !plain(value) {
        return Err(wrong_type(what, "an object", value));
    }
    for key in Object::keys(&Object::from(value.clone())).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(input_error(
                code,
                format!(
                    "`{what}` has an unknown key `{key}`; known keys: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}
