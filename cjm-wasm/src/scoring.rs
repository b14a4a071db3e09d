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

use std::collections::BTreeMap;

use cjm_core::scoring::{HealthInputs, MeasuredReach, ScoringModel, SurveyOptions, SurveyTable};
use wasm_bindgen::prelude::*;

use crate::args::{absent, check_keys, fields, get, input_error, opt, read_option, Js};
use crate::tables::{tabled, with_tables};
use crate::Journey;

const TABLE_KEYS: &[&str] = &["scope", "segment", "nps", "csat", "ces"];

/// Reads a survey table directly (not through JSON, so `NaN` reaches the core as NaN and
/// typed arrays are read as sequences).
pub(crate) fn read_table(value: JsValue, what: &str) -> Result<SurveyTable, JsValue> {
    check_keys(&value, TABLE_KEYS, what, cjm_core::InputCode::WrongType)?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| input_error(cjm_core::InputCode::WrongType, format!("`{what}`: {e}")))
}

/// The declarations of the scoring API (`types/scoring.d.ts`); `interface Journey` merges
/// into the class.
#[wasm_bindgen(typescript_custom_section)]
const TS_SCORING: &str = include_str!("../types/scoring.d.ts");

/// The keys of `health`'s `inputs`.
const INPUT_KEYS: &[&str] = &[
    "survey",
    "surveyOptions",
    "reach",
    "traffic",
    "kpiActuals",
    "measured",
];

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
    // `inputs` is `HealthInputs` of `types/api.d.ts`: `survey` a survey table, scored here.
    "health" fn health(self, model, inputs) -> JsValue {
        let model: ScoringModel = opt(model, "model")?;
        let f = fields(&inputs, INPUT_KEYS)?;
        let survey_value = f.raw("survey");
        if !absent(&survey_value) && !absent(&get(&survey_value, "groups")) {
            // A report from `surveyKpis` is the likely mistake: say so.
            let message = "`inputs.survey` takes the survey table (answer columns), not the \
                           report of `surveyKpis`";
            return Err(input_error(cjm_core::InputCode::InvalidOption, message.to_owned()));
        }
        let options: Option<SurveyOptions> = f.read("surveyOptions")?;
        let survey = if absent(&survey_value) {
            if let Some(o) = &options {
                o.check_answers_given("inputs.surveyOptions", "inputs.survey").js()?;
            }
            None
        } else {
            let table = read_table(survey_value, "inputs.survey")?;
            let options = options.unwrap_or_default();
            Some(cjm_core::scoring::survey_kpis(&table, &options).js()?)
        };
        let reach: Option<MeasuredReach> = f.read("reach")?;
        let (traffic, kpi_actuals): (Option<BTreeMap<String, f64>>, _) =
            (f.read("traffic")?, f.read("kpiActuals")?);
        let measured: Option<cjm_core::scoring::MeasuredKpis> = f.read("measured")?;
        let inputs = HealthInputs {
            survey: survey.as_ref(),
            reach: reach.as_ref(),
            traffic: traffic.as_ref(),
            kpi_actuals: kpi_actuals.as_ref(),
            measured: measured.as_ref(),
        };
        tabled(cjm_core::scoring::health(self.inner(), &model, &inputs))
    }
}}
