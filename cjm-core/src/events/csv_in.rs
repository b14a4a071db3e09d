//! CSV input with a column mapping, and mappings for common exports.

use super::log::{EventLog, EventLogBuilder, IngestReport, RawEvent, RejectReason};
use super::time::{parse_iso8601, TimeUnit};
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a timestamp column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TimestampFormat {
    /// A whole number of `unit` since the epoch.
    Integer {
        /// The unit.
        unit: TimeUnit,
    },
    /// ISO-8601 text `YYYY-MM-DDTHH:MM:SS[.f]` with `Z` or `±hh:mm`.
    Iso8601 {
        /// Read text without offset as UTC (otherwise it is rejected).
        #[serde(default)]
        assume_utc: bool,
    },
}

impl Default for TimestampFormat {
    fn default() -> Self {
        Self::Iso8601 { assume_utc: false }
    }
}

/// Which CSV columns hold which fields of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// Customer id columns: the first non-empty one of a row is used (Segment:
    /// `userId`, then `anonymousId`).
    pub customer: Vec<String>,
    /// Timestamp column.
    pub timestamp: String,
    /// How the timestamp is written.
    #[serde(default)]
    pub timestamp_format: TimestampFormat,
    /// Event name column.
    pub event: String,
    /// Channel column, optional.
    #[serde(default)]
    pub channel: Option<String>,
    /// Session id column, optional.
    #[serde(default)]
    pub session: Option<String>,
    /// Value (revenue) column, optional.
    #[serde(default)]
    pub value: Option<String>,
    /// Consent column, optional (`true`/`1`/`yes`/`granted` mean consent, `false`/`0`/
    /// `no`/`denied` refusal, anything else unknown).
    #[serde(default)]
    pub consent: Option<String>,
}

/// Column mappings of common exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// GA4 BigQuery export flattened to CSV: `user_pseudo_id`, `event_name`,
    /// `event_timestamp` (integer microseconds), value `event_value_in_usd`.
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
    /// The column mapping of this preset.
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
                channel: None,
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
            code: "missing_column",
            row: None,
            message: format!("the CSV has no column `{name}`"),
        })
}

fn find_opt(headers: &csv::StringRecord, name: Option<&String>) -> Result<Option<usize>> {
    name.map(|n| find(headers, n)).transpose()
}

/// Reads CSV text (with a header row) into a log. Rows are numbered from 0 after the
/// header. The builder's options give dedup, strictness, consent rule, row offset and
/// the extra columns to keep (looked up by header name); the mapping gives the timestamp
/// format, overriding the builder's unit.
///
/// # Errors
/// `missing_column` when a mapped column is absent, `invalid_csv` on malformed CSV
/// (with its row), and in strict mode the first unusable row.
pub fn read_csv<R: std::io::Read>(
    reader: R,
    mapping: &ColumnMapping,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Input {
            code: "invalid_csv",
            row: None,
            message: format!("cannot read the CSV header: {e}"),
        })?
        .clone();
    let customer_cols = mapping
        .customer
        .iter()
        .map(|c| find(&headers, c))
        .collect::<Result<Vec<_>>>()?;
    if customer_cols.is_empty() {
        return Err(Error::Input {
            code: "missing_column",
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

    let mut b = builder;
    let mut record = csv::StringRecord::new();
    let mut index = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(Error::Input {
                    code: "invalid_csv",
                    row: Some(index),
                    message: format!("malformed CSV at row `{index}`: {e}"),
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
                    parse_iso8601(text, assume_utc).map_err(|_| RejectReason::InvalidTimestamp)
                }
            },
        };
        let (value, value_unreadable) = match value_col.and_then(field).map(str::trim) {
            None | Some("") => (None, false),
            Some(text) => match text.parse::<f64>() {
                Ok(v) => (Some(v), false),
                Err(_) => (None, true),
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
    Ok(b.finish())
}

/// Reads CSV text with a header row; see [`read_csv`].
///
/// # Errors
/// As [`read_csv`].
pub fn read_csv_str(
    text: &str,
    mapping: &ColumnMapping,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
    read_csv(text.as_bytes(), mapping, builder)
}
