//! Which columns hold what (a mapping, a preset of a common export, or the usual names
//! found in the data's header), and CSV input.
//!
//! The rule that finds a column by its usual names lives here once, for CSV, Arrow data
//! (Python) and JavaScript alike: [`ColumnChoice::resolve`].

use super::log::{EventLog, EventLogBuilder, IngestReport, RawEvent};
use super::mapping::{ColumnMapping, TimestampFormat};
use super::report::RejectReason;
use super::time::{naive_timestamp_error, read_text_timestamp, TimeUnit};
use crate::error::{excerpt, its_columns, quoted, Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};

/// Column mappings of common exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// GA4 BigQuery export flattened to CSV: `user_pseudo_id`, `event_name`,
    /// `event_timestamp` (integer microseconds), value `event_value_in_usd`, channel
    /// `collected_traffic_source.manual_medium`.
    ///
    /// The channel is the event's own traffic source: the record
    /// `collected_traffic_source` holds the campaign parameters (`utm_medium`…) collected
    /// with that event, where `traffic_source` is the user's first acquisition (the same
    /// for every event of a user) and `session_traffic_source_last_click` the session's.
    /// Flattened, the record's field keeps its path as the column name
    /// (`collected_traffic_source.manual_medium`, as BigQuery shows it and as
    /// `pandas.json_normalize` writes it); an export that aliased it otherwise names it
    /// with `channel`. Read through a [`ColumnChoice`], the value and channel columns are
    /// optional: read when the export has them.
    Ga4,
    /// Segment / RudderStack `track` calls: `userId` else `anonymousId`, `event`,
    /// `timestamp` (ISO-8601 with offset).
    Segment,
    /// Snowplow enriched events: `domain_userid`, `event_name`, `collector_tstamp`
    /// (ISO-8601 text, UTC by Snowplow's definition, so read as UTC), session
    /// `domain_sessionid`, channel `mkt_medium`, value `tr_total`.
    Snowplow,
    /// XES-style process-mining logs: `case:concept:name`, `concept:name`,
    /// `time:timestamp` (ISO-8601 with offset).
    Xes,
}

impl Preset {
    /// Every preset, in the order of the docs.
    pub const ALL: [Self; 4] = [Self::Ga4, Self::Segment, Self::Snowplow, Self::Xes];

    /// The preset's name (`ga4`, `segment`, `snowplow`, `xes`), as serialised.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ga4 => "ga4",
            Self::Segment => "segment",
            Self::Snowplow => "snowplow",
            Self::Xes => "xes",
        }
    }

    /// The preset of a name (`ga4`, `segment`, `snowplow`, `xes`).
    ///
    /// # Errors
    /// `invalid_option` for any other name, listing the presets.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: format!(
                    "unknown preset `{}`; presets are {}",
                    excerpt(name),
                    quoted(Self::ALL.iter().map(|p| p.name()))
                ),
            })
    }

    /// The columns of this preset: every column the export may have. Read through a
    /// [`ColumnChoice`] (`read_csv(…, Preset::Ga4, …)`), the optional ones (channel,
    /// session, value, consent) are read when the data has them; as a plain
    /// [`ColumnMapping`], every column named here must be there.
    #[must_use]
    pub fn mapping(self) -> ColumnMapping {
        let s = |x: &str| x.to_owned();
        match self {
            Self::Ga4 => ColumnMapping {
                customer: vec![s("user_pseudo_id")],
                timestamp: s("event_timestamp"),
                timestamp_format: TimestampFormat::Integer {
                    unit: TimeUnit::Microseconds,
                },
                event: s("event_name"),
                channel: Some(s("collected_traffic_source.manual_medium")),
                session: None,
                value: Some(s("event_value_in_usd")),
                consent: None,
            },
            Self::Segment => ColumnMapping {
                customer: vec![s("userId"), s("anonymousId")],
                timestamp: s("timestamp"),
                timestamp_format: TimestampFormat::Iso8601 { assume_utc: false },
                event: s("event"),
                channel: None,
                session: None,
                value: None,
                consent: None,
            },
            Self::Snowplow => ColumnMapping {
                customer: vec![s("domain_userid")],
                timestamp: s("collector_tstamp"),
                timestamp_format: TimestampFormat::Iso8601 { assume_utc: true },
                event: s("event_name"),
                channel: Some(s("mkt_medium")),
                session: Some(s("domain_sessionid")),
                value: Some(s("tr_total")),
                consent: None,
            },
            Self::Xes => ColumnMapping {
                customer: vec![s("case:concept:name")],
                timestamp: s("time:timestamp"),
                timestamp_format: TimestampFormat::Iso8601 { assume_utc: false },
                event: s("concept:name"),
                channel: None,
                session: None,
                value: None,
                consent: None,
            },
        }
    }
}

