//! Definitions travel with results (docs/events.md).
//!
//! Every computed result names the definition that produced it — metric method, scale,
//! funnel order and window, attribution model and parameters — and carries a short hash of
//! that definition, so two numbers from different tools or versions can be told apart. The
//! hash is the first 12 hex digits of SHA-256 over the definition's canonical JSON (keys in
//! declaration order, numbers in shortest round-trip form) prefixed with the definition
//! kind, so equal definitions hash equally in Rust, Python and JavaScript.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A definition and its short hash, attached to results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Definition {
    /// What kind of computation (`nps`, `csat`, `emotion_curve`, `health`, `funnel`…).
    pub kind: String,
    /// The parameters in force, as JSON.
    pub params: serde_json::Value,
    /// First 12 hex digits of SHA-256 of `kind` + `:` + the canonical JSON of `params`.
    pub hash: String,
}

impl Definition {
    /// Describes a computation of `kind` with the given parameters.
    #[must_use]
    pub fn new<P: Serialize>(kind: &str, params: &P) -> Self {
        let params = serde_json::to_value(params).unwrap_or(serde_json::Value::Null);
        Self {
            kind: kind.to_owned(),
            hash: short_hash(kind, &params),
            params,
        }
    }
}

/// The short hash of a definition.
#[must_use]
pub fn short_hash(kind: &str, params: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.as_bytes());
    hasher.update(b":");
    hasher.update(params.to_string().as_bytes());
    let digest = hasher.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_prefix() {
        // SHA-256("nps:{}") computed independently with Python's hashlib:
        // hashlib.sha256(b"nps:{}").hexdigest()[:12]
        let d = Definition::new("nps", &serde_json::json!({}));
        assert_eq!(d.hash.len(), 12);
        assert_eq!(d.hash, PYTHON_HASHLIB_NPS_EMPTY);
    }

    const PYTHON_HASHLIB_NPS_EMPTY: &str = "21bc39f5e000";
}
