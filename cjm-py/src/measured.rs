//! `cjm.MeasuredKpis`: the core's [`cjm_core::scoring::MeasuredKpis`] as it is, read by
//! `Journey.health`, `Journey.insights` and `Journey.report_html` (`measured=`). No rule
//! is written here: `Journey.measure_kpis` hands its inputs to the core.

use cjm_core::scoring::MeasuredKpis;
use pyo3::prelude::*;

use crate::convert::Wrap;

#[doc = stub_doc!("MeasuredKpis")]
#[pyclass(frozen, module = "cjm", name = "MeasuredKpis")]
pub(crate) struct PyMeasuredKpis {
    pub(crate) inner: MeasuredKpis,
}

#[pymethods]
impl PyMeasuredKpis {
    #[doc = stub_doc!("MeasuredKpis.value")]
    fn value(&self, kpi: &str) -> Option<f64> {
        self.inner.value(kpi)
    }

    #[doc = stub_doc!("MeasuredKpis.values")]
    fn values(&self) -> std::collections::BTreeMap<String, f64> {
        self.inner.values()
    }

    #[doc = stub_doc!("MeasuredKpis.to_dict")]
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner).into_json_value(py))
    }

    fn __len__(&self) -> usize {
        self.inner.kpis.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<MeasuredKpis: {} measured, {} not measured, definition measured_kpis {}>",
            self.inner.kpis.len(),
            self.inner.not_measured.len(),
            self.inner.definition.hash
        )
    }
}
