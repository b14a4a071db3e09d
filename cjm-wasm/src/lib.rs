//! # cjm-wasm
//!
//! The browser and Node.js binding of cjm, built with wasm-bindgen. It is thin on
//! purpose: every rule lives in `cjm-core`, and data crosses the boundary as serde values
//! (JSON text or plain JavaScript objects in, plain objects out), so JavaScript, Python
//! and Rust give the same answers.
//!
//! One module per part of the API, each reading JavaScript values into the core's types,
//! running the core and converting the result: [`journey`] (the `Journey` class) and the
//! document functions here, [`scoring`], [`analysis`] (insights and comparisons),
//! [`render`] (pictures), [`events`] (the `EventLog` class), [`attribution`]. Arguments are
//! checked for their JavaScript type in `args` (`wrong_type`), errors become `CjmError`s in
//! [`error`], results with tables gain `tables()`/`table(name?)` in `tables`. The API is
//! declared and documented in `types/*.d.ts` and listed in the README.
//!
//! ## Panics
//!
//! No input makes this package panic: the core reads documents under size and depth
//! limits and reports every problem as data, and this binding has no `unwrap`, indexing
//! or other panicking path on input. Should a panic happen anyway it is a bug: on
//! `wasm32-unknown-unknown` a panic aborts, the call throws a `WebAssembly.RuntimeError`
//! (`unreachable`), and the instance must not be used again: import the module anew
//! (`www/worker.js` does so by itself and answers that request with `internal_error`). With the default feature `console_error_panic_hook`
//! the panic message and its location are written to `console.error` first, so a bug
//! report can say what went wrong.

/// Exports functions or methods declared and documented in `types/*.d.ts` (so
/// `skip_typescript`, and no doc comment here): `"jsName" fn name(args) -> T { body }`, every
/// argument a `JsValue` and the result `Result<T, JsValue>`. Methods name their receiver
/// first: `fn name(self, args)`.
macro_rules! exports {
    ($type:ident { $($js:literal fn $name:ident($self:ident $(, $a:ident)*) -> $t:ty $b:block)* }) => {
        #[allow(missing_docs, reason = "declared and documented in types/*.d.ts")]
        #[wasm_bindgen]
        impl $type {
            $(
                #[wasm_bindgen(js_name = $js, skip_typescript)]
                pub fn $name(&$self $(, $a: JsValue)*) -> Result<$t, JsValue> $b
            )*
        }
    };
    ($($js:literal fn $name:ident($($a:ident),*) -> $t:ty $b:block)*) => {
        $(
            #[allow(missing_docs, reason = "declared and documented in types/*.d.ts")]
            #[wasm_bindgen(js_name = $js, skip_typescript)]
            pub fn $name($($a: JsValue),*) -> Result<$t, JsValue> $b
        )*
    };
}

pub mod analysis;
mod args;
pub mod attribution;
pub mod error;
pub mod events;
pub mod journey;
pub mod render;
pub mod scoring;
mod tables;

pub use events::EventLog;
pub use journey::Journey;

use args::{arg, non_json, plain, wrong_type};
use cjm_core::{Error, Problems};
use error::{to_js, to_js_value};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// TypeScript declarations of the journey document and of the API's plain-object
/// results, generated from the Rust types (see `scripts/gen-types.mjs`).
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("../types/journey.d.ts");

/// TypeScript declarations written by hand: the error object and the validation result
/// (`types/api.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_API: &str = include_str!("../types/api.d.ts");

/// Installs the panic hook when the module is instantiated (see "Panics" above).
#[wasm_bindgen(start)]
fn start() {
    #[cfg(feature = "console_error_panic_hook")]
    console_error_panic_hook::set_once();
}

pub(crate) fn wrap(result: cjm_core::Result<cjm_core::ValidJourney>) -> Result<Journey, JsValue> {
    result.map(Journey::from).map_err(|e| to_js(&e))
}

/// Reads a document given as a plain object. What JSON cannot hold (a `Date`…) is a
/// `wrong_type` problem at its path, reported with the document's other problems.
pub(crate) fn read_object(value: JsValue) -> cjm_core::Result<cjm_core::ValidJourney> {
    let mut found = Vec::new();
    non_json(&value, &mut Vec::new(), &mut found);
    let read = cjm_core::Loader::new().load_tree(serde_wasm_bindgen::Deserializer::from(value));
    if found.is_empty() {
        return read;
    }
    if let Err(Error::Document(Problems(more))) = read {
        let paths: Vec<String> = found.iter().map(|p| p.path.clone()).collect();
        found.extend(more.into_iter().filter(|p| !paths.contains(&p.path)));
    }
    Err(Error::Document(Problems(found)))
}

/// Reads journey argument `name`: a `Journey` (copied through its `toJson()`, so the
/// caller keeps it), JSON text or a plain document object. The outer error is the
/// argument's (`wrong_type`), the inner one the document's.
pub(crate) fn journey_arg(
    value: &JsValue,
    name: &str,
) -> Result<cjm_core::Result<cjm_core::ValidJourney>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(cjm_core::load_str(&text));
    }
    let method = args::get(value, "toJson");
    if let Some(method) = method.dyn_ref::<js_sys::Function>() {
        if let Some(text) = method.call0(value)?.as_string() {
            return Ok(cjm_core::load_str(&text));
        }
    }
    if !plain(value) {
        let want = "a Journey, JSON text or a plain document object";
        return Err(wrong_type(name, want, value));
    }
    Ok(read_object(value.clone()))
}

/// [`journey_arg`] with both errors thrown.
pub(crate) fn journey_like(value: &JsValue, name: &str) -> Result<cjm_core::ValidJourney, JsValue> {
    journey_arg(value, name)?.map_err(|e| to_js(&e))
}

/// The result of `validate`, as it crosses to JavaScript.
#[derive(Serialize)]
struct ValidationResult<'a> {
    valid: bool,
    problems: &'a [cjm_core::Problem],
}

exports! {
    "loadJourney" fn load_journey(input) -> Journey { wrap(journey_arg(&input, "input")?) }
    // Never throws for problems of the document; those are the result.
    "validate" fn validate(input) -> JsValue {
        let read = journey_arg(&input, "input")?;
        let problems = read.as_ref().err().map_or(&[][..], cjm_core::Error::problems);
        to_js_value(&ValidationResult { valid: read.is_ok(), problems })
    }
    "templates" fn templates() -> JsValue { to_js_value(&cjm_core::templates::list()) }
    "template" fn template(name) -> Journey {
        let name = arg(&name, "name", "a string", JsValue::as_string)?;
        wrap(cjm_core::templates::load(&name))
    }
    "journeySchema" fn journey_schema() -> JsValue { to_js_value(cjm_core::schema::journey_schema()) }
}
