
/**
 * Paths to attribute: the rows of an aggregated path table as analysts keep them
 * (`{path: "search > email", conversions, value, nulls}`, the `channelattribution` column
 * names `total_conversions`, `total_conversion_value`, `total_null` accepted), or a
 * `PathTable` as `EventLog.paths` returns it (`{rows: [{channels, conversions, value, nulls}]}`).
 */
export type PathTableInput = PathInput[] | PathTable;

/**
 * Runs the attribution models (default all) on a path table; credits per channel and model.
 * `tableOptions` (`separator`, `collapse_repeats`) apply to `PathInput` rows only.
 * @throws {CjmError} `invalid_path`, `not_finite`, `out_of_range`, `invalid_times` (with `row`), `invalid_option`.
 */
export function attribute(paths: PathTableInput, options?: AttributionOptions | null, tableOptions?: TableOptions | null): Attribution & Tabular<"credits" | "value" | "long" | "models" | "removal_effects" | "transitions" | "ordered_shapley">;

export interface EventLog {
  /**
   * The paths of every customer (`PathTable.from_log`): touches before the first conversion
   * event, or all touches of a non-converter, aggregated into distinct rows sorted by path.
   * @throws {CjmError} `invalid_option` (no conversion event, a bad lookback, touchpoints without a journey).
   */
  paths(options: PathOptions, journey?: JourneyLike | null): PathTable;
  /** `attribute` over the paths of this log (`paths(pathOptions, journey)`). @throws {CjmError} as `paths` and `attribute`. */
  attribute(pathOptions: PathOptions, options?: AttributionOptions | null, journey?: JourneyLike | null): Attribution & Tabular<"credits" | "value" | "long" | "models" | "removal_effects" | "transitions" | "ordered_shapley">;
}
