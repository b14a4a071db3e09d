//! Scoring (docs/scoring.md): `surveyKpis` and the `Journey` methods `emotionCurves`,
//! `priorities` and `health`.
//!
//! Inputs are plain objects read straight into the core's serde types (so `NaN` in an
//! answer column reaches the core and is refused with its row, and unknown keys are
//! refused); outputs are plain objects. Answer columns may be plain arrays or typed arrays
//! (`Float64Array`, `Int8Array`…), with `null` for an unanswered question.
//!
//! `health` takes the survey *table* (with its options), not the report returned by
//! `surveyKpis`, and scores it inside (the API it was published with; `measureKpis` reads a
//! report back).

use cjm_core::scoring::{HealthData, MeasuredReach, ScoringModel, SurveyTable};
use wasm_bindgen::prelude::*;

use crate::args::{absent, check_keys, get, input_error, opt, read_option, Js};
use crate::tables::{tabled, with_tables};
use crate::Journey;

/// Reads a survey table directly (not through JSON, so `NaN` reaches the core as NaN and
/// typed arrays are read as sequences). serde-wasm-bindgen reads a struct's fields by
/// name and never sees other keys, so they are checked first, against the core's
/// `SurveyTable::KEYS`.
pub(crate) fn read_table(value: JsValue, what: &str) -> Result<SurveyTable, JsValue> {
    check_keys(
        &value,
        &SurveyTable::KEYS,
        what,
        cjm_core::InputCode::WrongType,
    )?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| input_error(cjm_core::InputCode::WrongType, format!("`{what}`: {e}")))
}

/// The declarations of the scoring API (`types/scoring.d.ts`); `interface Journey` merges
/// into the class.
#[wasm_bindgen(typescript_custom_section)]
const TS_SCORING: &str = include_str!("../types/scoring.d.ts");

exports! {
    "surveyKpis" fn survey_kpis(table, options) -> JsValue {
        let table = read_table(table, "table")?;
        tabled(cjm_core::scoring::survey_kpis(&table, &opt(options, "options")?))
    }
}

exports! { Journey {
    "emotionCurves" fn emotion_curves(self) -> JsValue {
        with_tables(cjm_core::scoring::emotion_curves(self.inner()))
    }
    "priorities" fn priorities(self, reach) -> JsValue {
        let reach: Option<MeasuredReach> = read_option(reach, "reach")?;
        with_tables(cjm_core::scoring::priorities(self.inner(), reach.as_ref()).js()?)
    }
    // `inputs` is `HealthInputs` of `types/api.d.ts`: `survey` a survey table, read apart
    // (typed arrays, NaN) and scored by the core's `HealthData::health`.
    "health" fn health(self, model, inputs) -> JsValue {
        let model: ScoringModel = opt(model, "model")?;
        let (survey, rest) = crate::args::split_off(&inputs, "survey", "inputs")?;
        // The keys first (an unknown one refused), then the answers, as before.
        let data: HealthData = opt(rest, "inputs")?;
        if !absent(&survey) && !absent(&get(&survey, "groups")) {
            // A report from `surveyKpis` is the likely mistake: say so.
            let message = "`inputs.survey` takes the survey table (answer columns), not the \
                           report of `surveyKpis`";
            return Err(input_error(cjm_core::InputCode::InvalidOption, message.to_owned()));
        }
        let survey = (!absent(&survey))
            .then(|| read_table(survey, "inputs.survey"))
            .transpose()?;
        tabled(data.health(self.inner(), &model, survey.as_ref()))
    }
}}
