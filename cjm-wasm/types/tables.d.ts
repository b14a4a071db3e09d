/**
 * The values of one column of a result table, one per row: strings, numbers (counts are
 * whole numbers), booleans, or lists of strings; `null` is a missing value (an undefined
 * ratio, a period not yet observable).
 */
export type TableColumn =
  | (string | null)[]
  | (number | null)[]
  | (boolean | null)[]
  | string[][];

/** A result table as `{ column: values[] }`, keys in column order (`result.table(name)`). */
export type TableColumns = Record<string, TableColumn>;

/**
 * The tables of a result (the same columns as Python's `to_pandas(name)` and Rust's
 * `cjm_core::tables::Tabular`). Both methods are non-enumerable: JSON and spreading see
 * the plain result.
 */
export interface Tabular<Name extends string = string> {
  /** The table names; the first is the default. */
  tables(): Name[];
  /**
   * The table `name` (the default when omitted) as `{ column: values[] }`.
   * @throws {CjmError} `unknown_table` for a name not in `tables()`.
   */
  table(name?: Name): TableColumns;
}
