//! Arrow record batches into a survey state.

use arrow_array::RecordBatch;
use cjm_core::scoring::{SurveyBatch, SurveyColumnNames, SurveyOptions, SurveyState};

use crate::columns::{column, is_text, wrong_type, Nums, Strs};
use crate::{Error, Result};

/// The survey columns of one batch, read in place: strings (a dictionary through its
/// codes) and numbers as slices of their own Arrow type.
pub struct SurveyColumns {
    scope: Option<Strs>,
    segment: Option<Strs>,
    nps: Option<Nums>,
    csat: Option<Nums>,
    ces: Option<Nums>,
}

impl SurveyColumns {
    /// The columns of `batch` named for each role.
    ///
    /// # Errors
    /// `missing_column`; `wrong_type` for a scope or segment that is not strings, or an
    /// answer column that is not numbers.
    pub fn of(batch: &RecordBatch, columns: &SurveyColumnNames) -> Result<Self> {
        let text = |name: &Option<String>| -> Result<Option<Strs>> {
            match name {
                None => Ok(None),
                Some(name) => {
                    let array = column(batch, name)?;
                    if !is_text(array.data_type()) {
                        return Err(wrong_type(name, array.data_type(), "strings"));
                    }
                    Strs::of(name, array).map(Some)
                }
            }
        };
        let number = |name: &Option<String>| -> Result<Option<Nums>> {
            match name {
                None => Ok(None),
                Some(name) => Nums::of(name, column(batch, name)?).map(Some),
            }
        };
        Ok(Self {
            scope: text(&columns.scope)?,
            segment: text(&columns.segment)?,
            nps: number(&columns.nps)?,
            csat: number(&columns.csat)?,
            ces: number(&columns.ces)?,
        })
    }

    /// The batch as the core's borrowed survey columns.
    #[must_use]
    pub fn view(&self) -> SurveyBatch<'_> {
        SurveyBatch {
            scope: self.scope.as_ref().map(Strs::view),
            segment: self.segment.as_ref().map(Strs::view),
            nps: self.nps.as_ref().map(Nums::view),
            csat: self.csat.as_ref().map(Nums::view),
            ces: self.ces.as_ref().map(Nums::view),
        }
    }
}

/// The survey state of a stream of batches: every named column checked against the
/// schema first, then all batches held and handed to the core together (which counts a
/// long table on two threads), rows numbered across batches.
///
/// # Errors
/// `missing_column`, `wrong_type`, the stream's own errors, and the core's checks of the
/// answers (with the row).
pub fn survey_state(
    reader: impl arrow_array::RecordBatchReader,
    columns: &SurveyColumnNames,
    options: &SurveyOptions,
) -> Result<SurveyState> {
    let schema = reader.schema();
    let present: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    columns.check_present(&present)?;
    let mut state = SurveyState::identity(options)?;
    let held = reader
        .map(|batch| SurveyColumns::of(&batch.map_err(Error::Arrow)?, columns))
        .collect::<Result<Vec<_>>>()?;
    let views: Vec<SurveyBatch<'_>> = held.iter().map(SurveyColumns::view).collect();
    state.extend_batches(0, &views)?;
    Ok(state)
}
