//! Tables on results: every result object with tables (a funnel, retention cohorts,
//! attribution, survey KPIs…) gains two non-enumerable methods, so JSON, spreading and
//! deep equality see the same plain object as before:
//!
//! - `tables()`: the table names (`cjm_core::tables::Tabular::table_names`), the first is
//!   the default;
//! - `table(name?)`: that table (the default when `name` is omitted) as one object
//!   `{ column: values[] }`, columns in order, `null` for a missing value.
//!
//! The core decides every table (`cjm_core::tables`); this module only converts one.
//! Each result keeps its Rust value behind the two methods until JavaScript collects the
//! object (wasm-bindgen frees a closure's memory through a `FinalizationRegistry`).

use cjm_core::tables::Tabular;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::args::wrong_type;
use crate::error::{to_js, to_js_value};

/// TypeScript declarations of the two methods (`types/tables.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_TABLES: &str = include_str!("../types/tables.d.ts");

/// The result as a plain object with `tables()` and `table(name?)`.
pub(crate) fn with_tables<T: Serialize + Tabular + 'static>(result: T) -> Result<JsValue, JsValue> {
    let object = to_js_value(&result)?;
    attach(&object, Box::new(result))?;
    Ok(object)
}

/// [`with_tables`] of a core result (its error thrown as a `CjmError`).
pub(crate) fn tabled<T: Serialize + Tabular + 'static>(
    result: cjm_core::Result<T>,
) -> Result<JsValue, JsValue> {
    with_tables(result.map_err(|e| to_js(&e))?)
}

/// Defines the two methods on `object` (one copy of this code for every result type).
fn attach(object: &JsValue, result: Box<dyn Tabular>) -> Result<(), JsValue> {
    let names: Vec<JsValue> = result
        .table_names()
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect();
    let tables =
        Closure::<dyn Fn() -> JsValue>::new(move || names.iter().collect::<js_sys::Array>().into());
    let table =
        Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |name: JsValue| {
            let table = if name.is_undefined() || name.is_null() {
                result.default_table()
            } else {
                let Some(name) = name.as_string() else {
                    return Err(wrong_type("name", "a table name (a string)", &name));
                };
                result.table(&name)
            };
            to_js_value(&table.map_err(|e| to_js(&e))?.by_column())
        });
    method(object, "tables", tables.into_js_value())?;
    method(object, "table", table.into_js_value())
}

/// Defines a non-enumerable, read-only method on `object`.
fn method(object: &JsValue, name: &str, function: JsValue) -> Result<(), JsValue> {
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &JsValue::from_str("value"), &function)?;
    let object = object
        .dyn_ref::<js_sys::Object>()
        .ok_or_else(|| JsValue::from(js_sys::Error::new("a result is not an object")))?;
    js_sys::Object::define_property(object, &JsValue::from_str(name), &descriptor);
    Ok(())
}
