//! How a caller asks for events to be read: [`IngestSpec`], where every ingest decision
//! a binding used to make is made once.
//!
//! Python's keyword arguments of `EventLog.from_arrow` / `from_csv`, JavaScript's
//! `options` of `fromCsv` / `fromColumns` and the `columns` of `cjm.spark` are all this
//! one type, field by field. The spec decides which columns are read (a preset, names
//! that win over it, the usual names: [`ColumnChoice`]), how integer timestamps are
//! counted, that a named consent column filters rows, which extra columns are kept and
//! which of them are pseudonymised. A binding only reads its data's columns and hands
//! them to the builder this spec makes.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::csv_in::{ColumnChoice, ColumnNames, Preset};
use super::log::{ConsentRule, EventLogBuilder, IngestOptions, Pseudonymiser};
use super::mapping::TimestampFormat;
use super::time::TimeUnit;
use crate::error::{Error, Result};
use crate::ValidJourney;

/// How to read events: which columns, how their timestamps are written, and what to do
/// with rows. Every field is optional; the defaults are those of [`IngestOptions`].
///
/// Columns are named either one by one (`customer`, `timestamp`…: Python's keyword
/// arguments) or as one `mapping` object (JavaScript's), not both. Named columns win over
/// the `preset`'s; the customer, timestamp and event columns that neither names are
/// found by their usual names (the rule of [`ColumnChoice`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSpec {
    /// The columns of a common export (its optional ones are read when the data has them).
    pub preset: Option<Preset>,
    /// The columns as one object (any field left out); instead of the names one by one.
    pub mapping: Option<ColumnNames>,
    /// The customer id column, or several: the first non-empty one of a row is used.
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "Option<crate::validate::NameOrNames>")]
    pub customer: Vec<String>,
    /// The timestamp column.
    pub timestamp: Option<String>,
    /// The event name column.
    pub event: Option<String>,
    /// The channel column.
    pub channel: Option<String>,
    /// The session id column.
    pub session: Option<String>,
    /// The value (revenue) column.
    pub value: Option<String>,
    /// The consent column: when named, only rows whose flag is true are kept (the others
    /// are counted in `consent_filtered`).
    pub consent: Option<String>,
    /// The unit of integer timestamps (default: the preset's, else milliseconds; typed
    /// Arrow timestamps carry their own).
    pub unit: Option<TimeUnit>,
    /// Read ISO-8601 text without offset as UTC (otherwise it is `naive_timestamp`).
    #[serde(deserialize_with = "crate::validate::null_default")]
    pub assume_utc: bool,
    /// Drop exact duplicate rows, keeping the first (each reported as `duplicate`).
    #[serde(deserialize_with = "crate::validate::null_default")]
    pub dedup: bool,
    /// Fail on the first unusable row instead of reporting it.
    #[serde(deserialize_with = "crate::validate::null_default")]
    pub strict: bool,
    /// Replace customer and session ids by their HMAC-SHA256 under this key (text or
    /// bytes), once per distinct id; the key is never stored or shown.
    #[serde(deserialize_with = "key_text")]
    #[schemars(with = "Option<String>")]
    pub pseudonymise_key: Option<SecretKey>,
    /// Extra string columns to keep, for breakdowns and filters.
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "Option<crate::validate::NameOrNames>")]
    pub extra: Vec<String>,
    /// Extra columns holding identifiers (an e-mail, a device id), pseudonymised with the
    /// customer ids; each must be one of `extra`.
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "Option<crate::validate::NameOrNames>")]
    pub identifiers: Vec<String>,
}

/// A pseudonymisation key's bytes, which `Debug` never shows (so neither does a logged
/// [`IngestSpec`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A key given as text (its UTF-8 bytes) or bytes.
fn key_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<SecretKey>, D::Error> {
    struct Key;
    impl<'de> serde::de::Visitor<'de> for Key {
        type Value = Option<SecretKey>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a key as text or bytes")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(SecretKey(v.as_bytes().to_vec())))
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Self::Value, E> {
            Ok(Some(SecretKey(v.to_vec())))
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(Key)
}

fn invalid(message: &str) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message: message.to_owned(),
    }
}

impl IngestSpec {
    /// Whether a consent column is named (one by one or in `mapping`).
    fn consent_named(&self) -> bool {
        self.consent.is_some() || self.mapping.as_ref().is_some_and(|m| m.consent.is_some())
    }

    /// Whether any column is named one by one.
    fn names_given(&self) -> bool {
        !self.customer.is_empty()
            || [
                &self.timestamp,
                &self.event,
                &self.channel,
                &self.session,
                &self.value,
                &self.consent,
            ]
            .iter()
            .any(|n| n.is_some())
    }

    /// The columns the spec names, with the preset: resolved against the data's header
    /// by [`ColumnChoice::resolve`]. `unit` makes the timestamp column integer ticks.
    ///
    /// # Errors
    /// `invalid_option` when columns are named both one by one and in `mapping`, or
    /// `unit` is given beside `mapping.timestamp_format`.
    pub fn choice(&self) -> Result<ColumnChoice> {
        let mut names = match &self.mapping {
            Some(_) if self.names_given() => {
                return Err(invalid(
                    "name the columns either in `mapping` or one by one (`customer`, \
                     `timestamp`…), not both",
                ))
            }
            Some(m) => m.clone(),
            None => ColumnNames {
                customer: self.customer.clone(),
                timestamp: self.timestamp.clone(),
                timestamp_format: None,
                event: self.event.clone(),
                channel: self.channel.clone(),
                session: self.session.clone(),
                value: self.value.clone(),
                consent: self.consent.clone(),
            },
        };
        if let Some(unit) = self.unit {
            if names.timestamp_format.is_some() {
                return Err(invalid(
                    "give the timestamps' `unit` or `mapping.timestamp_format`, not both",
                ));
            }
            names.timestamp_format = Some(TimestampFormat::Integer { unit });
        }
        Ok(ColumnChoice {
            preset: self.preset,
            names,
        })
    }

