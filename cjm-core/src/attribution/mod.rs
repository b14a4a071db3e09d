//! Multi-touch attribution (docs/attribution.md): paths, heuristics, Markov chains,
//! Shapley values, and their results side by side.
//!
//! ```
//! use cjm_core::attribution::{attribute, AttributionOptions, PathInput, PathTable, TableOptions};
//!
//! let rows = vec![
//!     PathInput { path: "search > email".into(), conversions: 1.0, value: 10.0, nulls: 1.0, seconds_to_conversion: None },
//!     PathInput { path: "email".into(), conversions: 1.0, value: 4.0, nulls: 0.0, seconds_to_conversion: None },
//! ];
//! let table = PathTable::from_rows(&rows, &TableOptions::default())?;
//! let result = attribute(&table, &AttributionOptions::default())?;
//! let email = result.channels.iter().find(|c| c.channel == "email").unwrap();
//! let last = email.credit("last").unwrap();
//! assert_eq!(last.conversions, Some(2.0));
//! # Ok::<(), cjm_core::Error>(())
//! ```
//!
//! # Paths
//!
//! A path is the ordered channels (or touchpoints, or event names) of one customer's
//! touches before their first conversion, or all of them for a non-converter; see
//! [`PathTable::from_log`] and [`PathOptions`]. Analysts' aggregated tables (`"a > b"`
//! with total conversions, value and nulls, the `channelattribution` input format) are
//! read by [`PathTable::from_rows`]. Paths are kept whole by default: the heuristic
//! models credit every touch, repeats included, and the Markov chain drops
//! self-transitions (the `channelattribution` convention). Conversions of paths without any touch cannot be credited to a channel; they
//! are reported as `unattributed_conversions` and left out of every model.
//!
//! # Models
//!
//! The definitions, worked examples and citations are in `docs/attribution.md`. In
//! short: `first`, `last`, `last_non_direct`, `linear`, `position_based`, `time_decay`
//! and the Markov and Shapley models each credit every conversion (and its value) in
//! full, so their credits sum to the attributable conversions; `participation` credits
//! every distinct channel of a converting path with the whole conversion, so its column
//! counts the conversions each channel took part in and does not sum to the total.
//!
//! Numbers that are undefined (0/0, a removal effect without any conversion) are `null`,
//! never NaN.

mod codes;
mod markov;
mod models;
mod paths;
mod state;

pub use markov::MAX_MARKOV_WORK;
pub use paths::{
    CellKind, PathCell, PathColumns, PathInput, PathOptions, PathRow, PathRowInput, PathTable,
    PathsInput, TableOptions, TouchKind,
};
pub use state::{PathCounts, TransitionCounts};

use crate::definition::Definition;
use crate::error::{Error, Result};
use codes::{CodeTable, Row};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name of the start state of the Markov chain.
pub const START: &str = "START";
/// Name of the conversion (absorbing) state of the Markov chain.
pub const CONVERSION: &str = "CONVERSION";
/// Name of the non-conversion (absorbing) state of the Markov chain.
pub const NULL: &str = "NULL";

/// An attribution model.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// All credit to the first touch.
    First,
    /// All credit to the last touch.
    Last,
    /// All credit to the last touch that is not the direct channel (to direct when the
    /// path is only direct).
    LastNonDirect,
    /// Equal credit to every touch.
    Linear,
    /// First, middle and last touches by position weights.
    PositionBased,
    /// Touches weighted by `2^(−Δt/h)` to the conversion.
    TimeDecay,
    /// A full 1 to every distinct channel of a converting path (does not sum to the
    /// conversions).
    Participation,
    /// Markov-chain removal effects.
    Markov,
    /// Shapley value over channel sets.
    Shapley,
    /// Shapley value split over the positions of the touches (a detail table; its
    /// channel totals equal [`Model::Shapley`]'s, so it adds no column).
    OrderedShapley,
}

impl Model {
    /// Every model, in table order.
    pub const ALL: [Self; 10] = [
        Self::First,
        Self::Last,
        Self::LastNonDirect,
        Self::Linear,
        Self::PositionBased,
        Self::TimeDecay,
        Self::Participation,
        Self::Markov,
        Self::Shapley,
        Self::OrderedShapley,
    ];

