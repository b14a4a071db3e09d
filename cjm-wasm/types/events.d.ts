
/** A column of strings (customer ids, event names…): `null` or `undefined` = missing. Numbers and BigInts (64-bit) are read as the text `String(x)` gives. */
export type StringColumn = ArrayLike<string | number | bigint | null | undefined>;
/**
 * Timestamps: a `BigInt64Array` or `Float64Array` (or another numeric typed array) of whole
 * `unit`s since the epoch (`NaN` = missing), or a plain array of numbers, BigInts, ISO-8601 text
 * (`2025-01-31T12:00:00Z`) or `null`.
 */
export type TimestampColumn = BigInt64Array | Float64Array | ArrayLike<number | bigint | string | null | undefined>;
/** Values (revenue): a `Float64Array` (or another numeric typed array) or a plain array with `null` = no value (a 64-bit BigInt is read as the nearest number). */
export type ValueColumn = Float64Array | ArrayLike<number | bigint | null | undefined>;

/** The columns of `EventLog.fromColumns`, all of one length. */
export interface EventColumns {
  /** Customer ids: strings, or a `BigInt64Array` of integer ids (kept as integers: the log's customers sort by value). */
  customer: StringColumn | BigInt64Array;
  timestamp: TimestampColumn;
  event: StringColumn;
  channel?: StringColumn | null;
  session?: StringColumn | null;
  value?: ValueColumn | null;
}

/** The columns of `toColumns`, in the log's order (customer, time, input order). */
export interface LogColumns {
  customer: Array<string> | BigInt64Array;
  timestamp: BigInt64Array;
  event: Array<string>;
  channel?: Array<string | null>;
  session?: Array<string | null>;
  value?: Array<number | null>;
}

/**
 * Ingestion options shared by `fromColumns` and `fromCsv`: the core's `IngestSpec`, the same
 * options Python's `EventLog.from_arrow` / `from_csv` take as keyword arguments.
 */
export interface EventLogOptionsBase {
  /** The map to bind: unmapped events are reported, and the log keeps it for `traffic`, `stageFunnel`… */
  journey?: JourneyLike | null;
  /** Drop exact duplicate rows, keeping the first (reported as `duplicate`). */
  dedup?: boolean;
  /** Throw on the first unusable row (with its `row`) instead of reporting it. */
  strict?: boolean;
  /** Read ISO-8601 text without offset as UTC (otherwise such text throws `naive_timestamp`). */
  assume_utc?: boolean;
  /** Replace customer and session ids by their HMAC-SHA256 under this key (64 hex digits), once per distinct id; the key is never stored. */
  pseudonymise_key?: string | null;
}

/** Options of `EventLog.fromColumns`: the arrays are the columns, so nothing is named here. */
export interface ColumnsLogOptions extends EventLogOptionsBase {
  /** The unit of numeric timestamps (required: cjm never guesses); `s`, `ms`, `us`, `ns` are read too. */
  unit: TimeUnit | "s" | "ms" | "us" | "ns";
}

/**
 * Options of `EventLog.fromCsv`: a `preset`, columns named (in a `mapping` object or one by one,
 * not both; named columns win over the preset's), or neither. The customer, timestamp and
 * event columns not named are found by their usual names (`customer`, `customer_id`,
 * `user_id`…; `timestamp`, `event_time`…; `event`, `event_name`…): exactly one each, else
 * `missing_column` or `ambiguous_column`. The report's `columns` says which columns were
 * read. A named consent column keeps only the rows whose flag is true (the others are
 * counted in the report's `consent_filtered`).
 */
export interface CsvLogOptions extends EventLogOptionsBase {
  /** The columns of a common export (its optional ones are read when the CSV has them). */
  preset?: Preset | null;
  /** Which CSV columns hold which fields; any field may be left out. */
  mapping?: ColumnNames | null;
  /** The customer id column, or several (the first non-empty one of a row is used). */
  customer?: string | string[] | null;
  /** The timestamp column. */
  timestamp?: string | null;
  /** The event name column. */
  event?: string | null;
  /** The channel column. */
  channel?: string | null;
  /** The session id column. */
  session?: string | null;
  /** The value (revenue) column. */
  value?: string | null;
  /** The consent column. */
  consent?: string | null;
  /** Integer timestamps in this unit (instead of ISO-8601 text). */
  unit?: TimeUnit | "s" | "ms" | "us" | "ns" | null;
  /** Extra text columns to keep, for breakdowns and filters. */
  extra?: string[] | null;
  /** Extra columns holding identifiers, pseudonymised with the customer ids (each one of `extra`; needs `pseudonymise_key`). */
  identifiers?: string[] | null;
}

/** A funnel step: an event name, or `{event}`, `{touchpoint}` (id), `{stage}` (id) or `{any_of: [names]}`. */
export type FunnelStepInput = string | StepSpec;