impl ColumnMapping {
    /// The mapping of a preset.
    #[must_use]
    pub fn preset(preset: Preset) -> Self {
        preset.mapping()
    }
}

/// Customer id columns looked for, in this order, when none is named and no preset is
/// given: exactly one of them must be in the data.
pub const USUAL_CUSTOMER_COLUMNS: &[&str] = &[
    "customer",
    "customer_id",
    "user_id",
    "userId",
    "user_pseudo_id",
    "distinct_id",
    "case:concept:name",
];

/// Timestamp columns looked for, in this order, when none is named and no preset is
/// given: exactly one of them must be in the data.
pub const USUAL_TIMESTAMP_COLUMNS: &[&str] = &[
    "timestamp",
    "event_time",
    "time",
    "ts",
    "event_timestamp",
    "time:timestamp",
];

/// Event name columns looked for, in this order, when none is named and no preset is
/// given: exactly one of them must be in the data. (`name` alone is not one: it names a
/// product or a page as often as an event.)
pub const USUAL_EVENT_COLUMNS: &[&str] = &["event", "event_name", "event_type", "concept:name"];

/// The columns a caller named, any of them left out (JavaScript's `mapping` option;
/// Python's keyword arguments). What is left out comes from the preset, if any, and the
/// customer, timestamp and event columns otherwise from their usual names (the rule of
/// `ColumnChoice`). A complete `ColumnMapping` reads as one of these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnNames {
    /// Customer id columns: the first non-empty one of a row is used (empty: not named).
    pub customer: Vec<String>,
    /// Timestamp column.
    pub timestamp: Option<String>,
    /// How the timestamp is written (default: the preset's, else ISO-8601).
    pub timestamp_format: Option<TimestampFormat>,
    /// Event name column.
    pub event: Option<String>,
    /// Channel column.
    pub channel: Option<String>,
    /// Session id column.
    pub session: Option<String>,
    /// Value (revenue) column.
    pub value: Option<String>,
    /// Consent column.
    pub consent: Option<String>,
}

impl From<ColumnMapping> for ColumnNames {
    fn from(m: ColumnMapping) -> Self {
        Self {
            customer: m.customer,
            timestamp: Some(m.timestamp),
            timestamp_format: Some(m.timestamp_format),
            event: Some(m.event),
            channel: m.channel,
            session: m.session,
            value: m.value,
            consent: m.consent,
        }
    }
}

