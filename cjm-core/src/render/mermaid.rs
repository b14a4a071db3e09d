//! Mermaid `journey` diagrams: export a map, import one into a valid document.
//!
//! ## Scores
//!
//! Mermaid scores tasks from 1 (bad) to 5 (good). On export, a task's score comes from the
//! normalised emotion `e'` in [−1, 1] (docs/scoring.md):
//! `score = round((e' + 1) · 2) + 1`, rounded half away from zero and clamped to 1..5, so
//! −1 → 1, −0.5 → 2, 0 → 3, +0.5 → 4, +1 → 5. The `e'` of a touchpoint task is, per
//! persona, the persona's emotion at that touchpoint (observations naming it), else the
//! persona's emotion for the stage; with several personas, their mean. A task without any
//! emotion gets 3 (neutral), and the export says so in `dropped`. With survey KPIs
//! ([`to_mermaid_measured`]), a touchpoint task takes its own measured score instead:
//! per persona, from the touchpoint × persona group (else the touchpoint's group), CSAT
//! mapped onto [−1, 1] (else NPS/100), then the same formula. On import, a score
//! becomes an observation emotion on the declared scale 1..5, whose normalised value is
//! `(score − 3)/2`, so that export → import → export keeps every score.
//!
//! ## What Mermaid cannot hold
//!
//! A Mermaid journey has a title, sections, tasks, one score per task and actors. Export
//! reports everything else that the map holds (descriptions, channels, thoughts, pain
//! points, opportunities, KPIs…) in [`MermaidExport::dropped`].

use crate::error::{excerpt, Error, Problem, ProblemCode, Problems};
use crate::model::{
    Channel, ChannelKind, Emotion, EmotionScale, Journey, JourneyState, Observation, Persona, Side,
    Stage, Touchpoint, SCHEMA_VERSION,
};
use crate::scoring::{emotion_curves, EmotionCurve, ScaleMethod, SurveyGroup, SurveyReport};
use crate::{Result, ValidJourney};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A Mermaid `journey` diagram and what the map held that Mermaid cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MermaidExport {
    /// The diagram text.
    pub text: String,
    /// What was left out or changed, one line each (`pain_points: 9 items`…).
    pub dropped: Vec<String>,
}

/// Something the import noticed: an ignored line, a clamped score, an invented persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Note {
    /// 1-based line number in the Mermaid text, when the note is about one line.
    pub line: Option<usize>,
    /// What happened.
    pub message: String,
}

/// The Mermaid score (1–5) of a normalised emotion `e'` in [−1, 1]:
/// `round((e' + 1) · 2) + 1`, half away from zero, clamped to 1..5.
#[must_use]
pub fn score_from_emotion(normalised: f64) -> u8 {
    let score = ((normalised + 1.0) * 2.0).round() + 1.0;
    if score.is_nan() {
        3
    } else {
        // Clamped to 1..=5 first, so the cast is exact.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 1..=5"
        )]
        let s = score.clamp(1.0, 5.0) as u8;
        s
    }
}

/// Makes text safe for a Mermaid journey line: `:`, `;`, `#` and line breaks (and, in
/// actor names, `,`) have meaning there and are replaced.
fn clean(text: &str, actor: bool) -> (String, bool) {
    clean_as(text, actor, false)
}

/// As [`clean`]; a title may keep `:` (its grammar stops only at `#`, `;` and line ends).
fn clean_as(text: &str, actor: bool, title: bool) -> (String, bool) {
    let mut changed = false;
    let out: String = text
        .chars()
        .map(|c| match c {
            ':' if !title => {
                changed = true;
                '\u{2236}'
            }
            ';' => {
                changed = true;
                if actor {
                    ' '
                } else {
                    ','
                }
            }
            ',' if actor => {
                changed = true;
                ' '
            }
            '#' => {
                changed = true;
                '\u{266f}'
            }
            c if c.is_control() => {
                changed = true;
                ' '
            }
            c => c,
        })
        .collect();
    let trimmed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (trimmed, changed)
}

