//! One analysis run in parts, behind one request: what a worker builds from its part of
//! the data, how parts merge, and what the driver finishes them into.
//!
//! A [`StateRequest`] names the analysis and all its options, once. The same request
//! goes to every worker ([`build_state`]: a partition of an event log → state bytes) and
//! to the driver ([`finish_state`]: merged bytes → the result the single-machine API
//! returns). [`merge_states`] needs no request: every state's bytes carry a kind byte
//! (`docs/events.md`, "State bytes"), and merging dispatches on it. So a binding
//! (Python's `cjm.spark`, a Dask or Ray job) passes bytes and one request along, and
//! decides nothing: which state type an analysis uses, which options matter when, and the
//! defaults all live here.
//!
//! Which state a request builds:
//!
//! | `analysis` | `event_states: false` (default) | `event_states: true` |
//! |---|---|---|
//! | `funnel` | [`FunnelCounts`] (whole customers per part) | [`FunnelState`] (any split) |
//! | `directly_follows`, `variants`, `flows`, `traffic` | their count states (whole customers) | [`SequenceState`] (any split) |
//! | `retention`, `trends` | their count states (whole customers) | — |
//! | `paths`, `attribution` | [`PathCounts`] (whole customers) | — |
//! | `survey` | [`SurveyState`], built from answers, not events (any split) | — |
//!
//! A count state is built with the options that shape its counts; finishing reads only
//! what is decided at the end: `top_k` of variants, `min_share` of flows, the attribution
//! models, the survey's methods and group size. A state finishes only with the request
//! that built it: another kind is `invalid_state`, the same kind built for another
//! definition (a funnel's steps, a count state's shaping options, traffic's journey,
//! path options, a survey's metric columns) is `incompatible_states`.

use serde::{Deserialize, Serialize};

use crate::attribution::{attribute_paths, Attribution, AttributionOptions, PathCounts};
use crate::attribution::{PathOptions, PathTable, TransitionCounts};
use crate::events::{
    DirectlyFollows, DirectlyFollowsCounts, DirectlyFollowsOptions, EventLog, FlowCounts,
    FlowOptions, Flows, Funnel, FunnelCounts, FunnelOptions, FunnelResult, FunnelState, Mergeable,
    RetentionCounts, RetentionOptions, RetentionResult, SequenceState, StepSpec, Traffic,
    TrafficCounts, TrendsCounts, TrendsOptions, TrendsResult, VariantCounts, VariantOptions,
    Variants,
};
use crate::scoring::{NpsState, ScaleState, SurveyOptions, SurveyReport, SurveyState};
use crate::state_bytes::{kind, kind_of};
use crate::{Error, InputCode, Result, ValidJourney};