/// What a caller said about the columns: a preset, column names (which win over the
/// preset's), both or neither. [`Self::resolve`] turns it into the [`ColumnMapping`] of a
/// given header.
///
/// The rule, for each field:
///
/// - a column **named** by the caller must be in the data (`missing_column`);
/// - else the **preset's** column: the customer, timestamp and event columns must be in
///   the data, the optional ones (channel, session, value, consent) are read when they are;
/// - else, for the customer, timestamp and event columns only, the **usual names**
///   ([`USUAL_CUSTOMER_COLUMNS`], [`USUAL_TIMESTAMP_COLUMNS`], [`USUAL_EVENT_COLUMNS`]):
///   exactly one of them must be in the data — none is `missing_column` (listing the
///   usual names and the data's columns), two or more `ambiguous_column` (naming them and
///   the argument to pass). Names are compared exactly (case included). Optional columns
///   are never guessed.
///
/// The timestamp format is the caller's, else the preset's, else ISO-8601; ISO-8601 text
/// without offset is read as UTC when the format or the ingest options say so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnChoice {
    /// The preset of a common export.
    pub preset: Option<Preset>,
    /// The columns named by the caller.
    pub names: ColumnNames,
}

impl From<ColumnNames> for ColumnChoice {
    fn from(names: ColumnNames) -> Self {
        Self {
            preset: None,
            names,
        }
    }
}

impl From<&ColumnMapping> for ColumnChoice {
    /// Every column named: each must be in the data.
    fn from(m: &ColumnMapping) -> Self {
        ColumnNames::from(m.clone()).into()
    }
}

impl From<&ColumnChoice> for ColumnChoice {
    fn from(c: &ColumnChoice) -> Self {
        c.clone()
    }
}

impl From<Preset> for ColumnChoice {
    fn from(preset: Preset) -> Self {
        Self {
            preset: Some(preset),
            names: ColumnNames::default(),
        }
    }
}

/// The field a column is read for: its argument name and what it holds.
#[derive(Clone, Copy)]
struct Field {
    argument: &'static str,
    role: &'static str,
    usual: &'static [&'static str],
}

const CUSTOMER: Field = Field {
    argument: "customer",
    role: "customer id",
    usual: USUAL_CUSTOMER_COLUMNS,
};
const TIMESTAMP: Field = Field {
    argument: "timestamp",
    role: "timestamp",
    usual: USUAL_TIMESTAMP_COLUMNS,
};
const EVENT: Field = Field {
    argument: "event",
    role: "event name",
    usual: USUAL_EVENT_COLUMNS,
};
fn how_to_name(argument: &str) -> String {
    format!("Python `{argument}=\"…\"`, JS `mapping.{argument}`")
}

impl ColumnChoice {
    /// Every column the choice may read from data with any header: the named ones, the
    /// preset's, and the usual names of the customer, timestamp and event columns that
    /// neither gives (for callers that narrow the data to the columns read).
    #[must_use]
    pub fn candidate_columns(&self) -> Vec<String> {
        let base = self.preset.map(Preset::mapping);
        let n = &self.names;
        let mut out: Vec<String> = Vec::new();
        let mut push = |name: &str| {
            if !out.iter().any(|c| c == name) {
                out.push(name.to_owned());
            }
        };
        let customer = if n.customer.is_empty() {
            base.as_ref()
                .map(|b| b.customer.clone())
                .unwrap_or_default()
        } else {
            n.customer.clone()
        };
        if customer.is_empty() {
            CUSTOMER.usual.iter().for_each(|c| push(c));
        }
        customer.iter().for_each(|c| push(c));
        for (named, preset, field) in [
            (&n.timestamp, base.as_ref().map(|b| &b.timestamp), TIMESTAMP),
            (&n.event, base.as_ref().map(|b| &b.event), EVENT),
        ] {
            match named.as_ref().or(preset) {
                Some(c) => push(c),
                None => field.usual.iter().for_each(|c| push(c)),
            }
        }
        let optional = |f: fn(&ColumnNames) -> &Option<String>,
                        g: fn(&ColumnMapping) -> &Option<String>| {
            f(n).clone()
                .or_else(|| base.as_ref().and_then(|b| g(b).clone()))
        };
        for c in [
            optional(|n| &n.channel, |b| &b.channel),
            optional(|n| &n.session, |b| &b.session),
            optional(|n| &n.value, |b| &b.value),
            optional(|n| &n.consent, |b| &b.consent),
        ]
        .into_iter()
        .flatten()
        {
            push(&c);
        }
        out
    }

