//! Tables of scoring, insights, comparisons, maps and attribution results.

use super::{col, count, counts, flags, label, lists, number, text, Column};
use crate::attribution::{Attribution, Credit, Model};
use crate::insights::InsightReport;
use crate::maps::{MapDiff, Patterns};
use crate::scoring::{
    EmotionCurve, GroupComparison, HealthReport, HealthScore, NpsScore, PriorityReport, ScaleScore,
    SurveyReport,
};

/// The five columns of a CSAT or CES score: value, interval, answered, missing.
fn scale_columns(prefix: &str, scores: &[Option<&ScaleScore>]) -> [Column; 5] {
    [
        col(prefix, number(scores, &|s| s.and_then(|s| s.value))),
        col(
            &format!("{prefix}_low"),
            number(scores, &|s| s.and_then(|s| s.interval).map(|[lo, _]| lo)),
        ),
        col(
            &format!("{prefix}_high"),
            number(scores, &|s| s.and_then(|s| s.interval).map(|[_, hi]| hi)),
        ),
        col(
            &format!("{prefix}_answered"),
            counts(scores, &|s| s.map(|s| s.answered)),
        ),
        col(
            &format!("{prefix}_missing"),
            counts(scores, &|s| s.map(|s| s.missing)),
        ),
    ]
}

tabular!(SurveyReport, ["groups"], |r, name| (name == "groups").then(
    || {
        let g = &r.groups;
        let nps: Vec<Option<&NpsScore>> = g.iter().map(|g| g.nps.as_ref()).collect();
        let csat: Vec<_> = g.iter().map(|g| g.csat.as_ref()).collect();
        let ces: Vec<_> = g.iter().map(|g| g.ces.as_ref()).collect();
        let nps_count = |f: fn(&NpsScore) -> u64| counts(&nps, &move |n| n.map(f));
        let mut columns = vec![
            col("level", text(g, &|g| Some(label(&g.level)))),
            col("scope", text(g, &|g| g.scope.clone())),
            col("segment", text(g, &|g| g.segment.clone())),
            col("responses", counts(g, &|g| Some(g.responses))),
            col("suppressed", flags(g, &|g| Some(g.suppressed))),
            col("nps", number(&nps, &|n| n.and_then(|n| n.value))),
            col("nps_margin", number(&nps, &|n| n.and_then(|n| n.margin))),
            col("nps_answered", nps_count(|n| n.answered)),
            col("nps_missing", nps_count(|n| n.missing)),
            col("promoters", nps_count(|n| n.promoters)),
            col("passives", nps_count(|n| n.passives)),
            col("detractors", nps_count(|n| n.detractors)),
        ];
        columns.extend(scale_columns("csat", &csat));
        columns.extend(scale_columns("ces", &ces));
        columns
    }
));

tabular!(
    PriorityReport,
    ["pain_points", "opportunities"],
    |r, name| match name {
        "pain_points" => {
            let p = &r.pain_points;
            Some(vec![
                col("rank", counts(p, &|p| count(p.rank))),
                col("pain_point", text(p, &|p| Some(p.pain_point.clone()))),
                col("severity", counts(p, &|p| Some(u64::from(p.severity)))),
                col("frequency", number(p, &|p| p.frequency)),
                col("reach", number(p, &|p| Some(p.reach))),
                col("reach_source", text(p, &|p| Some(label(&p.reach_source)))),
                col("priority", number(p, &|p| p.priority)),
                col("status", text(p, &|p| Some(label(&p.status)))),
            ])
        }
        "opportunities" => {
            let o = &r.opportunities;
            Some(vec![
                col("rank", counts(o, &|o| count(o.rank))),
                col("opportunity", text(o, &|o| Some(o.opportunity.clone()))),
                col("base", number(o, &|o| Some(o.base))),
                col(
                    "addressed_priority",
                    number(o, &|o| Some(o.addressed_priority)),
                ),
                col("score", number(o, &|o| Some(o.score))),
                col("missing", lists(o, &|o| o.missing.clone())),
                col("status", text(o, &|o| Some(label(&o.status)))),
            ])
        }
        _ => None,
    }
);

