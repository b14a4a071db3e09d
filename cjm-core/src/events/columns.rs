//! Column batches: the columnar input of [`super::EventLogBuilder::push_batch`].
//!
//! The layouts are those of Apache Arrow (validity bitmaps, offset-encoded strings,
//! dictionary arrays with integer keys), described with plain slices so that the core
//! stays free of any Arrow crate: the Python binding hands an Arrow array's buffers
//! through as they are, the JavaScript binding its typed arrays, and Rust callers plain
//! slices. Nothing is copied row by row:
//!
//! - integer customer ids stay integers (they are never formatted or hashed as text);
//! - a dictionary column is remapped once per batch through its dictionary, so a row
//!   costs one array look-up whatever its string;
//! - integer timestamps are converted to nanoseconds arithmetically.

use super::time::TimeUnit;

/// An Arrow validity (or boolean) bitmap: bit `offset + i`, least significant bit first,
/// is row `i`.
#[derive(Debug, Clone, Copy)]
pub struct Bitmap<'a> {
    /// The bitmap's bytes.
    pub bits: &'a [u8],
    /// Bit offset of row 0.
    pub offset: usize,
}

impl Bitmap<'_> {
    /// Bit `i` (false past the end).
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> bool {
        let k = self.offset + i;
        self.bits
            .get(k / 8)
            .is_some_and(|b| (b >> (k % 8)) & 1 == 1)
    }
}

/// Whether row `i` is valid under an optional validity bitmap.
#[inline]
fn valid(v: Option<&Bitmap<'_>>, i: usize) -> bool {
    v.is_none_or(|b| b.get(i))
}

/// The values of a string array.
#[derive(Debug, Clone, Copy)]
pub enum Utf8<'a> {
    /// Arrow `Utf8`: `offsets.len() == len + 1`, value `i` is
    /// `data[offsets[i]..offsets[i+1]]`.
    Offsets32 {
        /// Offsets into `data`.
        offsets: &'a [i32],
        /// UTF-8 bytes.
        data: &'a [u8],
    },
    /// Arrow `LargeUtf8`.
    Offsets64 {
        /// Offsets into `data`.
        offsets: &'a [i64],
        /// UTF-8 bytes.
        data: &'a [u8],
    },
    /// Borrowed strings, `None` for null.
    Strs(&'a [Option<&'a str>]),
}

impl<'a> Utf8<'a> {
    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Offsets32 { offsets, .. } => offsets.len().saturating_sub(1),
            Self::Offsets64 { offsets, .. } => offsets.len().saturating_sub(1),
            Self::Strs(s) => s.len(),
        }
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of value `i` (`None` when null or out of range).
    #[inline]
    pub(crate) fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        fn span<'d, O: Copy + TryInto<usize>>(
            offsets: &[O],
            data: &'d [u8],
            i: usize,
        ) -> Option<&'d [u8]> {
            let lo: usize = (*offsets.get(i)?).try_into().ok()?;
            let hi: usize = (*offsets.get(i + 1)?).try_into().ok()?;
            data.get(lo..hi)
        }
        match *self {
            Self::Offsets32 { offsets, data } => span(offsets, data, i),
            Self::Offsets64 { offsets, data } => span(offsets, data, i),
            Self::Strs(s) => s.get(i).copied().flatten().map(str::as_bytes),
        }
    }
}

/// A string array: values and their validity.
#[derive(Debug, Clone, Copy)]
pub struct StrArray<'a> {
    /// The values.
    pub values: Utf8<'a>,
    /// Validity of the values (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
}

impl<'a> StrArray<'a> {
    /// Value `i`'s bytes, `None` when null.
    #[inline]
    pub(crate) fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        if valid(self.validity.as_ref(), i) {
            self.values.bytes(i)
        } else {
            None
        }
    }
}

/// The integer keys of a dictionary array.
#[derive(Debug, Clone, Copy)]
#[allow(
    missing_docs,
    reason = "one variant per Arrow key type, named after it"
)]
pub enum Keys<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

