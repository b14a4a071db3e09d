//! One stable sort for the cold paths (ranking pains, insights, drivers, report rows).
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

/// The positions `0..n` in stably sorted order.
fn permutation(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::stable_by;

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