tabular!(HealthReport, ["scores", "components"], |r, name| {
    // Journey, then stages, then touchpoints.
    let s: Vec<&HealthScore> = std::iter::once(&r.journey)
        .chain(&r.stages)
        .chain(&r.touchpoints)
        .collect();
    match name {
        "scores" => Some(vec![
            col("kind", text(&s, &|s| Some(label(&s.kind)))),
            col("id", text(&s, &|s| Some(s.id.clone()))),
            col("score", number(&s, &|s| s.score)),
            col("band", text(&s, &|s| s.band.as_ref().map(label))),
            col("missing", lists(&s, &|s| s.missing.clone())),
        ]),
        "components" => {
            let rows: Vec<_> = s
                .iter()
                .flat_map(|s| s.components.iter().map(move |c| (*s, c)))
                .collect();
            Some(vec![
                col("kind", text(&rows, &|(s, _)| Some(label(&s.kind)))),
                col("id", text(&rows, &|(s, _)| Some(s.id.clone()))),
                col("component", text(&rows, &|(_, c)| Some(c.name.clone()))),
                col("raw", number(&rows, &|(_, c)| Some(c.raw))),
                col("normalised", number(&rows, &|(_, c)| Some(c.normalised))),
                col("weight", number(&rows, &|(_, c)| Some(c.weight))),
                col("share", number(&rows, &|(_, c)| Some(c.share))),
                col(
                    "contribution",
                    number(&rows, &|(_, c)| Some(c.contribution)),
                ),
            ])
        }
        _ => None,
    }
});

tabular!(
    Vec<EmotionCurve>,
    ["points", "curves"],
    |c, name| match name {
        "points" => {
            let rows: Vec<_> = c
                .iter()
                .flat_map(|c| {
                    let stages = c.stages.iter().map(move |p| (c, "stage", p));
                    let touchpoints = c.touchpoints.iter().map(move |p| (c, "touchpoint", p));
                    stages.chain(touchpoints)
                })
                .collect();
            Some(vec![
                col("persona", text(&rows, &|(c, _, _)| Some(c.persona.clone()))),
                col("kind", text(&rows, &|(_, k, _)| Some((*k).to_owned()))),
                col("id", text(&rows, &|(_, _, p)| Some(p.id.clone()))),
                col("value", number(&rows, &|(_, _, p)| p.value)),
                col(
                    "observations",
                    counts(&rows, &|(_, _, p)| count(p.observations)),
                ),
            ])
        }
        "curves" => Some(vec![
            col("persona", text(c, &|c| Some(c.persona.clone()))),
            col(
                "low_stage",
                text(c, &|c| c.low.as_ref().map(|e| e.stage.clone())),
            ),
            col("low", number(c, &|c| c.low.as_ref().map(|e| e.value))),
            col(
                "high_stage",
                text(c, &|c| c.high.as_ref().map(|e| e.stage.clone())),
            ),
            col("high", number(c, &|c| c.high.as_ref().map(|e| e.value))),
            col("peak_end", number(c, &|c| c.peak_end)),
        ]),
        _ => None,
    }
);

tabular!(InsightReport, ["insights"], |r, name| (name == "insights")
    .then(|| {
        let i = &r.insights;
        vec![
            col("code", text(i, &|i| Some(i.code.clone()))),
            col("severity", text(i, &|i| Some(label(&i.severity)))),
            col("path", text(i, &|i| Some(i.path.clone()))),
            col("message", text(i, &|i| Some(i.message.clone()))),
        ]
    }));

tabular!(GroupComparison, ["kpis"], |r, name| (name == "kpis").then(
    || {
        let k = &r.kpis;
        vec![
            col("metric", text(k, &|k| Some(k.metric.clone()))),
            col("a", number(k, &|k| k.a)),
            col("b", number(k, &|k| k.b)),
            col("difference", number(k, &|k| k.difference)),
            col("margin", number(k, &|k| k.margin)),
            col("z", number(k, &|k| k.z)),
            col("p_value", number(k, &|k| k.p_value)),
            col("significant", flags(k, &|k| k.significant)),
            col("method", text(k, &|k| Some(k.method.clone()))),
        ]
    }
));

tabular!(MapDiff, ["scores", "changes"], |r, name| match name {
    "scores" => {
        let s = &r.scores;
        Some(vec![
            col("kind", text(s, &|s| Some(s.kind.clone()))),
            col("id", text(s, &|s| Some(s.id.clone()))),
            col("before", number(s, &|s| s.before)),
            col("after", number(s, &|s| s.after)),
            col("delta", number(s, &|s| s.delta)),
        ])
    }
    "changes" => {
        let mut rows: Vec<(&str, &str, &str, Vec<String>)> = Vec::new();
        for (collection, diff) in &r.collections {
            let c = collection.as_str();
            rows.extend(
                diff.added
                    .iter()
                    .map(|id| (c, "added", id.as_str(), vec![])),
            );
            rows.extend(
                diff.removed
                    .iter()
                    .map(|id| (c, "removed", id.as_str(), vec![])),
            );
            rows.extend(
                diff.changed
                    .iter()
                    .map(|x| (c, "changed", x.id.as_str(), x.fields.clone())),
            );
        }
        Some(vec![
            col("collection", text(&rows, &|r| Some(r.0.to_owned()))),
            col("change", text(&rows, &|r| Some(r.1.to_owned()))),
            col("id", text(&rows, &|r| Some(r.2.to_owned()))),
            col("fields", lists(&rows, &|r| r.3.clone())),
        ])
    }
    _ => None,
});

