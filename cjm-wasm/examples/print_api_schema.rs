//! Prints a JSON Schema whose `$defs` hold the plain-object results of the JavaScript
//! API (`Problem`, `Summary`, `TemplateInfo`, the scoring options and reports, and what
//! they use), generated from the core's Rust types. `scripts/gen-types.mjs` turns it into
//! TypeScript.

use schemars::generate::SchemaSettings;

fn main() {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let _ = generator.subschema_for::<cjm_core::Problem>();
    let _ = generator.subschema_for::<cjm_core::validate::Summary>();
    let _ = generator.subschema_for::<cjm_core::templates::TemplateInfo>();
    // Scoring: the options and inputs JavaScript passes, and the reports it gets back.
    let _ = generator.subschema_for::<cjm_core::scoring::SurveyTable>();
    let _ = generator.subschema_for::<cjm_core::scoring::SurveyOptions>();
    let _ = generator.subschema_for::<cjm_core::scoring::SurveyReport>();
    let _ = generator.subschema_for::<cjm_core::scoring::EmotionCurve>();
    let _ = generator.subschema_for::<cjm_core::scoring::MeasuredReach>();
    let _ = generator.subschema_for::<cjm_core::scoring::PriorityReport>();
    let _ = generator.subschema_for::<cjm_core::scoring::ScoringModel>();
    let _ = generator.subschema_for::<cjm_core::scoring::HealthReport>();
    let defs = generator.take_definitions(true);
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": defs,
    });
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => println!("{text}"),
        Err(err) => {
            eprintln!("cannot print the schema: {err}");
            std::process::exit(1);
        }
    }
}
