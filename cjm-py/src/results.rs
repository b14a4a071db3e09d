//! Result classes of insights, comparisons and event-log analytics.
//!
//! Like [`crate::reports`]: each class holds the core's result as it is and shows it as
//! `to_dict()` (the core's JSON shape), named tables (`to_arrow`, `to_pandas`,
//! `to_polars`, `to_dicts`, `__arrow_c_stream__`) and an HTML view. Tables are built
//! from the result's fields; no number is computed here.

use cjm_core::events::{
    Conformance, DirectlyFollows, Drivers, Flows, FunnelResult, FunnelStepResult,
    FunnelTrendsResult, IngestReport, JourneyStates, RetentionCohort, RetentionMean,
    RetentionResult, Traffic, TrendsResult, TrendsSeries, TrendsTotal, Variants,
};
use cjm_core::insights::InsightReport;
use cjm_core::maps::{MapDiff, Patterns};
use cjm_core::render::flow_chart;
use cjm_core::scoring::GroupComparison;
use cjm_core::Definition;
use pyo3::prelude::*;

use crate::convert::{int_option_opt, wide_int_opt, Wrap};
use crate::pictures::PySvg;
use crate::reports::{count, label, plural, report_methods, Col, Report, Table};

fn text<T>(rows: &[T], f: impl Fn(&T) -> Option<String>) -> Col {
    Col::Text(rows.iter().map(f).collect())
}

