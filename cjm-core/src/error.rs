//! Errors as data.
//!
//! Design (after pydantic-core and jiff): every failure has a stable, snake_case `code`
//! that tests and callers match on, and a human message that may be reworded at any time.
//! Failures about a document carry *all* problems found, each with its own code and a
//! JSON path into the document (`touchpoints[3].stage`; the empty string is the root), so
//! an editor can mark every field at once. Messages are lowercase, without a trailing
//! period, and quote values in backticks.
//!
//! The codes are typed: [`ProblemCode`] for document problems, [`InputCode`] for input
//! errors; `tests/error_catalogue.rs` checks that `docs/errors.md` documents exactly
//! these and that every input code is produced somewhere.
//!
//! The bindings map [`Error`] onto their languages: Python raises a `CjmError(ValueError)`
//! subclass with `.code`, `.path` and `.problems`; JavaScript throws an `Error` with the
//! same fields. [`Error::code`] and [`Error::path`] are those of the first problem.

use serde::Serialize;
use std::fmt;

/// The stable codes of document problems. The catalogue with examples is
/// `docs/errors.md`; a code, once published, never changes meaning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// The text is not JSON (the message gives line and column).
    InvalidJson,
    /// The document is larger than the size limit.
    DocumentTooLarge,
    /// Objects and arrays are nested deeper than the depth limit.
    TooDeep,
    /// A string is longer than the string limit.
    StringTooLong,
    /// An array has more items than the item limit.
    TooManyItems,
    /// `schema_version` is newer than this build understands (or not a known version).
    UnsupportedSchemaVersion,
    /// A value has the wrong JSON type.
    WrongType,
    /// A required field is absent.
    MissingField,
    /// A field that the format does not define (use `extensions` for own data).
    UnknownField,
    /// An object names the same field twice.
    DuplicateKey,
    /// A string is not one of the allowed values.
    InvalidValue,
    /// A number is NaN or infinite.
    NotFinite,
    /// A number is outside its allowed range.
    OutOfRange,
    /// A number must be whole.
    NotAnInteger,
    /// A name or other required text is empty or only white space.
    EmptyText,
    /// An id is not a slug (`[A-Za-z0-9][A-Za-z0-9_.-]*`, at most 128 characters).
    InvalidId,
    /// Two items of one kind share an id.
    DuplicateId,
    /// A reference names an item that does not exist.
    DanglingReference,
    /// Two references on one item contradict each other.
    InconsistentReference,
    /// An item needs a scope (stage or touchpoint) and has none.
    MissingScope,
    /// An item has two scopes where only one is allowed.
    ConflictingScope,
    /// A date is not a real `YYYY-MM-DD` calendar date.
    InvalidDate,
    /// A duration is not `<number><unit>` with unit `s`, `m`, `h`, `d` or `w`.
    InvalidDuration,
    /// A scale whose `min` is not below its `max`.
    InvalidScale,
    /// An emotion value outside its declared scale.
    OutsideScale,
}