impl Keys<'_> {
    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::I8(k) => k.len(),
            Self::I16(k) => k.len(),
            Self::I32(k) => k.len(),
            Self::I64(k) => k.len(),
            Self::U8(k) => k.len(),
            Self::U16(k) => k.len(),
            Self::U32(k) => k.len(),
            Self::U64(k) => k.len(),
        }
    }

    /// Whether there are no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys `start..start + len` (fewer past the end).
    pub(crate) fn slice(&self, start: usize, len: usize) -> Self {
        fn part<K>(k: &[K], start: usize, len: usize) -> &[K] {
            let start = start.min(k.len());
            k.get(start..k.len().min(start.saturating_add(len)))
                .unwrap_or(&[])
        }
        match *self {
            Self::I8(k) => Self::I8(part(k, start, len)),
            Self::I16(k) => Self::I16(part(k, start, len)),
            Self::I32(k) => Self::I32(part(k, start, len)),
            Self::I64(k) => Self::I64(part(k, start, len)),
            Self::U8(k) => Self::U8(part(k, start, len)),
            Self::U16(k) => Self::U16(part(k, start, len)),
            Self::U32(k) => Self::U32(part(k, start, len)),
            Self::U64(k) => Self::U64(part(k, start, len)),
        }
    }

    /// Appends every key mapped through `table` to `out` (a key out of its range gives
    /// `missing`): one loop per key type without a call per row, which the compiler
    /// unrolls.
    pub(crate) fn extend_codes(&self, table: &[u32], missing: u32, out: &mut Vec<u32>) {
        fn run<K: Copy + TryInto<usize>>(
            keys: &[K],
            table: &[u32],
            missing: u32,
            out: &mut Vec<u32>,
        ) {
            out.extend(keys.iter().map(|&k| {
                k.try_into()
                    .ok()
                    .and_then(|k: usize| table.get(k).copied())
                    .unwrap_or(missing)
            }));
        }
        match *self {
            Self::I8(k) => run(k, table, missing, out),
            Self::I16(k) => run(k, table, missing, out),
            Self::I32(k) => run(k, table, missing, out),
            Self::I64(k) => run(k, table, missing, out),
            Self::U8(k) => run(k, table, missing, out),
            Self::U16(k) => run(k, table, missing, out),
            Self::U32(k) => run(k, table, missing, out),
            Self::U64(k) => run(k, table, missing, out),
        }
    }
}

/// A string column: plain, or dictionary-encoded.
#[derive(Debug, Clone, Copy)]
pub enum StrCol<'a> {
    /// One string per row.
    Plain(StrArray<'a>),
    /// Keys into a dictionary of distinct strings (Arrow `Dictionary`, pandas and polars
    /// categoricals). A null key, or a key whose dictionary value is null, is null.
    Dict {
        /// One key per row.
        keys: Keys<'a>,
        /// Validity of the keys.
        validity: Option<Bitmap<'a>>,
        /// The dictionary.
        values: StrArray<'a>,
    },
    /// Every row null (a column of Arrow type `Null`).
    Null(usize),
}

impl<'a> StrCol<'a> {
    /// A plain column of borrowed strings.
    #[must_use]
    pub fn strs(values: &'a [Option<&'a str>]) -> Self {
        Self::Plain(StrArray {
            values: Utf8::Strs(values),
            validity: None,
        })
    }

    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Plain(a) => a.values.len(),
            Self::Dict { keys, .. } => keys.len(),
            Self::Null(n) => *n,
        }
    }

    /// Whether the column has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Codes of every row: `intern` is called once per dictionary value (per row for a
    /// plain column, in row order) with the value's bytes and returns its code; null
    /// rows get `missing`.
    pub(crate) fn codes(&self, missing: u32, intern: impl FnMut(&'a [u8]) -> u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.codes_into(&mut out, missing, intern);
        out
    }

    /// As [`Self::codes`], appended to `out`.
    pub(crate) fn codes_into(
        &self,
        out: &mut Vec<u32>,
        missing: u32,
        mut intern: impl FnMut(&'a [u8]) -> u32,
    ) {
        out.reserve(self.len());
        match self {
            Self::Plain(a) => {
                out.extend((0..a.values.len()).map(|i| a.bytes(i).map_or(missing, &mut intern)));
            }
            Self::Dict {
                keys,
                validity,
                values,
            } => {
                let table: Vec<u32> = (0..values.values.len())
                    .map(|k| values.bytes(k).map_or(missing, &mut intern))
                    .collect();
                let start = out.len();
                keys.extend_codes(&table, missing, out);
                if let (Some(v), Some(codes)) = (validity, out.get_mut(start..)) {
                    for (i, code) in codes.iter_mut().enumerate() {
                        if !v.get(i) {
                            *code = missing;
                        }
                    }
                }
            }
            Self::Null(n) => out.resize(out.len() + *n, missing),
        }
    }

    /// The string of row `i` (`None` when null or not UTF-8).
    #[must_use]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let bytes = match self {
            Self::Plain(a) => a.bytes(i),
            Self::Dict {
                keys,
                validity,
                values,
            } => {
                if !valid(validity.as_ref(), i) {
                    return None;
                }
                let k: usize = match *keys {
                    Keys::I8(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                    Keys::I16(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                    Keys::I32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                    Keys::I64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                    Keys::U8(k) => k.get(i).map(|&k| usize::from(k)),
                    Keys::U16(k) => k.get(i).map(|&k| usize::from(k)),
                    Keys::U32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                    Keys::U64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
                }?;
                values.bytes(k)
            }
            Self::Null(_) => None,
        }?;
        std::str::from_utf8(bytes).ok()
    }
}

/// A column of 64-bit integers with its validity.
#[derive(Debug, Clone, Copy)]
pub struct I64Col<'a> {
    /// The values (a null row's value is ignored).
    pub values: &'a [i64],
    /// Validity (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
}

