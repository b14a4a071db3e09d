
/** One side of `compareSegments`: the group of responses to compare (the core's `GroupSelector`). */
export type SegmentSelector = GroupSelector;

/** Options of `compareSegments`. */
export interface CompareSegmentsOptions {
  /** The first group (`difference` = a − b). */
  a: SegmentSelector;
  /** The second group. */
  b: SegmentSelector;
  /** Scales and methods of the survey, as for `surveyKpis`. */
  survey?: SurveyOptions | null;
}

/** A journey passed inside an array or options object: a `Journey` (copied), JSON text or a plain document. */
export type JourneyLike = Journey | JourneyDocument | string;

/**
 * The two-proportion z-test (pooled) of x1 of n1 against x2 of n2: proportions, difference,
 * z, two-sided p-value and the 95 % interval of the difference (unpooled). Undefined values are `null`.
 * @throws {CjmError} `invalid_option` unless every count is a whole number ≥ 0, with x ≤ n where n > 0
 * (a group of n = 0 gives no test, whatever x).
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest;

/**
 * Compares two groups of survey answers (personas, segments, channels, A/B variants) on
 * NPS (difference with margin), CSAT and CES (z-tests), with the survey `table` as for `surveyKpis`.
 * @throws {CjmError} the errors of `surveyKpis`; `invalid_option` for a group without responses.
 */
export function compareSegments(table: SurveyColumns, options: CompareSegmentsOptions): GroupComparison & Tabular<"kpis">;

/**
 * Compares two versions of a map: items added, removed and changed by id, and the change of every
 * health score and priority, scored with `model` (defaults for what is not given).
 */
export function diffMaps(before: Journey, after: Journey, model?: ScoringModel | null): MapDiff & Tabular<"scores" | "changes">;

/** Pain points, emotional low points and insights that recur across maps. */
export function patterns(journeys: JourneyLike[], options?: PatternOptions | null): Patterns & Tabular<"patterns">;

export interface Journey {
  /**
   * The map lint: findings with a stable code, severity, path and message, most severe first,
   * and the rules that could not be checked for lack of inputs (`as_of`, measured drop-off…).
   * @throws {CjmError} `invalid_option` for a bad `as_of` or a threshold outside 0–1.
   */
  insights(options?: InsightOptions | null, inputs?: InsightInputs | null): InsightReport & Tabular<"insights">;
}
