//! # cjm-core
//!
//! The pure core of cjm, a library for customer journey mapping and journey analytics:
//! one typed, versioned journey document ([`model::Journey`]), its validation
//! ([`validate()`]), its JSON Schema ([`schema`]) and built-in starter maps ([`templates`]).
//! The Python (`cjm-py`) and browser (`cjm-wasm`) packages are thin wrappers over this
//! crate, so all three give the same answers.
//!
//! ```
//! let journey = cjm_core::templates::load("b2c-ecommerce")?;
//! let summary = journey.summary();
//! assert_eq!(summary.stages.len(), 5);
//!
//! let err = cjm_core::load_str(r#"{"schema_version": 1, "id": "x"}"#).unwrap_err();
//! assert_eq!(err.code(), "missing_field");
//! assert_eq!(err.path(), "name");
//! # Ok::<(), cjm_core::Error>(())
//! ```
//!
//! ## Layers
//!
//! Each module imports only from the layers below it, so a rule has one owner:
//!
//! 1. [`model`] (the document types and their JSON Schema), [`error`], [`definition`],
//!    [`format`](mod@format) (how numbers are written for people, once);
//! 2. [`validate`](mod@validate) (every document rule) and the shared state byte format;
//! 3. [`events`] (ingest, funnels, paths, states of event logs);
//! 4. [`scoring`] (survey KPIs, emotion, priority, health, group comparisons, KPIs
//!    measured from the data) and
//!    [`attribution`], both of which read event logs;
//! 5. [`insights`] (the rules that lint a map) and [`states`] (one analysis run in parts:
//!    build, merge and finish mergeable states behind one request);
//! 6. [`maps`] (diffs of two versions of a map, patterns across maps) and [`render`]
//!    (pictures and the report), and [`tables`] (the tables a user exports from every
//!    result, the one place a table's columns are decided for Rust, Python and JavaScript);
//! 7. [`schema`], which publishes the schemas of every layer's options.
//!
//! `cjm-core/tests/layering.rs` fails on any `crate::` path against this order, and on
//! files of one module folder that import each other in a circle, directly or through
//! the folder's `mod.rs` (a type two files share lives in a third that both import:
//! `events/report.rs`, `events/mapping.rs`, `render/blocks.rs`).
//!
//! ## Where each decision lives
//!
//! The bindings translate values (Python keyword arguments and Arrow buffers, JavaScript
//! objects and typed arrays) and decide nothing; to change what an option means, change
//! the core type that reads it:
//!
//! - how events are read (columns, preset, unit names, consent, extra columns,
//!   pseudonymisation, what a Spark partition may ask): [`events::IngestSpec`], with
//!   [`events::ColumnChoice`] for which column is which, and reading a CSV with it
//!   ([`events::IngestSpec::read_csv`]);
//! - what a dynamically typed caller's column arrays mean (JavaScript's `fromColumns`:
//!   numbers as whole counts of the unit, `NaN` as missing, the length check, text
//!   timestamps read row by row): [`events::LooseColumns`];
//! - each analysis's options and defaults: its options type (`FunnelOptions`,
//!   `RetentionOptions`, `PathOptions`, `AttributionOptions`, `SurveyOptions`,
//!   [`maps::PatternOptions`]…; an option an analysis cannot use belongs outside its
//!   type, or is refused by it), read from
//!   any binding by [`options_from`], under the keyword names Python uses too (serde
//!   aliases: `k`, `n`, `gap`, `window`), one name where a list goes, infinity as "no
//!   window"; funnel steps (a bare name is an event) by [`events::StepSpec`], the stage
//!   funnel when no steps are given by [`events::Funnel::of`];
//! - options given as one flat set of keywords (Python's `**options`): split by the core,
//!   [`attribution::PathOptions::with_models`], [`attribution::TableOptions::with_models`],
//!   [`scoring::SurveyColumnNames::with_options`],
//!   [`events::FunnelTrendsOptions::with_funnel`];
//! - a path table read back: [`attribution::PathTable::from_path_rows`];
//! - the measured inputs of health from a log: [`maps::MapInputs::from_traffic`];
//!   JavaScript's one `inputs` object of `health` (whose survey table is scored with its
//!   options) and of `measureKpis`: [`scoring::HealthData`], [`scoring::MeasureData`];
//!   the two groups of `compareSegments`: [`scoring::CompareData`]; a
//!   chart's title and width: [`render::ChartOptions`];
//! - the tables a result exports: [`tables`]; the report's sections and their order:
//!   [`render`];
//! - one analysis run in parts (Spark, Dask, Ray): [`states::StateRequest`], whose JSON is
//!   written by the core ([`states::StateRequest::to_json`]) after its checks.

pub mod attribution;
pub mod definition;
pub mod error;
pub mod events;
pub mod format;
pub mod insights;
pub mod maps;
pub mod model;
mod pages;
pub mod render;
pub mod schema;
pub mod scoring;
mod sort;
mod state_bytes;
pub mod states;
mod stats;
pub mod tables;
pub mod templates;
pub mod validate;

pub use definition::Definition;
pub use error::{Error, ErrorData, InputCode, Problem, ProblemCode, Problems, Result};
pub use model::Journey;
pub use state_bytes::STATE_FORMAT_VERSION;
pub use validate::{
    load_from, load_slice, load_str, load_tree, options_from, validate, Limits, Loader,
    ValidJourney,
};

/// The Rust snippets of `docs/getting-started.md`, run as doctests (`cargo test --doc`) so
/// that the page's code compiles and runs; its other languages' snippets are run by the
/// Python and JavaScript tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/getting-started.md")]
pub struct GettingStartedDocs;
