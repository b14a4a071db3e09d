//! Result classes of insights, comparisons and event-log analytics.
//!
//! Like [`crate::reports`]: each class holds the core's result as it is and shows it as
//! `to_dict()` (the core's JSON shape), the tables the core's `Tabular` view decides
//! (`to_arrow`, `to_pandas`, `to_polars`, `to_dicts`, `__arrow_c_stream__`) and an HTML
//! view. No number and no table column is decided here.

use cjm_core::events::{
    Conformance, DirectlyFollows, Drivers, Flows, FunnelResult, FunnelTrendsResult, IngestReport,
    JourneyStates, RetentionResult, Traffic, TrendsResult, Variants,
};
use cjm_core::insights::InsightReport;
use cjm_core::maps::{MapDiff, Patterns};
use cjm_core::render::flow_chart;
use cjm_core::scoring::GroupComparison;
use pyo3::prelude::*;
use std::collections::BTreeMap;

use crate::args::int_arg;
use crate::convert::Wrap;
use crate::pictures::PySvg;
use crate::reports::{plural, result_class};

// ---------------------------------------------------------------------------------------
// Insights

result_class!(
    /// Map lint findings (Python class `cjm.Insights`), from `Journey.insights`.
    PyInsights, "Insights", InsightReport, |r| {
    format!(
        "{}, {} not checked",
        plural(r.insights.len(), "finding"),
        r.not_checked.len()
    )
} len { r.insights.len() } get {
    not_checked: Vec<String> = r.not_checked.clone(),
} {});

// ---------------------------------------------------------------------------------------
// Comparisons

result_class!(
    /// Two survey groups compared on every KPI both have (Python class
    /// `cjm.GroupComparison`), from `cjm.compare_groups`.
    PyGroupComparison, "GroupComparison", GroupComparison, |r| { plural(r.kpis.len(), "KPI") }
    len { r.kpis.len() } {});

result_class!(
    /// Two versions of a map compared (Python class `cjm.MapDiff`), from `cjm.diff_maps`.
    PyMapDiff, "MapDiff", MapDiff, |r| {
    format!(
        "{} changed, {}",
        plural(r.collections.len(), "collection"),
        plural(r.scores.len(), "score")
    )
} get {
    journey_fields: Vec<String> = r.journey_fields.clone(),
} {});

result_class!(
    /// Pain points, low points and findings that recur across maps (Python class
    /// `cjm.Patterns`), from `cjm.patterns`.
    PyPatterns, "Patterns", Patterns, |r| { plural(r.patterns.len(), "pattern") }
    len { r.patterns.len() } {});

// ---------------------------------------------------------------------------------------
// Event logs

result_class!(
    /// How every input row of an event log was used (Python class `cjm.IngestReport`):
    /// `rows_read = rows_used + rejected_total + consent_filtered +
    /// removed_by_operations`.
    PyIngestReport, "IngestReport", IngestReport, |r| {
    format!(
        "{} read, {} used, {} rejected, {} consent-filtered",
        r.rows_read,
        r.rows_used,
        r.rejected_total,
        r.consent_filtered
    )
} def { None } get {
    rows_read: u64 = r.rows_read,
    rows_used: u64 = r.rows_used,
    rejected_total: u64 = r.rejected_total,
    consent_filtered: u64 = r.consent_filtered,
    removed_by_operations: u64 = r.removed_by_operations,
    rejected: BTreeMap<String, u64> =
        r.rejected.iter().map(|x| (x.reason.code().to_owned(), x.count)).collect(),
    unmapped_events: BTreeMap<String, u64> =
        r.unmapped_events.iter().map(|n| (n.event.clone(), n.count)).collect(),
    warnings: Vec<(String, String)> =
        r.warnings.iter().map(|w| (w.code.clone(), w.message.clone())).collect(),
} {
    #[doc = stub_doc!("IngestReport.operations")]
    #[getter]
    fn operations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner.operations).into_json_value(py))
    }

    #[doc = stub_doc!("IngestReport.columns")]
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

result_class!(
    /// A log bound to a map: traffic per touchpoint and stage, and the unmapped events
    /// (Python class `cjm.Traffic`), from `EventLog.traffic`.
    PyTraffic, "Traffic", Traffic, |r| {
    format!(
        "{}, {}, {} of {} events mapped",
        plural(r.customers as usize, "customer"),
        plural(r.touchpoints.len(), "touchpoint"),
        r.mapped_events,
        r.events
    )
} {
    #[doc = stub_doc!("Traffic.measured_reach")]
    fn measured_reach<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&cjm_core::scoring::MeasuredReach::from_traffic(&self.inner)).into_json_value(py))
    }

    #[doc = stub_doc!("Traffic.touchpoint_customers")]
    fn touchpoint_customers(&self) -> std::collections::BTreeMap<String, f64> {
        self.inner.touchpoint_customers()
    }

    #[doc = stub_doc!("Traffic.unmapped_counts")]
    fn unmapped_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.unmapped_counts()
    }
});

result_class!(
    /// A funnel (Python class `cjm.FunnelResult`), from `EventLog.funnel`.
    PyFunnelResult, "FunnelResult", FunnelResult, |r| {
    let counts: Vec<String> = r
        .steps
        .iter()
        .map(|s| s.customers.to_string())
        .collect();
    format!(
        "{} ({})",
        plural(r.steps.len(), "step"),
        counts.join(" → ")
    )
} len { r.steps.len() } get {
    excluded: u64 = r.excluded,
    pending: u64 = r.pending,
    customers: Vec<u64> = r.steps.iter().map(|s| s.customers).collect(),
} {
    #[doc = stub_doc!("FunnelResult.to_svg")]
    #[pyo3(signature = (title = None, width = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        width: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySvg> {
        let width = int_arg(width, "width")?;
        Ok(PySvg::new(cjm_core::render::funnel_result_svg(
            &self.inner,
            None,
            title,
            width,
        )))
    }
});

