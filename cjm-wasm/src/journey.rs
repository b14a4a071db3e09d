//! The `Journey` class: a validated journey document kept on the WebAssembly side.

use crate::args::{absent, arg, plain, wrong_type};
use crate::error::to_js_value;
use cjm_core::ValidJourney;
use wasm_bindgen::prelude::*;

/// A journey document that passed every rule of cjm: ids are unique, references resolve,
/// values are in range. Create one with `Journey.fromJson`, `Journey.fromObject`,
/// `loadJourney` or `template`; read it back with `toObject` or `toJson`.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Journey {
    inner: ValidJourney,
}

impl Journey {
    /// The validated core value.
    #[must_use]
    pub fn inner(&self) -> &ValidJourney {
        &self.inner
    }
}

impl From<ValidJourney> for Journey {
    fn from(inner: ValidJourney) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen]
impl Journey {
    /// Parses and validates a journey document given as JSON text.
    ///
    /// @throws {CjmError} with every problem of the document (`family` `"document"`).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Journey, JsValue> {
        crate::wrap(cjm_core::load_str(&arg(
            &text,
            "text",
            "a string",
            JsValue::as_string,
        )?))
    }

    /// Validates a journey document given as a plain JavaScript object (as `JSON.parse`
    /// returns). The object is read directly, so `NaN`, `Infinity` and `undefined`
    /// are reported where they are instead of being turned into `null`.
    ///
    /// @throws {CjmError} with every problem of the document (`family` `"document"`).
    #[wasm_bindgen(js_name = fromObject)]
    pub fn from_object(
        #[wasm_bindgen(unchecked_param_type = "JourneyDocument | object")] value: JsValue,
    ) -> Result<Journey, JsValue> {
        if !plain(&value) {
            return Err(wrong_type("value", "a plain document object", &value));
        }
        crate::wrap(crate::read_object(value))
    }

    /// Stable identifier of the map.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.journey().id.clone()
    }

    /// Display name of the map.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.journey().name.clone()
    }

    /// Version of the `cjm` format of the document.
    #[wasm_bindgen(getter, js_name = schemaVersion)]
    pub fn schema_version(&self) -> u32 {
        self.inner.journey().schema_version
    }
}

exports! { Journey {
    "toObject" fn to_object(self) -> JsValue { to_js_value(self.inner.journey()) }
    "toJson" fn to_json(self, pretty) -> String {
        let pretty = !absent(&pretty) && arg(&pretty, "pretty", "a boolean", JsValue::as_bool)?;
        Ok(if pretty { self.inner.to_json_pretty() } else { self.inner.to_json() })
    }
    "summary" fn summary(self) -> JsValue { to_js_value(&self.inner.summary()) }
}}
