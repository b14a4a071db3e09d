//! Comparisons across maps (docs/insights.md): what changed between two versions of a
//! map (collections, health scores, pain-point priorities) and patterns across several
//! maps (shared pain, low emotion, repeated findings). They sit above the scoring and the
//! insights they compare, so neither imports them.

use crate::definition::Definition;
use crate::insights::{insights, InsightInputs, InsightOptions, Severity};
use crate::scoring::{
    emotion_curves, health, priorities, HealthInputs, HealthReport, HealthScore, ScoringModel,
};
use crate::ValidJourney;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The measured inputs of one version of a map, held by value as a binding reads them
/// (Python's `before_inputs` and `after_inputs` of `diff_maps`): each optional, as
/// [`HealthInputs`] has them; an unknown key is `invalid_option`. Written, the inputs
/// not given are left out (JavaScript's `log.healthInputs()` is `{reach, traffic}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapInputs {
    /// Survey KPIs by scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<crate::scoring::SurveyReport>,
    /// Measured reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach: Option<crate::scoring::MeasuredReach>,
    /// Customers per touchpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<BTreeMap<String, f64>>,
    /// Measured KPI values by KPI id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kpi_actuals: Option<BTreeMap<String, f64>>,
}

impl MapInputs {
    /// The inputs a log measures for health: the reach of every stage and touchpoint and
    /// the customers per touchpoint of `traffic` (survey and KPI values are not in a log).
    #[must_use]
    pub fn from_traffic(traffic: &crate::events::Traffic) -> Self {
        Self {
            reach: Some(crate::scoring::MeasuredReach::from_traffic(traffic)),
            traffic: Some(traffic.touchpoint_customers()),
            ..Self::default()
        }
    }

    /// The inputs as [`health()`] takes them.
    #[must_use]
    pub fn health_inputs(&self) -> HealthInputs<'_> {
        HealthInputs {
            survey: self.survey.as_ref(),
            reach: self.reach.as_ref(),
            traffic: self.traffic.as_ref(),
            kpi_actuals: self.kpi_actuals.as_ref(),
            measured: None,
        }
    }
}

/// What changed in one collection between two versions of a map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CollectionDiff {
    /// Ids only in the new version.
    pub added: Vec<String>,
    /// Ids only in the old version.
    pub removed: Vec<String>,
    /// Ids in both whose content changed, with the changed top-level fields.
    pub changed: Vec<ChangedItem>,
}

/// An item present in both versions with different content.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChangedItem {
    /// Item id.
    pub id: String,
    /// Names of the fields that differ.
    pub fields: Vec<String>,
}

/// A score before and after.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScoreChange {
    /// `journey`, `stage`, `touchpoint`, `pain_point` or `opportunity`.
    pub kind: String,
    /// Item id.
    pub id: String,
    /// Score in the old version (`None`: absent or undefined).
    pub before: Option<f64>,
    /// Score in the new version.
    pub after: Option<f64>,
    /// after − before, when both exist.
    pub delta: Option<f64>,
}

/// Two versions of a map compared: structure and every score.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MapDiff {
    /// Top-level journey fields that changed (name, description, state, review…).
    pub journey_fields: Vec<String>,
    /// Per collection (`stages`, `touchpoints`…), what changed; unchanged ones omitted.
    pub collections: BTreeMap<String, CollectionDiff>,
    /// Health (journey, stages, touchpoints) and priority (pain points, opportunities)
    /// before and after.
    pub scores: Vec<ScoreChange>,
    /// The scoring model and its hash.
    pub definition: Definition,
}

const COLLECTIONS: &[&str] = &[
    "objectives",
    "personas",
    "stages",
    "channels",
    "touchpoints",
    "observations",
    "pain_points",
    "opportunities",
    "kpis",
    "evidence",
    "teams",
];

fn items_by_id(doc: &serde_json::Value, collection: &str) -> BTreeMap<String, serde_json::Value> {
    doc.get(collection)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| Some((item.get("id")?.as_str()?.to_owned(), item.clone())))
        .collect()
}

fn changed_fields(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(k.as_str()) != b.get(k.as_str()))
        .cloned()
        .collect()
}