fn number<T>(rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Col {
    Col::Number(rows.iter().map(f).collect())
}

fn counts<T>(rows: &[T], f: impl Fn(&T) -> Option<u64>) -> Col {
    Col::Count(rows.iter().map(f).collect())
}

/// Declares a result class holding a core value, with `to_dict()` and the shared methods.
macro_rules! result_class {
    ($(#[$doc:meta])* $rust:ident, $py:literal, $inner:ty { $($extra:tt)* }) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "cjm", name = $py)]
        pub(crate) struct $rust {
            pub(crate) inner: $inner,
        }

        impl From<$inner> for $rust {
            fn from(inner: $inner) -> Self {
                Self { inner }
            }
        }

        report_methods!($rust {
            /// The result as plain Python values (the core's JSON shape).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| Wrap(&self.inner).into_json_value(py))
            }
            $($extra)*
        });
    };
}

// ---------------------------------------------------------------------------------------
// Insights

result_class!(
    /// Map lint findings (Python class `cjm.Insights`), from `Journey.insights`.
    PyInsights, "Insights", InsightReport {
    /// Rules skipped for lack of input, with the input they need.
    #[getter]
    fn not_checked(&self) -> Vec<String> {
        self.inner.not_checked.clone()
    }

    fn __len__(&self) -> usize {
        self.inner.insights.len()
    }
});

impl Report for PyInsights {
    const NAME: &'static str = "Insights";
    const TABLES: &'static [&'static str] = &["insights"];

    fn table(&self, name: &str) -> Option<Table> {
        let i = &self.inner.insights;
        (name == "insights").then(|| Table {
            columns: vec![
                ("code", text(i, |i| Some(i.code.clone()))),
                ("severity", text(i, |i| Some(label(&i.severity)))),
                ("path", text(i, |i| Some(i.path.clone()))),
                ("message", text(i, |i| Some(i.message.clone()))),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {} not checked",
            plural(self.inner.insights.len(), "finding"),
            self.inner.not_checked.len()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Comparisons

result_class!(
    /// Two survey groups compared on every KPI both have (Python class
    /// `cjm.GroupComparison`), from `cjm.compare_groups`.
    PyGroupComparison, "GroupComparison", GroupComparison {
    fn __len__(&self) -> usize {
        self.inner.kpis.len()
    }
});

impl Report for PyGroupComparison {
    const NAME: &'static str = "GroupComparison";
    const TABLES: &'static [&'static str] = &["kpis"];

    fn table(&self, name: &str) -> Option<Table> {
        let k = &self.inner.kpis;
        (name == "kpis").then(|| Table {
            columns: vec![
                ("metric", text(k, |k| Some(k.metric.clone()))),
                ("a", number(k, |k| k.a)),
                ("b", number(k, |k| k.b)),
                ("difference", number(k, |k| k.difference)),
                ("margin", number(k, |k| k.margin)),
                ("z", number(k, |k| k.z)),
                ("p_value", number(k, |k| k.p_value)),
                (
                    "significant",
                    Col::MaybeFlag(k.iter().map(|k| k.significant).collect()),
                ),
                ("method", text(k, |k| Some(k.method.clone()))),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.kpis.len(), "KPI")
    }
}

result_class!(
    /// Two versions of a map compared (Python class `cjm.MapDiff`), from `cjm.diff_maps`.
    PyMapDiff, "MapDiff", MapDiff {
    /// Top-level journey fields that changed.
    #[getter]
    fn journey_fields(&self) -> Vec<String> {
        self.inner.journey_fields.clone()
    }
});

impl Report for PyMapDiff {
    const NAME: &'static str = "MapDiff";
    const TABLES: &'static [&'static str] = &["scores", "changes"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "scores" => {
                let s = &self.inner.scores;
                Some(Table {
                    columns: vec![
                        ("kind", text(s, |s| Some(s.kind.clone()))),
                        ("id", text(s, |s| Some(s.id.clone()))),
                        ("before", number(s, |s| s.before)),
                        ("after", number(s, |s| s.after)),
                        ("delta", number(s, |s| s.delta)),
                    ],
                })
            }
            "changes" => {
                let mut rows: Vec<(&str, &str, &str, Vec<String>)> = Vec::new();
                for (collection, diff) in &self.inner.collections {
                    rows.extend(
                        diff.added
                            .iter()
                            .map(|id| (collection.as_str(), "added", id.as_str(), Vec::new())),
                    );
                    rows.extend(
                        diff.removed
                            .iter()
                            .map(|id| (collection.as_str(), "removed", id.as_str(), Vec::new())),
                    );
                    rows.extend(diff.changed.iter().map(|c| {
                        (
                            collection.as_str(),
                            "changed",
                            c.id.as_str(),
                            c.fields.clone(),
                        )
                    }));
                }
                Some(Table {
                    columns: vec![
                        ("collection", text(&rows, |r| Some(r.0.to_owned()))),
                        ("change", text(&rows, |r| Some(r.1.to_owned()))),
                        ("id", text(&rows, |r| Some(r.2.to_owned()))),
                        (
                            "fields",
                            Col::TextList(rows.iter().map(|r| r.3.clone()).collect()),
                        ),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{} changed, {}",
            plural(self.inner.collections.len(), "collection"),
            plural(self.inner.scores.len(), "score")
        )
    }
}

result_class!(
    /// Pain points, low points and findings that recur across maps (Python class
    /// `cjm.Patterns`), from `cjm.patterns`.
    PyPatterns, "Patterns", Patterns {
    fn __len__(&self) -> usize {
        self.inner.patterns.len()
    }
});

impl Report for PyPatterns {
    const NAME: &'static str = "Patterns";
    const TABLES: &'static [&'static str] = &["patterns"];

    fn table(&self, name: &str) -> Option<Table> {
        let p = &self.inner.patterns;
        (name == "patterns").then(|| Table {
            columns: vec![
                ("kind", text(p, |p| Some(p.kind.clone()))),
                ("key", text(p, |p| Some(p.key.clone()))),
                ("maps", counts(p, |p| count(p.maps))),
                ("occurrences", counts(p, |p| count(p.occurrences))),
                ("badness", number(p, |p| Some(p.badness))),
                (
                    "map_ids",
                    Col::TextList(p.iter().map(|p| p.map_ids.clone()).collect()),
                ),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.patterns.len(), "pattern")
    }
}

// ---------------------------------------------------------------------------------------
// Event logs

result_class!(
    /// How every input row of an event log was used (Python class `cjm.IngestReport`):
    /// `rows_read = rows_used + rejected_total + consent_filtered +
    /// removed_by_operations`.
    PyIngestReport, "IngestReport", IngestReport {
    /// Rows given.
    #[getter]
    fn rows_read(&self) -> u64 {
        self.inner.rows_read
    }

    /// Rows in the log.
    #[getter]
    fn rows_used(&self) -> u64 {
        self.inner.rows_used
    }

    /// Rows not used, all reasons together.
    #[getter]
    fn rejected_total(&self) -> u64 {
        self.inner.rejected_total
    }

    /// Rows filtered for lack of consent.
    #[getter]
    fn consent_filtered(&self) -> u64 {
        self.inner.consent_filtered
    }

    /// Used rows that log operations (`filter`, `sample`) removed since ingest.
    #[getter]
    fn removed_by_operations(&self) -> u64 {
        self.inner.removed_by_operations
    }

    /// The operations applied since ingest, in order: dicts with `definition` (`kind`,
    /// `params`, `hash`), `events_before`, `events_after`, `customers_before`,
    /// `customers_after`.
    #[getter]
    fn operations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner.operations).into_json_value(py))
    }

    /// Rejected rows by reason code.
    #[getter]
    fn rejected(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner
            .rejected
            .iter()
            .map(|r| (r.reason.code().to_owned(), r.count))
            .collect()
    }

    /// Used events no touchpoint binds, by name (when a journey was given).
    #[getter]
    fn unmapped_events(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner
            .unmapped_events
            .iter()
            .map(|n| (n.event.clone(), n.count))
            .collect()
    }

    /// Likely mistakes that did not stop ingest, as `(code, message)` pairs
    /// (`no_rows_used`).
    #[getter]
    fn warnings(&self) -> Vec<(String, String)> {
        self.inner
            .warnings
            .iter()
            .map(|w| (w.code.clone(), w.message.clone()))
            .collect()
    }

    /// The columns read (`customer`, `timestamp`, `timestamp_format`, `event`, `channel`,
    /// `session`, `value`, `consent`): named, from the preset or found by their usual
    /// names; `None` for a log without column names (`generate_log` rows).
    #[getter]
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        crate::guard(|| {
            self.inner
                .columns
                .as_ref()
                .map(|c| Wrap(c).into_json_value(py))
                .transpose()
        })
    }
});

impl Report for PyIngestReport {
    const NAME: &'static str = "IngestReport";
    const TABLES: &'static [&'static str] = &["rows", "rejected", "unmapped_events"];

    fn table(&self, name: &str) -> Option<Table> {
        let r = &self.inner;
        match name {
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
                Some(Table {
                    columns: vec![
                        ("rows", text(&rows, |x| Some(x.0.clone()))),
                        ("count", counts(&rows, |x| Some(x.1))),
                    ],
                })
            }
            "rejected" => {
                let x = &r.rejected;
                Some(Table {
                    columns: vec![
                        ("reason", text(x, |x| Some(x.reason.code().to_owned()))),
                        ("count", counts(x, |x| Some(x.count))),
                        ("first_row", counts(x, |x| Some(x.first_row))),
                        ("sample", text(x, |x| x.sample.clone())),
                    ],
                })
            }
            "unmapped_events" => {
                let u = &r.unmapped_events;
                Some(Table {
                    columns: vec![
                        ("event", text(u, |u| Some(u.event.clone()))),
                        ("count", counts(u, |u| Some(u.count))),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        None
    }

    fn extent(&self) -> String {
        format!(
            "{} read, {} used, {} rejected, {} consent-filtered",
            self.inner.rows_read,
            self.inner.rows_used,
            self.inner.rejected_total,
            self.inner.consent_filtered
        )
    }
}

result_class!(
    /// A log bound to a map: traffic per touchpoint and stage, and the unmapped events
    /// (Python class `cjm.Traffic`), from `EventLog.traffic`.
    PyTraffic, "Traffic", Traffic {
    /// Measured reach per stage and touchpoint, for `Journey.priorities(reach=...)` and
    /// `Journey.health(reach=...)`.
    fn measured_reach<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&cjm_core::scoring::MeasuredReach::from_traffic(&self.inner)).into_json_value(py))
    }

    /// Customers per touchpoint, for `Journey.health(traffic=...)`.
    fn touchpoint_customers(&self) -> std::collections::BTreeMap<String, f64> {
        self.inner.touchpoint_customers()
    }

    /// Unmapped event names with their counts, for `Journey.insights(unmapped_events=...)`.
    fn unmapped_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.unmapped_counts()
    }
});

impl Report for PyTraffic {
    const NAME: &'static str = "Traffic";
    const TABLES: &'static [&'static str] = &["touchpoints", "stages", "unmapped_events"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "touchpoints" => {
                let t = &self.inner.touchpoints;
                Some(Table {
                    columns: vec![
                        ("id", text(t, |t| Some(t.id.clone()))),
                        ("stage", text(t, |t| Some(t.stage.clone()))),
                        ("events", counts(t, |t| Some(t.events))),
                        ("customers", counts(t, |t| Some(t.customers))),
                        ("reach", number(t, |t| t.reach)),
                    ],
                })
            }
            "stages" => {
                let s = &self.inner.stages;
                Some(Table {
                    columns: vec![
                        ("id", text(s, |s| Some(s.id.clone()))),
                        ("events", counts(s, |s| Some(s.events))),
                        ("customers", counts(s, |s| Some(s.customers))),
                        ("reach", number(s, |s| s.reach)),
                    ],
                })
            }
            "unmapped_events" => {
                let u = &self.inner.unmapped_events;
                Some(Table {
                    columns: vec![
                        ("event", text(u, |u| Some(u.event.clone()))),
                        ("count", counts(u, |u| Some(u.count))),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {}, {} of {} events mapped",
            plural(self.inner.customers as usize, "customer"),
            plural(self.inner.touchpoints.len(), "touchpoint"),
            self.inner.mapped_events,
            self.inner.events
        )
    }
}

fn funnel_columns(
    steps: &[(Option<&str>, &FunnelStepResult)],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(steps, |(g, _)| g.map(str::to_owned))));
    }
    let dur = |f: fn(&FunnelStepResult) -> Option<&cjm_core::events::DurationStats>,
               g: fn(&cjm_core::events::DurationStats) -> f64| {
        number(steps, move |(_, s)| f(s).map(g))
    };
    columns.extend([
        ("index", counts(steps, |(_, s)| count(s.index))),
        ("kind", text(steps, |(_, s)| Some(s.step.kind().to_owned()))),
        ("step", text(steps, |(_, s)| Some(s.step.name()))),
        ("customers", counts(steps, |(_, s)| Some(s.customers))),
        ("pending", counts(steps, |(_, s)| Some(s.pending))),
        (
            "conversion_from_first",
            number(steps, |(_, s)| s.conversion_from_first),
        ),
        (
            "conversion_from_previous",
            number(steps, |(_, s)| s.conversion_from_previous),
        ),
        ("drop_off", counts(steps, |(_, s)| Some(s.drop_off))),
        ("drop_off_rate", number(steps, |(_, s)| s.drop_off_rate)),
        (
            "median_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.median_seconds),
        ),
        (
            "p90_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.p90_seconds),
        ),
        (
            "mean_seconds_from_first",
            dur(|s| s.time_from_first.as_ref(), |d| d.mean_seconds),
        ),
        (
            "median_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.median_seconds),
        ),
        (
            "p90_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.p90_seconds),
        ),
        (
            "mean_seconds_from_previous",
            dur(|s| s.time_from_previous.as_ref(), |d| d.mean_seconds),
        ),
    ]);
    columns
}

result_class!(
    /// A funnel (Python class `cjm.FunnelResult`), from `EventLog.funnel`.
    PyFunnelResult, "FunnelResult", FunnelResult {
    /// Customers all of whose attempts were void (by exclusions).
    #[getter]
    fn excluded(&self) -> u64 {
        self.inner.excluded
    }

    /// Pending customers (not complete, window still open at `as_of`).
    #[getter]
    fn pending(&self) -> u64 {
        self.inner.pending
    }

    /// Customers per step, first to last.
    #[getter]
    fn customers(&self) -> Vec<u64> {
        self.inner.steps.iter().map(|s| s.customers).collect()
    }

    /// The funnel as an SVG picture (with a breakdown, one small funnel per group).
    #[pyo3(signature = (title = None, width = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        #[pyo3(from_py_with = wide_int_opt)] width: Option<i128>,
    ) -> PyResult<PySvg> {
        let width = int_option_opt(width, "width")?;
        Ok(PySvg::new(cjm_core::render::funnel_result_svg(
            &self.inner,
            None,
            title,
            width,
        )))
    }

    fn __len__(&self) -> usize {
        self.inner.steps.len()
    }
});

impl Report for PyFunnelResult {
    const NAME: &'static str = "FunnelResult";
    const TABLES: &'static [&'static str] = &["steps", "breakdown"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "steps" => {
                let rows: Vec<_> = self.inner.steps.iter().map(|s| (None, s)).collect();
                Some(Table {
                    columns: funnel_columns(&rows, false),
                })
            }
            "breakdown" => {
                let rows: Vec<_> = self
                    .inner
                    .breakdown
                    .iter()
                    .flat_map(|g| g.steps.iter().map(move |s| (g.value.as_deref(), s)))
                    .collect();
                Some(Table {
                    columns: funnel_columns(&rows, true),
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        let counts: Vec<String> = self
            .inner
            .steps
            .iter()
            .map(|s| s.customers.to_string())
            .collect();
        format!(
            "{} ({})",
            plural(self.inner.steps.len(), "step"),
            counts.join(" → ")
        )
    }
}

/// One row per (cohort, period k): the cohort's first day and size, k, and the retained
/// count and rate (null where period k was not yet observable); with the group first when
/// `group` rows are given.
fn retention_columns(
    rows: &[(Option<&str>, &RetentionCohort)],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    let cells: Vec<(Option<&str>, &RetentionCohort, usize)> = rows
        .iter()
        .flat_map(|&(g, c)| (0..c.retained.len()).map(move |k| (g, c, k)))
        .collect();
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(&cells, |(g, _, _)| g.map(str::to_owned))));
    }
    columns.extend([
        (
            "period_start",
            text(&cells, |(_, c, _)| Some(c.period_start.clone())),
        ),
        ("size", counts(&cells, |(_, c, _)| Some(c.size))),
        ("period", counts(&cells, |(_, _, k)| count(*k))),
        (
            "retained",
            counts(&cells, |(_, c, k)| c.retained.get(*k).copied().flatten()),
        ),
        (
            "rate",
            number(&cells, |(_, c, k)| c.rates.get(*k).copied().flatten()),
        ),
    ]);
    columns
}

/// One row per (group, period k) of the mean curves.
fn retention_mean_columns(
    means: &[(Option<&str>, &RetentionMean)],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    let cells: Vec<(Option<&str>, &RetentionMean, usize)> = means
        .iter()
        .flat_map(|&(g, m)| (0..m.weighted.len()).map(move |k| (g, m, k)))
        .collect();
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(&cells, |(g, _, _)| g.map(str::to_owned))));
    }
    columns.extend([
        ("period", counts(&cells, |(_, _, k)| count(*k))),
        (
            "weighted",
            number(&cells, |(_, m, k)| m.weighted.get(*k).copied().flatten()),
        ),
        (
            "simple",
            number(&cells, |(_, m, k)| m.simple.get(*k).copied().flatten()),
        ),
        (
            "cohorts",
            counts(&cells, |(_, m, k)| m.cohorts.get(*k).copied()),
        ),
        (
            "customers",
            counts(&cells, |(_, m, k)| m.customers.get(*k).copied()),
        ),
    ]);
    columns
}

