//! Which columns of the input hold which fields of an event ([`ColumnMapping`]) and how
//! its timestamps are written ([`TimestampFormat`]): named by the builder and the ingest
//! report (`log`), found and read by `csv_in`, so neither imports the other for them.

use super::time::TimeUnit;
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
