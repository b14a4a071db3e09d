//! Paths: from an event log, or from an aggregated path table as analysts keep it.

use crate::error::{Error, Result};

/// Largest absolute value accepted per conversion or path row (2⁶⁰): sums of any table
/// stay finite, and the states' fixed-point values fit their integers.
pub(crate) const VALUE_LIMIT: f64 = 1_152_921_504_606_846_976.0;
use crate::events::EventLog;
use crate::validate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// What a touch is named after when paths are built from an event log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TouchKind {
    /// The event's channel column; events without a channel are not touches.
    #[default]
    Channel,
    /// The touchpoint of the journey that binds the event (the first one in document
    /// order when several do); unbound events are not touches. Needs the journey.
    Touchpoint,
    /// The event name itself.
    Event,
}

/// Options for building paths from an event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PathOptions {
    /// What names a touch (default the channel column).
    pub touch: TouchKind,
    /// Event names that mean "converted" (required, non-empty; one name may be given as
    /// a string). A customer's path ends at the first of them; the conversion event
    /// itself is not a touch.
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "crate::validate::NameOrNames")]
    pub conversion_events: Vec<String>,
    /// Keep only touches at most this many seconds before the conversion (for
    /// non-converters: before their last touch). Default: no limit.
    pub lookback_seconds: Option<f64>,
    /// Collapse consecutive repeats of one channel into one touch before any model
    /// (default false: the heuristic models credit the whole path, and Markov drops the
    /// repeats as self-transitions, see [`super::AttributionOptions::remove_self_loops`] —
    /// the `channelattribution` convention). A collapsed run keeps the time of its last
    /// touch.
    pub collapse_repeats: bool,
    /// Keep each touch's time before the conversion (needed by time decay; default true).
    /// Without it, paths of equal channels aggregate into one row.
    pub keep_times: bool,
    /// Allow conversion events that the log does not contain (default false: such a name
    /// is an `unknown_event` error, as it is most often a misspelling).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_missing_events: bool,
}

impl PathOptions {
    /// The option names, for a binding that takes path and model options together as one
    /// set of keyword arguments (Python's `EventLog.attribute`) and must tell them apart.
    /// `cjm-core/tests/attribution_vectors.rs` checks them against the type's schema.
    pub const FIELDS: [&'static str; 6] = [
        "touch",
        "conversion_events",
        "lookback_seconds",
        "collapse_repeats",
        "keep_times",
        "allow_missing_events",
    ];
}

impl PathOptions {
    /// Path options and model options given together as one set of keys (Python's
    /// keyword arguments of `EventLog.attribute`): the keys of [`Self::FIELDS`] are the
    /// paths', the others the models', each read with its defaults.
    ///
    /// # Errors
    /// `invalid_option` naming the option that does not fit; a key neither type has is
    /// reported with the models' keys.
    pub fn with_models<'de, D: serde::Deserializer<'de>>(
        options: D,
        what: &str,
    ) -> Result<(Self, super::AttributionOptions)> {
        crate::validate::split_options(options, what, &Self::FIELDS)
    }
}

impl Default for PathOptions {
    fn default() -> Self {
        Self {
            touch: TouchKind::Channel,
            conversion_events: Vec::new(),
            lookback_seconds: None,
            collapse_repeats: false,
            keep_times: true,
            allow_missing_events: false,
        }
    }
}

/// Options for reading an aggregated path table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TableOptions {
    /// Separator of channels in a path string (default `>`; channels are trimmed).
    pub separator: String,
    /// Collapse consecutive repeats of one channel (default false: the whole path, as
    /// `channelattribution`'s heuristics read it; Markov drops self-transitions).
    pub collapse_repeats: bool,
}