impl I64Col<'_> {
    /// Row `i`, `None` when null.
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> Option<i64> {
        if valid(self.validity.as_ref(), i) {
            self.values.get(i).copied()
        } else {
            None
        }
    }
}

/// A column of unsigned 64-bit integers with its validity (Arrow `UInt64`).
#[derive(Debug, Clone, Copy)]
pub struct U64Col<'a> {
    /// The values (a null row's value is ignored).
    pub values: &'a [u64],
    /// Validity (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
}

impl U64Col<'_> {
    /// Row `i`, `None` when null.
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> Option<u64> {
        if valid(self.validity.as_ref(), i) {
            self.values.get(i).copied()
        } else {
            None
        }
    }
}

/// A column of customer ids.
#[derive(Debug, Clone, Copy)]
pub enum IdCol<'a> {
    /// Integer ids: kept as integers (a log of integer ids sorts its customers by value).
    Int(I64Col<'a>),
    /// String ids (an empty string is missing).
    Str(StrCol<'a>),
}

impl IdCol<'_> {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Int(c) => c.values.len(),
            Self::Str(c) => c.len(),
        }
    }

    /// Whether the column has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A timestamp column.
#[derive(Debug, Clone, Copy)]
pub enum TimeCol<'a> {
    /// Integer counts of `unit` since the epoch (Arrow timestamps, integer columns).
    Ticks {
        /// The counts.
        values: I64Col<'a>,
        /// Their unit.
        unit: TimeUnit,
    },
    /// Unsigned counts of `unit` since the epoch (an Arrow `UInt64` column), read without
    /// a cast: a count above `i64::MAX` is a timestamp out of range (`invalid_timestamp`),
    /// as every count past 2262 is, never a missing one.
    UnsignedTicks {
        /// The counts.
        values: U64Col<'a>,
        /// Their unit.
        unit: TimeUnit,
    },
    /// ISO-8601 text (read with the builder's `assume_utc`); a dictionary column is
    /// parsed once per distinct value.
    Text(StrCol<'a>),
    /// Every row null.
    Null(usize),
}

impl TimeCol<'_> {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Ticks { values, .. } => values.values.len(),
            Self::UnsignedTicks { values, .. } => values.values.len(),
            Self::Text(c) => c.len(),
            Self::Null(n) => *n,
        }
    }

    /// Whether the column has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A column of floats with its validity.
#[derive(Debug, Clone, Copy)]
pub struct F64Col<'a> {
    /// The values.
    pub values: &'a [f64],
    /// Validity (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
}

impl F64Col<'_> {
    /// Row `i`, `None` when null.
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> Option<f64> {
        if valid(self.validity.as_ref(), i) {
            self.values.get(i).copied()
        } else {
            None
        }
    }
}