/// One analysis run in parts: the analysis, its options, and the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "analysis", rename_all = "snake_case", deny_unknown_fields)]
pub enum StateRequest {
    /// A funnel (`Funnel::run`).
    Funnel {
        /// The steps; `null` for the journey's stage funnel (`Funnel::from_stages`).
        #[serde(default)]
        steps: Option<Vec<StepSpec>>,
        /// The funnel's options.
        #[serde(default)]
        options: FunnelOptions,
        /// Ship each customer's relevant events ([`FunnelState`]) instead of counts.
        #[serde(default)]
        event_states: bool,
    },
    /// The directly-follows graph.
    DirectlyFollows {
        /// Its options.
        #[serde(default)]
        options: DirectlyFollowsOptions,
        /// Ship every event ([`SequenceState`]) instead of counts.
        #[serde(default)]
        event_states: bool,
    },
    /// The most frequent variants.
    Variants {
        /// Its options (`top_k` applies when finishing).
        #[serde(default)]
        options: VariantOptions,
        /// Ship every event ([`SequenceState`]) instead of counts.
        #[serde(default)]
        event_states: bool,
    },
    /// Flows (Sankey data).
    Flows {
        /// Its options (`min_share` applies when finishing).
        #[serde(default)]
        options: FlowOptions,
        /// Ship every event ([`SequenceState`]) instead of counts.
        #[serde(default)]
        event_states: bool,
    },
    /// Events and customers per touchpoint and stage (needs the journey).
    Traffic {
        /// Ship every event ([`SequenceState`]) instead of counts.
        #[serde(default)]
        event_states: bool,
    },
    /// A retention table.
    Retention {
        /// Its options.
        #[serde(default)]
        options: RetentionOptions,
    },
    /// Event trends.
    Trends {
        /// Its options.
        #[serde(default)]
        options: TrendsOptions,
    },
    /// The attribution path table.
    Paths {
        /// How paths are read from the log.
        paths: PathOptions,
    },
    /// Multi-touch attribution of the path table.
    Attribution {
        /// How paths are read from the log.
        paths: PathOptions,
        /// The models and their parameters (applied when finishing).
        #[serde(default)]
        options: AttributionOptions,
    },
    /// Survey KPIs (the state is built from a table of answers: `SurveyState::extend`).
    Survey {
        /// Which metrics the table has, as `[nps, csat, ces]` (required: the state of a
        /// part without rows, the identity, does not know them). A state read with
        /// other metric columns does not finish with this request.
        metrics: [bool; 3],
        /// Methods, scales and the smallest group reported.
        #[serde(default)]
        options: SurveyOptions,
    },
}

/// What a request finishes into: the result the single-machine API returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Finished {
    /// `funnel`.
    Funnel(Box<FunnelResult>),
    /// `directly_follows`.
    DirectlyFollows(Box<DirectlyFollows>),
    /// `variants`.
    Variants(Box<Variants>),
    /// `flows`.
    Flows(Box<Flows>),
    /// `traffic`.
    Traffic(Box<Traffic>),
    /// `retention`.
    Retention(Box<RetentionResult>),
    /// `trends`.
    Trends(Box<TrendsResult>),
    /// `paths`.
    Paths(Box<PathTable>),
    /// `attribution`.
    Attribution(Box<Attribution>),
    /// `survey`.
    Survey(Box<SurveyReport>),
}

/// How a job hands the rows of a request to [`build_state`] ([`StateRequest::route`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Each part must hold whole customers: partition by customer first.
    pub whole_customers: bool,
    /// The only event names the analysis reads (`None`: every event).
    pub events: Option<Vec<String>>,
}

fn invalid_option(message: String) -> Error {
    Error::Input {
        code: InputCode::InvalidOption,
        row: None,
        message,
    }
}

fn needs_journey<'a>(journey: Option<&'a ValidJourney>, what: &str) -> Result<&'a ValidJourney> {
    journey.ok_or_else(|| invalid_option(format!("{what} needs a journey; pass `journey`")))
}

