//! One Arrow column, held as Arrow hands it and lent to the core as a borrowed column
//! ([`cjm_core::events::columns`]).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, GenericStringArray, Int64Array, LargeStringArray,
    OffsetSizeTrait, RecordBatch, StringArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;
use cjm_core::events::columns::{
    Bitmap, I64Col, IdCol, Keys, NumCol, NumValues, StrArray, StrCol, Utf8,
};
use cjm_core::InputCode;

use crate::{input, Result};

/// `wrong_type`: the column's Arrow type is not one the role reads.
pub(crate) fn wrong_type(name: &str, found: &DataType, wanted: &str) -> crate::Error {
    input(
        InputCode::WrongType,
        format!("column `{name}` has Arrow type `{found}` where {wanted} are needed"),
    )
}

/// `missing_column`: the data has no column of that name.
pub(crate) fn missing(name: &str) -> crate::Error {
    input(
        InputCode::MissingColumn,
        format!("the data has no column `{name}`"),
    )
}

/// The column of that name, or `missing_column`.
pub(crate) fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| missing(name))
}

/// An Arrow validity bitmap as the core's.
#[must_use]
pub fn bitmap(nulls: Option<&NullBuffer>) -> Option<Bitmap<'_>> {
    nulls.map(|n| Bitmap {
        bits: n.inner().values(),
        offset: n.inner().offset(),
    })
}

/// Arrow's two string offset widths, as the core's [`Utf8`] layouts.
trait Offsets: OffsetSizeTrait {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a>;
}

impl Offsets for i32 {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a> {
        Utf8::Offsets32 { offsets, data }
    }
}

impl Offsets for i64 {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a> {
        Utf8::Offsets64 { offsets, data }
    }
}

fn str_array<O: Offsets>(a: &GenericStringArray<O>) -> StrArray<'_> {
    StrArray {
        values: O::utf8(a.value_offsets(), a.values().as_slice()),
        validity: bitmap(a.nulls()),
    }
}

fn plain(values: &ArrayRef) -> Option<StrArray<'_>> {
    match values.data_type() {
        DataType::Utf8 => Some(str_array(values.as_string::<i32>())),
        DataType::LargeUtf8 => Some(str_array(values.as_string::<i64>())),
        _ => None,
    }
}

macro_rules! dict_keys {
    ($array:expr, $($t:ty => $v:ident),*) => {{
        let a: &ArrayRef = $array;
        let mut out = None;
        $(
            if out.is_none() {
                if let Some(d) = a.as_any().downcast_ref::<DictionaryArray<$t>>() {
                    out = Some((Keys::$v(d.keys().values()), bitmap(d.keys().nulls()), d.values()));
                }
            }
        )*
        out
    }};
}

/// Whether a type is read as text where only strings will do (survey scopes and
/// segments): strings and dictionaries of strings.
pub(crate) fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// A string column of one batch, in a layout the core reads in place.
pub enum Strs {
    /// `Utf8` (and integers, cast to their decimal text).
    Utf8(StringArray),
    /// `LargeUtf8` (and `Utf8View`, cast).
    Large(LargeStringArray),
    /// A dictionary array whose values are `Utf8` or `LargeUtf8`.
    Dict(ArrayRef),
    /// An all-null column of this many rows.
    Null(usize),
}

impl Strs {
    /// The column `name` read as strings.
    ///
    /// # Errors
    /// `wrong_type` for a type that is not read as strings.
    pub fn of(name: &str, array: &ArrayRef) -> Result<Self> {
        let cast = |to: &DataType| {
            arrow_cast::cast(array, to)
                .map_err(|e| wrong_type(name, array.data_type(), &format!("strings ({e})")))
        };
        Ok(match array.data_type() {
            DataType::Utf8 => Self::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Self::Large(array.as_string::<i64>().clone()),
            DataType::Utf8View => {
                Self::Large(cast(&DataType::LargeUtf8)?.as_string::<i64>().clone())
            }
            DataType::Null => Self::Null(array.len()),
            DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8) => {
                Self::Dict(array.clone())
            }
            DataType::Dictionary(k, _) => Self::Dict(cast(&DataType::Dictionary(
                k.clone(),
                Box::new(DataType::LargeUtf8),
            ))?),
            t if t.is_integer() => Self::Utf8(cast(&DataType::Utf8)?.as_string::<i32>().clone()),
            t => return Err(wrong_type(name, t, "strings")),
        })
    }

    /// The column as the core's borrowed strings.
    #[must_use]
    pub fn view(&self) -> StrCol<'_> {
        match self {
            Self::Utf8(a) => StrCol::Plain(str_array(a)),
            Self::Large(a) => StrCol::Plain(str_array(a)),
            Self::Null(n) => StrCol::Null(*n),
            Self::Dict(a) => {
                let parts = dict_keys!(a,
                    Int8Type => I8, Int16Type => I16, Int32Type => I32, Int64Type => I64,
                    UInt8Type => U8, UInt16Type => U16, UInt32Type => U32, UInt64Type => U64);
                match parts.and_then(|(keys, validity, values)| {
                    plain(values).map(|values| StrCol::Dict {
                        keys,
                        validity,
                        values,
                    })
                }) {
                    Some(col) => col,
                    // `of` only keeps dictionaries of strings with integer keys.
                    None => StrCol::Null(a.len()),
                }
            }
        }
    }
}

