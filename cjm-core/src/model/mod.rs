//! The journey document model, `cjm` format, schema version 1.
//!
//! These serde types are the one source of truth for field names: the JSON Schema in
//! `docs/schema/`, the TypeScript declarations and the Python stubs follow from them.
//! Every item has a stable string `id` and may carry `extensions`, an object kept verbatim
//! for the user's own data. Unknown fields anywhere else are an error.
//!
//! The types describe the *shape* of a document. A value of [`Journey`] built by hand may
//! still be inconsistent (a dangling reference, a severity of 9); only
//! [`crate::ValidJourney`] promises a document that passed every rule of
//! [`crate::validate`](mod@crate::validate).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema version this build of cjm writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

/// Free-form user data kept verbatim on any item (key order preserved).
pub type Extensions = serde_json::Map<String, serde_json::Value>;

/// A calendar date, `YYYY-MM-DD` (ISO 8601, no time, no zone).
pub type Date = String;

/// A customer journey map: how one kind of customer moves through stages, the touchpoints
/// they meet, what they do, think and feel, where it hurts and what could be done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cjm journey document", extend("$id" = "https://cjm.dev/schema/journey-1.json"))]
pub struct Journey {
    /// Version of the `cjm` format; this build reads 1.
    #[schemars(range(min = 1))]
    pub schema_version: u32,
    /// Stable identifier of the map.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the map covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the map describes the journey as it is today or as it should be.
    #[serde(default, skip_serializing_if = "is_default")]
    pub state: JourneyState,
    /// What the map is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<Objective>,
    /// The personas or segments whose journey this is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<Persona>,
    /// The stages, in journey order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// The channels touchpoints happen on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The moments where customer and business meet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touchpoints: Vec<Touchpoint>,
    /// What personas do, think and feel per stage (and touchpoint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// Where it hurts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<PainPoint>,
    /// What could be done about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opportunities: Vec<Opportunity>,
    /// The measures that say whether the journey works.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<Kpi>,
    /// The data sources behind the map.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The teams that own touchpoints and opportunities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Team>,
    /// Who reviews the map and how often.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Whether a map describes today's journey or the intended one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JourneyState {
    /// The journey as customers live it today.
    #[default]
    AsIs,
    /// The journey as it should become.
    ToBe,
}

/// What the map is for (increase traffic, boost conversion, improve loyalty…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The KPIs that measure this objective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpi_ids: Vec<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// A persona or segment: a kind of customer whose journey is mapped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Share of the customer base, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub share: Option<f64>,
    /// Demographic facts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demographics: Vec<String>,
    /// Attitudes, values, interests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub psychographics: Vec<String>,
    /// What the persona wants to achieve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// What the persona needs on the way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// A stage of the journey (awareness, consideration, decision, retention, advocacy…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How long customers are expected to spend in the stage: a number and a unit,
    /// `s`, `m`, `h`, `d` or `w` (for example `14d`, `36h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_duration: Option<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// A channel touchpoints happen on (website, app, store, call centre…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Online, offline or assisted.
    pub kind: ChannelKind,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// How a channel reaches the customer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Self-service digital (web, app, email, social, ads).
    Online,
    /// Physical, without a person of the business (store shelf, mail, packaging).
    Offline,
    /// A person of the business helps (call centre, chat with an agent, store staff).
    Assisted,
}

/// A moment where the customer meets the business, in one stage, on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Touchpoint {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The stage it belongs to (stage id).
    pub stage: String,
    /// The channel it happens on (channel id).
    pub channel: String,
    /// The team that owns it (team id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Seen by the customer (frontstage) or behind the scenes (backstage).
    #[serde(default, skip_serializing_if = "is_default")]
    pub side: Side,
    /// The event names in an event log that mean "the customer hit this touchpoint";
    /// this is what ties the designed map to measured data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// Whether the customer sees a touchpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The customer sees and acts.
    #[default]
    Frontstage,
    /// The business acts out of the customer's sight.
    Backstage,
}

/// What a persona does, thinks and feels in a stage (optionally at one touchpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Stable identifier.
    pub id: String,
    /// The persona observed (persona id).
    pub persona: String,
    /// The stage (stage id).
    pub stage: String,
    /// The touchpoint, when the observation is that specific (touchpoint id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// What the persona does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// What the persona thinks or says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thoughts: Vec<String>,
    /// How the persona feels, on a declared scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emotion: Option<Emotion>,
    /// The evidence behind the observation (evidence ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_ids: Vec<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// A feeling, as a value on a declared scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Emotion {
    /// The value, within `scale`.
    pub value: f64,
    /// The scale the value is on; −2..+2 when absent.
    #[serde(default, skip_serializing_if = "EmotionScale::is_default")]
    pub scale: EmotionScale,
}

/// A closed numeric scale `min..=max` (for example −2..+2, 1..5 as Mermaid uses, 1..10).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmotionScale {
    /// The most negative feeling.
    pub min: f64,
    /// The most positive feeling.
    pub max: f64,
}

impl Default for EmotionScale {
    fn default() -> Self {
        Self {
            min: -2.0,
            max: 2.0,
        }
    }
}