/// The values of a numeric column, in the Arrow type they arrive in.
#[derive(Debug, Clone, Copy)]
#[allow(
    missing_docs,
    reason = "one variant per Arrow value type, named after it"
)]
pub enum NumValues<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    F32(&'a [f32]),
    F64(&'a [f64]),
    /// Every row null (Arrow type `Null`), this many rows.
    Null(usize),
}

/// A numeric column with its validity: read as a slice of its own type, never converted
/// to floats row by row.
#[derive(Debug, Clone, Copy)]
pub struct NumCol<'a> {
    /// The values (a null row's value is ignored).
    pub values: NumValues<'a>,
    /// Validity (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
}

impl NumCol<'_> {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self.values {
            NumValues::I8(v) => v.len(),
            NumValues::I16(v) => v.len(),
            NumValues::I32(v) => v.len(),
            NumValues::I64(v) => v.len(),
            NumValues::U8(v) => v.len(),
            NumValues::U16(v) => v.len(),
            NumValues::U32(v) => v.len(),
            NumValues::U64(v) => v.len(),
            NumValues::F32(v) => v.len(),
            NumValues::F64(v) => v.len(),
            NumValues::Null(n) => n,
        }
    }

    /// Whether the column has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is valid.
    #[inline]
    pub(crate) fn is_valid(&self, i: usize) -> bool {
        !matches!(self.values, NumValues::Null(_)) && valid(self.validity.as_ref(), i)
    }
}

/// Packs booleans into an Arrow validity bitmap (least significant bit first).
#[must_use]
pub fn pack_bits(bits: impl IntoIterator<Item = bool>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, b) in bits.into_iter().enumerate() {
        if i % 8 == 0 {
            out.push(0u8);
        }
        if b {
            if let Some(last) = out.last_mut() {
                *last |= 1 << (i % 8);
            }
        }
    }
    out
}

/// A column of booleans (Arrow layout: one bit a row).
#[derive(Debug, Clone, Copy)]
pub struct BoolCol<'a> {
    /// The values.
    pub values: Bitmap<'a>,
    /// Validity (`None`: all valid).
    pub validity: Option<Bitmap<'a>>,
    /// Number of rows.
    pub len: usize,
}

impl BoolCol<'_> {
    /// Row `i`, `None` when null.
    #[inline]
    #[must_use]
    pub fn get(&self, i: usize) -> Option<bool> {
        (i < self.len && valid(self.validity.as_ref(), i)).then(|| self.values.get(i))
    }
}

/// One batch of rows as columns, all of one length. Column names are the caller's
/// business: the builder's options name the extra columns, in the order of `extra`.
#[derive(Debug, Clone)]
pub struct ColumnBatch<'a> {
    /// Customer ids; with several columns, a row's id is the first non-missing one.
    pub customer: Vec<IdCol<'a>>,
    /// Timestamps.
    pub timestamp: TimeCol<'a>,
    /// Event names.
    pub event: StrCol<'a>,
    /// Channels.
    pub channel: Option<StrCol<'a>>,
    /// Session ids.
    pub session: Option<StrCol<'a>>,
    /// Values (revenue).
    pub value: Option<F64Col<'a>>,
    /// Consent flags.
    pub consent: Option<BoolCol<'a>>,
    /// The extra columns named by the builder's options, in that order.
    pub extra: Vec<StrCol<'a>>,
    /// Global row indices (the order key among equal timestamps) when the rows are not
    /// one contiguous run: non-negative, no nulls (`invalid_option` otherwise).
    pub row: Option<I64Col<'a>>,
}

impl ColumnBatch<'_> {
    /// Number of rows (of the event column); every column must have it.
    #[must_use]
    pub fn len(&self) -> usize {
        self.event.len()
    }

    /// Whether the batch has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The length of every column, named, for the length check.
    pub(crate) fn lengths(&self) -> Vec<(&'static str, usize)> {
        let mut out: Vec<(&'static str, usize)> = vec![("event", self.event.len())];
        out.extend(self.customer.iter().map(|c| ("customer", c.len())));
        out.push(("timestamp", self.timestamp.len()));
        out.extend(self.channel.iter().map(|c| ("channel", c.len())));
        out.extend(self.session.iter().map(|c| ("session", c.len())));
        out.extend(self.value.iter().map(|c| ("value", c.values.len())));
        out.extend(self.consent.iter().map(|c| ("consent", c.len)));
        out.extend(self.extra.iter().map(|c| ("extra", c.len())));
        out.extend(self.row.iter().map(|c| ("row", c.values.len())));
        out
    }
}