    /// The mapping of data whose columns are `columns` (the CSV header, the Arrow
    /// schema's field names), by the rule of [`ColumnChoice`]; ISO-8601 text without
    /// offset is read as UTC when `assume_utc` is true.
    ///
    /// # Errors
    /// `missing_column` when a named or required preset column is absent, or none of a
    /// field's usual names is there; `ambiguous_column` when several are. The message
    /// lists the data's columns and says which argument names the column.
    pub fn resolve<S: AsRef<str>>(&self, columns: &[S], assume_utc: bool) -> Result<ColumnMapping> {
        let has = |name: &str| columns.iter().any(|c| c.as_ref() == name);
        let base = self.preset.map(Preset::mapping);
        let n = &self.names;
        let missing = |message: String| Error::Input {
            code: crate::InputCode::MissingColumn,
            row: None,
            message,
        };
        let named = |name: &str, argument: &str| -> Result<()> {
            if has(name) {
                return Ok(());
            }
            Err(missing(format!(
                "the data has no column `{}` (named as the `{argument}` column); {}",
                excerpt(name),
                its_columns(columns)
            )))
        };
        let from_preset = |name: &str, role: &str, argument: &str| -> Result<()> {
            if has(name) {
                return Ok(());
            }
            let preset = self.preset.map_or("", Preset::name);
            Err(missing(format!(
                "the data has no column `{}`, which the `{preset}` preset reads as the {role} \
                 column; {}; name the {role} column ({})",
                excerpt(name),
                its_columns(columns),
                how_to_name(argument)
            )))
        };
        let usual = |field: Field| -> Result<String> {
            let found: Vec<&str> = field.usual.iter().copied().filter(|c| has(c)).collect();
            match found.as_slice() {
                [one] => Ok((*one).to_owned()),
                [] => Err(missing(format!(
                    "no {} column: the data has none of the usual names {}; {}; name the \
                     column ({}) or give a `preset`",
                    field.role,
                    quoted(field.usual.iter().copied()),
                    its_columns(columns),
                    how_to_name(field.argument)
                ))),
                several => Err(Error::Input {
                    code: crate::InputCode::AmbiguousColumn,
                    row: None,
                    message: format!(
                        "the data has several columns with a usual name of the {} column \
                         ({}); name the one to use ({})",
                        field.role,
                        quoted(several.iter().copied()),
                        how_to_name(field.argument)
                    ),
                }),
            }
        };
        let required = |named_cols: &[String], preset_cols: Option<&[String]>, field: Field| {
            if !named_cols.is_empty() {
                for c in named_cols {
                    named(c, field.argument)?;
                }
                Ok(named_cols.to_vec())
            } else if let Some(cols) = preset_cols.filter(|c| !c.is_empty()) {
                for c in cols {
                    from_preset(c, field.role, field.argument)?;
                }
                Ok(cols.to_vec())
            } else {
                usual(field).map(|c| vec![c])
            }
        };
        let one = |v: Vec<String>| v.into_iter().next().unwrap_or_default();
        let customer = required(
            &n.customer,
            base.as_ref().map(|b| b.customer.as_slice()),
            CUSTOMER,
        )?;
        let timestamp = one(required(
            n.timestamp.as_slice(),
            base.as_ref().map(|b| std::slice::from_ref(&b.timestamp)),
            TIMESTAMP,
        )?);
        let event = one(required(
            n.event.as_slice(),
            base.as_ref().map(|b| std::slice::from_ref(&b.event)),
            EVENT,
        )?);
        let optional = |named_col: &Option<String>,
                        preset_col: Option<&Option<String>>,
                        argument: &str|
         -> Result<Option<String>> {
            if let Some(c) = named_col {
                named(c, argument)?;
                return Ok(Some(c.clone()));
            }
            Ok(preset_col.cloned().flatten().filter(|c| has(c)))
        };
        let channel = optional(&n.channel, base.as_ref().map(|b| &b.channel), "channel")?;
        let session = optional(&n.session, base.as_ref().map(|b| &b.session), "session")?;
        let value = optional(&n.value, base.as_ref().map(|b| &b.value), "value")?;
        let consent = optional(&n.consent, base.as_ref().map(|b| &b.consent), "consent")?;
        let timestamp_format = match n
            .timestamp_format
            .or_else(|| base.as_ref().map(|b| b.timestamp_format))
            .unwrap_or_default()
        {
            TimestampFormat::Iso8601 { assume_utc: utc } => TimestampFormat::Iso8601 {
                assume_utc: utc || assume_utc,
            },
            other => other,
        };
        Ok(ColumnMapping {
            customer,
            timestamp,
            timestamp_format,
            event,
            channel,
            session,
            value,
            consent,
        })
    }
}

