//! What the ingest report names: why a row was not used ([`RejectReason`]), the
//! likely mistakes that did not stop a read ([`IngestWarning`]) and the operations applied
//! to the log since ([`AppliedOperation`]). Apart from the builder (`log`), the time
//! readers, the checks and the operations (`ops`), so each of them can name these without
//! importing the others.

use crate::definition::Definition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why an input row was not used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Customer id null or empty.
    MissingCustomer,
    /// Customer id only white space, or holding a NUL character (or bytes that are not
    /// UTF-8).
    InvalidCustomer,
    /// Timestamp null or empty.
    MissingTimestamp,
    /// Timestamp not readable, or outside 1677–2262.
    InvalidTimestamp,
    /// Event name null or empty.
    MissingEvent,
    /// Event name only white space, or holding a NUL character (or bytes that are not
    /// UTF-8).
    InvalidEvent,
    /// Value not a number.
    InvalidValue,
    /// Value NaN or infinite.
    NonFiniteValue,
    /// Exact duplicate of an earlier row (with `dedup`).
    Duplicate,
}

impl RejectReason {
    /// The input-error code of this reason (raised in strict mode).
    #[must_use]
    pub fn input_code(self) -> crate::InputCode {
        use crate::InputCode;
        match self {
            Self::MissingCustomer => InputCode::MissingCustomer,
            Self::InvalidCustomer => InputCode::InvalidCustomer,
            Self::MissingTimestamp => InputCode::MissingTimestamp,
            Self::InvalidTimestamp => InputCode::InvalidTimestamp,
            Self::MissingEvent => InputCode::MissingEvent,
            Self::InvalidEvent => InputCode::InvalidEvent,
            Self::InvalidValue => InputCode::InvalidValue,
            Self::NonFiniteValue => InputCode::NonFiniteValue,
            Self::Duplicate => InputCode::Duplicate,
        }
    }

    /// The stable code, as serialised (also the error code in strict mode).
    #[must_use]
    pub fn code(self) -> &'static str {
        self.input_code().as_str()
    }
}

/// A likely mistake found while reading an event log that did not stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IngestWarning {
    /// Stable code (`no_rows_used`).
    pub code: String,
    /// Human explanation, naming the fix.
    pub message: String,
}

/// An operation applied to a log after ingest, as the report records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AppliedOperation {
    /// The operation (kind `log_filter`, `log_sample` or `log_sessionize`) and its options,
    /// with their hash.
    pub definition: Definition,
    /// Events before the operation.
    pub events_before: u64,
    /// Events after it.
    pub events_after: u64,
    /// Customers before the operation.
    pub customers_before: u64,
    /// Customers after it.
    pub customers_after: u64,
}