    /// The stable name, as serialised.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::First => "first",
            Self::Last => "last",
            Self::LastNonDirect => "last_non_direct",
            Self::Linear => "linear",
            Self::PositionBased => "position_based",
            Self::TimeDecay => "time_decay",
            Self::Participation => "participation",
            Self::Markov => "markov",
            Self::Shapley => "shapley",
            Self::OrderedShapley => "ordered_shapley",
        }
    }
}

/// Position-based weights of the first, middle and last touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionWeights {
    /// U-shaped: 40 % first, 20 % middle, 40 % last.
    #[default]
    U,
    /// J-shaped: 20 % first, 20 % middle, 60 % last.
    J,
    /// Inverse J: 60 % first, 20 % middle, 20 % last.
    InverseJ,
    /// Own weights (non-negative, summing to 1).
    Custom {
        /// Share of the first touch.
        first: f64,
        /// Share of all middle touches together (split equally).
        middle: f64,
        /// Share of the last touch.
        last: f64,
    },
}

/// The time-decay curve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecayCurve {
    /// `w = 2^(−Δt/h)`.
    #[default]
    Continuous,
    /// `w = 2^(−floor(Δt/h))` (the legacy stepped variant: equal weight within each
    /// half-life).
    Stepped,
}

/// Options of [`attribute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AttributionOptions {
    /// The models to run, in table order (default all).
    pub models: Vec<Model>,
    /// The direct channel for last non-direct (default `direct`).
    pub direct_channel: String,
    /// Position-based weights (default U, 40/20/40).
    pub position_weights: PositionWeights,
    /// Time-decay half-life in seconds (default 7 days = 604800).
    pub half_life_seconds: f64,
    /// Time-decay curve (default continuous).
    pub decay: DecayCurve,
    /// Markov chain order, 1..=4 (default 1).
    pub markov_order: usize,
    /// Drop transitions from a state to itself before solving (default true, as
    /// `channelattribution`'s `markov_model`: repeated channels do not change the chain
    /// while the heuristic models still credit every touch). For order 1 this equals
    /// collapsing consecutive repeats; it has no effect on paths already collapsed.
    pub remove_self_loops: bool,
    /// Shapley: paths with more distinct channels than this are left out of the game and
    /// reported as excluded (default 15).
    pub shapley_max_channels: usize,
}

impl Default for AttributionOptions {
    fn default() -> Self {
        Self {
            models: Model::ALL.to_vec(),
            direct_channel: "direct".to_owned(),
            position_weights: PositionWeights::U,
            half_life_seconds: 604_800.0,
            decay: DecayCurve::Continuous,
            markov_order: 1,
            remove_self_loops: true,
            shapley_max_channels: 15,
        }
    }
}

/// Totals of the path table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Rows (distinct paths) in the table.
    pub paths: usize,
    /// Conversions of paths with at least one touch: what the models credit.
    pub conversions: f64,
    /// Their value.
    pub value: f64,
    /// Non-converting journeys with at least one touch.
    pub nulls: f64,
    /// Conversions of paths without any touch (credited to no channel).
    pub unattributed_conversions: f64,
    /// Their value.
    pub unattributed_value: f64,
}

/// One model's column: what it is and what it credited in total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelSummary {
    /// The model.
    pub model: Model,
    /// Its definition and hash.
    pub definition: Definition,
    /// Sum of its conversion credits (`null` when undefined).
    pub conversions: Option<f64>,
    /// Sum of its value credits (`null` when undefined).
    pub value: Option<f64>,
    /// Whether its credits sum to [`Totals::conversions`] by definition.
    pub sums_to_conversions: bool,
}

/// One channel's credit under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Credit {
    /// The model.
    pub model: Model,
    /// Conversions credited (`null` when undefined, e.g. Markov without conversions).
    pub conversions: Option<f64>,
    /// Value credited.
    pub value: Option<f64>,
    /// `conversions / total conversions` (for participation: the share of conversions the
    /// channel took part in).
    pub share: Option<f64>,
}