fn health_scores(report: &HealthReport) -> Vec<(&'static str, &HealthScore)> {
    std::iter::once(("journey", &report.journey))
        .chain(report.stages.iter().map(|s| ("stage", s)))
        .chain(report.touchpoints.iter().map(|t| ("touchpoint", t)))
        .collect()
}

/// Compares two versions of a map: added, removed and changed items by id, and the change
/// in every health score and priority (scored with `model` and each version's inputs).
///
/// # Errors
/// `invalid_option` for an invalid scoring model.
pub fn diff_maps(
    before: &ValidJourney,
    after: &ValidJourney,
    model: &ScoringModel,
    before_inputs: &HealthInputs<'_>,
    after_inputs: &HealthInputs<'_>,
) -> crate::Result<MapDiff> {
    let (a, b) = (
        serde_json::to_value(before.journey()).unwrap_or_default(),
        serde_json::to_value(after.journey()).unwrap_or_default(),
    );
    let mut journey_fields = changed_fields(&a, &b);
    journey_fields.retain(|f| !COLLECTIONS.contains(&f.as_str()));
    let mut collections = BTreeMap::new();
    for &name in COLLECTIONS {
        let (old, new) = (items_by_id(&a, name), items_by_id(&b, name));
        let diff = CollectionDiff {
            added: new
                .keys()
                .filter(|k| !old.contains_key(*k))
                .cloned()
                .collect(),
            removed: old
                .keys()
                .filter(|k| !new.contains_key(*k))
                .cloned()
                .collect(),
            changed: old
                .iter()
                .filter_map(|(id, item)| {
                    let other = new.get(id)?;
                    let fields = changed_fields(item, other);
                    (!fields.is_empty()).then(|| ChangedItem {
                        id: id.clone(),
                        fields,
                    })
                })
                .collect(),
        };
        if diff != CollectionDiff::default() {
            collections.insert(name.to_owned(), diff);
        }
    }
    let (ha, hb) = (
        health(before, model, before_inputs)?,
        health(after, model, after_inputs)?,
    );
    let mut scores: BTreeMap<(String, String), (Option<f64>, Option<f64>)> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut record = |kind: &str, id: &str, value: Option<f64>, slot: usize| {
        let key = (kind.to_owned(), id.to_owned());
        if !scores.contains_key(&key) {
            order.push(key.clone());
        }
        let entry = scores.entry(key).or_insert((None, None));
        if slot == 0 {
            entry.0 = value;
        } else {
            entry.1 = value;
        }
    };
    for (slot, report) in [&ha, &hb].into_iter().enumerate() {
        for (kind, score) in health_scores(report) {
            record(kind, &score.id, score.score, slot);
        }
    }
    for (slot, (journey, inputs)) in [(before, before_inputs), (after, after_inputs)]
        .into_iter()
        .enumerate()
    {
        let p = priorities(journey, inputs.reach)?;
        for pain in &p.pain_points {
            record("pain_point", &pain.pain_point, pain.priority, slot);
        }
        for opportunity in &p.opportunities {
            record(
                "opportunity",
                &opportunity.opportunity,
                Some(opportunity.score),
                slot,
            );
        }
    }
    let scores = order
        .into_iter()
        .filter_map(|key| {
            let (before, after) = *scores.get(&key)?;
            Some(ScoreChange {
                kind: key.0,
                id: key.1,
                before,
                after,
                delta: before.zip(after).map(|(x, y)| y - x),
            })
        })
        .collect();
    Ok(MapDiff {
        journey_fields,
        collections,
        scores,
        definition: Definition::new("map_diff", model),
    })
}

/// Something that recurs across maps.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Pattern {
    /// `pain_point` (by name, case and spacing ignored), `low_point` (stage name of a
    /// persona's emotional low point) or `insight` (finding code).
    pub kind: String,
    /// The recurring key (normalised pain point name, stage name, or insight code).
    pub key: String,
    /// How many maps it occurs in.
    pub maps: usize,
    /// How many times in all.
    pub occurrences: usize,
    /// How bad: mean severity 1–5 of the pain points, mean low value (−1..1, lower is
    /// worse) of the low points, the highest insight severity (1 info, 2 warning, 3
    /// critical).
    pub badness: f64,
    /// Ids of the maps it occurs in.
    pub map_ids: Vec<String>,
}