    /// The ingest options of data with named columns: dedup, strict, UTC, the extra
    /// columns, integer timestamps in `unit`, and consent required exactly when a consent
    /// column is named (no preset has one, and it is never guessed).
    #[must_use]
    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            time_unit: self.unit.unwrap_or_default(),
            assume_utc: self.assume_utc,
            dedup: self.dedup,
            strict: self.strict,
            consent: if self.consent_named() {
                ConsentRule::Require
            } else {
                ConsentRule::Ignore
            },
            extra_columns: self.extra.clone(),
            ..IngestOptions::default()
        }
    }

    /// The ingest options of data handed over as bare columns (JavaScript's
    /// `fromColumns`: the arrays are the columns, so nothing is named, and numbers carry
    /// no unit).
    ///
    /// # Errors
    /// `invalid_option` when `unit` is missing, or a preset, a column name, `extra` or
    /// `identifiers` is given.
    pub fn bare_columns_options(&self) -> Result<IngestOptions> {
        if self.preset.is_some()
            || self.mapping.is_some()
            || self.names_given()
            || !self.extra.is_empty()
            || !self.identifiers.is_empty()
        {
            return Err(invalid(
                "columns handed over as arrays are not named: `preset`, `mapping`, column \
                 names, `extra` and `identifiers` are options of data with a header (CSV, \
                 Arrow)",
            ));
        }
        if self.unit.is_none() {
            return Err(invalid(
                "`unit` is required: `seconds`, `milliseconds`, `microseconds` or `nanoseconds`",
            ));
        }
        Ok(self.options())
    }

    /// The ingest options of one partition of a log (`cjm.spark`'s columns): as
    /// [`Self::options`], for options that mean the same per partition as for the whole.
    ///
    /// # Errors
    /// `invalid_option` for `dedup` (a duplicate may sit in another partition), `strict`,
    /// a `consent` column, `extra` or `identifiers` (a state carries none of them).
    pub fn partition_options(&self) -> Result<IngestOptions> {
        if self.dedup
            || self.strict
            || self.consent_named()
            || !self.extra.is_empty()
            || !self.identifiers.is_empty()
        {
            return Err(invalid(
                "a partition of a log is read without `dedup`, `strict`, a `consent` column, \
                 `extra` or `identifiers`: a duplicate may sit in another partition, and a \
                 state carries none of the others; filter the rows before",
            ));
        }
        Ok(self.options())
    }

    /// A builder with `options` (from [`Self::options`], adjusted to the data by the
    /// reader), the pseudonymiser and identifier columns of the spec, and `journey` bound.
    ///
    /// # Errors
    /// `invalid_key` for an empty key; `invalid_option` for identifiers without a key or
    /// outside `extra`.
    pub fn builder(
        &self,
        options: IngestOptions,
        journey: Option<&ValidJourney>,
    ) -> Result<EventLogBuilder> {
        let mut b = EventLogBuilder::new(options);
        if let Some(key) = &self.pseudonymise_key {
            b = b.pseudonymise(Pseudonymiser::new(&key.0)?);
        }
        b = b.identifiers(&self.identifiers)?;
        Ok(match journey {
            Some(j) => b.journey(j),
            None => b,
        })
    }

    /// Reads CSV (text or gzip-compressed bytes, with a header row) with this spec: its
    /// [`Self::choice`] of columns and [`Self::builder`], bound to `journey`. The columns'
    /// timestamp format decides the unit (the builder's is not used).
    ///
    /// # Errors
    /// The errors of [`Self::choice`], [`Self::builder`] and [`super::read_csv`].
    pub fn read_csv<R: std::io::Read>(
        &self,
        input: R,
        journey: Option<&ValidJourney>,
    ) -> Result<(super::EventLog, super::IngestReport)> {
        self.csv_reader(journey)?.read(input)
    }

    /// [`Self::read_csv`] in two steps: the columns and the builder decided (and their
    /// errors raised) before any byte is read, so that a caller opening a file can
    /// report a bad spec before the file's own errors.
    ///
    /// # Errors
    /// The errors of [`Self::choice`] and [`Self::builder`].
    pub fn csv_reader(&self, journey: Option<&ValidJourney>) -> Result<CsvReader> {
        let choice = self.choice()?;
        let builder = self.builder(self.options(), journey)?;
        Ok(CsvReader { choice, builder })
    }
}

/// A spec's way to read CSV, from [`IngestSpec::csv_reader`].
#[derive(Debug)]
pub struct CsvReader {
    choice: ColumnChoice,
    builder: EventLogBuilder,
}

impl CsvReader {
    /// Reads the CSV of `input` into a log.
    ///
    /// # Errors
    /// The errors of [`super::read_csv`].
    pub fn read<R: std::io::Read>(
        self,
        input: R,
    ) -> Result<(super::EventLog, super::IngestReport)> {
        super::read_csv(input, self.choice, self.builder)
    }
}