impl StateRequest {
    /// The request's name, as `analysis` writes it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Funnel { .. } => "funnel",
            Self::DirectlyFollows { .. } => "directly_follows",
            Self::Variants { .. } => "variants",
            Self::Flows { .. } => "flows",
            Self::Traffic { .. } => "traffic",
            Self::Retention { .. } => "retention",
            Self::Trends { .. } => "trends",
            Self::Paths { .. } => "paths",
            Self::Attribution { .. } => "attribution",
            Self::Survey { .. } => "survey",
        }
    }

    /// Reads a request from its JSON text; a value that does not fit is an
    /// `invalid_option` naming its key.
    ///
    /// # Errors
    /// `invalid_option` for text that is not a request.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_deserializer(&mut serde_json::Deserializer::from_str(text))
    }

    /// Reads a request from any serde source: JSON text, a binding's own values (a Python
    /// dict through pythonize, a JS object). Read as options are
    /// ([`crate::validate::options_from`]): NaN and infinities reach the options as they
    /// are, so that [`Self::check`] refuses them naming the option (JSON text has no NaN;
    /// a binding that wrote the request as JSON itself would have it refused as text that
    /// is not JSON, naming nothing). A value that does not fit is an `invalid_option`
    /// naming its key.
    ///
    /// # Errors
    /// `invalid_option` for a value that is not a request.
    pub fn from_deserializer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self> {
        use crate::validate::{options_of_raw, options_raw};
        let raw = options_raw(deserializer, "request")?;
        options_of_raw::<Self>(raw.clone(), "request").map_err(|e| {
            // Inside a variant serde no longer says where: read each part alone, so that
            // the message names the key (`request.options.top_k`).
            Self::explain(&raw).unwrap_or(e)
        })
    }

    /// The first error of a part of `value` read as the type its `analysis` gives it.
    fn explain(value: &crate::validate::Raw) -> Option<Error> {
        use crate::validate::{options_of_raw, Raw};
        fn part<T: serde::de::DeserializeOwned>(value: &Raw, key: &str) -> Option<Error> {
            let v = value.get(key)?.clone();
            options_of_raw::<T>(v, &format!("request.{key}")).err()
        }
        let analysis = value.get("analysis")?.as_str()?;
        let options = match analysis {
            "funnel" => part::<Option<Vec<StepSpec>>>(value, "steps")
                .or_else(|| part::<FunnelOptions>(value, "options")),
            "directly_follows" => part::<DirectlyFollowsOptions>(value, "options"),
            "variants" => part::<VariantOptions>(value, "options"),
            "flows" => part::<FlowOptions>(value, "options"),
            "retention" => part::<RetentionOptions>(value, "options"),
            "trends" => part::<TrendsOptions>(value, "options"),
            "attribution" => part::<AttributionOptions>(value, "options"),
            "survey" => part::<SurveyOptions>(value, "options"),
            _ => None,
        };
        options.or_else(|| part::<PathOptions>(value, "paths"))
    }

    /// The request as JSON text, to ship to workers (which read it back with
    /// [`Self::from_json`]), after [`Self::check`]: a request that fails its checks is
    /// never written. So a NaN or infinite option, which JSON cannot hold (`serde_json`
    /// would write `null`, read back as another value or as a type error naming no
    /// cause), is refused here by the option's own check.
    ///
    /// # Errors
    /// As [`Self::check`].
    pub fn to_json(&self, journey: Option<&ValidJourney>) -> Result<String> {
        self.check(journey)?;
        serde_json::to_string(self)
            .map_err(|e| invalid_option(format!("the request cannot be written as JSON: {e}")))
    }

    /// Checks everything the request alone decides, so that a job fails before any part
    /// is read: the funnel's definition (its steps resolved with the journey), the
    /// journey that traffic and a funnel without steps need, option ranges (flows'
    /// `min_share`, the attribution models', the survey's scales), and paths by session,
    /// which no state answers (the states of paths count whole customers; the event-level
    /// state keeps no session ids).
    ///
    /// # Errors
    /// `invalid_funnel`, `invalid_option` as the analysis itself.
    pub fn check(&self, journey: Option<&ValidJourney>) -> Result<()> {
        match self {
            Self::Funnel { steps, options, .. } => {
                funnel(steps.as_deref(), options, journey)?.plan(journey)?;
                Ok(())
            }
            Self::DirectlyFollows { options, .. } => crate::events::customers_only(options.unit),
            Self::Variants { options, .. } => crate::events::customers_only(options.unit),
            Self::Flows { options, .. } => {
                crate::events::customers_only(options.unit)?;
                options.check()
            }
            Self::Traffic { .. } => needs_journey(journey, "traffic").map(|_| ()),
            Self::Attribution { paths, options } => {
                paths.check(journey)?;
                crate::attribution::check(options)
            }
            Self::Paths { paths } => paths.check(journey).map(|_| ()),
            Self::Survey { options, .. } => SurveyState::identity(options).map(|_| ()),
            Self::Retention { options } => options.plan().map(|_| ()),
            Self::Trends { options } => options.plan().map(|_| ()),
        }
    }

    /// How a job should hand the rows to [`build_state`]: whether each part must hold
    /// whole customers (count states), and the event names the analysis reads when it
    /// reads only some (a funnel that is not `strict`: its steps and exclusions), so
    /// that the other rows need not be shipped. Checks the request first.
    ///
    /// # Errors
    /// As [`Self::check`].
    pub fn route(&self, journey: Option<&ValidJourney>) -> Result<Route> {
        let events = match self {
            // Planning the funnel is its check.
            Self::Funnel { steps, options, .. } => {
                let plan = funnel(steps.as_deref(), options, journey)?.plan(journey)?;
                (!plan.needs_all_events()).then(|| {
                    plan.relevant_names()
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                })
            }
            _ => {
                self.check(journey)?;
                None
            }
        };
        Ok(Route {
            whole_customers: !matches!(self.kind(), kind::SEQUENCE | kind::FUNNEL | kind::SURVEY),
            events,
        })
    }

    /// The kind of state this request builds.
    fn kind(&self) -> u8 {
        let counts_or_sequence = |event_states: bool, counts: u8| {
            if event_states {
                kind::SEQUENCE
            } else {
                counts
            }
        };
        match self {
            Self::Funnel { event_states, .. } => {
                if *event_states {
                    kind::FUNNEL
                } else {
                    kind::FUNNEL_COUNTS
                }
            }
            Self::DirectlyFollows { event_states, .. } => {
                counts_or_sequence(*event_states, kind::DFG_COUNTS)
            }
            Self::Variants { event_states, .. } => {
                counts_or_sequence(*event_states, kind::VARIANT_COUNTS)
            }
            Self::Flows { event_states, .. } => {
                counts_or_sequence(*event_states, kind::FLOW_COUNTS)
            }
            Self::Traffic { event_states } => {
                counts_or_sequence(*event_states, kind::TRAFFIC_COUNTS)
            }
            Self::Retention { .. } => kind::RETENTION_COUNTS,
            Self::Trends { .. } => kind::TRENDS_COUNTS,
            Self::Paths { .. } | Self::Attribution { .. } => kind::PATHS,
            Self::Survey { .. } => kind::SURVEY,
        }
    }
}