/// A task to export: its name and, per persona, the persona id and its emotion.
type Task = (String, Vec<(String, Option<f64>)>);

fn mean(values: &[f64]) -> Option<f64> {
    #[allow(clippy::cast_precision_loss, reason = "persona counts are small")]
    let n = values.len() as f64;
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / n)
}

/// The normalised emotion `e'` in [−1, 1] that survey answers measured for a group:
/// from CSAT when the group has it (a `mean` or `pct_of_max` on 1..k maps 1 → −1 and k →
/// +1; a `top_box` share s % maps to s/50 − 1), else from NPS (n/100); `None` without
/// either, or when the group was suppressed.
fn measured_emotion(group: &SurveyGroup) -> Option<f64> {
    if group.suppressed {
        return None;
    }
    let csat = group.csat.as_ref().and_then(|c| {
        let v = c.value?;
        let k = f64::from(c.scale_max.max(2));
        Some(match c.method {
            ScaleMethod::Mean => 2.0 * (v - 1.0) / (k - 1.0) - 1.0,
            ScaleMethod::PctOfMax => 2.0 * (v / 100.0 * k - 1.0) / (k - 1.0) - 1.0,
            ScaleMethod::TopBox => v / 50.0 - 1.0,
        })
    });
    csat.or_else(|| group.nps.as_ref().and_then(|n| n.value).map(|n| n / 100.0))
        .filter(|e| e.is_finite())
        .map(|e| e.clamp(-1.0, 1.0))
}

/// The measured emotion of a touchpoint for a persona: its touchpoint × persona group,
/// else the touchpoint's group of every segment.
fn touchpoint_measured(survey: &SurveyReport, touchpoint: &str, persona: &str) -> Option<f64> {
    let scoped = |segment: Option<&str>| {
        survey
            .groups
            .iter()
            .find(|g| g.scope.as_deref() == Some(touchpoint) && g.segment.as_deref() == segment)
    };
    scoped(Some(persona))
        .and_then(measured_emotion)
        .or_else(|| scoped(None).and_then(measured_emotion))
}

/// Exports a journey as a Mermaid `journey` diagram: the journey name as `title`, one
/// `section` per stage, one task per touchpoint of the stage (or, in a stage without
/// touchpoints, per action observed there), scored from the emotion as described in the
/// [module documentation](self), with the personas as actors. With `persona`, only that
/// persona's emotions and name are used.
#[must_use]
pub fn to_mermaid(journey: &ValidJourney, persona: Option<&str>) -> MermaidExport {
    to_mermaid_measured(journey, persona, None)
}