/// One row of the side-by-side table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChannelCredits {
    /// The channel (or touchpoint).
    pub channel: String,
    /// Its credit under each model, in the order of [`Attribution::models`].
    pub credits: Vec<Credit>,
}

impl ChannelCredits {
    /// The credit of the model with this name (`first`, `markov`…).
    #[must_use]
    pub fn credit(&self, model: &str) -> Option<&Credit> {
        self.credits.iter().find(|c| c.model.name() == model)
    }
}

/// A transition of the Markov chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Transition {
    /// From state (`START` or channels joined by ` > `).
    pub from: String,
    /// To state (channels, `CONVERSION` or `NULL`).
    pub to: String,
    /// Journeys that made it.
    pub count: f64,
    /// `count / all transitions out of from`.
    pub probability: f64,
}

/// A channel's removal effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RemovalEffect {
    /// The channel.
    pub channel: String,
    /// P(conversion) with the channel removed (`null` without conversions).
    pub conversion_probability_without: Option<f64>,
    /// `1 − P₋c(conv)/P(conv)` (`null` without conversions).
    pub removal_effect: Option<f64>,
    /// Credited conversions: `RE/ΣRE × conversions` (0 when undefined).
    pub conversions: f64,
    /// Credited value: `RE/ΣRE × value`.
    pub value: f64,
}

/// The Markov model in detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkovResult {
    /// Its definition and hash.
    pub definition: Definition,
    /// The chain order.
    pub order: usize,
    /// P(CONVERSION | START) of the whole chain (`null` without conversions).
    pub conversion_probability: Option<f64>,
    /// Removal effects and credits, by channel.
    pub channels: Vec<RemovalEffect>,
    /// The transition matrix (non-zero entries, sorted by from, to).
    pub transitions: Vec<Transition>,
}

/// What Shapley left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShapleyDetail {
    /// The cap on distinct channels per path.
    pub max_channels: usize,
    /// Conversions of paths with more distinct channels than the cap.
    pub excluded_conversions: f64,
    /// Their value.
    pub excluded_value: f64,
}

/// Ordered Shapley: a channel's credit at one touch position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PositionCredit {
    /// The channel.
    pub channel: String,
    /// 1-based touch position in the path.
    pub position: usize,
    /// Conversions credited at this position.
    pub conversions: f64,
    /// Value credited at this position.
    pub value: f64,
}

/// A model that was asked for and could not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Skipped {
    /// The model.
    pub model: Model,
    /// Stable reason code (`missing_times`).
    pub reason: String,
    /// Human explanation.
    pub message: String,
}

/// Attribution results, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// The definition of the whole run (all options) and its hash.
    pub definition: Definition,
    /// Totals of the table.
    pub totals: Totals,
    /// The model columns, in order.
    pub models: Vec<ModelSummary>,
    /// One row per channel (sorted by name), with a credit per model column.
    pub channels: Vec<ChannelCredits>,
    /// Markov details, when run.
    pub markov: Option<MarkovResult>,
    /// Shapley details, when run.
    pub shapley: Option<ShapleyDetail>,
    /// Ordered Shapley credits by (channel, position), when run.
    pub ordered_shapley: Option<Vec<PositionCredit>>,
    /// Models asked for that could not run.
    pub skipped: Vec<Skipped>,
}

