//! JSON Schemas generated from the model types with schemars.
//!
//! The generated schema is committed at `docs/schema/journey-1.schema.json`; a test fails
//! when the committed file and the code drift apart (`CJM_BLESS=1` rewrites it). Validation
//! checks documents against this very schema, so the published schema and the validator
//! cannot disagree.

use crate::model::Journey;
use std::sync::OnceLock;

/// The JSON Schema (draft 2020-12) of a journey document, schema version 1.
#[must_use]
pub fn journey_schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        serde_json::to_value(generator.into_root_schema_for::<Journey>())
            .unwrap_or(serde_json::Value::Bool(true))
    })
}

/// The journey schema as indented JSON text with a final newline, as committed.
#[must_use]
pub fn journey_schema_json() -> String {
    pretty(journey_schema())
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn schema_of<T: schemars::JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<T>())
        .unwrap_or(serde_json::Value::Bool(true))
}

/// The JSON Schemas of the option documents users write by hand, as committed under
/// `docs/schema/`: `(file name, schema text)`. The journey schema comes first.
#[must_use]
pub fn published_schemas() -> Vec<(&'static str, String)> {
    vec![
        ("journey-1.schema.json", journey_schema_json()),
        (
            "scoring-model.schema.json",
            pretty(&schema_of::<crate::scoring::ScoringModel>()),
        ),
        (
            "survey-options.schema.json",
            pretty(&schema_of::<crate::scoring::SurveyOptions>()),
        ),
        (
            "insight-options.schema.json",
            pretty(&schema_of::<crate::insights::InsightOptions>()),
        ),
        (
            "funnel-options.schema.json",
            pretty(&schema_of::<crate::events::FunnelOptions>()),
        ),
        (
            "ingest-options.schema.json",
            pretty(&schema_of::<crate::events::IngestOptions>()),
        ),
        (
            "attribution-options.schema.json",
            pretty(&schema_of::<crate::attribution::AttributionOptions>()),
        ),
        (
            "map-options.schema.json",
            pretty(&schema_of::<crate::render::MapOptions>()),
        ),
    ]
}