result_class!(
    /// Retention cohorts (Python class `cjm.RetentionResult`), from `EventLog.retention`.
    PyRetentionResult, "RetentionResult", RetentionResult {
    /// Distinct customers with at least one cohort entry.
    #[getter]
    fn customers(&self) -> u64 {
        self.inner.customers
    }

    /// The end of observation (ISO-8601, UTC), or None for an empty log.
    #[getter]
    fn observed_until(&self) -> Option<String> {
        self.inner.observed_until.clone()
    }

    /// Per cohort, the retention rates for k = 0..periods (None where not yet observable).
    #[getter]
    fn rates(&self) -> Vec<Vec<Option<f64>>> {
        self.inner.cohorts.iter().map(|c| c.rates.clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.inner.cohorts.len()
    }
});

impl Report for PyRetentionResult {
    const NAME: &'static str = "RetentionResult";
    const TABLES: &'static [&'static str] = &["cohorts", "mean", "breakdown", "breakdown_mean"];

    fn table(&self, name: &str) -> Option<Table> {
        let r = &self.inner;
        match name {
            "cohorts" => {
                let rows: Vec<_> = r.cohorts.iter().map(|c| (None, c)).collect();
                Some(Table {
                    columns: retention_columns(&rows, false),
                })
            }
            "mean" => Some(Table {
                columns: retention_mean_columns(&[(None, &r.mean)], false),
            }),
            "breakdown" => {
                let rows: Vec<_> = r
                    .breakdown
                    .iter()
                    .flat_map(|g| g.cohorts.iter().map(move |c| (g.value.as_deref(), c)))
                    .collect();
                Some(Table {
                    columns: retention_columns(&rows, true),
                })
            }
            "breakdown_mean" => {
                let means: Vec<_> = r
                    .breakdown
                    .iter()
                    .map(|g| (g.value.as_deref(), &g.mean))
                    .collect();
                Some(Table {
                    columns: retention_mean_columns(&means, true),
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        let periods = self.inner.mean.weighted.len().saturating_sub(1);
        format!(
            "{}, {}, periods 0–{periods}",
            plural(self.inner.cohorts.len(), "cohort"),
            plural(self.inner.customers as usize, "customer")
        )
    }
}

/// One row per (group, event, period): the period's first day, the event, its volume and
/// distinct customers; with the group first when `with_group`.
fn trends_columns(
    periods: &[String],
    rows: &[(Option<&str>, &TrendsSeries)],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    let cells: Vec<(Option<&str>, &TrendsSeries, usize)> = rows
        .iter()
        .flat_map(|&(g, s)| (0..s.volume.len()).map(move |i| (g, s, i)))
        .collect();
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(&cells, |(g, _, _)| g.map(str::to_owned))));
    }
    columns.extend([
        ("period", text(&cells, |(_, _, i)| periods.get(*i).cloned())),
        ("event", text(&cells, |(_, s, _)| Some(s.event.clone()))),
        (
            "volume",
            counts(&cells, |(_, s, i)| s.volume.get(*i).copied()),
        ),
        (
            "customers",
            counts(&cells, |(_, s, i)| s.customers.get(*i).copied()),
        ),
    ]);
    columns
}

/// One row per (group, period) of the totals.
fn trends_total_columns(
    periods: &[String],
    rows: &[(Option<&str>, &TrendsTotal)],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    let cells: Vec<(Option<&str>, &TrendsTotal, usize)> = rows
        .iter()
        .flat_map(|&(g, t)| (0..t.volume.len()).map(move |i| (g, t, i)))
        .collect();
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(&cells, |(g, _, _)| g.map(str::to_owned))));
    }
    columns.extend([
        ("period", text(&cells, |(_, _, i)| periods.get(*i).cloned())),
        (
            "volume",
            counts(&cells, |(_, t, i)| t.volume.get(*i).copied()),
        ),
        (
            "customers",
            counts(&cells, |(_, t, i)| t.customers.get(*i).copied()),
        ),
    ]);
    columns
}