impl Attribution {
    /// The conversions credited to `channel` by the model column `model` (its stable
    /// name: `first`, `last`, `linear`, `markov`…): `0.0` where the model credits the
    /// channel nothing, `None` where its credit is undefined (the Markov column of a
    /// table without conversions).
    ///
    /// # Errors
    /// `unknown_channel` for a channel the result does not hold, `unknown_model` for a
    /// model without a column here (a model that was asked for and skipped says why);
    /// each message lists what the result holds.
    pub fn credit(&self, channel: &str, model: &str) -> Result<Option<f64>> {
        let unknown = |code, what: &str, name: &str, known: Vec<&str>, why: String| {
            let shown: Vec<String> = known.iter().take(12).map(|k| format!("`{k}`")).collect();
            let has = match known.len().saturating_sub(shown.len()) {
                _ if shown.is_empty() => format!("this result has no {what}s"),
                0 => format!("this result has {}", shown.join(", ")),
                more => format!("this result has {} and {more} more", shown.join(", ")),
            };
            Error::Input {
                code,
                row: None,
                message: format!("no {what} `{name}`{why}; {has}"),
            }
        };
        let row = self
            .channels
            .iter()
            .find(|c| c.channel == channel)
            .ok_or_else(|| {
                let known = self.channels.iter().map(|c| c.channel.as_str()).collect();
                let code = crate::InputCode::UnknownChannel;
                unknown(code, "channel", channel, known, String::new())
            })?;
        let credit = row.credit(model).ok_or_else(|| {
            let known = self.models.iter().map(|m| m.model.name()).collect();
            let why = self
                .skipped
                .iter()
                .find(|s| s.model.name() == model)
                .map_or_else(String::new, |s| format!(" (not run: {})", s.message));
            unknown(
                crate::InputCode::UnknownModel,
                "model column",
                model,
                known,
                why,
            )
        })?;
        Ok(credit.conversions)
    }
}

fn invalid(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    }
}

pub(crate) fn check(options: &AttributionOptions) -> Result<()> {
    models::position_weights(&options.position_weights)?;
    if !(options.half_life_seconds.is_finite() && options.half_life_seconds > 0.0) {
        return Err(invalid(format!(
            "`half_life_seconds` must be a positive number of seconds, not `{}`",
            options.half_life_seconds
        )));
    }
    markov::check_order(options.markov_order)?;
    if options.shapley_max_channels == 0 {
        return Err(invalid("the Shapley cap on channels is 0".to_owned()));
    }
    Ok(())
}

/// Per-channel (conversions, value) credits of one model, by channel code (`None`: the
/// model credits the channel nothing, not even a zero).
#[derive(Default)]
struct Column(Vec<Option<(f64, f64)>>);

impl Column {
    fn new(channels: usize) -> Self {
        Self(vec![None; channels])
    }

    fn add(&mut self, channel: u32, conversions: f64, value: f64) {
        match self.0.get_mut(channel as usize) {
            Some(Some(e)) => {
                e.0 += conversions;
                e.1 += value;
            }
            // `0.0 +` as the sum from zero gives: never a `-0.0`.
            Some(e) => *e = Some((0.0 + conversions, 0.0 + value)),
            None => {}
        }
    }

    fn get(&self, channel: u32) -> Option<(f64, f64)> {
        self.0.get(channel as usize).copied().flatten()
    }

    /// The credits given, in channel-name order.
    fn values(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.0.iter().flatten().copied()
    }
}

/// All the credit of a path of `len` touches to the touch at `at` (none when `None`).
/// (An `Option`: the shape `by_fractions` takes, where time decay may have none.)
fn one_touch(len: usize, at: Option<usize>) -> Option<Vec<f64>> {
    let mut v = vec![0.0; len];
    if let Some(x) = at.and_then(|i| v.get_mut(i)) {
        *x = 1.0;
    }
    Some(v)
}