impl TableOptions {
    /// The option names, as [`PathOptions::FIELDS`] (Python's `cjm.attribute`).
    pub const FIELDS: [&'static str; 2] = ["separator", "collapse_repeats"];

    /// Table options and model options given together as one set of keys (Python's
    /// keyword arguments of `cjm.attribute`), as [`PathOptions::with_models`].
    ///
    /// # Errors
    /// As [`PathOptions::with_models`].
    pub fn with_models<'de, D: serde::Deserializer<'de>>(
        options: D,
        what: &str,
    ) -> Result<(Self, super::AttributionOptions)> {
        crate::validate::split_options(options, what, &Self::FIELDS)
    }
}

impl Default for TableOptions {
    fn default() -> Self {
        Self {
            separator: ">".to_owned(),
            collapse_repeats: false,
        }
    }
}

/// One row of an aggregated path table, in the `channelattribution` input format: a
/// path string, total conversions, total conversion value and total null
/// (non-converting) journeys. The `channelattribution` column names are accepted as
/// aliases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathInput {
    /// Channels separated by the separator, e.g. `"search > email > direct"`. The empty
    /// string is a path without touches (its conversions cannot be attributed).
    pub path: String,
    /// Conversions of journeys with this path (non-negative; may be fractional).
    #[serde(default, alias = "total_conversions")]
    pub conversions: f64,
    /// Total conversion value of those conversions (finite).
    #[serde(default, alias = "total_conversion_value")]
    pub value: f64,
    /// Journeys with this path that did not convert (non-negative).
    #[serde(default, alias = "total_null")]
    pub nulls: f64,
    /// Seconds from each touch (before collapsing) to the conversion, when known; needed
    /// by time decay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_conversion: Option<Vec<f64>>,
}

/// The column names of a path table given as rows of named cells (Python dicts, a
/// DataFrame's records): by default the `channelattribution` names. A count column left
/// at its `channelattribution` name is also found under the core's short name
/// ([`PathInput`]'s field: `conversions`, `value`, `nulls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PathColumns {
    /// The path strings (required in every row).
    pub path: String,
    /// Conversions (absent or null: 0).
    pub conversions: String,
    /// Conversion value (absent or null: 0).
    pub value: String,
    /// Journeys that did not convert (absent or null: 0).
    pub nulls: String,
    /// Seconds from each touch to the conversion (lists of numbers; absent or null:
    /// unknown).
    pub times: String,
}

impl Default for PathColumns {
    fn default() -> Self {
        Self {
            path: "path".to_owned(),
            conversions: "total_conversions".to_owned(),
            value: "total_conversion_value".to_owned(),
            nulls: "total_null".to_owned(),
            times: "seconds_to_conversion".to_owned(),
        }
    }
}

/// What [`PathColumns::read_row`] asks a binding for: the cell of a column as text, a
/// number or a list of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text (the path).
    Text,
    /// A number (the counts and value).
    Number,
    /// A list of numbers (the times).
    Numbers,
}

/// A cell of a path-table row as a binding found it, for [`PathColumns::read_row`].
#[derive(Debug, Clone, PartialEq)]
pub enum PathCell {
    /// The row has no such column.
    Absent,
    /// The column holds null (`None`).
    Null,
    /// Text, asked as [`CellKind::Text`].
    Text(String),
    /// A number, asked as [`CellKind::Number`].
    Number(f64),
    /// A list of numbers, asked as [`CellKind::Numbers`].
    Numbers(Vec<f64>),
    /// A value not of the kind asked; its type name, for the message.
    Wrong(String),
}

impl PathColumns {
    /// Reads row `row` (0-based) of a path table: `cell(name, kind)` gives the cell of the
    /// column `name`, as `kind`. An absent or null count is 0, absent or null times are
    /// unknown; a row without a path, or a cell of the wrong kind, is an error with the
    /// row. `cell`'s own errors (`E`) come back as they are.
    pub fn read_row<E>(
        &self,
        row: usize,
        mut cell: impl FnMut(&str, CellKind) -> std::result::Result<PathCell, E>,
    ) -> std::result::Result<Result<PathInput>, E> {
        let wrong = |name: &str, what: &str, found: &str| Error::Input {
            code: crate::InputCode::WrongType,
            row: Some(row),
            message: format!("column `{name}` must hold {what}, not `{found}`"),
        };
        let path = match cell(&self.path, CellKind::Text)? {
            PathCell::Text(p) => p,
            PathCell::Absent => {
                return Ok(Err(Error::Input {
                    code: crate::InputCode::MissingColumn,
                    row: Some(row),
                    message: format!(
                        "the row has no column `{}`: give every row its path (`a > b`), or \
                         name the column that holds it (Python `cjm.attribute(rows, \
                         path=\"…\")`)",
                        self.path
                    ),
                }))
            }
            PathCell::Null => return Ok(Err(wrong(&self.path, "strings", "None"))),
            other => return Ok(Err(wrong(&self.path, "strings", &found(&other)))),
        };
        let mut counts = [0.0; 3];
        let named = [
            (&self.conversions, "total_conversions", "conversions"),
            (&self.value, "total_conversion_value", "value"),
            (&self.nulls, "total_null", "nulls"),
        ];
        for (slot, (name, default, short)) in counts.iter_mut().zip(named) {
            let (mut read, mut got) = (name.as_str(), cell(name, CellKind::Number)?);
            if got == PathCell::Absent && name == default {
                (read, got) = (short, cell(short, CellKind::Number)?);
            }
            *slot = match got {
                PathCell::Absent | PathCell::Null => 0.0,
                PathCell::Number(x) => x,
                // The column read: the short name when the row had only that.
                other => return Ok(Err(wrong(read, "numbers", &found(&other)))),
            };
        }
        let times = match cell(&self.times, CellKind::Numbers)? {
            PathCell::Absent | PathCell::Null => None,
            PathCell::Numbers(t) => Some(t),
            other => return Ok(Err(wrong(&self.times, "lists of numbers", &found(&other)))),
        };
        let [conversions, value, nulls] = counts;
        Ok(Ok(PathInput {
            path,
            conversions,
            value,
            nulls,
            seconds_to_conversion: times,
        }))
    }
}

