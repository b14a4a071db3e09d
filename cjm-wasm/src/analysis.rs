//! Insights and comparisons (docs/scoring.md, docs/insights.md): `journey.insights`,
//! `twoProportionTest`, `compareSegments`, `diffMaps` and `patterns`.
//!
//! Options and inputs are read into the core's serde types (unknown keys are refused);
//! results are plain objects.

use cjm_core::insights::{InsightInputs, InsightOptions};
use cjm_core::maps::PatternOptions;
use cjm_core::scoring::{CompareData, HealthInputs, ScoringModel};
use wasm_bindgen::prelude::*;

use crate::Journey;

use crate::args::{arg, opt, read_required, wrong_type, Js};
use crate::error::to_js_value;
use crate::scoring::read_table;
use crate::tables::{tabled, with_tables};

/// Declarations of this module's API (`types/analysis.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_ANALYSIS: &str = include_str!("../types/analysis.d.ts");

/// A count argument: a number, a whole one ≥ 0 (the core's range message otherwise).
fn count(value: &JsValue, name: &str) -> Result<u64, JsValue> {
    arg(value, name, "a number", JsValue::as_f64)?;
    cjm_core::options_from(serde_wasm_bindgen::Deserializer::from(value.clone()), name).js()
}

exports! {
    "twoProportionTest" fn two_proportion_test(x1, n1, x2, n2) -> JsValue {
        let (x1, n1) = (count(&x1, "x1")?, count(&n1, "n1")?);
        let (x2, n2) = (count(&x2, "x2")?, count(&n2, "n2")?);
        to_js_value(&cjm_core::scoring::two_proportion_test(x1, n1, x2, n2).js()?)
    }
    // The core's `CompareData` picks the two groups of `table`; an error names its side.
    "compareSegments" fn compare_segments(table, options) -> JsValue {
        let table = read_table(table, "table")?;
        let data: CompareData = read_required(options, "options", "{a, b, survey?}")?;
        with_tables(data.compare(&table).js()?)
    }
    "diffMaps" fn diff_maps(before, after, model) -> JsValue {
        let before = crate::journey_like(&before, "before")?;
        let after = crate::journey_like(&after, "after")?;
        let model: ScoringModel = opt(model, "model")?;
        let none = HealthInputs::default();
        tabled(cjm_core::maps::diff_maps(&before, &after, &model, &none, &none))
    }
    // `journeys`: `Journey`s (copied; they stay usable), JSON texts or documents.
    "patterns" fn patterns(journeys, options) -> JsValue {
        if !js_sys::Array::is_array(&journeys) {
            return Err(wrong_type("journeys", "an array of journeys", &journeys));
        }
        let options: PatternOptions = opt(options, "options")?;
        let maps = js_sys::Array::from(&journeys)
            .iter()
            .enumerate()
            .map(|(i, j)| crate::journey_like(&j, &format!("journeys[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&cjm_core::ValidJourney> = maps.iter().collect();
        tabled(cjm_core::maps::patterns(&refs, &options))
    }
}

exports! { Journey {
    "insights" fn insights(self, options, inputs) -> JsValue {
        let options: InsightOptions = opt(options, "options")?;
        let inputs: InsightInputs = opt(inputs, "inputs")?;
        tabled(cjm_core::insights::insights(self.inner(), &options, &inputs))
    }
}}
