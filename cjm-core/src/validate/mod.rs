//! Document → validated journey, reporting every problem at once.
//!
//! Loading runs in four passes, and each later pass still runs when an earlier one found
//! problems, so that one call reports as much as can be known:
//!
//! 1. **Read** the input (JSON text or any serde source) into a raw tree under [`Limits`];
//!    broken JSON or a limit stops here, since nothing after it can be trusted.
//! 2. **Shape**: the raw tree is checked against the JSON Schema generated from the model
//!    types (types, required and unknown fields, allowed values, ranges, NaN/Inf) — the
//!    same schema that is published in `docs/schema/`, so the two cannot disagree.
//! 3. **Rules**: ids, references, scales, dates and other rules a JSON Schema cannot say,
//!    run over the raw tree so they work even where the shape is broken elsewhere.
//! 4. **Typing**: a tree without problems becomes a [`Journey`], wrapped as
//!    [`ValidJourney`].
//!
//! No input makes any pass panic; `proptest` checks this on arbitrary JSON values.

mod raw;
pub(crate) mod rules;
mod shape;

pub use raw::{render_path, Limits, Seg};

use crate::error::{Error, Problem, ProblemCode, Problems, Result};
use crate::model::{Journey, SCHEMA_VERSION};
pub(crate) use raw::Raw;
use raw::{RawSeed, ReadCtx};
use serde::de::{DeserializeOwned, DeserializeSeed};
use serde::Deserializer;

/// Reads and validates journey documents; holds the limits to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Loader {
    limits: Limits,
}

impl Loader {
    /// A loader with the default [`Limits`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Loads a document from JSON text.
    ///
    /// # Errors
    /// [`Error::Document`] with every problem found.
    pub fn load_str(&self, text: &str) -> Result<ValidJourney> {
        if text.len() > self.limits.max_bytes {
            return Err(single(
                ProblemCode::DocumentTooLarge,
                "",
                format!(
                    "document of `{}` bytes is larger than the limit of `{}` bytes",
                    text.len(),
                    self.limits.max_bytes
                ),
            ));
        }
        // The size limit is the text's length, checked above; the running estimate that
        // stands in for it with in-memory sources (8 bytes a value) would refuse compact
        // text well below the limit.
        let ctx = ReadCtx::new(Limits {
            max_bytes: usize::MAX,
            ..self.limits
        });
        let mut de = serde_json::Deserializer::from_str(text);
        let raw = serde::de::DeserializeSeed::deserialize(
            RawSeed {
                ctx: &ctx,
                depth: 1,
            },
            &mut de,
        )
        .and_then(|raw| de.end().map(|()| raw));
        match raw {
            Ok(raw) => self.load_raw(raw, Vec::new()),
            Err(err) => Err(Error::Document(Problems(vec![ctx
                .take_failure()
                .unwrap_or_else(|| Problem {
                    code: ProblemCode::InvalidJson,
                    path: ctx.current_path(),
                    message: err.to_string(),
                })]))),
        }
    }