impl ProblemCode {
    /// The stable string form, as serialised.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::DocumentTooLarge => "document_too_large",
            Self::TooDeep => "too_deep",
            Self::StringTooLong => "string_too_long",
            Self::TooManyItems => "too_many_items",
            Self::UnsupportedSchemaVersion => "unsupported_schema_version",
            Self::WrongType => "wrong_type",
            Self::MissingField => "missing_field",
            Self::UnknownField => "unknown_field",
            Self::DuplicateKey => "duplicate_key",
            Self::InvalidValue => "invalid_value",
            Self::NotFinite => "not_finite",
            Self::OutOfRange => "out_of_range",
            Self::NotAnInteger => "not_an_integer",
            Self::EmptyText => "empty_text",
            Self::InvalidId => "invalid_id",
            Self::DuplicateId => "duplicate_id",
            Self::DanglingReference => "dangling_reference",
            Self::InconsistentReference => "inconsistent_reference",
            Self::MissingScope => "missing_scope",
            Self::ConflictingScope => "conflicting_scope",
            Self::InvalidDate => "invalid_date",
            Self::InvalidDuration => "invalid_duration",
            Self::InvalidScale => "invalid_scale",
            Self::OutsideScale => "outside_scale",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stable codes of input errors ([`Error::Input`]): tabular input (event rows,
/// survey answers, path tables), options and arguments. The catalogue with examples and
/// fixes is `docs/errors.md`; a code, once published, never changes meaning.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InputCode {
    /// An event row without customer id (null or empty).
    MissingCustomer,
    /// An event row whose customer id is only white space, holds a NUL character or is not UTF-8.
    InvalidCustomer,
    /// An event row without timestamp.
    MissingTimestamp,
    /// Timestamps (or an `as_of`, `since`, `start`, `end` option) without a time zone, and `assume_utc` not set.
    NaiveTimestamp,
    /// A timestamp that cannot be read or lies outside 1677–2262.
    InvalidTimestamp,
    /// An event row without event name.
    MissingEvent,
    /// An event row whose event name is only white space, holds a NUL character or is not UTF-8.
    InvalidEvent,
    /// An event `value` that is not a number.
    InvalidValue,
    /// An event `value` that is NaN or infinite.
    NonFiniteValue,
    /// An exact duplicate of an earlier row, when deduplication is asked for.
    Duplicate,
    /// A survey answer that is not a whole number on its scale.
    OutOfScale,
    /// A survey answer or a number of a path-table row that is NaN or infinite.
    NotFinite,
    /// A path-table number beyond ±2⁶⁰ or negative, or a conversion value too large to sum exactly.
    OutOfRange,
    /// A path table made into an attribution state whose counts are not whole.
    NotAnInteger,
    /// A path-table row whose path has an empty channel between separators.
    InvalidPath,
    /// A path-table row whose times to conversion are not one per touch.
    InvalidTimes,
    /// A channel an attribution result does not hold (Python `Attribution.credit`).
    UnknownChannel,
    /// A model an attribution result has no credit for (Python `Attribution.credit`).
    UnknownModel,
    /// Columns of one table with different lengths.
    ColumnLengthMismatch,
    /// A Markov chain too large to solve in about a second.
    TooManyStates,
    /// A survey with more than 100 000 `(scope, segment)` groups.
    TooManyGroups,
    /// An event log of more events than one log holds (2³² − 1).
    TooManyEvents,
    /// Rows were read and none is in the log (raised in strict mode, else a warning).
    NoRowsUsed,
    /// A warning, never raised: a log operation left no events of a non-empty log.
    EmptyLog,
    /// A column named when loading an event log that the data lacks, or none of a role's usual names.
    MissingColumn,
    /// A breakdown or touch column the event log lacks (or holds no value in).
    UnknownColumn,
    /// A role's column not named, and the data has two or more of its usual names.
    AmbiguousColumn,
    /// An event name (filter, funnel step, retention, trends, drivers, attribution) the log does not contain.
    UnknownEvent,
    /// A log filter names a customer the log does not hold.
    UnknownCustomer,
    /// A log filter names a value no event has in that column.
    UnknownValue,
    /// CSV text that cannot be read (not UTF-8, a broken gzip stream…).
    InvalidCsv,
    /// A file that is not Parquet or whose pages cannot be decoded.
    InvalidParquet,
    /// (Python) a `pyarrow.RecordBatchReader` given to cjm before.
    ConsumedStream,
    /// A pseudonymisation key that is empty.
    InvalidKey,
    /// A funnel definition that cannot be evaluated.
    InvalidFunnel,
    /// An option out of its range or of the wrong form (the message names it and its range).
    InvalidOption,
    /// A column of a type its role cannot read, or an argument of the wrong type.
    WrongType,
    /// Mergeable states built with different scales.
    ScaleMismatch,
    /// Mergeable states built with different definitions.
    IncompatibleStates,
    /// Bytes that are not a cjm state.
    InvalidState,
    /// A state version this build does not read.
    UnsupportedStateVersion,
    /// A table name a result does not have.
    UnknownTable,
}

impl InputCode {
    /// The stable string form, as serialised.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingCustomer => "missing_customer",
            Self::InvalidCustomer => "invalid_customer",
            Self::MissingTimestamp => "missing_timestamp",
            Self::NaiveTimestamp => "naive_timestamp",
            Self::InvalidTimestamp => "invalid_timestamp",
            Self::MissingEvent => "missing_event",
            Self::InvalidEvent => "invalid_event",
            Self::InvalidValue => "invalid_value",
            Self::NonFiniteValue => "non_finite_value",
            Self::Duplicate => "duplicate",
            Self::OutOfScale => "out_of_scale",
            Self::NotFinite => "not_finite",
            Self::OutOfRange => "out_of_range",
            Self::NotAnInteger => "not_an_integer",
            Self::InvalidPath => "invalid_path",
            Self::InvalidTimes => "invalid_times",
            Self::UnknownChannel => "unknown_channel",
            Self::UnknownModel => "unknown_model",
            Self::ColumnLengthMismatch => "column_length_mismatch",
            Self::TooManyStates => "too_many_states",
            Self::TooManyGroups => "too_many_groups",
            Self::TooManyEvents => "too_many_events",
            Self::NoRowsUsed => "no_rows_used",
            Self::EmptyLog => "empty_log",
            Self::MissingColumn => "missing_column",
            Self::UnknownColumn => "unknown_column",
            Self::AmbiguousColumn => "ambiguous_column",
            Self::UnknownEvent => "unknown_event",
            Self::UnknownCustomer => "unknown_customer",
            Self::UnknownValue => "unknown_value",
            Self::InvalidCsv => "invalid_csv",
            Self::InvalidParquet => "invalid_parquet",
            Self::ConsumedStream => "consumed_stream",
            Self::InvalidKey => "invalid_key",
            Self::InvalidFunnel => "invalid_funnel",
            Self::InvalidOption => "invalid_option",
            Self::WrongType => "wrong_type",
            Self::ScaleMismatch => "scale_mismatch",
            Self::IncompatibleStates => "incompatible_states",
            Self::InvalidState => "invalid_state",
            Self::UnsupportedStateVersion => "unsupported_state_version",
            Self::UnknownTable => "unknown_table",
        }
    }
}