fn by_fractions(
    channels: usize,
    rows: &[Row<'_>],
    f: impl Fn(&Row<'_>) -> Option<Vec<f64>>,
) -> Option<Column> {
    let mut col = Column::new(channels);
    for r in rows {
        let fr = f(r)?;
        for (&c, x) in r.codes.iter().zip(fr) {
            col.add(c, x * r.conversions, x * r.value);
        }
    }
    Some(col)
}

#[derive(Serialize)]
struct NoParams {}

#[derive(Serialize)]
struct DirectParams<'a> {
    direct_channel: &'a str,
}

#[derive(Serialize)]
struct PositionParams {
    first: f64,
    middle: f64,
    last: f64,
}

#[derive(Serialize)]
struct DecayParams {
    half_life_seconds: f64,
    decay: DecayCurve,
}

#[derive(Serialize)]
struct ShapleyParams {
    max_channels: usize,
    characteristic: &'static str,
}

/// Attribution over the paths of an event log: [`PathTable::from_log`] with `paths`, then
/// [`attribute`] with `options`. The result's definition covers both (every path option —
/// touch, conversion events, lookback, collapse, times — beside the model options, under
/// `paths`), so two runs that can give different numbers never share a hash.
///
/// # Errors
/// As [`PathTable::from_log`] and [`attribute`].
pub fn attribute_log(
    log: &crate::events::EventLog,
    journey: Option<&crate::validate::ValidJourney>,
    paths: &PathOptions,
    options: &AttributionOptions,
) -> Result<Attribution> {
    let table = state::code_table_from_log(log, journey, paths)?;
    let mut result = attribute_codes(&table, options)?;
    result.definition = log_definition(options, paths);
    Ok(result)
}

/// Attribution of merged path states (the Spark route): [`attribute`] on their table;
/// states of logs carry their path options, so the definition is the one
/// [`attribute_log`] gives for the same log and options.
///
/// # Errors
/// As [`attribute`].
pub fn attribute_paths(state: &PathCounts, options: &AttributionOptions) -> Result<Attribution> {
    let mut result = attribute(&state.to_table(), options)?;
    if let Some(paths) = state.path_options() {
        result.definition = log_definition(options, &paths);
    }
    Ok(result)
}

/// The definition of attribution over a log's paths: the model options and, under
/// `paths`, every path option.
fn log_definition(options: &AttributionOptions, paths: &PathOptions) -> Definition {
    #[derive(Serialize)]
    struct Params<'a> {
        #[serde(flatten)]
        options: &'a AttributionOptions,
        paths: &'a PathOptions,
    }
    Definition::new("attribution", &Params { options, paths })
}

/// Runs the models of `options` on a path table.
///
/// # Errors
/// `invalid_option` for bad options (position weights not summing to 1, a half-life
/// that is not positive, a Markov order outside 1..=4, a Shapley cap of 0).
pub fn attribute(table: &PathTable, options: &AttributionOptions) -> Result<Attribution> {
    attribute_codes(&CodeTable::from_table(table), options)
}