    /// Loads a document from bytes of JSON text (a file's content, a JS `Uint8Array`): a
    /// leading UTF-8 byte order mark is skipped; bytes that are not UTF-8 are an
    /// `invalid_json` problem.
    ///
    /// # Errors
    /// [`Error::Document`] with every problem found.
    pub fn load_slice(&self, bytes: &[u8]) -> Result<ValidJourney> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => self.load_str(text),
            Err(e) => Err(single(
                ProblemCode::InvalidJson,
                "",
                format!("the document is not UTF-8 text: {e}"),
            )),
        }
    }

    /// Loads a document from a reader of JSON bytes (a file), as [`Self::load_slice`], but
    /// reads no more than the size limit allows: a larger input is `document_too_large`
    /// without being read to its end.
    ///
    /// # Errors
    /// The reader's I/O error; inside it, [`Error::Document`] with every problem found.
    pub fn load_reader<R: std::io::Read>(
        &self,
        reader: R,
    ) -> std::io::Result<Result<ValidJourney>> {
        // A byte order mark is not part of the text the limit counts.
        let cap = self.limits.max_bytes.saturating_add(3);
        let mut bytes = Vec::new();
        let read_at_most = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
        let mut limited = std::io::Read::take(reader, read_at_most);
        std::io::Read::read_to_end(&mut limited, &mut bytes)?;
        if bytes.len() > cap {
            return Ok(Err(single(
                ProblemCode::DocumentTooLarge,
                "",
                format!(
                    "document is larger than the limit of `{}` bytes",
                    self.limits.max_bytes
                ),
            )));
        }
        Ok(self.load_slice(&bytes))
    }

    /// Loads a document from any serde source: a Python object through pythonize, a JS
    /// value through serde-wasm-bindgen, a `serde_json::Value`…
    ///
    /// # Errors
    /// [`Error::Document`] with every problem found.
    pub fn load_from<'de, D: Deserializer<'de>>(&self, deserializer: D) -> Result<ValidJourney> {
        self.read_source(ReadCtx::new(self.limits), deserializer)
    }

    /// Loads a document from a serde source over a tree in memory (a Python object, a JS
    /// value, a `serde_json::Value`), reporting **every** problem even where a value
    /// cannot be read at all: a value the source fails to give as JSON (a Python
    /// `Decimal` or an integer beyond any float, text with a lone surrogate, `bytes`, a
    /// key that is not a string) is a `wrong_type` problem at its path, and reading goes
    /// on with its siblings, where [`Self::load_from`] stops at the first one.
    ///
    /// The source's sequences and maps must move on to the next entry after one failed,
    /// as tree walkers do (`pythonize`, `serde-wasm-bindgen`, `serde_json::Value`);
    /// streaming parsers do not: read JSON text with [`Self::load_str`]. A limit that is
    /// hit still stops the read.
    ///
    /// # Errors
    /// [`Error::Document`] with every problem found.
    pub fn load_tree<'de, D: Deserializer<'de>>(&self, deserializer: D) -> Result<ValidJourney> {
        self.read_source(ReadCtx::recovering(self.limits), deserializer)
    }

    fn read_source<'de, D: Deserializer<'de>>(
        &self,
        ctx: ReadCtx,
        deserializer: D,
    ) -> Result<ValidJourney> {
        match serde::de::DeserializeSeed::deserialize(
            RawSeed {
                ctx: &ctx,
                depth: 1,
            },
            deserializer,
        ) {
            Ok(raw) => self.load_raw(raw, ctx.take_unreadable()),
            Err(err) => Err(Error::Document(Problems(vec![ctx
                .take_failure()
                .unwrap_or_else(|| Problem {
                    code: ProblemCode::WrongType,
                    path: ctx.current_path(),
                    message: err.to_string(),
                })]))),
        }
    }

    /// Checks a typed document (built in Rust, say) against every rule.
    ///
    /// # Errors
    /// [`Error::Document`] with every problem found.
    pub fn validate(&self, journey: &Journey) -> Result<ValidJourney> {
        let value = serde_json::to_value(journey).map_err(|e| {
            single(
                ProblemCode::WrongType,
                "",
                format!("document does not serialise: {e}"),
            )
        })?;
        self.load_from(value)
    }

    /// Checks a raw tree; `unreadable` are the values the read went past (reported first).
    fn load_raw(&self, mut raw: Raw, unreadable: Vec<Problem>) -> Result<ValidJourney> {
        let mut problems = unreadable;
        if let Some(problem) = check_version(&raw) {
            // A newer format may mean anything: checking it against v1 would only mislead.
            return Err(Error::Document(Problems(vec![problem])));
        }
        shape::check(&mut raw, &mut problems);
        rules::check(&raw, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Document(Problems(problems)));
        }
        let journey: Journey = serde_json::from_value(raw.into_json()).map_err(|e| {
            single(
                ProblemCode::WrongType,
                "",
                format!("document passed validation but does not fit the model: {e}"),
            )
        })?;
        Ok(ValidJourney { journey })
    }
}

fn single(code: ProblemCode, path: &str, message: String) -> Error {
    Error::Document(Problems(vec![Problem {
        code,
        path: path.to_owned(),
        message,
    }]))
}

