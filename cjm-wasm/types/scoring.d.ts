
/**
 * Scores survey answers: NPS, CSAT and CES overall, per scope and per scope × segment.
 * `table` holds the answer columns (arrays or typed arrays, `null` = unanswered);
 * `options` the scales and methods (defaults for what is not given).
 * @throws {CjmError} `family` `"input"`: `out_of_scale` or `not_finite` with the `row` of the
 * first bad answer, `column_length_mismatch`, `invalid_option`, `wrong_type`.
 */
export function surveyKpis(table: SurveyColumns, options?: SurveyOptions | null): SurveyReport & Tabular<"groups">;

export interface Journey {
  /** The emotion curve of every persona, in persona order. */
  emotionCurves(): EmotionCurve[] & Tabular<"points" | "curves">;
  /**
   * Pain points ranked by priority and opportunities by score; `reach` is the measured share
   * of customers per stage and touchpoint, 1 where not given.
   * @throws {CjmError} `invalid_option` for a `reach` that does not fit.
   */
  priorities(reach?: MeasuredReach | null): PriorityReport & Tabular<"pain_points" | "opportunities">;
  /**
   * Health 0–100 of every touchpoint, stage and the journey, each explained. `model`: weights,
   * thresholds, stage weights (defaults for what is not given); `inputs`: the measured data.
   * @throws {CjmError} `invalid_option` for a model or inputs that do not fit; the errors of
   * `surveyKpis` for `inputs.survey`.
   */
  health(model?: ScoringModel | null, inputs?: HealthInputs | null): HealthReport & Tabular<"scores" | "components">;
}