tabular!(Patterns, ["patterns"], |r, name| (name == "patterns").then(
    || {
        let p = &r.patterns;
        vec![
            col("kind", text(p, &|p| Some(p.kind.clone()))),
            col("key", text(p, &|p| Some(p.key.clone()))),
            col("maps", counts(p, &|p| count(p.maps))),
            col("occurrences", counts(p, &|p| count(p.occurrences))),
            col("badness", number(p, &|p| Some(p.badness))),
            col("map_ids", lists(p, &|p| p.map_ids.clone())),
        ]
    }
));

/// The name of a model's column in the attribution `value` table.
fn value_column(model: Model) -> &'static str {
    match model {
        Model::First => "first_value",
        Model::Last => "last_value",
        Model::LastNonDirect => "last_non_direct_value",
        Model::Linear => "linear_value",
        Model::PositionBased => "position_based_value",
        Model::TimeDecay => "time_decay_value",
        Model::Participation => "participation_value",
        Model::Markov => "markov_value",
        Model::Shapley => "shapley_value",
        Model::OrderedShapley => "ordered_shapley_value",
    }
}

/// One row per channel, one column per model: each channel's credited conversions (or
/// value, `value`).
fn side_by_side(r: &Attribution, value: bool) -> Vec<Column> {
    let c = &r.channels;
    let pick = |x: &Credit| if value { x.value } else { x.conversions };
    let mut columns = vec![col("channel", text(c, &|c| Some(c.channel.clone())))];
    columns.extend(r.models.iter().enumerate().map(|(i, m)| {
        let name = if value {
            value_column(m.model)
        } else {
            m.model.name()
        };
        col(name, number(c, &|c| c.credits.get(i).and_then(pick)))
    }));
    columns
}

tabular!(
    Attribution,
    [
        "credits",
        "value",
        "long",
        "models",
        "removal_effects",
        "transitions",
        "ordered_shapley"
    ],
    |r, name| match name {
        "credits" => Some(side_by_side(r, false)),
        "value" => Some(side_by_side(r, true)),
        "long" => {
            let rows: Vec<(&str, &Credit)> = r
                .channels
                .iter()
                .flat_map(|c| c.credits.iter().map(move |x| (c.channel.as_str(), x)))
                .collect();
            Some(vec![
                col("channel", text(&rows, &|(c, _)| Some((*c).to_owned()))),
                col(
                    "model",
                    text(&rows, &|(_, x)| Some(x.model.name().to_owned())),
                ),
                col("conversions", number(&rows, &|(_, x)| x.conversions)),
                col("value", number(&rows, &|(_, x)| x.value)),
                col("share", number(&rows, &|(_, x)| x.share)),
            ])
        }
        "models" => {
            let m = &r.models;
            Some(vec![
                col("model", text(m, &|m| Some(m.model.name().to_owned()))),
                col("definition", text(m, &|m| Some(m.definition.kind.clone()))),
                col("hash", text(m, &|m| Some(m.definition.hash.clone()))),
                col("conversions", number(m, &|m| m.conversions)),
                col("value", number(m, &|m| m.value)),
                col(
                    "sums_to_conversions",
                    flags(m, &|m| Some(m.sums_to_conversions)),
                ),
            ])
        }
        "removal_effects" => {
            let e: &[_] = r.markov.as_ref().map_or(&[], |m| &m.channels);
            Some(vec![
                col("channel", text(e, &|e| Some(e.channel.clone()))),
                col(
                    "conversion_probability_without",
                    number(e, &|e| e.conversion_probability_without),
                ),
                col("removal_effect", number(e, &|e| e.removal_effect)),
                col("conversions", number(e, &|e| Some(e.conversions))),
                col("value", number(e, &|e| Some(e.value))),
            ])
        }
        "transitions" => {
            let t: &[_] = r.markov.as_ref().map_or(&[], |m| &m.transitions);
            Some(vec![
                col("from", text(t, &|t| Some(t.from.clone()))),
                col("to", text(t, &|t| Some(t.to.clone()))),
                col("count", number(t, &|t| Some(t.count))),
                col("probability", number(t, &|t| Some(t.probability))),
            ])
        }
        "ordered_shapley" => {
            let o: &[_] = r.ordered_shapley.as_deref().unwrap_or(&[]);
            Some(vec![
                col("channel", text(o, &|o| Some(o.channel.clone()))),
                col("position", counts(o, &|o| count(o.position))),
                col("conversions", number(o, &|o| Some(o.conversions))),
                col("value", number(o, &|o| Some(o.value))),
            ])
        }
        _ => None,
    }
);