impl EmotionScale {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Where it hurts: friction, an obstacle, a failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PainPoint {
    /// Stable identifier.
    pub id: String,
    /// Short title.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The stage it happens in (stage id); at least one of `stage` and `touchpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The touchpoint it happens at (touchpoint id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// The persona it hurts, when only one (persona id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    /// How badly it hurts, 1 (mild) to 5 (blocks the journey).
    #[schemars(range(min = 1, max = 5))]
    pub severity: u8,
    /// Share of customers affected, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub frequency: Option<f64>,
    /// The evidence behind it (evidence ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_ids: Vec<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: PainPointStatus,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// Where a pain point stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PainPointStatus {
    /// Known and not yet addressed.
    #[default]
    Open,
    /// Work is under way.
    InProgress,
    /// Fixed.
    Resolved,
    /// Accepted as it is.
    WontFix,
}

/// What could be done about one or more pain points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opportunity {
    /// Stable identifier.
    pub id: String,
    /// Short title.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The pain points it addresses (pain point ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Expected impact, 1 (small) to 5 (large).
    #[schemars(range(min = 1, max = 5))]
    pub impact: u8,
    /// Expected effort, 1 (small) to 5 (large).
    #[schemars(range(min = 1, max = 5))]
    pub effort: u8,
    /// Confidence in the impact estimate, 0–1.
    #[schemars(range(min = 0, max = 1))]
    pub confidence: f64,
    /// The team that would do it (team id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: OpportunityStatus,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// Where an opportunity stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityStatus {
    /// Proposed.
    #[default]
    Idea,
    /// Accepted and scheduled.
    Planned,
    /// Being built.
    InProgress,
    /// Shipped.
    Done,
    /// Decided against.
    Rejected,
}

/// A measure that says whether the journey (or a stage, or a touchpoint) works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What is measured.
    pub metric: Metric,
    /// The stage it is scoped to (stage id); with neither `stage` nor `touchpoint` the KPI
    /// is about the whole journey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The touchpoint it is scoped to (touchpoint id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// The value aimed for, in the metric's unit (rates as 0–1, NPS as −100..100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Whether higher or lower is better; by default lower for `drop_off` and higher for
    /// every other metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The measured value, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<f64>,
    /// Unit label for display (`%`, `EUR`, `days`…); `share` marks a value from 0 to 1,
    /// shown as a percentage (a target of `0.08` reads `8 %`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

impl Kpi {
    /// The direction in force: the declared one, else the metric's natural one.
    #[must_use]
    pub fn effective_direction(&self) -> Direction {
        self.direction.unwrap_or(match self.metric {
            Metric::DropOff => Direction::Lower,
            _ => Direction::Higher,
        })
    }
}

/// What a KPI measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of customers who reach the next stage or convert, 0–1.
    ConversionRate,
    /// Share of customers who leave, 0–1.
    DropOff,
    /// Net Promoter Score, −100..100.
    Nps,
    /// Customer satisfaction, 0–100 (top-box share by default).
    Csat,
    /// Customer effort score, on its answer scale.
    Ces,
    /// Share of customers retained over a period, 0–1.
    RetentionRate,
    /// Mean order value, in currency.
    AverageOrderValue,
    /// Revenue, in currency.
    Revenue,
    /// Anything else; say what in the KPI's name.
    Custom,
}

/// Whether higher or lower values of a KPI are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
}

/// A data source behind the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What kind of source.
    pub kind: EvidenceKind,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the data was collected, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub collected_on: Option<Date>,
    /// How many people or records it rests on.
    #[schemars(range(min = 1))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<u64>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// What kind of source a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Survey answers (NPS, CSAT, CES…).
    Survey,
    /// Customer interviews.
    Interview,
    /// Analytics or event-log data.
    Analytics,
    /// Social media listening.
    SocialListening,
    /// CRM records.
    Crm,
    /// Support tickets, calls, chats.
    Support,
    /// No data: a belief of the team.
    Assumption,
}

/// A team that owns touchpoints or opportunities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// Who reviews the map and how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Who is responsible for keeping the map true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the map was last reviewed, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub last_reviewed: Option<Date>,
    /// How many days may pass between reviews (365 when absent).
    #[serde(
        default = "default_cadence",
        skip_serializing_if = "is_default_cadence"
    )]
    #[schemars(range(min = 1))]
    pub cadence_days: u32,
    /// The user's own data, kept verbatim.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// The review cadence used when a document does not give one.
pub const DEFAULT_CADENCE_DAYS: u32 = 365;

fn default_cadence() -> u32 {
    DEFAULT_CADENCE_DAYS
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_default_cadence(value: &u32) -> bool {
    *value == DEFAULT_CADENCE_DAYS
}

/// The compact journey schema, embedded from the committed file (generated from these
/// types by `crate::schema`, which a test keeps in step).
const EMBEDDED_JOURNEY_SCHEMA: &str = include_str!("../journey-1.schema.json");

/// The JSON Schema (draft 2020-12) of a journey document, schema version 1: the schema
/// documents are validated against. It lives with the model (validation below the
/// schema registry reads it); `crate::schema` publishes it with the other schemas.
#[must_use]
pub fn journey_schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    // The embedded text is checked against the generator by a test; should it ever fail
    // to parse, `true` (the schema that allows everything) leaves the rules and the typed
    // reading to refuse bad documents.
    SCHEMA.get_or_init(|| {
        serde_json::from_str(EMBEDDED_JOURNEY_SCHEMA).unwrap_or(serde_json::Value::Bool(true))
    })
}
