//! A reader whose named columns are read as `Null` arrays.

use std::sync::Arc;

use arrow_array::{new_null_array, RecordBatch, RecordBatchOptions, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::Reader;

/// A reader whose named columns are read as `Null` arrays of the batch's length, so
/// that every rule about a `Null` column applies to them. (polars exports `Null` arrays
/// with a buffer the Arrow C data interface does not have, and arrow-rs refuses them:
/// the Python binding sends them as all-null booleans and reads them back as `Null`
/// here.)
pub struct NullColumns {
    inner: Reader,
    schema: SchemaRef,
    columns: Vec<usize>,
}

impl NullColumns {
    /// `inner` with the columns in `names` read as `Null`.
    #[must_use]
    pub fn new(inner: Reader, names: &[String]) -> Self {
        let schema = inner.schema();
        let mut columns = Vec::new();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if names.iter().any(|n| n == f.name()) {
                    columns.push(i);
                    Field::new(f.name(), DataType::Null, true).with_metadata(f.metadata().clone())
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        Self {
            inner,
            schema,
            columns,
        }
    }

    fn restore(&self, batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
        let rows = batch.num_rows();
        let mut arrays = batch.columns().to_vec();
        for &i in &self.columns {
            if let Some(array) = arrays.get_mut(i) {
                *array = new_null_array(&DataType::Null, rows);
            }
        }
        RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
    }
}

impl Iterator for NullColumns {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.inner.next()?.and_then(|batch| self.restore(&batch)))
    }
}

impl RecordBatchReader for NullColumns {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
