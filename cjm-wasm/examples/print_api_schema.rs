//! Prints a JSON Schema whose `$defs` hold the plain-object results of the JavaScript
//! API (`Problem`, `Summary`, `TemplateInfo`, the options and results of scoring,
//! insights, comparisons, pictures, event logs and attribution, and what they use), generated from the core's Rust types. `scripts/gen-types.mjs` turns it into
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
    let _ = generator.subschema_for::<cjm_core::scoring::MeasuredKpis>();
    let _ = generator.subschema_for::<cjm_core::scoring::PriorityReport>();
    let _ = generator.subschema_for::<cjm_core::scoring::ScoringModel>();
    let _ = generator.subschema_for::<cjm_core::scoring::HealthReport>();
    // Insights and comparisons.
    let _ = generator.subschema_for::<cjm_core::insights::InsightOptions>();
    let _ = generator.subschema_for::<cjm_core::insights::InsightInputs>();
    let _ = generator.subschema_for::<cjm_core::insights::InsightReport>();
    let _ = generator.subschema_for::<cjm_core::scoring::ProportionTest>();
    let _ = generator.subschema_for::<cjm_core::scoring::GroupLevel>();
    let _ = generator.subschema_for::<cjm_core::scoring::GroupSelector>();
    let _ = generator.subschema_for::<cjm_core::scoring::GroupComparison>();
    let _ = generator.subschema_for::<cjm_core::maps::MapDiff>();
    let _ = generator.subschema_for::<cjm_core::maps::Patterns>();
    let _ = generator.subschema_for::<cjm_core::maps::PatternOptions>();
    // Pictures.
    let _ = generator.subschema_for::<cjm_core::render::MapOptions>();
    let _ = generator.subschema_for::<cjm_core::render::EmotionCurveOptions>();
    let _ = generator.subschema_for::<cjm_core::render::MermaidExport>();
    let _ = generator.subschema_for::<cjm_core::render::Note>();
    let _ = generator.subschema_for::<cjm_core::render::ReportOptions>();
    let _ = generator.subschema_for::<cjm_core::render::FunnelChart>();
    let _ = generator.subschema_for::<cjm_core::render::FlowChart>();
    let _ = generator.subschema_for::<cjm_core::render::BarChart>();
    // Event logs: ingestion, and every analysis's options and result.
    let _ = generator.subschema_for::<cjm_core::events::TimeUnit>();
    let _ = generator.subschema_for::<cjm_core::events::Preset>();
    let _ = generator.subschema_for::<cjm_core::events::ColumnMapping>();
    let _ = generator.subschema_for::<cjm_core::events::ColumnNames>();
    let _ = generator.subschema_for::<cjm_core::events::IngestReport>();
    let _ = generator.subschema_for::<cjm_core::events::Traffic>();
    let _ = generator.subschema_for::<cjm_core::events::StepSpec>();
    let _ = generator.subschema_for::<cjm_core::events::FunnelOptions>();
    let _ = generator.subschema_for::<cjm_core::events::FunnelResult>();
    let _ = generator.subschema_for::<cjm_core::events::RetentionOptions>();
    let _ = generator.subschema_for::<cjm_core::events::RetentionResult>();
    let _ = generator.subschema_for::<cjm_core::events::TrendsOptions>();
    let _ = generator.subschema_for::<cjm_core::events::TrendsResult>();
    let _ = generator.subschema_for::<cjm_core::events::FunnelTrendsOptions>();
    let _ = generator.subschema_for::<cjm_core::events::FunnelTrendsResult>();
    let _ = generator.subschema_for::<cjm_core::render::TrendsChartOptions>();
    let _ = generator.subschema_for::<cjm_core::render::RetentionChartOptions>();
    let _ = generator.subschema_for::<cjm_core::render::DfgChartOptions>();
    let _ = generator.subschema_for::<cjm_core::events::DirectlyFollowsOptions>();
    let _ = generator.subschema_for::<cjm_core::events::DirectlyFollows>();
    let _ = generator.subschema_for::<cjm_core::events::VariantOptions>();
    let _ = generator.subschema_for::<cjm_core::events::Variants>();
    let _ = generator.subschema_for::<cjm_core::events::FlowOptions>();
    let _ = generator.subschema_for::<cjm_core::events::Flows>();
    let _ = generator.subschema_for::<cjm_core::events::JourneyStateOptions>();
    let _ = generator.subschema_for::<cjm_core::events::JourneyStates>();
    let _ = generator.subschema_for::<cjm_core::events::DriverOptions>();
    let _ = generator.subschema_for::<cjm_core::events::Drivers>();
    let _ = generator.subschema_for::<cjm_core::events::Conformance>();
    let _ = generator.subschema_for::<cjm_core::events::FilterOptions>();
    let _ = generator.subschema_for::<cjm_core::events::SampleOptions>();
    let _ = generator.subschema_for::<cjm_core::events::SessionOptions>();
    let _ = generator.subschema_for::<cjm_core::events::RelabelOptions>();
    // Attribution: path tables (rows as analysts keep them, or built from a log), the
    // options and the result.
    let _ = generator.subschema_for::<cjm_core::attribution::PathInput>();
    let _ = generator.subschema_for::<cjm_core::attribution::TableOptions>();
    let _ = generator.subschema_for::<cjm_core::attribution::PathOptions>();
    let _ = generator.subschema_for::<cjm_core::attribution::PathTable>();
    let _ = generator.subschema_for::<cjm_core::attribution::AttributionOptions>();
    let _ = generator.subschema_for::<cjm_core::attribution::Attribution>();
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