/// As [`to_mermaid`], with each touchpoint's own measured score where `survey` (survey
/// KPIs by touchpoint, optionally segmented by persona id) has one: a touchpoint task's
/// `e'` for a persona comes from the touchpoint × persona group, else the touchpoint's
/// group, from CSAT (else NPS) as the [module documentation](self) says, and only without
/// either from the emotions of the map. `dropped` says how many tasks were scored from
/// survey answers.
#[must_use]
pub fn to_mermaid_measured(
    journey: &ValidJourney,
    persona: Option<&str>,
    survey: Option<&SurveyReport>,
) -> MermaidExport {
    let j = journey.journey();
    let mut measured = 0usize;
    let mut dropped: Vec<String> = Vec::new();
    let curves: Vec<EmotionCurve> = emotion_curves(journey)
        .into_iter()
        .filter(|c| persona.is_none_or(|p| c.persona == p))
        .collect();
    if let Some(p) = persona {
        if curves.is_empty() {
            dropped.push(format!(
                "persona `{p}` is not in the journey: tasks have no actors"
            ));
        }
    }
    let actor_name = |id: &str| {
        j.personas
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_owned(), |p| clean(&p.name, true).0)
    };
    let mut cleaned = false;
    let mut unscored = 0usize;
    let mut text = String::from("journey\n");
    let (title, changed) = clean_as(&j.name, false, true);
    cleaned |= changed;
    text.push_str(&format!("    title {title}\n"));
    for (si, stage) in j.stages.iter().enumerate() {
        let (name, changed) = clean(&stage.name, false);
        cleaned |= changed;
        text.push_str(&format!("    section {name}\n"));
        // (task name, per persona: (persona id, value))
        let mut tasks: Vec<Task> = Vec::new();
        let stage_value = |c: &EmotionCurve| c.stages.get(si).and_then(|p| p.value);
        let observed_in_stage = |c: &EmotionCurve| {
            j.observations
                .iter()
                .any(|o| o.persona == c.persona && o.stage == stage.id)
        };
        let touchpoints: Vec<&Touchpoint> = j
            .touchpoints
            .iter()
            .filter(|t| t.stage == stage.id)
            .collect();
        if touchpoints.is_empty() {
            for c in &curves {
                for o in j
                    .observations
                    .iter()
                    .filter(|o| o.persona == c.persona && o.stage == stage.id)
                {
                    for action in &o.actions {
                        tasks.push((action.clone(), vec![(c.persona.clone(), stage_value(c))]));
                    }
                }
            }
        } else {
            for tp in touchpoints {
                let mut from_survey = false;
                let per: Vec<(String, Option<f64>)> = curves
                    .iter()
                    .filter(|c| {
                        observed_in_stage(c)
                            || survey
                                .and_then(|sv| touchpoint_measured(sv, &tp.id, &c.persona))
                                .is_some()
                    })
                    .map(|c| {
                        if let Some(e) =
                            survey.and_then(|sv| touchpoint_measured(sv, &tp.id, &c.persona))
                        {
                            from_survey = true;
                            return (c.persona.clone(), Some(e));
                        }
                        let at_tp = c
                            .touchpoints
                            .iter()
                            .find(|p| p.id == tp.id)
                            .and_then(|p| p.value);
                        (c.persona.clone(), at_tp.or_else(|| stage_value(c)))
                    })
                    .collect();
                measured += usize::from(from_survey);
                tasks.push((tp.name.clone(), per));
            }
        }
        for (task, per) in tasks {
            let (task, changed) = clean(&task, false);
            cleaned |= changed;
            let values: Vec<f64> = per.iter().filter_map(|(_, v)| *v).collect();
            let score = match mean(&values) {
                Some(e) => score_from_emotion(e),
                None => {
                    unscored += 1;
                    3
                }
            };
            let actors: Vec<String> = if per.is_empty() {
                curves.iter().map(|c| actor_name(&c.persona)).collect()
            } else {
                per.iter().map(|(id, _)| actor_name(id)).collect()
            };
            if actors.is_empty() {
                text.push_str(&format!("      {task}: {score}\n"));
            } else {
                text.push_str(&format!("      {task}: {score}: {}\n", actors.join(", ")));
            }
        }
    }
    if unscored > 0 {
        dropped.push(format!(
            "{unscored} tasks have no emotion data and are scored 3 (neutral)"
        ));
    }
    if measured > 0 {
        dropped.push(format!(
            "{measured} tasks scored from measured survey answers (CSAT, else NPS) instead of the map's emotions"
        ));
    }
    if cleaned {
        dropped.push("characters `:`, `;`, `#` and line breaks replaced in names".to_owned());
    }
    let counts = [
        ("description", usize::from(j.description.is_some())),
        ("objectives", j.objectives.len()),
        (
            "persona details (description, share, demographics, goals, needs)",
            j.personas
                .iter()
                .filter(|p| {
                    p.description.is_some()
                        || p.share.is_some()
                        || !p.goals.is_empty()
                        || !p.needs.is_empty()
                        || !p.demographics.is_empty()
                        || !p.psychographics.is_empty()
                })
                .count(),
        ),
        (
            "stage descriptions and durations",
            j.stages
                .iter()
                .filter(|s| s.description.is_some() || s.expected_duration.is_some())
                .count(),
        ),
        (
            "channels (every task is exported without its channel)",
            j.channels.len(),
        ),
        (
            "touchpoint descriptions, owners, sides and events",
            j.touchpoints
                .iter()
                .filter(|t| {
                    t.description.is_some()
                        || t.owner.is_some()
                        || t.side == Side::Backstage
                        || !t.events.is_empty()
                })
                .count(),
        ),
        (
            "thoughts",
            j.observations.iter().map(|o| o.thoughts.len()).sum(),
        ),
        (
            "evidence links of observations",
            j.observations
                .iter()
                .filter(|o| !o.evidence_ids.is_empty())
                .count(),
        ),
        ("pain points", j.pain_points.len()),
        ("opportunities", j.opportunities.len()),
        ("KPIs", j.kpis.len()),
        ("evidence", j.evidence.len()),
        ("teams", j.teams.len()),
        ("review", usize::from(j.review.is_some())),
    ];
    for (what, n) in counts {
        if n > 0 {
            dropped.push(format!("{what} ({n})"));
        }
    }
    if j.state == JourneyState::ToBe {
        dropped.push("state: to_be".to_owned());
    }
    if j.observations.iter().any(|o| o.emotion.is_some()) {
        dropped.push("emotion values: rounded to Mermaid scores 1\u{2013}5".to_owned());
    }
    MermaidExport { text, dropped }
}