/// Patterns across several maps (or several personas' maps), ranked by how many maps they
/// occur in, then by how bad, then by key. The definition's parameters are the map
/// lint's options (`InsightOptions`), its drop-off and unmapped-event thresholds at
/// their defaults (a [`PatternOptions`] cannot set them), so that hashes stay those of
/// results made before that type.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Patterns {
    /// Patterns occurring in at least two maps.
    pub patterns: Vec<Pattern>,
    /// The rules and their hash.
    pub definition: Definition,
}

/// Options of [`patterns`]: those of the map lint ([`InsightOptions`]) that can change a
/// pattern. The lint runs on each map without measured data, so its drop-off and
/// unmapped-event thresholds have nothing to act on; they are not options here, so that
/// giving one is `invalid_option` instead of passing without effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PatternOptions {
    /// The date to judge staleness by, as [`InsightOptions::as_of`] (read the same way).
    #[serde(deserialize_with = "crate::insights::calendar_date")]
    pub as_of: Option<String>,
    /// A pain point with at least this priority is high priority, as
    /// [`InsightOptions::high_priority`] (default 0.3).
    pub high_priority: f64,
}

impl Default for PatternOptions {
    fn default() -> Self {
        let InsightOptions {
            as_of,
            high_priority,
            ..
        } = InsightOptions::default();
        Self {
            as_of,
            high_priority,
        }
    }
}

impl From<&PatternOptions> for InsightOptions {
    fn from(options: &PatternOptions) -> Self {
        Self {
            as_of: options.as_of.clone(),
            high_priority: options.high_priority,
            ..Self::default()
        }
    }
}

/// Finds pain points, emotional low points and insights that recur across maps.
///
/// # Errors
/// `invalid_option` for invalid options.
pub fn patterns(maps: &[&ValidJourney], options: &PatternOptions) -> crate::Result<Patterns> {
    // The lint's options; its definition is hashed as before (the other thresholds at
    // their defaults), so a result's hash does not change.
    let options = &InsightOptions::from(options);
    type Acc = (Vec<String>, usize, Vec<f64>);
    let mut found: BTreeMap<(String, String), Acc> = BTreeMap::new();
    let mut add = |kind: &str, key: String, map_id: &str, badness: f64| {
        let entry = found
            .entry((kind.to_owned(), key))
            .or_insert_with(|| (Vec::new(), 0, Vec::new()));
        if !entry.0.iter().any(|m| m == map_id) {
            entry.0.push(map_id.to_owned());
        }
        entry.1 += 1;
        entry.2.push(badness);
    };
    for map in maps {
        let j = map.journey();
        for pain in &j.pain_points {
            let key = pain
                .name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            add("pain_point", key, &j.id, f64::from(pain.severity));
        }
        for curve in emotion_curves(map) {
            if let Some(low) = curve.low {
                let name = j
                    .stages
                    .iter()
                    .find(|s| s.id == low.stage)
                    .map_or(low.stage.clone(), |s| s.name.to_lowercase());
                add("low_point", name, &j.id, low.value);
            }
        }
        for insight in insights(map, options, &InsightInputs::default())?.insights {
            let level = match insight.severity {
                Severity::Info => 1.0,
                Severity::Warning => 2.0,
                Severity::Critical => 3.0,
            };
            add("insight", insight.code, &j.id, level);
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "small counts")]
    let mut patterns: Vec<Pattern> = found
        .into_iter()
        .filter(|(_, (maps, _, _))| maps.len() >= 2)
        .map(|((kind, key), (map_ids, occurrences, values))| {
            let badness = match kind.as_str() {
                "insight" => values.iter().copied().fold(0.0, f64::max),
                _ => values.iter().sum::<f64>() / values.len() as f64,
            };
            Pattern {
                kind,
                key,
                maps: map_ids.len(),
                occurrences,
                badness,
                map_ids,
            }
        })
        .collect();
    // Worse first: higher severity for pain points and insights, lower value for low points.
    let worse = |p: &Pattern| {
        if p.kind == "low_point" {
            -p.badness
        } else {
            p.badness
        }
    };
    crate::sort::stable_by(&mut patterns, |a, b| {
        b.maps
            .cmp(&a.maps)
            .then(worse(b).total_cmp(&worse(a)))
            .then(a.kind.cmp(&b.kind))
            .then(a.key.cmp(&b.key))
    });
    Ok(Patterns {
        patterns,
        definition: Definition::new("patterns", options),
    })
}
