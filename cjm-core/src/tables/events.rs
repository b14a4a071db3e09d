//! Tables of the event-log analytics (`crate::events`).

use super::{col, count, counts, flags, lists, number, text, Column};
use crate::events::{
    Conformance, DirectlyFollows, Drivers, DurationStats, Flows, FunnelResult, FunnelStepResult,
    FunnelTrendsResult, IngestReport, JourneyStates, RetentionCohort, RetentionMean,
    RetentionResult, Traffic, TrendsResult, TrendsSeries, TrendsTotal, Variants,
};

/// `"group"` first when the rows carry one.
fn with_group<T>(rows: &[T], group: Option<fn(&T) -> Option<String>>) -> Vec<Column> {
    group.map_or_else(Vec::new, |g| vec![col("group", text(rows, &g))])
}

/// One row per funnel step (per group and step for a breakdown).
fn funnel_columns(steps: &[(Option<&str>, &FunnelStepResult)], grouped: bool) -> Vec<Column> {
    type Row<'a> = (Option<&'a str>, &'a FunnelStepResult);
    let group: Option<fn(&Row<'_>) -> Option<String>> =
        grouped.then_some(|(g, _)| g.map(str::to_owned));
    let dur = |f: fn(&FunnelStepResult) -> Option<&DurationStats>, g: fn(&DurationStats) -> f64| {
        number(steps, &move |(_, s)| f(s).map(g))
    };
    let mut columns = with_group(steps, group);
    columns.extend([
        col("index", counts(steps, &|(_, s)| count(s.index))),
        col(
            "kind",
            text(steps, &|(_, s)| Some(s.step.kind().to_owned())),
        ),
        col("step", text(steps, &|(_, s)| Some(s.step.name()))),
        col("customers", counts(steps, &|(_, s)| Some(s.customers))),
        col("pending", counts(steps, &|(_, s)| Some(s.pending))),
        col(
            "conversion_from_first",
            number(steps, &|(_, s)| s.conversion_from_first),
        ),
        col(
            "conversion_from_previous",
            number(steps, &|(_, s)| s.conversion_from_previous),
        ),
        col("drop_off", counts(steps, &|(_, s)| Some(s.drop_off))),
        col("drop_off_rate", number(steps, &|(_, s)| s.drop_off_rate)),
        col(
            "median_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.median_seconds),
        ),
        col(
            "p90_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.p90_seconds),
        ),
        col(
            "mean_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.mean_seconds),
        ),
        col(
            "median_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.median_seconds),
        ),
        col(
            "p90_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.p90_seconds),
        ),
        col(
            "mean_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.mean_seconds),
        ),
    ]);
    columns
}

tabular!(FunnelResult, ["steps", "breakdown"], |r, name| match name {
    "steps" => {
        let rows: Vec<_> = r.steps.iter().map(|s| (None, s)).collect();
        Some(funnel_columns(&rows, false))
    }
    "breakdown" => {
        let rows: Vec<_> = r
            .breakdown
            .iter()
            .flat_map(|g| g.steps.iter().map(move |s| (g.value.as_deref(), s)))
            .collect();
        Some(funnel_columns(&rows, true))
    }
    _ => None,
}, display: {
    "steps" => [
        "step",
        "customers",
        "conversion_from_first",
        "conversion_from_previous",
        "drop_off",
        "median_seconds_from_previous"
    ]
});

/// One row per (cohort, period k): the cohort's first day and size, k, and the retained
/// count and rate (null where period k was not yet observable).
fn retention_columns(rows: &[(Option<&str>, &RetentionCohort)], grouped: bool) -> Vec<Column> {
    type Cell<'a> = (Option<&'a str>, &'a RetentionCohort, usize);
    let cells: Vec<Cell<'_>> = rows
        .iter()
        .flat_map(|&(g, c)| (0..c.retained.len()).map(move |k| (g, c, k)))
        .collect();
    let group: Option<fn(&Cell<'_>) -> Option<String>> =
        grouped.then_some(|(g, _, _)| g.map(str::to_owned));
    let mut columns = with_group(&cells, group);
    columns.extend([
        col(
            "period_start",
            text(&cells, &|(_, c, _)| Some(c.period_start.clone())),
        ),
        col("size", counts(&cells, &|(_, c, _)| Some(c.size))),
        col("period", counts(&cells, &|(_, _, k)| count(*k))),
        col(
            "retained",
            counts(&cells, &|(_, c, k)| c.retained.get(*k).copied().flatten()),
        ),
        col(
            "rate",
            number(&cells, &|(_, c, k)| c.rates.get(*k).copied().flatten()),
        ),
    ]);
    columns
}

/// One row per (group, period k) of the mean curves.
fn retention_mean_columns(means: &[(Option<&str>, &RetentionMean)], grouped: bool) -> Vec<Column> {
    type Cell<'a> = (Option<&'a str>, &'a RetentionMean, usize);
    let cells: Vec<Cell<'_>> = means
        .iter()
        .flat_map(|&(g, m)| (0..m.weighted.len()).map(move |k| (g, m, k)))
        .collect();
    let group: Option<fn(&Cell<'_>) -> Option<String>> =
        grouped.then_some(|(g, _, _)| g.map(str::to_owned));
    let mut columns = with_group(&cells, group);
    columns.extend([
        col("period", counts(&cells, &|(_, _, k)| count(*k))),
        col(
            "weighted",
            number(&cells, &|(_, m, k)| m.weighted.get(*k).copied().flatten()),
        ),
        col(
            "simple",
            number(&cells, &|(_, m, k)| m.simple.get(*k).copied().flatten()),
        ),
        col(
            "cohorts",
            counts(&cells, &|(_, m, k)| m.cohorts.get(*k).copied()),
        ),
        col(
            "customers",
            counts(&cells, &|(_, m, k)| m.customers.get(*k).copied()),
        ),
    ]);
    columns
}

tabular!(
    RetentionResult,
    ["cohorts", "mean", "breakdown", "breakdown_mean"],
    |r, name| match name {
        "cohorts" => {
            let rows: Vec<_> = r.cohorts.iter().map(|c| (None, c)).collect();
            Some(retention_columns(&rows, false))
        }
        "mean" => Some(retention_mean_columns(&[(None, &r.mean)], false)),
        "breakdown" => {
            let rows: Vec<_> = r
                .breakdown
                .iter()
                .flat_map(|g| g.cohorts.iter().map(move |c| (g.value.as_deref(), c)))
                .collect();
            Some(retention_columns(&rows, true))
        }
        "breakdown_mean" => {
            let means: Vec<_> = r
                .breakdown
                .iter()
                .map(|g| (g.value.as_deref(), &g.mean))
                .collect();
            Some(retention_mean_columns(&means, true))
        }
        _ => None,
    }
);

/// One row per (group, event, period): the period's first day, the event, its volume and
/// distinct customers.
fn trends_columns(
    periods: &[String],
    rows: &[(Option<&str>, &TrendsSeries)],
    grouped: bool,
) -> Vec<Column> {
    type Cell<'a> = (Option<&'a str>, &'a TrendsSeries, usize);
    let cells: Vec<Cell<'_>> = rows
        .iter()
        .flat_map(|&(g, s)| (0..s.volume.len()).map(move |i| (g, s, i)))
        .collect();
    let group: Option<fn(&Cell<'_>) -> Option<String>> =
        grouped.then_some(|(g, _, _)| g.map(str::to_owned));
    let mut columns = with_group(&cells, group);
    columns.extend([
        col(
            "period",
            text(&cells, &|(_, _, i)| periods.get(*i).cloned()),
        ),
        col("event", text(&cells, &|(_, s, _)| Some(s.event.clone()))),
        col(
            "volume",
            counts(&cells, &|(_, s, i)| s.volume.get(*i).copied()),
        ),
        col(
            "customers",
            counts(&cells, &|(_, s, i)| s.customers.get(*i).copied()),
        ),
    ]);
    columns
}

/// One row per (group, period) of the totals.
fn trends_total_columns(
    periods: &[String],
    rows: &[(Option<&str>, &TrendsTotal)],
    grouped: bool,
) -> Vec<Column> {
    type Cell<'a> = (Option<&'a str>, &'a TrendsTotal, usize);
    let cells: Vec<Cell<'_>> = rows
        .iter()
        .flat_map(|&(g, t)| (0..t.volume.len()).map(move |i| (g, t, i)))
        .collect();
    let group: Option<fn(&Cell<'_>) -> Option<String>> =
        grouped.then_some(|(g, _, _)| g.map(str::to_owned));
    let mut columns = with_group(&cells, group);
    columns.extend([
        col(
            "period",
            text(&cells, &|(_, _, i)| periods.get(*i).cloned()),
        ),
        col(
            "volume",
            counts(&cells, &|(_, t, i)| t.volume.get(*i).copied()),
        ),
        col(
            "customers",
            counts(&cells, &|(_, t, i)| t.customers.get(*i).copied()),
        ),
    ]);
    columns
}

tabular!(
    TrendsResult,
    ["events", "total", "breakdown", "breakdown_total"],
    |r, name| match name {
        "events" => {
            let rows: Vec<_> = r.events.iter().map(|s| (None, s)).collect();
            Some(trends_columns(&r.periods, &rows, false))
        }
        "total" => Some(trends_total_columns(&r.periods, &[(None, &r.total)], false)),
        "breakdown" => {
            let rows: Vec<_> = r
                .breakdown
                .iter()
                .flat_map(|g| g.events.iter().map(move |s| (g.value.as_deref(), s)))
                .collect();
            Some(trends_columns(&r.periods, &rows, true))
        }
        "breakdown_total" => {
            let rows: Vec<_> = r
                .breakdown
                .iter()
                .map(|g| (g.value.as_deref(), &g.total))
                .collect();
            Some(trends_total_columns(&r.periods, &rows, true))
        }
        _ => None,
    }
);

/// A group's funnel trend: its value, (entered, converted, pending), rates.
type FunnelTrendRow<'a> = (Option<&'a str>, [&'a [u64]; 3], &'a [Option<f64>]);

/// One row per (group, period) of a funnel trend.
fn funnel_trends_columns(
    periods: &[String],
    rows: &[FunnelTrendRow<'_>],
    grouped: bool,
) -> Vec<Column> {
    type Cell<'a> = (Option<&'a str>, [&'a [u64]; 3], &'a [Option<f64>], usize);
    let cells: Vec<Cell<'_>> = rows
        .iter()
        .flat_map(|&(g, c, r)| (0..periods.len()).map(move |i| (g, c, r, i)))
        .collect();
    let group: Option<fn(&Cell<'_>) -> Option<String>> =
        grouped.then_some(|(g, _, _, _)| g.map(str::to_owned));
    let at = |which: usize| {
        counts(&cells, &move |(_, c, _, i)| {
            c.get(which).and_then(|c| c.get(*i)).copied()
        })
    };
    let mut columns = with_group(&cells, group);
    columns.extend([
        col(
            "period",
            text(&cells, &|(_, _, _, i)| periods.get(*i).cloned()),
        ),
        col("entered", at(0)),
        col("converted", at(1)),
        col(
            "rate",
            number(&cells, &|(_, _, r, i)| r.get(*i).copied().flatten()),
        ),
        col("pending", at(2)),
    ]);
    columns
}

tabular!(
    FunnelTrendsResult,
    ["periods", "breakdown"],
    |r, name| match name {
        "periods" => Some(funnel_trends_columns(
            &r.periods,
            &[(None, [&r.entered, &r.converted, &r.pending], &r.rates)],
            false,
        )),
        "breakdown" => {
            let rows: Vec<FunnelTrendRow<'_>> = r
                .breakdown
                .iter()
                .map(|g| {
                    (
                        g.value.as_deref(),
                        [
                            g.entered.as_slice(),
                            g.converted.as_slice(),
                            g.pending.as_slice(),
                        ],
                        g.rates.as_slice(),
                    )
                })
                .collect();
            Some(funnel_trends_columns(&r.periods, &rows, true))
        }
        _ => None,
    }
);

tabular!(DirectlyFollows, ["edges", "nodes"], |r, name| match name {
    "edges" => {
        let e = &r.edges;
        Some(vec![
            col("from", text(e, &|e| Some(e.from.clone()))),
            col("to", text(e, &|e| Some(e.to.clone()))),
            col("transitions", counts(e, &|e| Some(e.transitions))),
            col("customers", counts(e, &|e| Some(e.customers))),
            col("probability", number(e, &|e| e.probability)),
        ])
    }
    "nodes" => {
        let n = &r.nodes;
        Some(vec![
            col("name", text(n, &|n| Some(n.name.clone()))),
            col("events", counts(n, &|n| Some(n.events))),
            col("customers", counts(n, &|n| Some(n.customers))),
        ])
    }
    _ => None,
});

tabular!(Variants, ["variants"], |r, name| (name == "variants").then(
    || {
        let v = &r.variants;
        vec![
            col("events", lists(v, &|v| v.events.clone())),
            col("customers", counts(v, &|v| Some(v.customers))),
            col("share", number(v, &|v| v.share)),
        ]
    }
));

tabular!(Flows, ["links", "nodes"], |r, name| match name {
    "links" => {
        let l = &r.links;
        Some(vec![
            col("depth", counts(l, &|l| count(l.depth))),
            col("from", text(l, &|l| Some(l.from.clone()))),
            col("to", text(l, &|l| Some(l.to.clone()))),
            col("customers", counts(l, &|l| Some(l.customers))),
        ])
    }
    "nodes" => {
        let n = &r.nodes;
        Some(vec![
            col("depth", counts(n, &|n| count(n.depth))),
            col("name", text(n, &|n| Some(n.name.clone()))),
            col("customers", counts(n, &|n| Some(n.customers))),
        ])
    }
    _ => None,
});

tabular!(JourneyStates, ["customers"], |r, name| (name
    == "customers")
    .then(|| {
        let c = &r.customers;
        vec![
            col("customer", text(c, &|c| Some(c.customer.clone()))),
            col("current_stage", text(c, &|c| c.current_stage.clone())),
            col("deepest_stage", text(c, &|c| c.deepest_stage.clone())),
            col("last_touchpoint", text(c, &|c| c.last_touchpoint.clone())),
            col("stage_entered_at", text(c, &|c| c.stage_entered_at.clone())),
            col("seconds_in_stage", number(c, &|c| c.seconds_in_stage)),
            col("converted", flags(c, &|c| Some(c.converted))),
            col("events", counts(c, &|c| Some(c.events))),
        ]
    }));

tabular!(Drivers, ["drivers"], |r, name| (name == "drivers").then(
    || {
        let d = &r.drivers;
        vec![
            col("name", text(d, &|d| Some(d.name.clone()))),
            col("converted_with", counts(d, &|d| Some(d.converted_with))),
            col(
                "not_converted_with",
                counts(d, &|d| Some(d.not_converted_with)),
            ),
            col(
                "converted_without",
                counts(d, &|d| Some(d.converted_without)),
            ),
            col(
                "not_converted_without",
                counts(d, &|d| Some(d.not_converted_without)),
            ),
            col("odds_ratio", number(d, &|d| Some(d.odds_ratio))),
            col(
                "odds_ratio_low",
                number(d, &|d| Some(d.odds_ratio_interval[0])),
            ),
            col(
                "odds_ratio_high",
                number(d, &|d| Some(d.odds_ratio_interval[1])),
            ),
            col("p_value", number(d, &|d| Some(d.p_value))),
            col("success_rate", number(d, &|d| d.success_rate)),
            col("lift", number(d, &|d| d.lift)),
        ]
    }
));

tabular!(
    Conformance,
    ["summary", "entry_stages"],
    |c, name| match name {
        "summary" => {
            let rows = [
                ("customers", c.customers, None),
                ("in_order", c.in_order, c.in_order_share),
                ("skipped", c.skipped, c.skipped_share),
                ("went_back", c.went_back, c.went_back_share),
                ("entered_late", c.entered_late, None),
            ];
            Some(vec![
                col("measure", text(&rows, &|r| Some(r.0.to_owned()))),
                col("customers", counts(&rows, &|r| Some(r.1))),
                col("share", number(&rows, &|r| r.2)),
            ])
        }
        "entry_stages" => {
            let e = &c.entry_stages;
            Some(vec![
                col("stage", text(e, &|e| Some(e.stage.clone()))),
                col("customers", counts(e, &|e| Some(e.customers))),
            ])
        }
        _ => None,
    }
);

tabular!(
    Traffic,
    ["touchpoints", "stages", "unmapped_events"],
    |r, name| match name {
        "touchpoints" => {
            let t = &r.touchpoints;
            Some(vec![
                col("id", text(t, &|t| Some(t.id.clone()))),
                col("stage", text(t, &|t| Some(t.stage.clone()))),
                col("events", counts(t, &|t| Some(t.events))),
                col("customers", counts(t, &|t| Some(t.customers))),
                col("reach", number(t, &|t| t.reach)),
            ])
        }
        "stages" => {
            let s = &r.stages;
            Some(vec![
                col("id", text(s, &|s| Some(s.id.clone()))),
                col("events", counts(s, &|s| Some(s.events))),
                col("customers", counts(s, &|s| Some(s.customers))),
                col("reach", number(s, &|s| s.reach)),
            ])
        }
        "unmapped_events" => {
            let u = &r.unmapped_events;
            Some(vec![
                col("event", text(u, &|u| Some(u.event.clone()))),
                col("count", counts(u, &|u| Some(u.count))),
            ])
        }
        _ => None,
    }
);

tabular!(
    IngestReport,
    ["rows", "rejected", "unmapped_events"],
    |r, name| match name {
        "rows" => {
            let mut rows: Vec<(String, u64)> = vec![
                ("read".to_owned(), r.rows_read),
                ("used".to_owned(), r.rows_used),
            ];
            rows.extend(
                r.rejected
                    .iter()
                    .map(|x| (format!("rejected: {}", x.reason.code()), x.count)),
            );
            rows.push(("consent_filtered".to_owned(), r.consent_filtered));
            rows.push(("removed_by_operations".to_owned(), r.removed_by_operations));
            Some(vec![
                col("rows", text(&rows, &|x| Some(x.0.clone()))),
                col("count", counts(&rows, &|x| Some(x.1))),
            ])
        }
        "rejected" => {
            let x = &r.rejected;
            Some(vec![
                col("reason", text(x, &|x| Some(x.reason.code().to_owned()))),
                col("count", counts(x, &|x| Some(x.count))),
                col("first_row", counts(x, &|x| Some(x.first_row))),
                col("sample", text(x, &|x| x.sample.clone())),
            ])
        }
        "unmapped_events" => {
            let u = &r.unmapped_events;
            Some(vec![
                col("event", text(u, &|u| Some(u.event.clone()))),
                col("count", counts(u, &|u| Some(u.count))),
            ])
        }
        _ => None,
    }
);