/// A customer column: integers stay integers.
pub(crate) enum Ids {
    Int(Int64Array),
    Str(Strs),
}

impl Ids {
    pub(crate) fn of(name: &str, array: &ArrayRef) -> Result<Self> {
        let t = array.data_type();
        if t.is_integer() {
            // UInt64 ids above i64::MAX do not fit: they are read as text instead.
            if let Ok(ints) = arrow_cast::cast_with_options(
                array,
                &DataType::Int64,
                &arrow_cast::CastOptions {
                    safe: false,
                    ..Default::default()
                },
            ) {
                return Ok(Self::Int(ints.as_primitive::<Int64Type>().clone()));
            }
        }
        Strs::of(name, array).map(Self::Str)
    }

    pub(crate) fn view(&self) -> IdCol<'_> {
        match self {
            Self::Int(a) => IdCol::Int(ints(a)),
            Self::Str(s) => IdCol::Str(s.view()),
        }
    }
}

/// An `Int64` array as the core's borrowed integers.
pub(crate) fn ints(a: &Int64Array) -> I64Col<'_> {
    I64Col {
        values: a.values(),
        validity: bitmap(a.nulls()),
    }
}

/// A numeric column of one batch: integers and floats as they are (`Float16` widened to
/// `Float32`), or all null.
pub struct Nums(ArrayRef);

impl Nums {
    /// The column `name` read as numbers.
    ///
    /// # Errors
    /// `wrong_type` for a type that is not numbers.
    pub fn of(name: &str, array: &ArrayRef) -> Result<Self> {
        let t = array.data_type();
        if matches!(t, DataType::Float16) {
            return arrow_cast::cast(array, &DataType::Float32)
                .map(Self)
                .map_err(|e| wrong_type(name, t, &format!("numbers ({e})")));
        }
        if t.is_integer() || t.is_floating() || matches!(t, DataType::Null) {
            Ok(Self(Arc::clone(array)))
        } else {
            Err(wrong_type(name, t, "numbers"))
        }
    }

    /// The column as the core's borrowed numbers, in their own type.
    #[must_use]
    pub fn view(&self) -> NumCol<'_> {
        let a = &self.0;
        let values = match a.data_type() {
            DataType::Int8 => NumValues::I8(a.as_primitive::<Int8Type>().values()),
            DataType::Int16 => NumValues::I16(a.as_primitive::<Int16Type>().values()),
            DataType::Int32 => NumValues::I32(a.as_primitive::<Int32Type>().values()),
            DataType::Int64 => NumValues::I64(a.as_primitive::<Int64Type>().values()),
            DataType::UInt8 => NumValues::U8(a.as_primitive::<UInt8Type>().values()),
            DataType::UInt16 => NumValues::U16(a.as_primitive::<UInt16Type>().values()),
            DataType::UInt32 => NumValues::U32(a.as_primitive::<UInt32Type>().values()),
            DataType::UInt64 => NumValues::U64(a.as_primitive::<UInt64Type>().values()),
            DataType::Float32 => NumValues::F32(a.as_primitive::<Float32Type>().values()),
            DataType::Float64 => NumValues::F64(a.as_primitive::<Float64Type>().values()),
            // `of` keeps numbers only; anything else reads as all null.
            _ => NumValues::Null(a.len()),
        };
        NumCol {
            values,
            validity: bitmap(a.nulls()),
        }
    }
}