/// The type a wrong cell was found to hold, for a message.
fn found(cell: &PathCell) -> String {
    match cell {
        PathCell::Wrong(name) => name.clone(),
        PathCell::Text(_) => "str".to_owned(),
        PathCell::Number(_) => "float".to_owned(),
        PathCell::Numbers(_) => "list".to_owned(),
        PathCell::Absent | PathCell::Null => "None".to_owned(),
    }
}

/// One distinct path with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PathRow {
    /// The channels in order (after collapsing, when asked).
    pub channels: Vec<String>,
    /// Seconds from each touch to the conversion (same length as `channels`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_to_conversion: Option<Vec<f64>>,
    /// Conversions.
    pub conversions: f64,
    /// Conversion value.
    pub value: f64,
    /// Non-converting journeys.
    pub nulls: f64,
}

/// A [`PathRow`] as a caller gives it back (a table written earlier, or made by hand):
/// counts left out are 0. Read by [`PathTable::from_path_rows`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRowInput {
    /// The channels in order (none empty).
    pub channels: Vec<String>,
    /// Seconds from each touch to the conversion (same length as `channels`).
    #[serde(default)]
    pub seconds_to_conversion: Option<Vec<f64>>,
    /// Conversions.
    #[serde(default)]
    pub conversions: f64,
    /// Conversion value.
    #[serde(default)]
    pub value: f64,
    /// Non-converting journeys.
    #[serde(default)]
    pub nulls: f64,
}

/// Paths as an analyst hands them to `attribute` (JavaScript's `attribute(paths, …)`):
/// either `{path, conversions, value, nulls}` rows ([`PathInput`], an array), or a path
/// table as [`PathTable`] is written (`{"rows": [{"channels", …}]}`, [`PathRowInput`]),
/// read back. Which one is told by the shape: an array is rows, an object a table.
#[derive(Debug, Clone, PartialEq)]
pub enum PathsInput {
    /// Rows with path strings, read by [`PathTable::from_rows`].
    Rows(Vec<PathInput>),
    /// The rows of a written path table, read by [`PathTable::from_path_rows`].
    Table(Vec<PathRowInput>),
}

/// A written path table: `{"rows": […]}` and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenTable {
    rows: Vec<PathRowInput>,
}

impl<'de> Deserialize<'de> for PathsInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = PathsInput;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "an array of `{path, conversions, value, nulls}` rows or a `{rows}` path table",
                )
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<PathsInput, A::Error> {
                let d = serde::de::value::SeqAccessDeserializer::new(seq);
                Vec::deserialize(d).map(PathsInput::Rows)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<PathsInput, A::Error> {
                let d = serde::de::value::MapAccessDeserializer::new(map);
                WrittenTable::deserialize(d).map(|t| PathsInput::Table(t.rows))
            }
        }
        d.deserialize_any(Shape)
    }
}