/// [`attribute`] on a table of channel codes: every model reads codes, and names are
/// looked up once per channel for the result.
#[allow(
    clippy::too_many_lines,
    reason = "one column per model, read top to bottom"
)]
fn attribute_codes(table: &CodeTable, options: &AttributionOptions) -> Result<Attribution> {
    check(options)?;
    let n = table.labels.len();
    // Read in place (a log's table has about a million rows, most of them nulls).
    let rows = || table.rows().filter(|r| !r.codes.is_empty());
    let unattributed = || table.rows().filter(|r| r.codes.is_empty());
    let totals = Totals {
        paths: table.len(),
        conversions: rows().map(|r| r.conversions).sum(),
        value: rows().map(|r| r.value).sum(),
        nulls: rows().map(|r| r.nulls).sum(),
        unattributed_conversions: unattributed().map(|r| r.conversions).sum(),
        unattributed_value: unattributed().map(|r| r.value).sum(),
    };
    let converting: Vec<Row<'_>> = rows()
        .filter(|r| r.conversions != 0.0 || r.value != 0.0)
        .collect();
    let direct = table.code(&options.direct_channel);
    let mut set: Vec<u32> = Vec::new();
    let weights = models::position_weights(&options.position_weights)?;
    let mut columns: Vec<(ModelSummary, Option<Column>)> = Vec::new();
    let mut skipped = Vec::new();
    let mut markov_detail = None;
    let mut shapley_detail = None;
    let mut ordered = None;
    let mut seen = Vec::new();
    // The Markov chain (the slowest model on a long table) is solved on a thread of its
    // own while the other models run (not in WebAssembly).
    let markov = || {
        let w = markov::transitions(table, options.markov_order);
        markov::solve(&w, totals.conversions, totals.value, options)
    };
    std::thread::scope(|scope| -> Result<()> {
        let mut solving = (crate::events::PARALLEL
            && table.len() >= 1 << 15
            && options.models.contains(&Model::Markov))
        .then(|| scope.spawn(markov));
        for &model in &options.models {
            if seen.contains(&model) {
                continue;
            }
            seen.push(model);
            let name = format!("attribution_{}", model.name());
            let (definition, column, sums) = match model {
                Model::First => (
                    Definition::new(&name, &NoParams {}),
                    by_fractions(n, &converting, |r| one_touch(r.codes.len(), Some(0))),
                    true,
                ),
                Model::Last => (
                    Definition::new(&name, &NoParams {}),
                    by_fractions(n, &converting, |r| {
                        one_touch(r.codes.len(), r.codes.len().checked_sub(1))
                    }),
                    true,
                ),
                Model::LastNonDirect => (
                    Definition::new(
                        &name,
                        &DirectParams {
                            direct_channel: &options.direct_channel,
                        },
                    ),
                    by_fractions(n, &converting, |r| {
                        one_touch(r.codes.len(), models::last_non_direct(r, direct))
                    }),
                    true,
                ),
                Model::Linear => (
                    Definition::new(&name, &NoParams {}),
                    by_fractions(n, &converting, |r| {
                        #[allow(clippy::cast_precision_loss, reason = "path lengths are small")]
                        let len = r.codes.len() as f64;
                        Some(vec![1.0 / len; r.codes.len()])
                    }),
                    true,
                ),
                Model::PositionBased => (
                    Definition::new(
                        &name,
                        &PositionParams {
                            first: weights[0],
                            middle: weights[1],
                            last: weights[2],
                        },
                    ),
                    by_fractions(n, &converting, |r| {
                        Some(models::position_fractions(r.codes.len(), weights))
                    }),
                    true,
                ),
                Model::TimeDecay => {
                    let col = by_fractions(n, &converting, |r| models::decay_fractions(r, options));
                    if col.is_none() {
                        skipped.push(Skipped {
                            model,
                            reason: "missing_times".to_owned(),
                            message:
                                "time decay needs the time of every touch of every converting path"
                                    .to_owned(),
                        });
                        continue;
                    }
                    (
                        Definition::new(
                            &name,
                            &DecayParams {
                                half_life_seconds: options.half_life_seconds,
                                decay: options.decay,
                            },
                        ),
                        col,
                        true,
                    )
                }
                Model::Participation => {
                    let mut col = Column::new(n);
                    for r in &converting {
                        models::distinct(r, &mut set);
                        for &c in &set {
                            col.add(c, r.conversions, r.value);
                        }
                    }
                    (Definition::new(&name, &NoParams {}), Some(col), false)
                }
                Model::Markov => {
                    let (detail, defined) = match solving.take() {
                        Some(handle) => handle
                            .join()
                            .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
                        None => markov()?,
                    };
                    let col = defined.then(|| {
                        let mut col = Column::new(n);
                        for e in &detail.channels {
                            if let Some(slot) = table
                                .code(&e.channel)
                                .and_then(|k| col.0.get_mut(k as usize))
                            {
                                *slot = Some((e.conversions, e.value));
                            }
                        }
                        col
                    });
                    let def = detail.definition.clone();
                    markov_detail = Some(detail);
                    (def, col, true)
                }
                Model::Shapley | Model::OrderedShapley => {
                    let cap = options.shapley_max_channels;
                    let mut col = Column::new(n);
                    // Codes are in name order, so this map is in (channel name, position) order.
                    let mut pos: BTreeMap<(u32, usize), (f64, f64)> = BTreeMap::new();
                    let (mut ex_c, mut ex_v) = (0.0, 0.0);
                    for r in &converting {
                        models::distinct(r, &mut set);
                        if set.len() > cap {
                            ex_c += r.conversions;
                            ex_v += r.value;
                            continue;
                        }
                        #[allow(clippy::cast_precision_loss, reason = "small counts")]
                        let k = set.len() as f64;
                        for &c in &set {
                            let (cc, cv) = (r.conversions / k, r.value / k);
                            col.add(c, cc, cv);
                            let at: Vec<usize> = r
                                .codes
                                .iter()
                                .enumerate()
                                .filter(|(_, &x)| x == c)
                                .map(|(i, _)| i + 1)
                                .collect();
                            #[allow(clippy::cast_precision_loss, reason = "small counts")]
                            let m = at.len() as f64;
                            for p in at {
                                let e = pos.entry((c, p)).or_insert((0.0, 0.0));
                                e.0 += cc / m;
                                e.1 += cv / m;
                            }
                        }
                    }
                    let def = Definition::new(
                        &name,
                        &ShapleyParams {
                            max_channels: cap,
                            characteristic:
                                "v(S) = conversions of paths whose channel set is a subset of S",
                        },
                    );
                    shapley_detail = Some(ShapleyDetail {
                        max_channels: cap,
                        excluded_conversions: ex_c,
                        excluded_value: ex_v,
                    });
                    if model == Model::OrderedShapley {
                        ordered = Some(
                            pos.into_iter()
                                .map(
                                    |((channel, position), (conversions, value))| PositionCredit {
                                        channel: table.label(channel).to_owned(),
                                        position,
                                        conversions,
                                        value,
                                    },
                                )
                                .collect(),
                        );
                        continue;
                    }
                    (def, Some(col), ex_c == 0.0)
                }
            };
            let summary = ModelSummary {
                model,
                definition,
                conversions: column.as_ref().map(|c| c.values().map(|x| x.0).sum()),
                value: column.as_ref().map(|c| c.values().map(|x| x.1).sum()),
                sums_to_conversions: sums,
            };
            columns.push((summary, column));
        }
        Ok(())
    })?;
    let channels = table
        .used()
        .into_iter()
        .zip(0u32..)
        .filter(|&(used, _)| used)
        .map(|(_, code)| {
            let credits = columns
                .iter()
                .map(|(s, col)| {
                    let got = col.as_ref().map(|c| c.get(code).unwrap_or((0.0, 0.0)));
                    Credit {
                        model: s.model,
                        conversions: got.map(|g| g.0),
                        value: got.map(|g| g.1),
                        share: got.and_then(|g| {
                            (totals.conversions > 0.0).then(|| g.0 / totals.conversions)
                        }),
                    }
                })
                .collect();
            ChannelCredits {
                channel: table.label(code).to_owned(),
                credits,
            }
        })
        .collect();
    let mut result = Attribution {
        definition: Definition::new("attribution", options),
        totals,
        models: columns.into_iter().map(|(s, _)| s).collect(),
        channels,
        markov: markov_detail,
        shapley: shapley_detail,
        ordered_shapley: ordered,
        skipped,
    };
    no_negative_zero(&mut result);
    Ok(result)
}