fn parse_consent(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "granted" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "denied" => Some(false),
        _ => None,
    }
}

fn find(headers: &csv::StringRecord, name: &str) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::Input {
            code: crate::InputCode::MissingColumn,
            row: None,
            message: format!("the CSV has no column `{}`", excerpt(name)),
        })
}

fn find_opt(headers: &csv::StringRecord, name: Option<&String>) -> Result<Option<usize>> {
    name.map(|n| find(headers, n)).transpose()
}

/// The gzip magic bytes (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads CSV text (with a header row) into a log; gzip-compressed input (a `.csv.gz`
/// file, recognised by its magic bytes, whatever its name) is decompressed on the fly.
/// Rows are numbered from 0 after the header. The builder's options give dedup, strictness, consent rule, row offset and
/// the extra columns to keep (looked up by header name). `columns` is a
/// [`ColumnMapping`] (every column named), a [`Preset`] or a [`ColumnChoice`], resolved
/// against the header by [`ColumnChoice::resolve`] (the report's `columns` says which
/// columns were read); the mapping gives the timestamp format, overriding the builder's
/// unit (text without offset is read as UTC when either the mapping or the builder's
/// `assume_utc` says so).
///
/// # Errors
/// `missing_column` when a mapped column is absent (or none of a field's usual names is
/// there), `ambiguous_column` when several usual names are, `invalid_csv` on malformed CSV
/// (with its row; for gzip input that does not decompress, a message that says gzip),
/// `naive_timestamp` for ISO-8601 timestamps without `Z` or offset when UTC is not
/// assumed, in strict mode the first unusable row, and `no_rows_used` in strict mode
/// when rows were read and none is usable.
pub fn read_csv<R: Read>(
    reader: R,
    columns: impl Into<ColumnChoice>,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
    let choice: ColumnChoice = columns.into();
    let mapping = &choice;
    let mut reader = BufReader::new(reader);
    let gzip = reader
        .fill_buf()
        .map(|head| head.starts_with(&GZIP_MAGIC))
        .unwrap_or(false);
    if gzip {
        read_csv_plain(
            flate2::bufread::MultiGzDecoder::new(reader),
            mapping,
            builder,
            true,
        )
    } else {
        read_csv_plain(reader, mapping, builder, false)
    }
}