impl PathsInput {
    /// The path table of these paths; `options` (separator, collapse) apply to rows with
    /// path strings, which they split, and not to a written table, whose channels are
    /// already split.
    ///
    /// # Errors
    /// `invalid_option` for options given with a written table; then as
    /// [`PathTable::from_rows`] or [`PathTable::from_path_rows`].
    pub fn table(self, options: Option<&TableOptions>) -> Result<PathTable> {
        match (self, options) {
            (Self::Rows(rows), options) => {
                PathTable::from_rows(&rows, options.unwrap_or(&TableOptions::default()))
            }
            (Self::Table(_), Some(_)) => Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: "the table options (`separator`, `collapse_repeats`) apply to \
                          `{path, …}` rows, not to a `{rows}` path table, whose channels are \
                          already split: leave them out"
                    .to_owned(),
            }),
            (Self::Table(rows), None) => PathTable::from_path_rows(rows),
        }
    }
}

/// A table of paths: the input of every attribution model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct PathTable {
    /// The rows, in input order (from a log or a state: sorted by path).
    pub rows: Vec<PathRow>,
}

fn bad_row(code: crate::InputCode, row: usize, message: String) -> Error {
    Error::Input {
        code,
        row: Some(row),
        message,
    }
}

/// The checks of one row's counts and times (row `i`, for the error).
fn check_row(
    i: usize,
    channels: &[String],
    conversions: f64,
    value: f64,
    nulls: f64,
    times: Option<&[f64]>,
) -> Result<()> {
    for (name, x) in [
        ("conversions", conversions),
        ("value", value),
        ("nulls", nulls),
    ] {
        if !x.is_finite() {
            return Err(bad_row(
                crate::InputCode::NotFinite,
                i,
                format!("{name} `{x}` is not finite"),
            ));
        }
        // Per row at most 2⁶⁰, as a log's conversion values: any table's sums then stay
        // finite.
        if x.abs() > VALUE_LIMIT {
            return Err(bad_row(
                crate::InputCode::OutOfRange,
                i,
                format!(
                    "{name} `{x}` is beyond ±2⁶⁰ (about 1.15e18), the most a path row may hold"
                ),
            ));
        }
    }
    if conversions < 0.0 || nulls < 0.0 {
        return Err(bad_row(
            crate::InputCode::OutOfRange,
            i,
            format!("conversions `{conversions}` and nulls `{nulls}` must not be negative"),
        ));
    }
    if let Some(t) = times {
        if t.len() != channels.len() {
            return Err(bad_row(
                crate::InputCode::InvalidTimes,
                i,
                format!("`{}` times for `{}` touches", t.len(), channels.len()),
            ));
        }
        if let Some(x) = t.iter().find(|x| !x.is_finite() || **x < 0.0) {
            return Err(bad_row(
                crate::InputCode::OutOfRange,
                i,
                format!("time to conversion `{x}` is not a non-negative number"),
            ));
        }
    }
    Ok(())
}

/// Splits a path string into trimmed channels; `None` when a channel is empty.
pub(crate) fn split_path(path: &str, separator: &str) -> Option<Vec<String>> {
    if path.trim().is_empty() {
        return Some(Vec::new());
    }
    path.split(separator)
        .map(|c| {
            let c = c.trim();
            (!c.is_empty()).then(|| c.to_owned())
        })
        .collect()
}

/// Collapses consecutive repeats; a run keeps the last time.
pub(crate) fn collapse<T: Copy>(
    channels: Vec<String>,
    times: Option<Vec<T>>,
) -> (Vec<String>, Option<Vec<T>>) {
    let mut out: Vec<String> = Vec::with_capacity(channels.len());
    let mut out_t: Vec<T> = Vec::new();
    let times_ref = times.as_deref();
    for (i, c) in channels.into_iter().enumerate() {
        let t = times_ref.and_then(|t| t.get(i).copied());
        if out.last() == Some(&c) {
            if let (Some(t), Some(last)) = (t, out_t.last_mut()) {
                *last = t;
            }
            continue;
        }
        out.push(c);
        if let Some(t) = t {
            out_t.push(t);
        }
    }
    let times = times.map(|_| out_t);
    (out, times)
}