/// Ids handed out so far, to make each new one unique.
#[derive(Debug, Default)]
struct Taken {
    ids: HashSet<String>,
    /// Per base that was already taken, the number to try next: `base-2` up to
    /// `base-(n − 1)` are all taken (ids are only ever added), so the search for a free
    /// `base-n` goes on from there instead of from 2. With this, n tasks of one name take
    /// linear time instead of cubic (issue 14).
    next: HashMap<String, u64>,
}

/// A slug made from `text` (`[a-z0-9-]`), unique among `taken`: the base itself, else
/// `base-n` with the smallest n ≥ 2 not taken.
fn slug(text: &str, fallback: &str, taken: &mut Taken) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= 60 {
            break;
        }
    }
    let s = s.trim_end_matches('-');
    let base = if s.is_empty() {
        fallback.to_owned()
    } else {
        s.to_owned()
    };
    let id = if taken.ids.contains(&base) {
        let n = taken.next.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if !taken.ids.contains(&candidate) {
                break candidate;
            }
        }
    } else {
        base
    };
    taken.ids.insert(id.clone());
    id
}

fn problem(line: usize, message: String) -> Error {
    Error::Document(Problems(vec![Problem {
        code: ProblemCode::InvalidValue,
        path: format!("lines[{}]", line.saturating_sub(1)),
        message,
    }]))
}