/// Refuses versions this build does not know. Version 1 is the only one so far; when a
/// version 2 exists, older documents are migrated here before the checks.
fn check_version(raw: &Raw) -> Option<Problem> {
    let version = raw.get("schema_version")?;
    let known = SCHEMA_VERSION;
    match version.as_f64() {
        Some(v) if v > f64::from(known) => Some(Problem {
            code: ProblemCode::UnsupportedSchemaVersion,
            path: "schema_version".to_owned(),
            message: format!(
                "schema version `{v}` is newer than this build of cjm reads (`{known}`); upgrade cjm"
            ),
        }),
        Some(v) if v < 1.0 || v.fract() != 0.0 => Some(Problem {
            code: ProblemCode::UnsupportedSchemaVersion,
            path: "schema_version".to_owned(),
            message: format!("schema version `{v}` does not exist; the current version is `{known}`"),
        }),
        _ => None,
    }
}

/// Loads a document from JSON text with the default limits.
///
/// # Errors
/// [`Error::Document`] with every problem found.
pub fn load_str(text: &str) -> Result<ValidJourney> {
    Loader::new().load_str(text)
}

/// Loads a document from bytes of JSON text with the default limits.
///
/// # Errors
/// [`Error::Document`] with every problem found.
pub fn load_slice(bytes: &[u8]) -> Result<ValidJourney> {
    Loader::new().load_slice(bytes)
}

/// Loads a document from any serde source with the default limits.
///
/// # Errors
/// [`Error::Document`] with every problem found.
pub fn load_from<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ValidJourney> {
    Loader::new().load_from(deserializer)
}

/// Reads options, or another input given as a tree of values (a JS object through
/// serde-wasm-bindgen), into `T` the way documents are read: nesting is limited, so a
/// cyclic or adversarial object cannot exhaust the stack; every key reaches `T`, so unknown
/// keys are refused; and NaN and infinities reach `T` as they are, so the checks of `T`
/// refuse them as they do for Python (`lookback_seconds: NaN` is `invalid_option`, not
/// "no lookback").
///
/// # Errors
/// [`Error::Input`] `invalid_option` naming `what` and the option that does not fit
/// (`weights.nps`, `steps[2].event`); for an integer out of range, the range.
pub fn options_from<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    deserializer: D,
    what: &str,
) -> Result<T> {
    options_of_raw(options_raw(deserializer, what)?, what)
}

/// Reads a tree of [`options_raw`] into `T`, as [`options_from`] does.
pub(crate) fn options_of_raw<T: DeserializeOwned>(raw: Raw, what: &str) -> Result<T> {
    T::deserialize(raw).map_err(|e| option_error(what, &render_path(&e.0 .0), &e.0 .1))
}

/// A value for which null (JavaScript's `undefined`, Python's `None`) means the default,
/// for `#[serde(deserialize_with)]`.
pub(crate) fn null_default<'de, D: Deserializer<'de>, T: serde::Deserialize<'de> + Default>(
    d: D,
) -> std::result::Result<T, D::Error> {
    Ok(<Option<T> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// One name or a list of names: the schema of a field read by [`one_or_many`].
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "only its schema is used")]
pub(crate) enum NameOrNames {
    /// One name.
    One(String),
    /// Several names.
    Many(Vec<String>),
}