impl PathTable {
    /// Reads an aggregated path table.
    ///
    /// # Errors
    /// With the 0-based row: `invalid_path` (an empty channel between separators),
    /// `not_finite` (a NaN or infinite number), `out_of_range` (a number beyond ±2⁶⁰, negative conversions,
    /// nulls or times), `invalid_times` (times not one per touch); `invalid_option` for
    /// an empty separator.
    pub fn from_rows(rows: &[PathInput], options: &TableOptions) -> Result<Self> {
        if options.separator.is_empty() {
            return Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: "the path separator is empty".to_owned(),
            });
        }
        let mut out = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let channels = split_path(&r.path, &options.separator).ok_or_else(|| {
                bad_row(
                    crate::InputCode::InvalidPath,
                    i,
                    format!(
                        "path `{}` has an empty channel",
                        crate::error::excerpt(&r.path)
                    ),
                )
            })?;
            check_row(
                i,
                &channels,
                r.conversions,
                r.value,
                r.nulls,
                r.seconds_to_conversion.as_deref(),
            )?;
            let (channels, times) = if options.collapse_repeats {
                collapse(channels, r.seconds_to_conversion.clone())
            } else {
                (channels, r.seconds_to_conversion.clone())
            };
            out.push(PathRow {
                channels,
                seconds_to_conversion: times,
                conversions: r.conversions,
                value: r.value,
                nulls: r.nulls,
            });
        }
        Ok(Self { rows: out })
    }

    /// A table from its rows as a path table is written (`{"rows": [{"channels", …}]}`,
    /// a table made earlier and read back, counts left out 0): each row is checked as
    /// [`Self::from_rows`] checks it; channels are trimmed as a path string's are (none
    /// may be empty), nothing collapsed.
    ///
    /// # Errors
    /// As [`Self::from_rows`], with the row; `invalid_path` for an empty channel.
    pub fn from_path_rows(rows: Vec<PathRowInput>) -> Result<Self> {
        for (i, r) in rows.iter().enumerate() {
            if r.channels.iter().any(|c| c.trim().is_empty()) {
                return Err(bad_row(
                    crate::InputCode::InvalidPath,
                    i,
                    "a path row has an empty channel".to_owned(),
                ));
            }
            check_row(
                i,
                &r.channels,
                r.conversions,
                r.value,
                r.nulls,
                r.seconds_to_conversion.as_deref(),
            )?;
        }
        let rows = rows
            .into_iter()
            .map(|r| PathRow {
                // Trimmed, as the channels of a path string are.
                channels: r.channels.iter().map(|c| c.trim().to_owned()).collect(),
                seconds_to_conversion: r.seconds_to_conversion,
                conversions: r.conversions,
                value: r.value,
                nulls: r.nulls,
            })
            .collect();
        Ok(Self { rows })
    }

    /// The distinct channels of the table, sorted.
    #[must_use]
    pub fn channels(&self) -> Vec<String> {
        // Inserted one by one: a set of a few channels, not a sort of every touch.
        let mut set: BTreeSet<&String> = BTreeSet::new();
        for c in self.rows.iter().flat_map(|r| &r.channels) {
            if !set.contains(c) {
                set.insert(c);
            }
        }
        set.into_iter().cloned().collect()
    }
}

/// One customer's journey as extracted from the log: touches as codes into the label
/// dictionary handed with it (borrowed from reused buffers).
pub(crate) struct Journey<'a> {
    pub(crate) channels: &'a [u32],
    /// Nanoseconds from each touch to the conversion (or to the last touch).
    pub(crate) deltas: &'a [i64],
    pub(crate) converted: bool,
    pub(crate) value: f64,
}

/// Visits the journey of each customer in `customers` (positions in
/// [`EventLog::customers`]) with `f(labels, journey)`, where `labels` names the touch
/// codes. Works on the log's integer codes: no string is compared, hashed or allocated
/// per event.
impl PathOptions {
    /// Checks the options without a log: a conversion event is named, the lookback is a
    /// non-negative number, touchpoint paths have the journey. Returns the lookback in
    /// nanoseconds.
    ///
    /// # Errors
    /// `invalid_option` naming what is wrong.
    pub(crate) fn check(&self, journey: Option<&ValidJourney>) -> Result<Option<i64>> {
        let invalid = |message: String| Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message,
        };
        if self.conversion_events.is_empty() {
            return Err(invalid("name at least one conversion event".to_owned()));
        }
        if self.touch == TouchKind::Touchpoint && journey.is_none() {
            return Err(invalid("touchpoint paths need the journey".to_owned()));
        }
        match self.lookback_seconds {
            None => Ok(None),
            Some(s) if s.is_finite() && s >= 0.0 => {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "saturating float to integer conversion is intended"
                )]
                let ns = (s * 1e9).round() as i64;
                Ok(Some(ns))
            }
            Some(s) => Err(invalid(format!(
                "`lookback_seconds` must be a non-negative number of seconds, not `{s}`"
            ))),
        }
    }
}