/// The funnel of a request: its steps, or the journey's stage funnel.
fn funnel(
    steps: Option<&[StepSpec]>,
    options: &FunnelOptions,
    journey: Option<&ValidJourney>,
) -> Result<Funnel> {
    Funnel::of(steps.map(<[StepSpec]>::to_vec), options.clone(), journey)
}

/// The state of one part of an event log for `request`, as bytes.
///
/// # Errors
/// As [`StateRequest::check`], and as the analysis itself on that part;
/// `invalid_option` for `survey`, whose state is built from answers.
pub fn build_state(
    request: &StateRequest,
    log: &EventLog,
    journey: Option<&ValidJourney>,
) -> Result<Vec<u8>> {
    request.check(journey)?;
    Ok(match request {
        StateRequest::Funnel {
            steps,
            options,
            event_states,
        } => {
            let f = funnel(steps.as_deref(), options, journey)?;
            if *event_states {
                FunnelState::from_log(&f, log, journey)?.to_bytes()
            } else {
                FunnelCounts::from_log(&f, log, journey)?.to_bytes()
            }
        }
        StateRequest::DirectlyFollows {
            event_states: true, ..
        }
        | StateRequest::Variants {
            event_states: true, ..
        }
        | StateRequest::Flows {
            event_states: true, ..
        }
        | StateRequest::Traffic { event_states: true } => SequenceState::from_log(log).to_bytes(),
        StateRequest::DirectlyFollows { options, .. } => {
            DirectlyFollowsCounts::from_log(log, options)?.to_bytes()
        }
        StateRequest::Variants { options, .. } => VariantCounts::from_log(log, options)?.to_bytes(),
        StateRequest::Flows { options, .. } => FlowCounts::from_log(log, options)?.to_bytes(),
        StateRequest::Traffic { .. } => {
            TrafficCounts::from_log(log, needs_journey(journey, "traffic")?).to_bytes()
        }
        StateRequest::Retention { options } => RetentionCounts::from_log(options, log)?.to_bytes(),
        StateRequest::Trends { options } => TrendsCounts::from_log(options, log)?.to_bytes(),
        StateRequest::Paths { paths } | StateRequest::Attribution { paths, .. } => {
            PathCounts::from_log(log, journey, paths)?.to_bytes()
        }
        StateRequest::Survey { .. } => {
            return Err(invalid_option(
                "a survey state is built from a table of answers, not from an event log".to_owned(),
            ))
        }
    })
}