export interface EventLog {
  /** The account of every input row: used, rejected by reason, unmapped events. */
  ingestReport(): IngestReport & Tabular<"rows" | "rejected" | "unmapped_events">;
  /** Traffic per touchpoint and stage of the map (default: the journey given at ingestion). @throws {CjmError} `invalid_option` without a journey. */
  traffic(journey?: JourneyLike | null): Traffic & Tabular<"touchpoints" | "stages" | "unmapped_events">;
  /**
   * A funnel over `steps` (event names, or `{touchpoint}`/`{stage}` ids resolved with `journey`,
   * default the journey given at ingestion), counted in unique customers.
   * @throws {CjmError} `invalid_funnel`, `unknown_column`, `invalid_timestamp`, `invalid_option`.
   */
  funnel(steps: FunnelStepInput[], options?: FunnelOptions | null, journey?: JourneyLike | null): FunnelResult & Tabular<"steps" | "breakdown">;
  /** The stage funnel of the map (`Funnel.from_stages`): one step per stage, in map order. */
  stageFunnel(journey?: JourneyLike | null, options?: FunnelOptions | null): FunnelResult & Tabular<"steps" | "breakdown">;
  /**
   * Retention cohorts in unique customers (docs/events.md, "Retention"): cohorts by the period
   * of each customer's first `start_event` (or every start event, `cohort: 'recurring'`), and per
   * period k the customers with a `return_event` in k (`mode: 'on'`) or in k or later
   * (`'on_or_after'`); cells not yet observable are `null`.
   * @throws {CjmError} `invalid_option`, `unknown_event`, `unknown_column`, `invalid_timestamp`.
   */
  retention(options?: RetentionOptions | null): RetentionResult & Tabular<"cohorts" | "mean" | "breakdown" | "breakdown_mean">;
  /**
   * The retention table (as `retention`) drawn as a heat map by the core: a row per cohort,
   * a column per period, each cell the share retained; the weighted mean last; cells not
   * yet observable blank. @throws {CjmError} as `retention`.
   */
  retentionSvg(options?: RetentionOptions | null, chart?: RetentionChartOptions | null): string;
  /**
   * A new log of the events passing every criterion of `options` (docs/events.md, "Working with a
   * log"): names in `events` and not in `drop_events`, time in `[start, end)` (ISO-8601 with an
   * offset, or a date), customers in `customers` and not in `drop_customers`, column values in
   * `where` and not in `where_not`. Its `ingestReport()` records the filter; one that keeps
   * nothing gives an empty log and a `console.warn` (`empty_log`).
   * @throws {CjmError} `unknown_event`, `unknown_customer`, `unknown_value` (unless `allow_missing`), `unknown_column`, `invalid_timestamp`, `invalid_option`.
   */
  filter(options: FilterOptions): EventLog;
  /**
   * A seeded sample of whole customers: `{fraction}` or `{count}`, and `seed` (default 0). A customer
   * is kept when the first 8 bytes (big-endian) of SHA-256 of `"{seed}:{id}"`, shifted right by 11,
   * divided by 2^53 is below `fraction` (with `count`: the smallest such numbers) — the same
   * customers as in Rust and Python. @throws {CjmError} `invalid_option`.
   */
  sample(options: SampleOptions): EventLog;
  /**
   * The log with session ids derived by inactivity: an event opens a new session when more than
   * `gap_seconds` (default 1800, 30 minutes, as GA4 and Amplitude) passed since the customer's
   * previous event; the k-th session of a customer is `"{customer}:{k}"`.
   * @throws {CjmError} `invalid_option` for a gap of 0, or a log with session ids without `replace: true`.
   */
  sessionize(options?: SessionOptions | null): EventLog;
  /**
   * The log with each event renamed by `labels` (`{eventName: newName}`; several names may share
   * one), times and order kept; events whose name is not in `labels` are dropped and counted in
   * the report's `removed_by_operations`. @throws {CjmError} `invalid_option` for no labels or
   * an empty label; `unknown_event` for a labelled name the log lacks, unless `allow_missing`.
   */
  relabel(options: RelabelOptions): EventLog;
  /**
   * The log with each event renamed to its stage's name in `journey` (default: the log's own
   * journey; the earliest stage when several), events no touchpoint binds dropped: flows,
   * directly-follows and variants of the result are by stage.
   */
  byStage(journey?: JourneyLike | null): EventLog;
  /**
   * The log with each event renamed to the name of the first touchpoint (in the map's order)
   * that binds it, events no touchpoint binds dropped.
   */
  byTouchpoint(journey?: JourneyLike | null): EventLog;
  /**
   * The ordered log as the columns of `EventLog.fromColumns(cols, {unit: 'nanoseconds'})`:
   * `customer` (strings, or a `BigInt64Array` of integer ids), `timestamp` (`BigInt64Array`,
   * nanoseconds since the epoch, UTC), `event`, and `channel`, `session` (strings or `null`) and
   * `value` (numbers or `null`) when the log has them.
   */
  toColumns(): LogColumns;
  /**
   * Event trends (docs/events.md, "Trends"): per period and per event, the number of events
   * (`volume`) and the distinct customers with one (`customers`), and their total; every
   * period of the range listed, with zeros where nothing happened.
   * @throws {CjmError} `invalid_option`, `unknown_event`, `unknown_column`, `invalid_timestamp`.
   */
  trends(options?: TrendsOptions | null): TrendsResult & Tabular<"events" | "total" | "breakdown" | "breakdown_total">;
  /**
   * Funnel trends: the funnel (as `funnel`) counted by the period of each attempt's step-1
   * event: customers `entered`, `converted`, and `rates` (`null` when nobody entered).
   * @throws {CjmError} as `funnel`, and `invalid_option` for the periods' options.
   */
  funnelTrends(steps: FunnelStepInput[], options?: FunnelOptions | null, trends?: FunnelTrendsOptions | null, journey?: JourneyLike | null): FunnelTrendsResult & Tabular<"periods" | "breakdown">;
  /** The trends (as `trends`) drawn as a line chart by the core. */
  trendsSvg(options?: TrendsOptions | null, chart?: TrendsChartOptions | null): string;
  /** The funnel trends (as `funnelTrends`) drawn as a line chart of the conversion rate. */
  funnelTrendsSvg(steps: FunnelStepInput[], options?: FunnelOptions | null, trends?: FunnelTrendsOptions | null, chart?: TrendsChartOptions | null, journey?: JourneyLike | null): string;
  /** Directly-follows counts (`{start_end?}`). */
  directlyFollows(options?: DirectlyFollowsOptions | null): DirectlyFollows & Tabular<"edges" | "nodes">;
  /**
   * The directly-follows graph as SVG: layered, edges labelled with transitions and median
   * times, edges under `min_share` of their source's transitions folded.
   * @throws {CjmError} `invalid_option`.
   */
  directlyFollowsSvg(options?: DfgChartOptions | null): string;
  /** The top variants: `k` (top k) or the options. */
  variants(k?: number | VariantOptions | null): Variants & Tabular<"variants">;
  /** Flows for a Sankey picture (first n steps, rare nodes folded into `(other)`). */
  flows(options?: FlowOptions | null): Flows & Tabular<"links" | "nodes">;
  /** Where each customer is in the journey. @throws {CjmError} `invalid_timestamp`, `invalid_option`. */
  journeyStates(journey?: JourneyLike | null, options?: JourneyStateOptions | null): JourneyStates & Tabular<"customers">;
  /** Conversion drivers (odds ratios with a +1 prior). @throws {CjmError} `invalid_option`. */
  drivers(options: DriverOptions, journey?: JourneyLike | null): Drivers & Tabular<"drivers">;
  /** Observed stage order against the map's order. @throws {CjmError} `invalid_option` without a journey. */
  conformance(journey?: JourneyLike | null): Conformance & Tabular<"summary" | "entry_stages">;
  /**
   * The stage funnel (as `stageFunnel`) drawn as SVG by the core: one bar per stage, labelled
   * with the stage's name; with `options.breakdown`, one small funnel per group (% of the
   * group's entrants). @throws {CjmError} `invalid_option` without a journey.
   */
  stageFunnelSvg(journey?: JourneyLike | null, options?: FunnelOptions | null, chart?: ChartOptions | null): string;
  /** The flows (as `flows`) drawn as a Sankey SVG by the core: one column per step, nodes `depth:name`. */
  flowsSvg(options?: FlowOptions | null, chart?: ChartOptions | null): string;
  /**
   * The measured inputs of `journey.insights`: reach and unmapped events from the traffic, and
   * each stage's drop-off (the share of its customers who do not reach the next stage) from
   * the stage funnel run with `options`. @throws {CjmError} `invalid_option` without a journey.
   */
  insightInputs(journey?: JourneyLike | null, options?: FunnelOptions | null): InsightInputs;
  /** The measured inputs of `journey.health`: `{reach, traffic}` (customers per touchpoint id). @throws {CjmError} `invalid_option` without a journey. */
  healthInputs(journey?: JourneyLike | null): HealthInputs;
  /**
   * The journey's KPIs measured from this log and the results given (docs/scoring.md,
   * "Measured KPIs"): `stage_funnel` and `conversion` are results of `funnel`/`stageFunnel`,
   * `survey` a result of `surveyKpis`. Pass the result to `journey.health` (`measured`),
   * `journey.insights` (`measured`) and `journey.reportHtml` (`measured`).
   * @throws {CjmError} `invalid_option` without a journey or for inputs that are not those results.
   */
  measureKpis(journey?: JourneyLike | null, inputs?: MeasureInputs | null): MeasuredKpis;
}

/** The results `measureKpis` reads; each optional. */
export interface MeasureInputs {
  stage_funnel?: FunnelResult | null;
  conversion?: FunnelResult | null;
  survey?: SurveyReport | null;
}

/** Title and width of a chart drawn by `stageFunnelSvg` or `flowsSvg` (defaults: no title, the core's width). */
export interface ChartOptions {
  title?: string | null;
  /** Width in px. */
  width?: number | null;
}