result_class!(
    /// Event trends (Python class `cjm.TrendsResult`), from `EventLog.trends`.
    PyTrendsResult, "TrendsResult", TrendsResult {
    /// The first day of each period (`YYYY-MM-DD` in the time zone), in order.
    #[getter]
    fn periods(&self) -> Vec<String> {
        self.inner.periods.clone()
    }

    /// The start of the range (ISO-8601, UTC), or None when there is none.
    #[getter]
    fn observed_from(&self) -> Option<String> {
        self.inner.observed_from.clone()
    }

    /// The end of the range (ISO-8601, UTC), or None when there is none.
    #[getter]
    fn observed_until(&self) -> Option<String> {
        self.inner.observed_until.clone()
    }

    /// The trends as a line chart; options (the core's `TrendsChartOptions`): `measure`
    /// (`volume`, `customers`), `by` (`event`, `total`, `breakdown`), `title`, `width`.
    #[pyo3(signature = (**options))]
    fn to_svg(&self, options: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySvg> {
        crate::guard(|| {
            let options = crate::pictures::kwargs_options(options, "to_svg")?;
            let chart = cjm_core::render::trends_chart(&self.inner, &options)
                .map_err(crate::errors::core_err)?;
            Ok(PySvg::new(cjm_core::render::line_chart_svg(&chart)))
        })
    }

    fn __len__(&self) -> usize {
        self.inner.periods.len()
    }
});

impl Report for PyTrendsResult {
    const NAME: &'static str = "TrendsResult";
    const TABLES: &'static [&'static str] = &["events", "total", "breakdown", "breakdown_total"];

    fn table(&self, name: &str) -> Option<Table> {
        let r = &self.inner;
        let periods = &r.periods;
        let columns = match name {
            "events" => {
                let rows: Vec<_> = r.events.iter().map(|s| (None, s)).collect();
                trends_columns(periods, &rows, false)
            }
            "total" => trends_total_columns(periods, &[(None, &r.total)], false),
            "breakdown" => {
                let rows: Vec<_> = r
                    .breakdown
                    .iter()
                    .flat_map(|g| g.events.iter().map(move |s| (g.value.as_deref(), s)))
                    .collect();
                trends_columns(periods, &rows, true)
            }
            "breakdown_total" => {
                let rows: Vec<_> = r
                    .breakdown
                    .iter()
                    .map(|g| (g.value.as_deref(), &g.total))
                    .collect();
                trends_total_columns(periods, &rows, true)
            }
            _ => return None,
        };
        Some(Table { columns })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {}",
            plural(self.inner.periods.len(), "period"),
            plural(self.inner.events.len(), "event")
        )
    }
}