fn fold<S: Mergeable>(states: &[&[u8]]) -> Result<Vec<u8>> {
    let mut acc = S::identity();
    for s in states {
        acc = acc.merge(S::from_bytes(s)?)?;
    }
    Ok(acc.to_bytes())
}

/// Folds states whose merge works in place, starting from the first.
fn fold_in_place<S>(
    states: &[&[u8]],
    read: impl Fn(&[u8]) -> Result<S>,
    merge: impl Fn(&mut S, &S) -> Result<()>,
    write: impl Fn(&S) -> Vec<u8>,
) -> Result<Vec<u8>> {
    let mut iter = states.iter();
    let mut acc = match iter.next() {
        Some(first) => read(first)?,
        None => return Err(no_states()),
    };
    for s in iter {
        merge(&mut acc, &read(s)?)?;
    }
    Ok(write(&acc))
}

fn no_states() -> Error {
    invalid_option("merging states needs at least one state".to_owned())
}

/// The name of a state kind, for messages.
fn kind_name(k: u8) -> &'static str {
    match k {
        kind::SEQUENCE => "sequence",
        kind::FUNNEL => "funnel",
        kind::FUNNEL_COUNTS => "funnel_counts",
        kind::DFG_COUNTS => "directly_follows_counts",
        kind::VARIANT_COUNTS => "variant_counts",
        kind::FLOW_COUNTS => "flow_counts",
        kind::TRAFFIC_COUNTS => "traffic_counts",
        kind::NPS => "nps",
        kind::SCALE => "scale",
        kind::SURVEY => "survey",
        kind::RETENTION_COUNTS => "retention_counts",
        kind::TRENDS_COUNTS => "trends_counts",
        kind::PATHS => "paths",
        kind::TRANSITIONS => "transitions",
        _ => "unknown",
    }
}