/// A list that may be given as its one item (`"purchase"` for `["purchase"]`): what
/// [`one_or_many`] and its kin read.
pub(crate) struct Listed<T>(pub(crate) Vec<T>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Listed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::value::{BoolDeserializer, F64Deserializer, I64Deserializer};
        use serde::de::value::{MapAccessDeserializer, StrDeserializer, U64Deserializer};
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct Items<T>(std::marker::PhantomData<T>);
        fn one<T, E>(item: std::result::Result<T, E>) -> std::result::Result<Listed<T>, E> {
            item.map(|x| Listed(vec![x]))
        }
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Listed<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("one value or a list of values")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                one(T::deserialize(StrDeserializer::<E>::new(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                one(T::deserialize(I64Deserializer::<E>::new(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                one(T::deserialize(U64Deserializer::<E>::new(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                one(T::deserialize(F64Deserializer::<E>::new(v)))
            }
            fn visit_bool<E: serde::de::Error>(
                self,
                v: bool,
            ) -> std::result::Result<Self::Value, E> {
                one(T::deserialize(BoolDeserializer::<E>::new(v)))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                one(T::deserialize(MapAccessDeserializer::new(map)))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    out.push(item);
                }
                Ok(Listed(out))
            }
        }
        d.deserialize_any(Items(std::marker::PhantomData))
    }
}

/// A list that may be given as its one item (`"purchase"` for `["purchase"]`), for
/// `#[serde(deserialize_with)]`; null is the empty list.
pub(crate) fn one_or_many<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> std::result::Result<Vec<T>, D::Error> {
    Ok(some_one_or_many(d)?.unwrap_or_default())
}

/// As [`one_or_many`], with null kept apart (`None`: not given).
pub(crate) fn some_one_or_many<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<T>>, D::Error> {
    Ok(<Option<Listed<T>> as serde::Deserialize>::deserialize(d)?.map(|l| l.0))
}

/// A map whose values are lists that may be given as their one item
/// (`{"channel": "email"}`); null is the empty map.
pub(crate) fn map_of_one_or_many<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> std::result::Result<std::collections::BTreeMap<String, Vec<T>>, D::Error> {
    let map =
        <Option<std::collections::BTreeMap<String, Listed<T>>> as serde::Deserialize>::deserialize(
            d,
        )?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect())
}

/// Options of two types given as one flat set of keys (a binding's keyword arguments):
/// the keys in `fields` are read as `A`, the others as `B`, each with its own defaults;
/// a key neither knows is reported by `B`'s reader.
///
/// # Errors
/// `invalid_option` as [`options_from`], for either part.
pub(crate) fn split_options<'de, A, B, D>(d: D, what: &str, fields: &[&str]) -> Result<(A, B)>
where
    A: DeserializeOwned,
    B: DeserializeOwned,
    D: Deserializer<'de>,
{
    let raw = options_raw(d, what)?;
    let Raw::Obj(entries) = raw else {
        let found = raw.type_name();
        return Err(option_error(
            what,
            "",
            &format!("must be options by name, not {found}"),
        ));
    };
    let (mine, rest): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(key, _)| fields.contains(&key.as_str()));
    Ok((
        options_of_raw(Raw::Obj(mine), what)?,
        options_of_raw(Raw::Obj(rest), what)?,
    ))
}

/// The tree of [`options_from`] (apart, so that the reading is not repeated for every `T`).
pub(crate) fn options_raw<'de, D: Deserializer<'de>>(deserializer: D, what: &str) -> Result<Raw> {
    let ctx = ReadCtx::new(Limits {
        max_bytes: usize::MAX,
        max_string_bytes: usize::MAX,
        max_items: usize::MAX,
        ..Limits::default()
    });
    RawSeed {
        ctx: &ctx,
        depth: 1,
    }
    .deserialize(deserializer)
    .map_err(|e| match ctx.take_failure() {
        Some(p) => option_error(what, &p.path, &p.message),
        None => option_error(what, &ctx.current_path(), &e.to_string()),
    })
}

/// `invalid_option` for option `path` (`""`: the whole value) of `what`, in the words of
/// the Python binding.
fn option_error(what: &str, path: &str, problem: &str) -> Error {
    let problem = integer_problem(problem);
    let message = match path {
        "" if problem.starts_with("must ") => format!("`{what}` {problem}"),
        "" => format!("`{what}`: {problem}"),
        _ => format!("`{what}`: option `{path}` {problem}"),
    };
    Error::Input {
        code: crate::error::InputCode::InvalidOption,
        row: None,
        message,
    }
}

/// serde's words for a number that does not fit an integer type (`invalid value: integer
/// `-1`, expected u32`, `invalid type: floating point `1.5`, expected usize`) as Python
/// says them: "must be an integer from 0 to 4294967295, not -1". Other messages unchanged.
fn integer_problem(message: &str) -> String {
    let ranges = [
        ("u8", "0 to 255"),
        ("u16", "0 to 65535"),
        ("u32", "0 to 4294967295"),
        ("u64", "0 to 18446744073709551615"),
        ("i64", "-9223372036854775808 to 9223372036854775807"),
        #[cfg(target_pointer_width = "32")]
        ("usize", "0 to 4294967295"),
        #[cfg(target_pointer_width = "64")]
        ("usize", "0 to 18446744073709551615"),
    ];
    let numeric = ["invalid value: integer `", "invalid type: floating point `"];
    let parts = message.rsplit_once(", expected ").and_then(|(head, ty)| {
        let value = numeric.iter().find_map(|p| head.strip_prefix(p))?;
        let range = ranges.iter().find(|(t, _)| *t == ty)?.1;
        Some((value.strip_suffix('`')?, range))
    });
    match parts {
        Some((value, range)) => format!("must be an integer from {range}, not {value}"),
        None => message.to_owned(),
    }
}

/// Loads a document from a serde source over a tree in memory with the default limits,
/// reporting every problem even where a value cannot be read (see [`Loader::load_tree`]).
///
/// # Errors
/// [`Error::Document`] with every problem found.
pub fn load_tree<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ValidJourney> {
    Loader::new().load_tree(deserializer)
}

/// Checks a typed document against every rule, with the default limits.
///
/// # Errors
/// [`Error::Document`] with every problem found.
pub fn validate(journey: &Journey) -> Result<ValidJourney> {
    Loader::new().validate(journey)
}

/// A journey document that passed every rule: ids are unique, references resolve, values
/// are in range. The other parts of cjm take this type, so they never see a broken map.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidJourney {
    journey: Journey,
}

impl ValidJourney {
    /// The document.
    #[must_use]
    pub fn journey(&self) -> &Journey {
        &self.journey
    }

    /// Gives the document back, for editing (validate it again afterwards).
    #[must_use]
    pub fn into_journey(self) -> Journey {
        self.journey
    }

    /// The document as compact JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // A Journey holds only strings, finite numbers and JSON maps: serialising cannot fail.
        serde_json::to_string(&self.journey).unwrap_or_default()
    }

    /// The document as indented JSON.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.journey).unwrap_or_default()
    }

    /// Counts and the stage outline, for a first look at a map.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let j = &self.journey;
        let stages = j
            .stages
            .iter()
            .map(|stage| {
                let touchpoints: Vec<_> = j
                    .touchpoints
                    .iter()
                    .filter(|t| t.stage == stage.id)
                    .collect();
                StageSummary {
                    id: stage.id.clone(),
                    name: stage.name.clone(),
                    touchpoints: touchpoints.len(),
                    channels: {
                        let mut ids: Vec<&str> =
                            touchpoints.iter().map(|t| t.channel.as_str()).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        ids.len()
                    },
                    pain_points: j
                        .pain_points
                        .iter()
                        .filter(|p| {
                            p.stage.as_deref() == Some(stage.id.as_str())
                                || p.touchpoint
                                    .as_deref()
                                    .is_some_and(|tp| touchpoints.iter().any(|t| t.id == tp))
                        })
                        .count(),
                }
            })
            .collect();
        Summary {
            id: j.id.clone(),
            name: j.name.clone(),
            schema_version: j.schema_version,
            state: j.state,
            personas: j.personas.len(),
            stages,
            channels: j.channels.len(),
            touchpoints: j.touchpoints.len(),
            observations: j.observations.len(),
            pain_points: j.pain_points.len(),
            opportunities: j.opportunities.len(),
            kpis: j.kpis.len(),
            evidence: j.evidence.len(),
            teams: j.teams.len(),
            bound_event_names: {
                let mut names: Vec<&str> = j
                    .touchpoints
                    .iter()
                    .flat_map(|t| t.events.iter().map(String::as_str))
                    .collect();
                names.sort_unstable();
                names.dedup();
                names.len()
            },
        }
    }
}

