
/**
 * Loads and validates a journey document: JSON text, or a plain object.
 * @throws {CjmError} with every problem of the document.
 */
export function loadJourney(input: JourneyInput): Journey;
/**
 * Checks a journey document (JSON text or a plain object) and returns every problem found.
 * Never throws for problems of the document; those are the result.
 */
export function validate(input: JourneyInput): ValidationResult;
/** The built-in starter maps (name, title, description), in a fixed order. */
export function templates(): TemplateInfo[];
/**
 * Loads a built-in starter map by name (see `templates()`).
 * @throws {CjmError} with code `unknown_template` for a name that is not built in.
 */
export function template(name: string): Journey;
/**
 * The JSON Schema (draft 2020-12) of a journey document, schema version 1, as a plain object:
 * the very schema documents are validated against.
 */
export function journeySchema(): Record<string, unknown>;

export interface Journey {
  /**
   * The document as a new plain object (a copy: editing it does not change this journey;
   * validate the edited object again with `Journey.fromObject`).
   */
  toObject(): JourneyDocument;
  /** The document as JSON text: compact, or indented by two spaces when `pretty` is true. */
  toJson(pretty?: boolean | null): string;
  /** Counts and the stage outline (touchpoints, channels and pain points per stage), for a first look at a map. */
  summary(): Summary;
}

/** Input accepted by `loadJourney` and `validate`: JSON text or a plain object. */
export type JourneyInput = string | JourneyDocument | object;

/** The result of `validate`: `problems` is empty exactly when `valid` is true. */
export interface ValidationResult {
  valid: boolean;
  /** Every problem found, in document order. */
  problems: Problem[];
}

/** A column of survey answers or labels: a plain array or a typed array; `null` = unanswered. */
export type SurveyColumn<T> = ArrayLike<T | null> | null;

/** The answer columns `surveyKpis` reads (see `SurveyTable`); typed arrays are accepted. */
export interface SurveyColumns {
  /** Touchpoint or stage id per response. */
  scope?: SurveyColumn<string>;
  /** Persona or segment per response. */
  segment?: SurveyColumn<string>;
  /** NPS answers 0–10. */
  nps?: SurveyColumn<number>;
  /** CSAT answers 1..k. */
  csat?: SurveyColumn<number>;
  /** CES answers 1..k. */
  ces?: SurveyColumn<number>;
}

/** The measured data `Journey.health` scores with; everything is optional. */
export interface HealthInputs {
  /** Survey answers by touchpoint or stage id (a table, as for `surveyKpis`). */
  survey?: SurveyColumns | null;
  /** Options for scoring `survey`. */
  surveyOptions?: SurveyOptions | null;
  /** Measured reach, for pain-point priorities. */
  reach?: MeasuredReach | null;
  /** Customers per touchpoint id, to weight touchpoints within a stage. */
  traffic?: Record<string, number> | null;
  /** Measured KPI values by KPI id, in place of the document's `actual`. */
  kpiActuals?: Record<string, number> | null;
  /** Measured KPIs (`log.measureKpis`), in place of the document's `actual` where `kpiActuals` has no value. */
  measured?: MeasuredKpis | null;
}

/**
 * The error thrown by every function of this package: a real `Error` whose `name` is
 * `"CjmError"`. Match on `code` (stable), not on `message` (may be reworded).
 */
export interface CjmError extends Error {
  name: "CjmError";
  /** Code of the first problem, `"unknown_template"`, or an input code (`out_of_scale`, `not_finite`, `invalid_option`, …). */
  code: ProblemCode | "unknown_template" | "invalid_document" | (string & {});
  /** JSON path of the first problem (`""` is the root, or the error is not about a place). */
  path: string;
  /** 0-based row of the first offending row of an input error; `null` otherwise. */
  row: number | null;
  /** `"document"` for document problems, `"template"` for an unknown template name, `"input"` for unusable tabular input or options. */
  family: "document" | "template" | "input";
  /** Every problem of the document (empty for errors that are not about a document). */
  problems: Problem[];
}
