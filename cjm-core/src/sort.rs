//! One stable sort for the cold paths (ranking pains, insights, drivers, report rows),
//! and the one order of breakdown values ([`value_cmp`], [`group_cmp`]).
//!
//! `slice::sort_by` is generic over the element and the comparison, so every call site
//! compiles its own copy of the whole merge sort: about 10 kB of WebAssembly each. Here
//! the sort itself runs once, non-generic, over positions with a `dyn` comparison; only
//! the few lines that move the elements are generic. Hot paths over millions of events
//! keep `sort_unstable*` on plain keys.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, keeping the order of equal elements (as `sort_by` does).
pub(crate) fn stable_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = permutation(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// The order of the values of a breakdown column (a group's `value`): values written as
/// integers (an optional `-`, then digits without a leading zero, as an integer column's
/// values are written) come first, by number, so that `2` < `10` < `100`; every other
/// value follows, by its UTF-8 bytes. Numbers of any length are compared exactly, without
/// being parsed into a machine type.
pub(crate) fn value_cmp(a: &str, b: &str) -> Ordering {
    match (integer_digits(a), integer_digits(b)) {
        (Some((neg_a, da)), Some((neg_b, db))) => match (neg_a, neg_b) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same sign: more digits is further from zero; then digit by digit.
            (false, false) => da.len().cmp(&db.len()).then_with(|| da.cmp(db)),
            (true, true) => db.len().cmp(&da.len()).then_with(|| db.cmp(da)),
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// [`value_cmp`] for a group's optional value: the group of events without a value
/// (`None`) comes last.
pub(crate) fn group_cmp(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => value_cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Whether `text` is an integer in canonical decimal (`0`, `-7`, `42`; not `007`, `-0`,
/// `+1`, `1.0`): its sign and digits.
fn integer_digits(text: &str) -> Option<(bool, &str)> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let canonical = !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(negative && digits == "0");
    canonical.then_some((negative, digits))
}

/// The positions `0..n` in stably sorted order.
fn permutation(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::{group_cmp, stable_by, value_cmp};

    #[test]
    fn breakdown_values_sort_integers_by_number_then_text_by_bytes() {
        let mut v = vec![
            "10",
            "b",
            "-3",
            "2",
            "007",
            "-20",
            "0",
            "A",
            "100",
            "-0",
            "1.5",
            "123456789012345678901234567890",
            "99999999999999999999999999999",
        ];
        v.sort_by(|a, b| value_cmp(a, b));
        // Integers by value (the 30-digit one after the 29-digit one), then the rest by
        // bytes: "-0" < "007" < "1.5" < "A" < "b" (ASCII 0x2D < 0x30 < 0x31 < 0x41 < 0x62).
        assert_eq!(
            v,
            [
                "-20",
                "-3",
                "0",
                "2",
                "10",
                "100",
                "99999999999999999999999999999",
                "123456789012345678901234567890",
                "-0",
                "007",
                "1.5",
                "A",
                "b",
            ]
        );
        let mut g = vec![None, Some("10"), Some("9"), Some("x")];
        g.sort_by(|a, b| group_cmp(*a, *b));
        assert_eq!(g, [Some("9"), Some("10"), Some("x"), None]);
    }

    #[test]
    fn sorts_and_keeps_the_order_of_ties() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        stable_by(&mut v, |x, y| x.0.cmp(&y.0));
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
        let mut empty: Vec<u8> = Vec::new();
        stable_by(&mut empty, Ord::cmp);
        assert!(empty.is_empty());
    }
}
