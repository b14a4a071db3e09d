//! JSON Schemas generated from the model types with schemars.
//!
//! The generated schemas are committed under `docs/schema/` (indented, for readers), and
//! the journey schema once more, compact, at `cjm-core/src/journey-1.schema.json`, which
//! is embedded in the library: validation checks documents against that very text, so the
//! published schema and the validator cannot disagree. A test fails when a committed file
//! and the code drift apart (`CJM_BLESS=1` rewrites them; `make schema`).
//!
//! Embedding the committed text instead of running schemars at start-up keeps the schema
//! generator (about 80 KB of the optimised WebAssembly module) out of every build that
//! does not ask for [`generated_journey_schema`].

pub use crate::model::journey_schema;
use crate::model::Journey;

/// The journey schema as schemars generates it from the model types now; equal to
/// [`journey_schema`] (a test keeps the committed copy up to date).
#[must_use]
pub fn generated_journey_schema() -> serde_json::Value {
    schema_of::<Journey>()
}

/// The journey schema as indented JSON text with a final newline, as published.
#[must_use]
pub fn journey_schema_json() -> String {
    pretty(journey_schema())
}

/// The generated journey schema as compact JSON text, as embedded.
#[must_use]
pub fn embedded_journey_schema_json() -> String {
    serde_json::to_string(&generated_journey_schema()).unwrap_or_default()
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
        ("journey-1.schema.json", pretty(&generated_journey_schema())),
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
            "retention-options.schema.json",
            pretty(&schema_of::<crate::events::RetentionOptions>()),
        ),
        (
            "log-filter-options.schema.json",
            pretty(&schema_of::<crate::events::FilterOptions>()),
        ),
        (
            "log-sample-options.schema.json",
            pretty(&schema_of::<crate::events::SampleOptions>()),
        ),
        (
            "log-session-options.schema.json",
            pretty(&schema_of::<crate::events::SessionOptions>()),
        ),
        (
            "trends-options.schema.json",
            pretty(&schema_of::<crate::events::TrendsOptions>()),
        ),
        (
            "funnel-trends-options.schema.json",
            pretty(&schema_of::<crate::events::FunnelTrendsOptions>()),
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
        (
            "state-request.schema.json",
            pretty(&schema_of::<crate::states::StateRequest>()),
        ),
    ]
}

/// The default of every options type whose fields the bindings take as keyword arguments,
/// as JSON: `{type name: its default}` (a field the type leaves out of its JSON when it
/// holds its default, such as `unit: "customer"` or a `false` flag, is absent). The
/// bindings' signatures repeat some defaults so that `help()` and editors show them;
/// their tests check each one against this.
#[must_use]
pub fn option_defaults() -> serde_json::Value {
    fn of<T: Default + serde::Serialize>() -> serde_json::Value {
        serde_json::to_value(T::default()).unwrap_or(serde_json::Value::Null)
    }
    use crate::events as ev;
    // Drivers need a conversion; the other fields take their defaults.
    let mut drivers = serde_json::from_value::<ev::DriverOptions>(
        serde_json::json!({"conversion": {"event": "x"}}),
    )
    .ok()
    .and_then(|d| serde_json::to_value(d).ok())
    .unwrap_or(serde_json::Value::Null);
    if let Some(fields) = drivers.as_object_mut() {
        fields.remove("conversion");
    }
    serde_json::json!({
        "FunnelOptions": of::<ev::FunnelOptions>(),
        "FunnelTrendsOptions": of::<ev::FunnelTrendsOptions>(),
        "RetentionOptions": of::<ev::RetentionOptions>(),
        "TrendsOptions": of::<ev::TrendsOptions>(),
        "DirectlyFollowsOptions": of::<ev::DirectlyFollowsOptions>(),
        "VariantOptions": of::<ev::VariantOptions>(),
        "FlowOptions": of::<ev::FlowOptions>(),
        "DriverOptions": drivers,
        "SampleOptions": of::<ev::SampleOptions>(),
        "SynthOptions": of::<ev::synth::SynthOptions>(),
        "PathOptions": of::<crate::attribution::PathOptions>(),
        "PathColumns": of::<crate::attribution::PathColumns>(),
        "AttributionOptions": of::<crate::attribution::AttributionOptions>(),
        "SurveyOptions": of::<crate::scoring::SurveyOptions>(),
        "InsightOptions": of::<crate::insights::InsightOptions>(),
        "PatternOptions": of::<crate::maps::PatternOptions>(),
    })
}