/// `-0.0` as `0.0` (a sum of nothing in Rust is `-0.0`; `0.0 × −1` is too): a zero in a
/// result is always written `0`.
pub(crate) fn nz(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}

fn nz_opt(x: &mut Option<f64>) {
    if let Some(v) = x {
        *v = nz(*v);
    }
}

/// Replaces every `-0.0` of a result by `0.0`.
fn no_negative_zero(a: &mut Attribution) {
    let t = &mut a.totals;
    for x in [
        &mut t.conversions,
        &mut t.value,
        &mut t.nulls,
        &mut t.unattributed_conversions,
        &mut t.unattributed_value,
    ] {
        *x = nz(*x);
    }
    for m in &mut a.models {
        nz_opt(&mut m.conversions);
        nz_opt(&mut m.value);
    }
    for c in a.channels.iter_mut().flat_map(|c| c.credits.iter_mut()) {
        nz_opt(&mut c.conversions);
        nz_opt(&mut c.value);
        nz_opt(&mut c.share);
    }
    if let Some(m) = &mut a.markov {
        nz_opt(&mut m.conversion_probability);
        for e in &mut m.channels {
            nz_opt(&mut e.conversion_probability_without);
            nz_opt(&mut e.removal_effect);
            e.conversions = nz(e.conversions);
            e.value = nz(e.value);
        }
        for t in &mut m.transitions {
            t.count = nz(t.count);
            t.probability = nz(t.probability);
        }
    }
    if let Some(s) = &mut a.shapley {
        s.excluded_conversions = nz(s.excluded_conversions);
        s.excluded_value = nz(s.excluded_value);
    }
    for p in a.ordered_shapley.iter_mut().flatten() {
        p.conversions = nz(p.conversions);
        p.value = nz(p.value);
    }
}