pub(crate) fn for_each_journey(
    log: &EventLog,
    journey: Option<&ValidJourney>,
    options: &PathOptions,
    customers: std::ops::Range<usize>,
    mut f: impl FnMut(&[String], Journey<'_>),
) -> Result<()> {
    let invalid = |message: &str| Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message: message.to_owned(),
    };
    let lookback = options.check(journey)?;
    let conv: BTreeSet<&str> = options
        .conversion_events
        .iter()
        .map(String::as_str)
        .collect();
    let is_conv: Vec<bool> = log
        .names
        .iter()
        .map(|n| conv.contains(n.as_str()))
        .collect();
    const NO_LABEL: u32 = u32::MAX;
    // The label code of each event, by event code, or per event from the channel column.
    let (labels, by_event): (Vec<String>, Option<Vec<u32>>) = match options.touch {
        TouchKind::Channel => (log.channel.dict.clone(), None),
        TouchKind::Event => (
            log.names.clone(),
            Some((0..u32::try_from(log.names.len()).unwrap_or(0)).collect()),
        ),
        TouchKind::Touchpoint => {
            let Some(j) = journey else {
                return Err(invalid("touchpoint paths need the journey"));
            };
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (k, t) in j.journey().touchpoints.iter().enumerate() {
                for e in &t.events {
                    first.entry(e.as_str()).or_insert(k);
                }
            }
            let labels: Vec<String> = j
                .journey()
                .touchpoints
                .iter()
                .map(|t| t.id.clone())
                .collect();
            let codes = log
                .names
                .iter()
                .map(|n| {
                    first
                        .get(n.as_str())
                        .and_then(|&k| u32::try_from(k).ok())
                        .unwrap_or(NO_LABEL)
                })
                .collect();
            (labels, Some(codes))
        }
    };
    let label_ok: Vec<bool> = labels.iter().map(|l| !l.is_empty()).collect();
    let mut touches: Vec<(u32, i64)> = Vec::new();
    let mut channels: Vec<u32> = Vec::new();
    let mut deltas: Vec<i64> = Vec::new();
    for c in customers {
        let range = log.customer_range(c);
        let first = range.start;
        let ts = log.ts.get(range.clone()).unwrap_or(&[]);
        let ev = log.event.get(range.clone()).unwrap_or(&[]);
        let ch = log.channel.ids.get(range).unwrap_or(&[]);
        touches.clear();
        let mut conversion: Option<(i64, f64)> = None;
        for (k, (&t, &e)) in ts.iter().zip(ev).enumerate() {
            if is_conv.get(e as usize).copied().unwrap_or(false) {
                let i = first + k;
                let value = log.value.get(i).copied().filter(|v| !v.is_nan());
                conversion = Some((t, value.unwrap_or(0.0)));
                break;
            }
            let label = match &by_event {
                None => ch.get(k).copied().unwrap_or(NO_LABEL),
                Some(codes) => codes.get(e as usize).copied().unwrap_or(NO_LABEL),
            };
            if label_ok.get(label as usize).copied().unwrap_or(false) {
                touches.push((label, t));
            }
        }
        let end = match conversion {
            Some((t, _)) => t,
            None => match touches.last() {
                Some(&(_, t)) => t,
                None => continue,
            },
        };
        channels.clear();
        deltas.clear();
        for &(label, t) in &touches {
            let d = end.saturating_sub(t);
            if lookback.is_some_and(|l| d > l) {
                continue;
            }
            if options.collapse_repeats && channels.last() == Some(&label) {
                // A collapsed run keeps the time of its last touch.
                if let Some(last) = deltas.last_mut() {
                    *last = d;
                }
                continue;
            }
            channels.push(label);
            deltas.push(d);
        }
        if channels.is_empty() && conversion.is_none() {
            continue;
        }
        f(
            &labels,
            Journey {
                channels: &channels,
                deltas: &deltas,
                converted: conversion.is_some(),
                value: conversion.map_or(0.0, |(_, v)| v),
            },
        );
    }
    Ok(())
}
