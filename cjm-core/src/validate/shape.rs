//! Shape checks: the raw tree against the JSON Schema generated from the model types.
//!
//! This interprets the subset of JSON Schema 2020-12 that schemars emits for our types
//! (`$ref` into `$defs`, `type` as a name or list, `properties`, `required`,
//! `additionalProperties`, `items`, `const`/`enum`, `oneOf`/`anyOf` for enums and
//! optional values, `minimum`/`maximum`, integer `format`s). It is written here rather
//! than taken from the `jsonschema` crate because it must report problems with our stable
//! codes and paths, keep NaN visible (JSON values cannot hold it), and stay small in the
//! browser build; the test suite checks documents against the same schema with the
//! `jsonschema` crate as an independent oracle.
//!
//! Besides checking, the walk canonicalises whole floats (`3.0`) where the schema wants an
//! integer, as JSON Schema counts them integers and JavaScript has no other kind.

use super::raw::{render_path, Raw, Seg};
use crate::error::{excerpt, Problem, ProblemCode};
use serde_json::Value;

/// Checks `raw` against the journey schema, appending problems in document order.
pub(crate) fn check(raw: &mut Raw, problems: &mut Vec<Problem>) {
    let root = crate::model::journey_schema();
    let mut walk = Walk {
        root,
        path: Vec::new(),
        problems,
    };
    walk.node(raw, root);
}

struct Walk<'a> {
    root: &'static Value,
    path: Vec<Seg>,
    problems: &'a mut Vec<Problem>,
}