result_class!(
    /// Retention cohorts (Python class `cjm.RetentionResult`), from `EventLog.retention`.
    PyRetentionResult, "RetentionResult", RetentionResult, |r| {
    let periods = r.mean.weighted.len().saturating_sub(1);
    format!(
        "{}, {}, periods 0–{periods}",
        plural(r.cohorts.len(), "cohort"),
        plural(r.customers as usize, "customer")
    )
} len { r.cohorts.len() } get {
    customers: u64 = r.customers,
    observed_until: Option<String> = r.observed_until.clone(),
    rates: Vec<Vec<Option<f64>>> = r.cohorts.iter().map(|c| c.rates.clone()).collect(),
} {
    #[doc = stub_doc!(signature "RetentionResult.to_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn to_svg(&self, options: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySvg> {
        crate::guard(|| {
            let options = crate::pictures::kwargs_options(options, "to_svg")?;
            Ok(PySvg::new(cjm_core::render::retention_heatmap_svg(
                &self.inner,
                &options,
            )))
        })
    }
});

result_class!(
    /// Event trends (Python class `cjm.TrendsResult`), from `EventLog.trends`.
    PyTrendsResult, "TrendsResult", TrendsResult, |r| {
    format!(
        "{}, {}",
        plural(r.periods.len(), "period"),
        plural(r.events.len(), "event")
    )
} len { r.periods.len() } get {
    periods: Vec<String> = r.periods.clone(),
    observed_from: Option<String> = r.observed_from.clone(),
    observed_until: Option<String> = r.observed_until.clone(),
} {
    #[doc = stub_doc!(signature "TrendsResult.to_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn to_svg(&self, options: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySvg> {
        crate::guard(|| {
            let options = crate::pictures::kwargs_options(options, "to_svg")?;
            let svg = cjm_core::render::trends_svg(&self.inner, &options);
            Ok(PySvg::new(svg.map_err(crate::errors::core_err)?))
        })
    }
});

result_class!(
    /// Funnel trends (Python class `cjm.FunnelTrendsResult`), from `EventLog.funnel_trends`.
    PyFunnelTrendsResult, "FunnelTrendsResult", FunnelTrendsResult, |r| { plural(r.periods.len(), "period") }
    len { r.periods.len() } get {
    periods: Vec<String> = r.periods.clone(),
    entered: Vec<u64> = r.entered.clone(),
    converted: Vec<u64> = r.converted.clone(),
    rates: Vec<Option<f64>> = r.rates.clone(),
} {
    #[doc = stub_doc!(signature "FunnelTrendsResult.to_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn to_svg(&self, options: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySvg> {
        crate::guard(|| {
            let options = crate::pictures::kwargs_options(options, "to_svg")?;
            let svg = cjm_core::render::funnel_trends_svg(&self.inner, &options);
            Ok(PySvg::new(svg.map_err(crate::errors::core_err)?))
        })
    }
});

result_class!(
    /// The directly-follows graph (Python class `cjm.DirectlyFollows`), from
    /// `EventLog.directly_follows`.
    PyDirectlyFollows, "DirectlyFollows", DirectlyFollows, |r| {
    format!(
        "{}, {}",
        plural(r.nodes.len(), "node"),
        plural(r.edges.len(), "edge")
    )
} {});

result_class!(
    /// The top event sequences (Python class `cjm.Variants`), from `EventLog.variants`.
    PyVariants, "Variants", Variants, |r| {
    format!(
        "top {} of {} distinct, {}",
        r.variants.len(),
        r.distinct,
        plural(r.customers as usize, "customer")
    )
} len { r.variants.len() } {});

result_class!(
    /// Flow (Sankey) data of the first events of each customer (Python class `cjm.Flows`),
    /// from `EventLog.flows`.
    PyFlows, "Flows", Flows, |r| {
    format!(
        "{}, {}",
        plural(r.nodes.len(), "node"),
        plural(r.links.len(), "link")
    )
} {
    #[doc = stub_doc!("Flows.to_svg")]
    #[pyo3(signature = (title = None, width = None, height = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        width: Option<&Bound<'_, PyAny>>,
        height: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySvg> {
        let mut chart = flow_chart(&self.inner, title);
        chart.width = int_arg(width, "width")?;
        chart.height = int_arg(height, "height")?;
        Ok(PySvg::new(cjm_core::render::flow_svg(&chart)))
    }
});

result_class!(
    /// Where each customer is in the journey (Python class `cjm.JourneyStates`), from
    /// `EventLog.journey_states`.
    PyJourneyStates, "JourneyStates", JourneyStates, |r| { plural(r.customers.len(), "customer") }
    len { r.customers.len() } get {
    as_of: Option<String> = r.as_of.clone(),
} {});

result_class!(
    /// Conversion drivers: odds ratios with a +1 prior (Python class `cjm.Drivers`), from
    /// `EventLog.drivers`.
    PyDrivers, "Drivers", Drivers, |r| {
    format!(
        "{}, {} of {} customers converted",
        plural(r.drivers.len(), "driver"),
        r.converters,
        r.customers
    )
} len { r.drivers.len() } {});

result_class!(
    /// Observed stage order against the map's (Python class `cjm.Conformance`), from
    /// `EventLog.conformance`.
    PyConformance, "Conformance", Conformance, |r| {
    format!(
        "{} of {} customers in order",
        r.in_order, r.customers
    )
} {});
