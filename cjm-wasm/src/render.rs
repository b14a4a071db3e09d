//! Pictures (docs/pictures.md): the journey map and emotion curve as SVG, the Mermaid
//! `journey` export and import, the HTML report, and funnel, flow and bar charts.
//!
//! Every picture is a string made by the core (deterministic, escaped, no script); charts
//! take their data as plain objects read into the core's chart types.

use cjm_core::render::{
    BarChart, EmotionCurveOptions, FlowChart, FunnelChart, MapOptions, ReportOptions,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::args::{absent, arg, opt, read_required, Js};
use crate::error::to_js_value;
use crate::Journey;

/// Declarations of this module's API (optional parameters with custom types;
/// `types/render.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_RENDER: &str = include_str!("../types/render.d.ts");

/// Reads a chart argument, which is required.
fn chart<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    read_required(value, what, "a chart")
}

/// Imports a Mermaid `journey` diagram as a validated `Journey`, with the import's notes.
///
/// @throws {CjmError} `invalid_value` with path `lines[i]` for text that is not a Mermaid
/// journey.
#[wasm_bindgen(js_name = fromMermaid, skip_typescript)]
pub fn from_mermaid(text: JsValue) -> Result<JsValue, JsValue> {
    let text = arg(&text, "text", "a string", JsValue::as_string)?;
    let (doc, notes) = cjm_core::render::from_mermaid(&text).js()?;
    let journey = cjm_core::validate(&doc).js()?;
    let out = js_sys::Object::new();
    js_sys::Reflect::set(
        &out,
        &JsValue::from_str("journey"),
        &JsValue::from(Journey::from(journey)),
    )?;
    js_sys::Reflect::set(&out, &JsValue::from_str("notes"), &to_js_value(&notes)?)?;
    Ok(out.into())
}

/// A funnel chart as SVG.
///
/// @throws {CjmError} `invalid_option` for a chart that does not fit.
#[wasm_bindgen(js_name = funnelSvg, skip_typescript)]
pub fn funnel_svg(chart_value: JsValue) -> Result<String, JsValue> {
    let c: FunnelChart = chart(chart_value, "chart")?;
    Ok(cjm_core::render::funnel_svg(&c))
}

/// A flow (Sankey) chart as SVG.
///
/// @throws {CjmError} `invalid_option` for a chart that does not fit.
#[wasm_bindgen(js_name = flowSvg, skip_typescript)]
pub fn flow_svg(chart_value: JsValue) -> Result<String, JsValue> {
    let c: FlowChart = chart(chart_value, "chart")?;
    Ok(cjm_core::render::flow_svg(&c))
}

/// A grouped bar chart as SVG.
///
/// @throws {CjmError} `invalid_option` for a chart that does not fit.
#[wasm_bindgen(js_name = barChartSvg, skip_typescript)]
pub fn bar_chart_svg(chart_value: JsValue) -> Result<String, JsValue> {
    let c: BarChart = chart(chart_value, "chart")?;
    Ok(cjm_core::render::bar_chart_svg(&c))
}

#[wasm_bindgen]
impl Journey {
    /// The journey map as SVG; `options` `{lanes?, personas?, width?, title?, legend?,
    /// max_lines?}`.
    ///
    /// @throws {CjmError} `invalid_option` for options that do not fit.
    #[wasm_bindgen(js_name = mapSvg, skip_typescript)]
    pub fn map_svg(&self, options: JsValue) -> Result<String, JsValue> {
        let options: MapOptions = opt(options, "options")?;
        Ok(cjm_core::render::journey_map_svg(self.inner(), &options))
    }

    /// The emotion curve of the personas as SVG; `options` `{personas?, width?, title?}`.
    ///
    /// @throws {CjmError} `invalid_option` for options that do not fit.
    #[wasm_bindgen(js_name = emotionSvg, skip_typescript)]
    pub fn emotion_svg(&self, options: JsValue) -> Result<String, JsValue> {
        let options: EmotionCurveOptions = opt(options, "options")?;
        Ok(cjm_core::render::emotion_curve_svg(self.inner(), &options))
    }

    /// The map as a Mermaid `journey` diagram of one persona (by id; the first by
    /// default), with what Mermaid cannot hold.
    #[wasm_bindgen(js_name = toMermaid, skip_typescript)]
    pub fn to_mermaid(
        &self,
        persona: JsValue,
        survey: JsValue,
        survey_options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let persona = if absent(&persona) {
            None
        } else {
            Some(arg(&persona, "persona", "a string", JsValue::as_string)?)
        };
        let options: cjm_core::scoring::SurveyOptions = opt(survey_options, "surveyOptions")?;
        let survey = if absent(&survey) {
            None
        } else {
            let table = crate::scoring::read_table(survey, "survey")?;
            Some(cjm_core::scoring::survey_kpis(&table, &options).js()?)
        };
        to_js_value(&cjm_core::render::to_mermaid_measured(
            self.inner(),
            persona.as_deref(),
            survey.as_ref(),
        ))
    }

    /// One self-contained HTML report of the map.
    ///
    /// @throws {CjmError} `invalid_option` for options that do not fit.
    #[wasm_bindgen(js_name = reportHtml, skip_typescript)]
    pub fn report_html(&self, options: JsValue) -> Result<String, JsValue> {
        let options: ReportOptions = opt(options, "options")?;
        Ok(cjm_core::render::html_report(self.inner(), &options))
    }
}