/// Counts and the stage outline of a journey.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Journey id.
    pub id: String,
    /// Journey name.
    pub name: String,
    /// Format version.
    pub schema_version: u32,
    /// As-is or to-be.
    pub state: crate::model::JourneyState,
    /// Number of personas.
    pub personas: usize,
    /// The stages in order, with what they hold.
    pub stages: Vec<StageSummary>,
    /// Number of channels.
    pub channels: usize,
    /// Number of touchpoints.
    pub touchpoints: usize,
    /// Number of observations.
    pub observations: usize,
    /// Number of pain points.
    pub pain_points: usize,
    /// Number of opportunities.
    pub opportunities: usize,
    /// Number of KPIs.
    pub kpis: usize,
    /// Number of evidence items.
    pub evidence: usize,
    /// Number of teams.
    pub teams: usize,
    /// Number of distinct event names bound to touchpoints.
    pub bound_event_names: usize,
}

/// One stage in a [`Summary`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct StageSummary {
    /// Stage id.
    pub id: String,
    /// Stage name.
    pub name: String,
    /// Touchpoints in the stage.
    pub touchpoints: usize,
    /// Distinct channels of those touchpoints.
    pub channels: usize,
    /// Pain points in the stage or at its touchpoints.
    pub pain_points: usize,
}
