//! CSV input with a column mapping, and mappings for common exports.

use super::log::{EventLog, EventLogBuilder, IngestReport, RawEvent};
use super::report::RejectReason;
use super::time::{naive_timestamp_error, read_text_timestamp, TimeUnit};
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};

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

/// The gzip magic bytes (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads CSV text (with a header row) into a log; gzip-compressed input (a `.csv.gz`
/// file, recognised by its magic bytes, whatever its name) is decompressed on the fly.
/// Rows are numbered from 0 after the header. The builder's options give dedup, strictness, consent rule, row offset and
/// the extra columns to keep (looked up by header name); the mapping gives the timestamp
/// format, overriding the builder's unit (text without offset is read as UTC when either
/// the mapping or the builder's `assume_utc` says so).
///
/// # Errors
/// `missing_column` when a mapped column is absent, `invalid_csv` on malformed CSV
/// (with its row; for gzip input that does not decompress, a message that says gzip),
/// `naive_timestamp` for ISO-8601 timestamps without `Z` or offset when UTC is not
/// assumed, in strict mode the first unusable row, and `no_rows_used` in strict mode
/// when rows were read and none is usable.
pub fn read_csv<R: Read>(
    reader: R,
    mapping: &ColumnMapping,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
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
    mapping: &ColumnMapping,
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
            code: "invalid_csv",
            row: None,
            message: format!("cannot read the header of the {what}: {}", csv_error(&e)),
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
                    code: "invalid_csv",
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
    mapping: &ColumnMapping,
    builder: EventLogBuilder,
) -> Result<(EventLog, IngestReport)> {
    read_csv(text.as_bytes(), mapping, builder)
}