impl Walk<'_> {
    fn report(&mut self, code: ProblemCode, message: String) {
        self.problems.push(Problem {
            code,
            path: render_path(&self.path),
            message,
        });
    }

    fn resolve(&self, schema: &Value) -> Option<&'static Value> {
        let reference = schema.get("$ref")?.as_str()?;
        let name = reference.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    fn node(&mut self, raw: &mut Raw, schema: &Value) {
        if matches!(raw, Raw::Unreadable) {
            // Reported by the reader, with its path.
            return;
        }
        let schema = match schema {
            Value::Bool(true) => return self.free(raw),
            Value::Bool(false) => {
                return self.report(ProblemCode::UnknownField, "no value is allowed here".into())
            }
            Value::Object(_) => schema,
            _ => return self.free(raw),
        };
        if let Some(target) = self.resolve(schema) {
            return self.node(raw, target);
        }
        if let Some(alternatives) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            return self.alternatives(raw, alternatives);
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            return self.constants(raw, allowed.iter().collect());
        }
        if let Some(constant) = schema.get("const") {
            return self.constants(raw, vec![constant]);
        }
        if !self.check_type(raw, schema) {
            return;
        }
        match raw {
            Raw::Obj(fields) => self.object(fields, schema),
            Raw::Arr(items) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Bool(true));
                for (i, item) in items.iter_mut().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.node(item, item_schema);
                    self.path.pop();
                }
            }
            Raw::Int(_) | Raw::UInt(_) | Raw::Float(_) => self.range(raw, schema),
            Raw::Null | Raw::Bool(_) | Raw::Str(_) | Raw::Unreadable => {}
        }
    }

    /// A value the schema does not constrain (extensions): only non-finite numbers and
    /// duplicate keys are problems, since neither can be kept verbatim.
    fn free(&mut self, raw: &Raw) {
        match raw {
            Raw::Float(f) if !f.is_finite() => self.report(
                ProblemCode::NotFinite,
                format!("`{f}` is not a finite number; JSON cannot hold it"),
            ),
            Raw::Arr(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.free(item);
                    self.path.pop();
                }
            }
            Raw::Obj(fields) => {
                self.duplicate_keys(fields);
                for (key, value) in fields {
                    self.path.push(Seg::Key(key.clone()));
                    self.free(value);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }

    fn duplicate_keys(&mut self, fields: &[(String, Raw)]) {
        let mut seen = std::collections::HashSet::new();
        for (key, _) in fields {
            if !seen.insert(key.as_str()) {
                self.path.push(Seg::Key(key.clone()));
                self.report(
                    ProblemCode::DuplicateKey,
                    format!(
                        "field `{}` appears more than once in this object",
                        excerpt(key)
                    ),
                );
                self.path.pop();
            }
        }
    }

    fn alternatives(&mut self, raw: &mut Raw, alternatives: &[Value]) {
        let allows_null = alternatives
            .iter()
            .any(|a| a.get("type").and_then(Value::as_str) == Some("null"));
        if matches!(raw, Raw::Null) && allows_null {
            return;
        }
        let constants: Vec<&Value> = alternatives.iter().filter_map(|a| a.get("const")).collect();
        if !constants.is_empty() && constants.len() == alternatives.len() {
            return self.constants(raw, constants);
        }
        let real: Vec<&Value> = alternatives
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        match real.as_slice() {
            [only] => self.node(raw, only),
            _ => {
                // Not emitted for our types today; accept the first alternative that fits.
                let mut first_problems = None;
                for alternative in real {
                    let mut trial = raw.clone();
                    let mut found = Vec::new();
                    let mut sub = Walk {
                        root: self.root,
                        path: self.path.clone(),
                        problems: &mut found,
                    };
                    sub.node(&mut trial, alternative);
                    if found.is_empty() {
                        *raw = trial;
                        return;
                    }
                    first_problems.get_or_insert(found);
                }
                self.problems.extend(first_problems.unwrap_or_default());
            }
        }
    }

    fn constants(&mut self, raw: &Raw, allowed: Vec<&Value>) {
        let names: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
        let list = names.join(", ");
        match raw {
            Raw::Str(s) if allowed.iter().any(|v| v.as_str() == Some(s)) => {}
            Raw::Str(s) => self.report(
                ProblemCode::InvalidValue,
                format!("`{}` is not one of the allowed values: {list}", excerpt(s)),
            ),
            other => {
                let found = other.type_name();
                self.report(
                    ProblemCode::WrongType,
                    format!("expected one of {list}, found a value of type `{found}`"),
                );
            }
        }
    }

    /// Checks the JSON type; returns whether the node's content should be checked further.
    fn check_type(&mut self, raw: &mut Raw, schema: &Value) -> bool {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        let wants = |t: &str| types.contains(&t);
        let fits = match raw {
            Raw::Null => wants("null"),
            Raw::Bool(_) => wants("boolean"),
            Raw::Int(_) | Raw::UInt(_) => wants("integer") || wants("number"),
            Raw::Float(f) => {
                if (wants("number") || wants("integer")) && !f.is_finite() {
                    self.report(
                        ProblemCode::NotFinite,
                        format!("`{f}` is not a finite number"),
                    );
                    return false;
                }
                if wants("number") {
                    true
                } else if wants("integer") {
                    if f.fract() != 0.0 {
                        self.report(
                            ProblemCode::NotAnInteger,
                            format!("expected a whole number, found `{f}`"),
                        );
                        return false;
                    }
                    canonical_integer(raw);
                    true
                } else {
                    false
                }
            }
            Raw::Str(_) => wants("string"),
            Raw::Arr(_) => wants("array"),
            Raw::Obj(_) => wants("object"),
            Raw::Unreadable => return false,
        };
        if !fits {
            let expected = types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let found = raw.type_name();
            self.report(
                ProblemCode::WrongType,
                format!("expected {expected}, found `{found}`"),
            );
        }
        fits
    }

    fn object(&mut self, fields: &mut [(String, Raw)], schema: &Value) {
        self.duplicate_keys(fields);
        let empty = serde_json::Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let additional = schema.get("additionalProperties");
        for (key, value) in fields.iter_mut() {
            self.path.push(Seg::Key(key.clone()));
            match properties.get(key.as_str()) {
                Some(property) => self.node(value, property),
                None => match additional {
                    Some(Value::Bool(false)) => {
                        let known = properties
                            .keys()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        self.report(
                            ProblemCode::UnknownField,
                            format!(
                                "unknown field `{}`; known fields: {known} \
                                 (put own data under `extensions`)",
                                excerpt(key)
                            ),
                        );
                    }
                    Some(Value::Object(_)) => {
                        if let Some(extra) = additional {
                            self.node(value, extra);
                        }
                    }
                    _ => self.free(value),
                },
            }
            self.path.pop();
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.iter().any(|(k, _)| k == name) {
                    self.path.push(Seg::Key(name.to_owned()));
                    self.report(
                        ProblemCode::MissingField,
                        format!("required field `{name}` is missing"),
                    );
                    self.path.pop();
                }
            }
        }
    }

    fn range(&mut self, raw: &Raw, schema: &Value) {
        let Some(value) = raw.as_f64() else {
            return;
        };
        let (format_min, format_max) = match schema.get("format").and_then(Value::as_str) {
            Some("uint8") => (Some(0.0), Some(f64::from(u8::MAX))),
            Some("uint16") => (Some(0.0), Some(f64::from(u16::MAX))),
            Some("uint32") => (Some(0.0), Some(f64::from(u32::MAX))),
            #[allow(clippy::cast_precision_loss, reason = "a bound, compared as f64")]
            Some("uint64" | "uint") => (Some(0.0), Some(u64::MAX as f64)),
            Some("int32") => (Some(f64::from(i32::MIN)), Some(f64::from(i32::MAX))),
            _ => (None, None),
        };
        let min = schema.get("minimum").and_then(Value::as_f64).or(format_min);
        let max = schema.get("maximum").and_then(Value::as_f64).or(format_max);
        let below = min.is_some_and(|m| value < m);
        let above = max.is_some_and(|m| value > m);
        if below || above {
            let bounds = match (min, max) {
                (Some(lo), Some(hi)) => format!("from `{lo}` to `{hi}`"),
                (Some(lo), None) => format!("at least `{lo}`"),
                (None, Some(hi)) => format!("at most `{hi}`"),
                (None, None) => String::new(),
            };
            self.report(
                ProblemCode::OutOfRange,
                format!("`{value}` is out of range: must be {bounds}"),
            );
        }
    }
}

/// Turns a whole float into an integer node (the caller checked it is whole and finite).
fn canonical_integer(raw: &mut Raw) {
    if let Raw::Float(f) = *raw {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "whole and within the target range, checked just before"
        )]
        {
            if f >= 0.0 && f <= u64::MAX as f64 {
                *raw = Raw::UInt(f as u64);
            } else if f < 0.0 && f >= i64::MIN as f64 {
                *raw = Raw::Int(f as i64);
            }
        }
    }
}