/// A group's funnel trend: its value, (entered, converted, pending), rates.
type FunnelTrendRow<'a> = (Option<&'a str>, [&'a [u64]; 3], &'a [Option<f64>]);

/// One row per (group, period) of a funnel trend.
fn funnel_trends_columns(
    periods: &[String],
    rows: &[FunnelTrendRow<'_>],
    with_group: bool,
) -> Vec<(&'static str, Col)> {
    type Cell<'a> = (Option<&'a str>, [&'a [u64]; 3], &'a [Option<f64>], usize);
    let cells: Vec<Cell<'_>> = rows
        .iter()
        .flat_map(|&(g, c, r)| (0..periods.len()).map(move |i| (g, c, r, i)))
        .collect();
    let mut columns = Vec::new();
    if with_group {
        columns.push(("group", text(&cells, |(g, _, _, _)| g.map(str::to_owned))));
    }
    columns.extend([
        (
            "period",
            text(&cells, |(_, _, _, i)| periods.get(*i).cloned()),
        ),
        (
            "entered",
            counts(&cells, |(_, c, _, i)| c[0].get(*i).copied()),
        ),
        (
            "converted",
            counts(&cells, |(_, c, _, i)| c[1].get(*i).copied()),
        ),
        (
            "rate",
            number(&cells, |(_, _, r, i)| r.get(*i).copied().flatten()),
        ),
        (
            "pending",
            counts(&cells, |(_, c, _, i)| c[2].get(*i).copied()),
        ),
    ]);
    columns
}

result_class!(
    /// Funnel trends (Python class `cjm.FunnelTrendsResult`), from `EventLog.funnel_trends`.
    PyFunnelTrendsResult, "FunnelTrendsResult", FunnelTrendsResult {
    /// The first day of each period (`YYYY-MM-DD` in the time zone), in order.
    #[getter]
    fn periods(&self) -> Vec<String> {
        self.inner.periods.clone()
    }

    /// Per period: customers who entered the funnel (a non-void attempt starting in it).
    #[getter]
    fn entered(&self) -> Vec<u64> {
        self.inner.entered.clone()
    }

    /// Per period: entered customers who converted.
    #[getter]
    fn converted(&self) -> Vec<u64> {
        self.inner.converted.clone()
    }

    /// Per period: `converted / entered` (None when nobody entered).
    #[getter]
    fn rates(&self) -> Vec<Option<f64>> {
        self.inner.rates.clone()
    }

    /// The conversion rate per period as a line chart; options (the core's
    /// `TrendsChartOptions`): `by` (`total`, `breakdown`), `title`, `width`.
    #[pyo3(signature = (**options))]
    fn to_svg(&self, options: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySvg> {
        crate::guard(|| {
            let options = crate::pictures::kwargs_options(options, "to_svg")?;
            let chart = cjm_core::render::funnel_trends_chart(&self.inner, &options)
                .map_err(crate::errors::core_err)?;
            Ok(PySvg::new(cjm_core::render::line_chart_svg(&chart)))
        })
    }

    fn __len__(&self) -> usize {
        self.inner.periods.len()
    }
});

impl Report for PyFunnelTrendsResult {
    const NAME: &'static str = "FunnelTrendsResult";
    const TABLES: &'static [&'static str] = &["periods", "breakdown"];

    fn table(&self, name: &str) -> Option<Table> {
        let r = &self.inner;
        let columns = match name {
            "periods" => funnel_trends_columns(
                &r.periods,
                &[(None, [&r.entered, &r.converted, &r.pending], &r.rates)],
                false,
            ),
            "breakdown" => {
                let rows: Vec<_> = r
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
                funnel_trends_columns(&r.periods, &rows, true)
            }
            _ => return None,
        };
        Some(Table { columns })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.periods.len(), "period")
    }
}