fn read_csv_plain<R: Read>(
    reader: R,
    choice: &ColumnChoice,
    builder: EventLogBuilder,
    gzip: bool,
) -> Result<(EventLog, IngestReport)> {
    let what = if gzip { "gzip-compressed CSV" } else { "CSV" };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Input {
            code: crate::InputCode::InvalidCsv,
            row: None,
            message: format!("cannot read the header of the {what}: {}", csv_error(&e)),
        })?
        .clone();
    let names: Vec<&str> = headers.iter().collect();
    let resolved = choice.resolve(&names, builder.assumes_utc())?;
    let mapping = &resolved;
    let customer_cols = mapping
        .customer
        .iter()
        .map(|c| find(&headers, c))
        .collect::<Result<Vec<_>>>()?;
    if customer_cols.is_empty() {
        return Err(Error::Input {
            code: crate::InputCode::MissingColumn,
            row: None,
            message: "the mapping names no customer column".to_owned(),
        });
    }
    let ts_col = find(&headers, &mapping.timestamp)?;
    let event_col = find(&headers, &mapping.event)?;
    let channel_col = find_opt(&headers, mapping.channel.as_ref())?;
    let session_col = find_opt(&headers, mapping.session.as_ref())?;
    let value_col = find_opt(&headers, mapping.value.as_ref())?;
    let consent_col = find_opt(&headers, mapping.consent.as_ref())?;
    let extra_cols = builder
        .extra_column_names()
        .iter()
        .map(|c| find(&headers, c))
        .collect::<Result<Vec<_>>>()?;

    let mut b = builder.columns(resolved.clone());
    // UTC is assumed when the mapping or the ingest options say so.
    let utc = b.assumes_utc();
    let mut record = csv::StringRecord::new();
    let mut index = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(Error::Input {
                    code: crate::InputCode::InvalidCsv,
                    row: Some(index),
                    message: format!("malformed {what} at row `{index}`: {}", csv_error(&e)),
                })
            }
        }
        let field = |i: usize| record.get(i).filter(|s| !s.is_empty());
        let customer = customer_cols.iter().find_map(|&i| field(i));
        let ts = match field(ts_col).map(str::trim) {
            None | Some("") => Err(RejectReason::MissingTimestamp),
            Some(text) => match mapping.timestamp_format {
                TimestampFormat::Integer { unit } => text
                    .parse::<i64>()
                    .ok()
                    .and_then(|t| unit.to_nanos(t))
                    .ok_or(RejectReason::InvalidTimestamp),
                TimestampFormat::Iso8601 { assume_utc } => {
                    read_text_timestamp(text, assume_utc || utc, index as u64).map_err(|_| {
                        naive_timestamp_error(text, Some(index), Some(&mapping.timestamp))
                    })?
                }
            },
        };
        if let (Err(reason), Some(text)) = (ts, field(ts_col)) {
            b.note_sample(reason, text.trim());
        }
        let (value, value_unreadable) = match value_col.and_then(field).map(str::trim) {
            None | Some("") => (None, false),
            Some(text) => match text.parse::<f64>() {
                Ok(v) => (Some(v), false),
                Err(_) => {
                    if ts.is_ok() {
                        b.note_sample(RejectReason::InvalidValue, text);
                    }
                    (None, true)
                }
            },
        };
        // Empty (no allocation) unless extra columns are kept.
        let extra: Vec<Option<&str>> = extra_cols.iter().map(|&i| field(i)).collect();
        let row = RawEvent {
            customer,
            timestamp: super::log::TimeValue::Missing,
            event: field(event_col),
            channel: channel_col.and_then(field),
            session: session_col.and_then(field),
            value,
            consent: consent_col.and_then(field).and_then(parse_consent),
            extra: &extra,
            row: None,
        };
        b.push_parsed(&row, ts, value_unreadable)?;
        index += 1;
    }
    b.finish_checked()
}

/// A CSV error in the project's words: bytes that are not UTF-8 are named as such (with
/// the usual cause), I/O errors (a gzip stream that does not decompress) keep their text.
fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8 (save the file as UTF-8; \
             gzip-compressed files are read directly, other compressions are not)"
            .to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("a row has `{len}` fields where the header has `{expected_len}`"),
        csv::ErrorKind::Io(io) => format!("cannot read the input: {io}"),
        _ => e.to_string(),
    }
}

/// Reads CSV text with a header row; see [`read_csv`].
///
/// # Errors
/// As [`read_csv`].
pub fn read_csv_str(
    text: &str,
    columns: impl Into<ColumnChoice>,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
    read_csv(text.as_bytes(), columns, builder)
}