/// Imports a Mermaid `journey` diagram as a valid journey document: stages from
/// sections, one touchpoint per task on a channel `unknown` (online), personas from the
/// actors, and per task and actor an observation with the score as emotion on the scale
/// 1..5. Comments (`%%`), `accTitle` and `accDescr` (kept as the description) are
/// understood; anything the document cannot take is reported as a [`Note`].
///
/// # Errors
/// [`Error::Document`] with code `invalid_value` and path `lines[i]` (0-based line) when
/// the text is not a Mermaid journey (no `journey` header) or a score is not a number.
pub fn from_mermaid(text: &str) -> Result<(Journey, Vec<Note>)> {
    let mut notes = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let header = lines
        .by_ref()
        .find(|(_, l)| !l.is_empty() && !l.starts_with("%%"));
    match header {
        Some((_, l)) if l == "journey" || l.starts_with("journey ") => {}
        Some((n, l)) => {
            return Err(problem(
                n,
                format!("expected `journey`, found `{}`", excerpt(l)),
            ))
        }
        None => {
            return Err(problem(
                1,
                "empty text: expected a Mermaid `journey` diagram".to_owned(),
            ))
        }
    }
    let mut title: Option<String> = None;
    let mut description: Option<String> = None;
    let mut stages: Vec<Stage> = Vec::new();
    let mut touchpoints: Vec<Touchpoint> = Vec::new();
    let mut personas: Vec<Persona> = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut stage_ids = Taken::default();
    let mut tp_ids = Taken::default();
    let mut persona_ids = Taken::default();
    let mut obs_ids = Taken::default();
    // Persona ids by name (names are unique: a persona is made for a name not seen yet).
    let mut persona_by_name: HashMap<String, String> = HashMap::new();
    let mut in_block = false;
    for (n, line) in lines {
        if in_block {
            if line.contains('}') {
                in_block = false;
            }
            continue;
        }
        if line.is_empty() || line.starts_with("%%") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("title") {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                title = Some(rest.trim().to_owned());
                continue;
            }
        }
        if let Some(rest) = line.strip_prefix("accTitle") {
            notes.push(Note {
                line: Some(n),
                message: "`accTitle` ignored (the title is used)".to_owned(),
            });
            let _ = rest;
            continue;
        }
        if let Some(rest) = line.strip_prefix("accDescr") {
            let rest = rest.trim_start();
            if let Some(d) = rest.strip_prefix(':') {
                description = Some(d.trim().to_owned());
            } else {
                in_block = rest.starts_with('{') && !rest.contains('}');
                notes.push(Note {
                    line: Some(n),
                    message: "multi-line `accDescr` ignored".to_owned(),
                });
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("section") {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                let name = rest.trim();
                let name = if name.is_empty() {
                    "Untitled section"
                } else {
                    name
                };
                let id = slug(name, "stage", &mut stage_ids);
                stages.push(Stage {
                    id,
                    name: name.to_owned(),
                    description: None,
                    expected_duration: None,
                    extensions: Default::default(),
                });
                continue;
            }
        }
        // A task: `name: score[: actor, actor]`.
        let mut parts = line.splitn(3, ':');
        let name = parts.next().unwrap_or_default().trim();
        let Some(score_text) = parts.next() else {
            notes.push(Note {
                line: Some(n),
                message: format!("line not understood and ignored: `{}`", excerpt(line)),
            });
            continue;
        };
        let actors: Vec<String> = parts
            .next()
            .map(|a| {
                a.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let score: f64 = score_text
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                problem(
                    n,
                    format!(
                        "task score `{}` is not a number",
                        excerpt(score_text.trim())
                    ),
                )
            })?;
        let clamped = score.clamp(1.0, 5.0);
        if (clamped - score).abs() > 0.0 {
            notes.push(Note {
                line: Some(n),
                message: format!("score `{score}` clamped to `{clamped}` (scale 1..5)"),
            });
        }
        if stages.is_empty() {
            notes.push(Note {
                line: Some(n),
                message: "task before any section: put in a stage `Untitled section`".to_owned(),
            });
            let id = slug("Untitled section", "stage", &mut stage_ids);
            stages.push(Stage {
                id,
                name: "Untitled section".to_owned(),
                description: None,
                expected_duration: None,
                extensions: Default::default(),
            });
        }
        let Some(stage) = stages.last() else { continue };
        let name = if name.is_empty() {
            "Untitled task"
        } else {
            name
        };
        let tp_id = slug(name, "task", &mut tp_ids);
        touchpoints.push(Touchpoint {
            id: tp_id.clone(),
            name: name.to_owned(),
            description: None,
            stage: stage.id.clone(),
            channel: "unknown".to_owned(),
            owner: None,
            side: Side::Frontstage,
            events: Vec::new(),
            extensions: Default::default(),
        });
        let actors = if actors.is_empty() {
            // The persona ids are exactly the ids taken in `persona_ids`.
            if !persona_ids.ids.contains("customer") {
                notes.push(Note {
                    line: Some(n),
                    message: "task without actors: observed for a persona `Customer`".to_owned(),
                });
            }
            vec!["Customer".to_owned()]
        } else {
            actors
        };
        for actor in actors {
            let persona_id = match persona_by_name.get(&actor) {
                Some(id) => id.clone(),
                None => {
                    let id = slug(&actor, "persona", &mut persona_ids);
                    persona_by_name.insert(actor.clone(), id.clone());
                    personas.push(Persona {
                        id: id.clone(),
                        name: actor.clone(),
                        description: None,
                        share: None,
                        demographics: Vec::new(),
                        psychographics: Vec::new(),
                        goals: Vec::new(),
                        needs: Vec::new(),
                        extensions: Default::default(),
                    });
                    id
                }
            };
            let obs_id = slug(&format!("obs-{persona_id}-{tp_id}"), "obs", &mut obs_ids);
            observations.push(Observation {
                id: obs_id,
                persona: persona_id,
                stage: stage.id.clone(),
                touchpoint: Some(tp_id.clone()),
                actions: Vec::new(),
                thoughts: Vec::new(),
                emotion: Some(Emotion {
                    value: clamped,
                    scale: EmotionScale { min: 1.0, max: 5.0 },
                }),
                evidence_ids: Vec::new(),
                extensions: Default::default(),
            });
        }
    }
    let name = title.filter(|t| !t.is_empty()).unwrap_or_else(|| {
        notes.push(Note {
            line: None,
            message: "no title: the journey is named `Mermaid journey`".to_owned(),
        });
        "Mermaid journey".to_owned()
    });
    let id = slug(&name, "mermaid-journey", &mut Taken::default());
    let channels = if touchpoints.is_empty() {
        Vec::new()
    } else {
        vec![Channel {
            id: "unknown".to_owned(),
            name: "Unknown channel".to_owned(),
            kind: ChannelKind::Online,
            extensions: Default::default(),
        }]
    };
    let journey = Journey {
        schema_version: SCHEMA_VERSION,
        id,
        name,
        description,
        state: JourneyState::AsIs,
        objectives: Vec::new(),
        personas,
        stages,
        channels,
        touchpoints,
        observations,
        pain_points: Vec::new(),
        opportunities: Vec::new(),
        kpis: Vec::new(),
        evidence: Vec::new(),
        teams: Vec::new(),
        review: None,
        extensions: Default::default(),
    };
    // The document is built to pass every rule; check, so a mistake here is an error,
    // never an invalid document handed on.
    crate::validate(&journey)?;
    Ok((journey, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `slug` as it was before issue 14: a linear search of every id handed out, from
    /// `base-2` up, for each new id (cubic for n equal names).
    fn reference_slug(text: &str, fallback: &str, taken: &mut Vec<String>) -> String {
        let mut s = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                s.push(c);
            } else if !s.is_empty() && !s.ends_with('-') {
                s.push('-');
            }
            if s.len() >= 60 {
                break;
            }
        }
        let s = s.trim_end_matches('-');
        let base = if s.is_empty() {
            fallback.to_owned()
        } else {
            s.to_owned()
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.push(candidate.clone());
        candidate
    }

    proptest! {
        /// The same ids as the linear search, for names that collide with each other and
        /// with numbered ids (`a`, `a 2`, `a-2-2`…), are empty or are cut at 60 characters.
        #[test]
        fn slugs_equal_the_linear_search(
            names in prop::collection::vec(
                prop::sample::select(
                    [
                        "a", "A", "a 2", "a-2", "a 3", "a-2-2", "a 2 2", "a 10", "task", "Task 2",
                        "", "!!", "task-3",
                    ]
                    .map(str::to_owned)
                    .into_iter()
                    .chain(["x".repeat(70), "x".repeat(61), format!("{}-2", "x".repeat(60))])
                    .collect::<Vec<String>>(),
                ),
                0..200,
            ),
        ) {
            let mut taken = Taken::default();
            let mut reference = Vec::new();
            for name in &names {
                prop_assert_eq!(
                    slug(name, "task", &mut taken),
                    reference_slug(name, "task", &mut reference)
                );
            }
        }
    }
}