impl fmt::Display for InputCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// Stable code.
    pub code: ProblemCode,
    /// JSON path of the offending value (`touchpoints[3].stage`; `""` is the root).
    pub path: String,
    /// Human explanation; wording may change between versions.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{} at `{}`: {}", self.code, self.path, self.message)
        }
    }
}

/// Every problem of one document, in document order (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// The problems as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "invalid document: {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// The one error type of `cjm-core`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A journey document (or another document-like input) has problems.
    #[error("{0}")]
    Document(Problems),
    /// Tabular input (event rows, survey answers, options) that cannot be used: the code
    /// says why, `row` is the 0-based index of the first offending row when there is one.
    #[error("{message}")]
    Input {
        /// Stable code (`out_of_scale`, `not_finite`, `invalid_timestamp`, `invalid_option`…).
        code: InputCode,
        /// 0-based index of the first offending row, when the problem is in a row.
        row: Option<usize>,
        /// Human explanation.
        message: String,
    },
    /// No built-in template has this name.
    #[error("unknown template `{name}`; known templates: {known}")]
    UnknownTemplate {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        known: String,
    },
}

impl Error {
    /// The stable code: for a document error, the code of its first problem.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Document(problems) => problems
                .0
                .first()
                .map_or("invalid_document", |p| p.code.as_str()),
            Self::Input { code, .. } => code.as_str(),
            Self::UnknownTemplate { .. } => "unknown_template",
        }
    }

    /// The 0-based row of an input error, when the problem is in a row.
    #[must_use]
    pub fn row(&self) -> Option<usize> {
        match self {
            Self::Input { row, .. } => *row,
            _ => None,
        }
    }

    /// The error family, used by the bindings to choose an exception class.
    #[must_use]
    pub fn family(&self) -> &'static str {
        match self {
            Self::Document(_) => "document",
            Self::Input { .. } => "input",
            Self::UnknownTemplate { .. } => "template",
        }
    }

    /// The JSON path of the first problem (`""` when the error is not about a place).
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            Self::Document(problems) => problems.0.first().map_or("", |p| p.path.as_str()),
            Self::Input { .. } | Self::UnknownTemplate { .. } => "",
        }
    }

    /// Every problem of a document error, in document order; empty for errors that are
    /// not about a document (their code and message say everything).
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Document(problems) => &problems.0,
            Self::Input { .. } | Self::UnknownTemplate { .. } => &[],
        }
    }

    /// The error's data as one value, for a binding to attach to the exception it raises
    /// (JavaScript's `CjmError` carries all of it as its fields, besides `name` and
    /// `message`; Python's exceptions carry the code, the path or row and the problems).
    #[must_use]
    pub fn data(&self) -> ErrorData<'_> {
        ErrorData {
            code: self.code(),
            path: self.path(),
            family: self.family(),
            row: self.row(),
            problems: self.problems(),
        }
    }
}

/// The data of an [`Error`] ([`Error::data`]): the fields of JavaScript's `CjmError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorData<'a> {
    /// [`Error::code`].
    pub code: &'static str,
    /// [`Error::path`].
    pub path: &'a str,
    /// [`Error::family`].
    pub family: &'static str,
    /// [`Error::row`] (`null` when none).
    pub row: Option<usize>,
    /// [`Error::problems`].
    pub problems: &'a [Problem],
}

/// At most this many of the data's columns are listed in a message.
const LISTED_COLUMNS: usize = 30;

/// Names quoted for a message, each an [`excerpt`]: `` `a`, `b` ``.
pub(crate) fn quoted<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{}`", excerpt(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A message's "its columns are `a`, `b`, …" (at most [`LISTED_COLUMNS`]).
pub(crate) fn its_columns<S: AsRef<str>>(columns: &[S]) -> String {
    if columns.is_empty() {
        return "it has no columns".to_owned();
    }
    let shown = quoted(columns.iter().take(LISTED_COLUMNS).map(AsRef::as_ref));
    let more = columns.len().saturating_sub(LISTED_COLUMNS);
    if more > 0 {
        format!("its columns are {shown} and {more} more")
    } else {
        format!("its columns are {shown}")
    }
}

/// Most characters of an input value that a message quotes (see [`excerpt`]).
pub const EXCERPT_CHARS: usize = 40;

/// A value from the input as messages quote it: at most [`EXCERPT_CHARS`] characters,
/// then `…` when it was longer, with control characters escaped (`\n`, `\u{0}`). Every
/// message that quotes a value of a document or of tabular input goes through this, so
/// an error never carries more than a short excerpt of what was read (a file's content
/// passed where a path was meant, a secret in a column) in any binding.
#[must_use]
pub fn excerpt(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(EXCERPT_CHARS * 4) + 3);
    for (i, c) in value.chars().enumerate() {
        if i == EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
