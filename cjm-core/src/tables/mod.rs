//! The tables a user exports from a result: where every table's shape is decided, once.
//!
//! Each result with tables implements [`Tabular`]: its table names (the first is the
//! default) and, for each name, a [`Table`] of typed, nullable [`Column`]s. The bindings
//! only convert a `Table` as a whole: to Arrow (`cjm_arrow::table_batch`), then Python to
//! pandas / polars / dicts (`cjm-py/src/reports.rs`), JavaScript to `{ column: values[] }`
//! (`cjm-wasm/src/lib.rs`).
//! So a table's columns — names, order, types and values — are the same in Rust, Python
//! and JavaScript; to add or change a column, change it here.
//!
//! No number is computed here: every cell is a field of the result, flattened (one row
//! per funnel step, per (cohort, period), per (channel, model)…). The shapes per result
//! are in `tables/events.rs` (event-log analytics) and `tables/results.rs` (scoring,
//! insights, comparisons, maps, attribution). Golden vectors in `tests/vectors/events/`
//! and `tests/vectors/attribution/` carry hand-worked tables (`tables` in a case), run by
//! Rust, Python and JavaScript.

/// Declares the table names of a result and matches a name to its columns.
macro_rules! tabular {
    ($ty:ty, [$($name:literal),+], |$r:ident, $n:ident| $body:expr
     $(, display: { $($t:literal => [$($c:literal),+]),+ })?) => {
        impl $crate::tables::Tabular for $ty {
            fn table_names(&self) -> &'static [&'static str] {
                &[$($name),+]
            }

            fn table(&self, $n: &str) -> $crate::error::Result<$crate::tables::Table> {
                let $r = self;
                let columns: Option<Vec<$crate::tables::Column>> = $body;
                $crate::tables::build(self.table_names(), $n, columns)
            }

            $(
            fn display_columns(&self, table: &str) -> Option<&'static [&'static str]> {
                match table {
                    $($t => Some(&[$($c),+]),)+
                    _ => None,
                }
            }
            )?
        }
    };
}

mod events;
mod results;

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{Error, Result};

/// The values of one column, one per row; `None` is a null (an undefined ratio, a value
/// not yet observable, an absent optional field).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum Values {
    /// Strings.
    Text(Vec<Option<String>>),
    /// Floating-point numbers.
    Number(Vec<Option<f64>>),
    /// Unsigned whole counts.
    Count(Vec<Option<u64>>),
    /// Booleans.
    Flag(Vec<Option<bool>>),
    /// Lists of strings (never null; an empty list is empty).
    TextList(Vec<Vec<String>>),
}

impl Values {
    /// The number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Text(v) => v.len(),
            Self::Number(v) => v.len(),
            Self::Count(v) => v.len(),
            Self::Flag(v) => v.len(),
            Self::TextList(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One named column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Column {
    /// The column name (`customers`, `conversion_from_first`…).
    pub name: String,
    /// The type (`text`, `number`, `count`, `flag`, `text_list`) and the values.
    #[serde(flatten)]
    pub values: Values,
}

impl Column {
    /// The value at `row` written for people, by the one rule of [`crate::format`]: counts
    /// with thousands separators; shares (a column named `rate`, `share`, `…_rate`,
    /// `…_share` or `conversion_from_…`) as percentages; durations (a column whose name
    /// holds `seconds`) as `2 h 14 min`; p-values (`p_value`) with three decimals, and
    /// `< 0.001` below that (two decimals would write `0`); other numbers with at most
    /// two decimals; flags as
    /// `yes`/`no`; lists joined with `, `; null as empty. The tables themselves
    /// (`to_arrow`, `table(name)`) keep the exact values; this is for displays such as a
    /// notebook's.
    #[must_use]
    pub fn display(&self, row: usize) -> String {
        let n = self.name.as_str();
        let share = n == "rate"
            || n == "share"
            || n.ends_with("_rate")
            || n.ends_with("_share")
            || n.starts_with("conversion_from");
        let seconds = n.contains("seconds");
        let p_value = n == "p_value" || n.ends_with("_p_value");
        match &self.values {
            Values::Text(v) => v.get(row).cloned().flatten().unwrap_or_default(),
            Values::Count(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or_else(String::new, crate::format::count),
            Values::Number(v) => match v.get(row).copied().flatten() {
                None => String::new(),
                Some(x) if share => crate::format::percent(x),
                Some(x) if seconds => crate::format::duration(x),
                Some(x) if p_value && x < 0.001 => "< 0.001".to_owned(),
                Some(x) if p_value => format!("{x:.3}"),
                Some(x) => crate::format::num(x),
            },
            Values::Flag(v) => match v.get(row).copied().flatten() {
                Some(true) => "yes".to_owned(),
                Some(false) => "no".to_owned(),
                None => String::new(),
            },
            Values::TextList(v) => v.get(row).map(|l| l.join(", ")).unwrap_or_default(),
        }
    }
}

/// A named table of a result: columns of equal length, in order.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Table {
    /// The table name, one of the result's [`Tabular::table_names`].
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// The number of rows (that of the first column; a table without columns has none).
    #[must_use]
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// The column of that name.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table for serde as one object `{ column: [values] }`, keys in column order
    /// (the form JavaScript's `result.table(name)` returns; column names are unique).
    #[must_use]
    pub fn by_column(&self) -> ByColumn<'_> {
        ByColumn(self)
    }
}

/// A [`Table`] serialised as `{ column: [values] }`; see [`Table::by_column`].
#[derive(Debug, Clone, Copy)]
pub struct ByColumn<'a>(&'a Table);