/// Merges any number of states of one kind (read from their bytes) into one: associative
/// and commutative, so a tree of merges and a linear fold give the same bytes.
///
/// # Errors
/// `invalid_option` for no states; `invalid_state` (or `unsupported_state_version`) for
/// bytes that are not a state; `incompatible_states` for states of different kinds, or
/// built for different definitions.
pub fn merge_states(states: &[&[u8]]) -> Result<Vec<u8>> {
    let first = states.first().ok_or_else(no_states)?;
    let k = kind_of(first)?;
    for s in states {
        let other = kind_of(s)?;
        if other != k {
            return Err(Error::Input {
                code: InputCode::IncompatibleStates,
                row: None,
                message: format!(
                    "cannot merge a `{}` state with a `{}` state; merge the states of one request",
                    kind_name(k),
                    kind_name(other)
                ),
            });
        }
    }
    match k {
        kind::SEQUENCE => fold::<SequenceState>(states),
        kind::FUNNEL => fold::<FunnelState>(states),
        kind::FUNNEL_COUNTS => fold::<FunnelCounts>(states),
        kind::DFG_COUNTS => fold::<DirectlyFollowsCounts>(states),
        kind::VARIANT_COUNTS => fold::<VariantCounts>(states),
        kind::FLOW_COUNTS => fold::<FlowCounts>(states),
        kind::TRAFFIC_COUNTS => fold::<TrafficCounts>(states),
        kind::RETENTION_COUNTS => fold::<RetentionCounts>(states),
        kind::TRENDS_COUNTS => fold::<TrendsCounts>(states),
        kind::PATHS => fold::<PathCounts>(states),
        kind::TRANSITIONS => fold::<TransitionCounts>(states),
        kind::SURVEY => fold_in_place(
            states,
            SurveyState::from_bytes,
            SurveyState::merge,
            SurveyState::to_bytes,
        ),
        kind::SCALE => fold_in_place(
            states,
            ScaleState::from_bytes,
            ScaleState::merge,
            ScaleState::to_bytes,
        ),
        kind::NPS => fold_in_place(
            states,
            NpsState::from_bytes,
            |a, b| {
                a.merge(b);
                Ok(())
            },
            NpsState::to_bytes,
        ),
        _ => Err(crate::state_bytes::invalid_state(&format!(
            "unknown state kind `{k}`"
        ))),
    }
}

/// The error for finishing the identity of a count state.
fn empty(what: &str) -> Error {
    invalid_option(format!(
        "the {what} state is empty (no partition had any data)"
    ))
}

