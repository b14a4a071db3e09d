//! Pictures (docs/pictures.md): the journey map and emotion curve as SVG, the Mermaid
//! `journey` export and import, the HTML report, and funnel, flow and bar charts.
//!
//! Every picture is a string made by the core (deterministic, escaped, no script); charts
//! take their data as plain objects read into the core's chart types.

use cjm_core::render as draw;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::args::{absent, arg, opt, read_required, Js};
use crate::error::to_js_value;
use crate::Journey;

/// Declarations of this module's API (`types/render.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_RENDER: &str = include_str!("../types/render.d.ts");

/// Reads a chart argument, which is required.
fn chart<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    read_required(value, what, "a chart")
}

exports! {
    "fromMermaid" fn from_mermaid(text) -> JsValue {
        let text = arg(&text, "text", "a string", JsValue::as_string)?;
        let (doc, notes) = draw::from_mermaid(&text).js()?;
        let journey = JsValue::from(Journey::from(cjm_core::validate(&doc).js()?));
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &JsValue::from_str("journey"), &journey)?;
        js_sys::Reflect::set(&out, &JsValue::from_str("notes"), &to_js_value(&notes)?)?;
        Ok(out.into())
    }
    "funnelSvg" fn funnel_svg(c) -> String { Ok(draw::funnel_svg(&chart(c, "chart")?)) }
    "flowSvg" fn flow_svg(c) -> String { Ok(draw::flow_svg(&chart(c, "chart")?)) }
    "barChartSvg" fn bar_chart_svg(c) -> String { Ok(draw::bar_chart_svg(&chart(c, "chart")?)) }
}

exports! { Journey {
    "mapSvg" fn map_svg(self, options) -> String {
        Ok(draw::journey_map_svg(self.inner(), &opt(options, "options")?))
    }
    "emotionSvg" fn emotion_svg(self, options) -> String {
        Ok(draw::emotion_curve_svg(self.inner(), &opt(options, "options")?))
    }
    // One persona (by id; the first by default), with survey answers' scores when given.
    "toMermaid" fn to_mermaid(self, persona, survey, survey_options) -> JsValue {
        let persona = if absent(&persona) {
            None
        } else {
            Some(arg(&persona, "persona", "a string", JsValue::as_string)?)
        };
        let options: cjm_core::scoring::SurveyOptions = opt(survey_options, "surveyOptions")?;
        let table = (!absent(&survey))
            .then(|| crate::scoring::read_table(survey, "survey"))
            .transpose()?;
        let survey = options.kpis_of(table.as_ref(), "surveyOptions", "survey").js()?;
        let export = draw::to_mermaid_measured(self.inner(), persona.as_deref(), survey.as_ref());
        to_js_value(&export)
    }
    "reportHtml" fn report_html(self, options) -> String {
        Ok(draw::html_report(self.inner(), &opt(options, "options")?))
    }
}}