result_class!(
    /// The directly-follows graph (Python class `cjm.DirectlyFollows`), from
    /// `EventLog.directly_follows`.
    PyDirectlyFollows, "DirectlyFollows", DirectlyFollows {});

impl Report for PyDirectlyFollows {
    const NAME: &'static str = "DirectlyFollows";
    const TABLES: &'static [&'static str] = &["edges", "nodes"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "edges" => {
                let e = &self.inner.edges;
                Some(Table {
                    columns: vec![
                        ("from", text(e, |e| Some(e.from.clone()))),
                        ("to", text(e, |e| Some(e.to.clone()))),
                        ("transitions", counts(e, |e| Some(e.transitions))),
                        ("customers", counts(e, |e| Some(e.customers))),
                        ("probability", number(e, |e| e.probability)),
                    ],
                })
            }
            "nodes" => {
                let n = &self.inner.nodes;
                Some(Table {
                    columns: vec![
                        ("name", text(n, |n| Some(n.name.clone()))),
                        ("events", counts(n, |n| Some(n.events))),
                        ("customers", counts(n, |n| Some(n.customers))),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {}",
            plural(self.inner.nodes.len(), "node"),
            plural(self.inner.edges.len(), "edge")
        )
    }
}

result_class!(
    /// The top event sequences (Python class `cjm.Variants`), from `EventLog.variants`.
    PyVariants, "Variants", Variants {
    fn __len__(&self) -> usize {
        self.inner.variants.len()
    }
});

impl Report for PyVariants {
    const NAME: &'static str = "Variants";
    const TABLES: &'static [&'static str] = &["variants"];

    fn table(&self, name: &str) -> Option<Table> {
        let v = &self.inner.variants;
        (name == "variants").then(|| Table {
            columns: vec![
                (
                    "events",
                    Col::TextList(v.iter().map(|v| v.events.clone()).collect()),
                ),
                ("customers", counts(v, |v| Some(v.customers))),
                ("share", number(v, |v| v.share)),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "top {} of {} distinct, {}",
            self.inner.variants.len(),
            self.inner.distinct,
            plural(self.inner.customers as usize, "customer")
        )
    }
}

result_class!(
    /// Flow (Sankey) data of the first events of each customer (Python class `cjm.Flows`),
    /// from `EventLog.flows`.
    PyFlows, "Flows", Flows {
    /// The flows as an SVG Sankey picture (node `depth:name` in column `depth`).
    #[pyo3(signature = (title = None, width = None, height = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        #[pyo3(from_py_with = wide_int_opt)] width: Option<i128>,
        #[pyo3(from_py_with = wide_int_opt)] height: Option<i128>,
    ) -> PyResult<PySvg> {
        let mut chart = flow_chart(&self.inner, title);
        chart.width = int_option_opt(width, "width")?;
        chart.height = int_option_opt(height, "height")?;
        Ok(PySvg::new(cjm_core::render::flow_svg(&chart)))
    }
});

impl Report for PyFlows {
    const NAME: &'static str = "Flows";
    const TABLES: &'static [&'static str] = &["links", "nodes"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "links" => {
                let l = &self.inner.links;
                Some(Table {
                    columns: vec![
                        ("depth", counts(l, |l| count(l.depth))),
                        ("from", text(l, |l| Some(l.from.clone()))),
                        ("to", text(l, |l| Some(l.to.clone()))),
                        ("customers", counts(l, |l| Some(l.customers))),
                    ],
                })
            }
            "nodes" => {
                let n = &self.inner.nodes;
                Some(Table {
                    columns: vec![
                        ("depth", counts(n, |n| count(n.depth))),
                        ("name", text(n, |n| Some(n.name.clone()))),
                        ("customers", counts(n, |n| Some(n.customers))),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {}",
            plural(self.inner.nodes.len(), "node"),
            plural(self.inner.links.len(), "link")
        )
    }
}

result_class!(
    /// Where each customer is in the journey (Python class `cjm.JourneyStates`), from
    /// `EventLog.journey_states`.
    PyJourneyStates, "JourneyStates", JourneyStates {
    /// The `as_of` used (ISO-8601, UTC).
    #[getter]
    fn as_of(&self) -> Option<String> {
        self.inner.as_of.clone()
    }

    fn __len__(&self) -> usize {
        self.inner.customers.len()
    }
});

impl Report for PyJourneyStates {
    const NAME: &'static str = "JourneyStates";
    const TABLES: &'static [&'static str] = &["customers"];

    fn table(&self, name: &str) -> Option<Table> {
        let c = &self.inner.customers;
        (name == "customers").then(|| Table {
            columns: vec![
                ("customer", text(c, |c| Some(c.customer.clone()))),
                ("current_stage", text(c, |c| c.current_stage.clone())),
                ("deepest_stage", text(c, |c| c.deepest_stage.clone())),
                ("last_touchpoint", text(c, |c| c.last_touchpoint.clone())),
                ("stage_entered_at", text(c, |c| c.stage_entered_at.clone())),
                ("seconds_in_stage", number(c, |c| c.seconds_in_stage)),
                (
                    "converted",
                    Col::Flag(c.iter().map(|c| c.converted).collect()),
                ),
                ("events", counts(c, |c| Some(c.events))),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.customers.len(), "customer")
    }
}

result_class!(
    /// Conversion drivers: odds ratios with a +1 prior (Python class `cjm.Drivers`), from
    /// `EventLog.drivers`.
    PyDrivers, "Drivers", Drivers {
    fn __len__(&self) -> usize {
        self.inner.drivers.len()
    }
});

impl Report for PyDrivers {
    const NAME: &'static str = "Drivers";
    const TABLES: &'static [&'static str] = &["drivers"];

    fn table(&self, name: &str) -> Option<Table> {
        let d = &self.inner.drivers;
        (name == "drivers").then(|| Table {
            columns: vec![
                ("name", text(d, |d| Some(d.name.clone()))),
                ("converted_with", counts(d, |d| Some(d.converted_with))),
                (
                    "not_converted_with",
                    counts(d, |d| Some(d.not_converted_with)),
                ),
                (
                    "converted_without",
                    counts(d, |d| Some(d.converted_without)),
                ),
                (
                    "not_converted_without",
                    counts(d, |d| Some(d.not_converted_without)),
                ),
                ("odds_ratio", number(d, |d| Some(d.odds_ratio))),
                (
                    "odds_ratio_low",
                    number(d, |d| Some(d.odds_ratio_interval[0])),
                ),
                (
                    "odds_ratio_high",
                    number(d, |d| Some(d.odds_ratio_interval[1])),
                ),
                ("p_value", number(d, |d| Some(d.p_value))),
                ("success_rate", number(d, |d| d.success_rate)),
                ("lift", number(d, |d| d.lift)),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {} of {} customers converted",
            plural(self.inner.drivers.len(), "driver"),
            self.inner.converters,
            self.inner.customers
        )
    }
}

result_class!(
    /// Observed stage order against the map's (Python class `cjm.Conformance`), from
    /// `EventLog.conformance`.
    PyConformance, "Conformance", Conformance {});

impl Report for PyConformance {
    const NAME: &'static str = "Conformance";
    const TABLES: &'static [&'static str] = &["summary", "entry_stages"];

    fn table(&self, name: &str) -> Option<Table> {
        let c = &self.inner;
        match name {
            "summary" => {
                let rows = [
                    ("customers", c.customers, None),
                    ("in_order", c.in_order, c.in_order_share),
                    ("skipped", c.skipped, c.skipped_share),
                    ("went_back", c.went_back, c.went_back_share),
                    ("entered_late", c.entered_late, None),
                ];
                Some(Table {
                    columns: vec![
                        ("measure", text(&rows, |r| Some(r.0.to_owned()))),
                        ("customers", counts(&rows, |r| Some(r.1))),
                        ("share", number(&rows, |r| r.2)),
                    ],
                })
            }
            "entry_stages" => {
                let e = &c.entry_stages;
                Some(Table {
                    columns: vec![
                        ("stage", text(e, |e| Some(e.stage.clone()))),
                        ("customers", counts(e, |e| Some(e.customers))),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{} of {} customers in order",
            self.inner.in_order, self.inner.customers
        )
    }
}