/// Finishes merged state bytes into `request`'s result.
///
/// # Errors
/// As [`StateRequest::check`]; `invalid_state` for bytes that are not a state of the
/// kind `request` builds (the message names both); `invalid_option` for an empty state
/// (the identity: no part had data); `incompatible_states` for a state built for
/// another definition than the request's (a funnel's steps and options, the options
/// that shape a count state, the journey of traffic counts, path options, a survey's
/// metric columns); `scale_mismatch` for a survey state of other scales.
pub fn finish_state(
    request: &StateRequest,
    state: &[u8],
    journey: Option<&ValidJourney>,
) -> Result<Finished> {
    request.check(journey)?;
    let found = kind_of(state)?;
    let wanted = request.kind();
    if found != wanted {
        return Err(crate::state_bytes::invalid_state(&format!(
            "a `{}` state where `{}` needs a `{}` state; finish a state with the request that built it",
            kind_name(found),
            request.name(),
            kind_name(wanted)
        )));
    }
    let boxed = |r: Option<FunnelResult>| {
        r.map(|r| Finished::Funnel(Box::new(r)))
            .ok_or_else(|| empty("funnel"))
    };
    Ok(match request {
        StateRequest::Funnel {
            steps,
            options,
            event_states,
        } => {
            // Compared by definition: it holds every parameter in its one spelling.
            let wanted = funnel(steps.as_deref(), options, journey)?
                .plan(journey)?
                .definition();
            if *event_states {
                let s = FunnelState::from_bytes(state)?;
                same(s.built_for().as_ref(), &wanted, "funnel")?;
                boxed(s.finish())?
            } else {
                let s = FunnelCounts::from_bytes(state)?;
                same(s.built_for().as_ref(), &wanted, "funnel")?;
                boxed(s.finish())?
            }
        }
        StateRequest::DirectlyFollows {
            options,
            event_states,
        } => Finished::DirectlyFollows(Box::new(if *event_states {
            SequenceState::from_bytes(state)?.finish_directly_follows(options)?
        } else {
            let s = DirectlyFollowsCounts::from_bytes(state)?;
            same(s.built_for(), options, "directly-follows")?;
            s.finish().ok_or_else(|| empty("directly-follows"))?
        })),
        StateRequest::Variants {
            options,
            event_states,
        } => Finished::Variants(Box::new(if *event_states {
            SequenceState::from_bytes(state)?.finish_variants(options)?
        } else {
            let s = VariantCounts::from_bytes(state)?;
            let shape = (options.max_length, options.collapse_repeats);
            same(s.built_for().as_ref(), &shape, "variant")?;
            s.finish(options.top_k).ok_or_else(|| empty("variant"))?
        })),
        StateRequest::Flows {
            options,
            event_states,
        } => Finished::Flows(Box::new(if *event_states {
            SequenceState::from_bytes(state)?.finish_flows(options)?
        } else {
            let s = FlowCounts::from_bytes(state)?;
            let shape = (options.steps, options.collapse_repeats);
            same(s.built_for().as_ref(), &shape, "flow")?;
            s.finish(options.min_share)?.ok_or_else(|| empty("flow"))?
        })),
        StateRequest::Traffic { event_states } => {
            let j = needs_journey(journey, "traffic")?;
            Finished::Traffic(Box::new(if *event_states {
                SequenceState::from_bytes(state)?.finish_traffic(j)
            } else {
                let s = TrafficCounts::from_bytes(state)?;
                if !s.built_for(j) {
                    return Err(built_otherwise("traffic"));
                }
                s.finish().ok_or_else(|| empty("traffic"))?
            }))
        }
        StateRequest::Retention { options } => {
            let s = RetentionCounts::from_bytes(state)?;
            same(s.built_for(), &options.plan()?.options, "retention")?;
            Finished::Retention(Box::new(s.finish().ok_or_else(|| empty("retention"))?))
        }
        StateRequest::Trends { options } => {
            let s = TrendsCounts::from_bytes(state)?;
            same(s.built_for(), &options.plan()?.options, "trends")?;
            Finished::Trends(Box::new(s.finish().ok_or_else(|| empty("trends"))??))
        }
        StateRequest::Paths { paths } => {
            let counts = path_counts(state, paths)?;
            Finished::Paths(Box::new(counts.to_table()))
        }
        StateRequest::Attribution { paths, options } => {
            let counts = path_counts(state, paths)?;
            Finished::Attribution(Box::new(attribute_paths(&counts, options)?))
        }
        StateRequest::Survey { metrics, options } => {
            let survey = SurveyState::from_bytes(state)?;
            if (options.csat_scale, options.ces_scale) != (survey.csat_scale, survey.ces_scale) {
                return Err(Error::Input {
                    code: InputCode::ScaleMismatch,
                    row: None,
                    message: "the scales differ from those the survey state was built with; \
                              finish it with the request that built it"
                        .to_owned(),
                });
            }
            if let Some(built) = survey.metrics.filter(|built| built != metrics) {
                return Err(Error::Input {
                    code: InputCode::IncompatibleStates,
                    row: None,
                    message: format!(
                        "the survey state was read with {} where the request's `metrics` \
                         say {}; finish it with the request that built it",
                        crate::scoring::survey::metric_names(built),
                        crate::scoring::survey::metric_names(*metrics)
                    ),
                });
            }
            Finished::Survey(Box::new(survey.report(*metrics, options)))
        }
    })
}

/// The error for a state built for another definition than the request's.
fn built_otherwise(what: &str) -> Error {
    Error::Input {
        code: InputCode::IncompatibleStates,
        row: None,
        message: format!(
            "the {what} state was built for another definition than the request's; finish \
             it with the request that built it"
        ),
    }
}

/// Checks that a state was built for `wanted` (the identity, built for nothing, passes).
fn same<T: PartialEq + ?Sized>(built: Option<&T>, wanted: &T, what: &str) -> Result<()> {
    match built {
        Some(b) if b != wanted => Err(built_otherwise(what)),
        _ => Ok(()),
    }
}

/// Path counts read from bytes, checked to be of the request's path options.
fn path_counts(state: &[u8], paths: &PathOptions) -> Result<PathCounts> {
    let counts = PathCounts::from_bytes(state)?;
    same(counts.path_options().as_ref(), paths, "path")?;
    Ok(counts)
}