impl Serialize for ByColumn<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .columns
                .iter()
                .map(|c| (&c.name, Untagged(&c.values))),
        )
    }
}

/// The values of a column without their type.
struct Untagged<'a>(&'a Values);

impl Serialize for Untagged<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Values::Text(v) => v.serialize(serializer),
            Values::Number(v) => v.serialize(serializer),
            Values::Count(v) => v.serialize(serializer),
            Values::Flag(v) => v.serialize(serializer),
            Values::TextList(v) => v.serialize(serializer),
        }
    }
}

/// A result that exports tables.
pub trait Tabular {
    /// The table names, in order; the first is the default.
    fn table_names(&self) -> &'static [&'static str];

    /// The table of that name.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] with code `unknown_table` when `name` is not one of
    /// [`table_names`](Self::table_names); the message lists them.
    fn table(&self, name: &str) -> Result<Table>;

    /// The columns of table `table` that a person reads first (a notebook display shows
    /// these and says how many more there are); `None`: all of them.
    fn display_columns(&self, table: &str) -> Option<&'static [&'static str]> {
        let _ = table;
        None
    }

    /// The default (first) table.
    ///
    /// # Errors
    ///
    /// Only if the result declares no table (none does).
    fn default_table(&self) -> Result<Table> {
        self.table(self.table_names().first().copied().unwrap_or_default())
    }
}

/// The error for a table name a result does not have.
fn unknown(names: &[&str], name: &str) -> Error {
    Error::Input {
        code: crate::InputCode::UnknownTable,
        row: None,
        message: format!(
            "no table `{name}` in this result; its tables are: {}",
            names.join(", ")
        ),
    }
}

/// Builds the table `name` from `columns`, or fails with `unknown_table` when `columns`
/// is `None` (the name matched no table).
fn build(names: &[&str], name: &str, columns: Option<Vec<Column>>) -> Result<Table> {
    match columns {
        Some(columns) => Ok(Table {
            name: name.to_owned(),
            columns,
        }),
        None => Err(unknown(names, name)),
    }
}

/// A column.
fn col(name: &str, values: Values) -> Column {
    Column {
        name: name.to_owned(),
        values,
    }
}

fn text<T>(rows: &[T], f: &dyn Fn(&T) -> Option<String>) -> Values {
    Values::Text(rows.iter().map(f).collect())
}

fn number<T>(rows: &[T], f: &dyn Fn(&T) -> Option<f64>) -> Values {
    Values::Number(rows.iter().map(f).collect())
}

fn counts<T>(rows: &[T], f: &dyn Fn(&T) -> Option<u64>) -> Values {
    Values::Count(rows.iter().map(f).collect())
}

fn flags<T>(rows: &[T], f: &dyn Fn(&T) -> Option<bool>) -> Values {
    Values::Flag(rows.iter().map(f).collect())
}

fn lists<T>(rows: &[T], f: &dyn Fn(&T) -> Vec<String>) -> Values {
    Values::TextList(rows.iter().map(f).collect())
}

/// A `usize` (a rank, an index, a depth) as a count.
fn count(n: usize) -> Option<u64> {
    u64::try_from(n).ok()
}

/// The stable string of a unit enum (`"scope_segment"`, `"good"`…), as serde writes it.
fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    #[test]
    fn a_table_serialises_its_columns_typed_and_in_order() {
        let table = Table {
            name: "t".to_owned(),
            columns: vec![
                col("a", Values::Text(vec![Some("x".to_owned()), None])),
                col("b", Values::Count(vec![Some(1), Some(2)])),
            ],
        };
        assert_eq!(table.rows(), 2);
        assert_eq!(
            serde_json::to_value(&table).unwrap(),
            serde_json::json!({"name": "t", "columns": [
                {"name": "a", "type": "text", "values": ["x", null]},
                {"name": "b", "type": "count", "values": [1, 2]},
            ]})
        );
        assert_eq!(
            serde_json::to_string(&table.by_column()).unwrap(),
            r#"{"a":["x",null],"b":[1,2]}"#
        );
    }

    #[test]
    fn an_unknown_name_is_unknown_table_listing_the_names() {
        let err = build(&["edges", "nodes"], "edge", None).unwrap_err();
        assert_eq!(err.code(), "unknown_table");
        assert!(err.to_string().contains("edges, nodes"), "{err}");
    }
}
