//! Small-count suppression for the aggregate tables of a pseudonymised
//! export (decision 0012): a pure plan over numbers, applied by
//! `summary.rs`.
//!
//! **Primary**: a count of families or people from 1 to 4 is shown as `<5`
//! (0 stays 0: nobody to single out).
//!
//! **Secondary**: counts come in *groups* that a reader can relate by
//! subtraction: a total and its parts (a lab's months and the lab's whole
//! period; the labs of a month and that month for all labs). If exactly one
//! cell of a group is suppressed, the smallest other non-zero cell of the
//! group (parts before the total, then the earlier cell on a tie) is
//! suppressed too, and the rule is applied again until no group has a
//! single suppressed cell, since a new suppression can leave another group
//! with one. Distinct counts (families reached) do not add up exactly, by
//! design (`crate::indicators`), but subtraction still bounds them, so the
//! rule treats every group as if it did.

/// Counts below this (and above 0) are suppressed.
pub(crate) const THRESHOLD: u64 = 5;

/// How a suppressed count is shown.
pub(crate) const SHOWN: &str = "<5";

/// A group of cells related by subtraction: `parts` and their `total`
/// (indices into the values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub parts: Vec<usize>,
    pub total: Option<usize>,
}

/// Which of `values` to suppress, given the groups they form. Indices out
/// of range in a group are ignored.
pub(crate) fn plan(values: &[u64], groups: &[Group]) -> Vec<bool> {
    let mut hidden: Vec<bool> = values.iter().map(|&v| (1..THRESHOLD).contains(&v)).collect();
    loop {
        let mut changed = false;
        for g in groups {
            let cells: Vec<usize> =
                g.parts.iter().copied().chain(g.total).filter(|&i| i < values.len()).collect();
            if cells.iter().filter(|&&i| hidden[i]).count() != 1 {
                continue;
            }
            // Parts first (a total is the largest cell, and hiding it tells
            // the reader least), then the smallest value, then the order.
            let pick = cells
                .iter()
                .enumerate()
                .filter(|&(_, &i)| !hidden[i] && values[i] > 0)
                .min_by_key(|&(pos, &i)| (Some(i) == g.total, values[i], pos))
                .map(|(_, &i)| i);
            if let Some(i) = pick {
                hidden[i] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(parts: &[usize], total: Option<usize>) -> Group {
        Group { parts: parts.to_vec(), total }
    }

    #[test]
    fn primary_suppression_hides_one_to_four_and_keeps_zero() {
        let values = [0, 1, 4, 5, 120];
        assert_eq!(plan(&values, &[]), [false, true, true, false, false]);
    }

    #[test]
    fn secondary_suppression_in_a_row() {
        // (values, expected), one group: the parts 0..n-1 and the total last.
        let cases: &[(&[u64], &[bool])] = &[
            // One small part: the next smallest part goes too.
            (&[3, 9, 7, 19], &[true, false, true, false]),
            // Two small parts already protect each other.
            (&[3, 2, 7, 12], &[true, true, false, false]),
            // Zeros are not suppressed and not picked.
            (&[0, 3, 0, 8, 11], &[false, true, false, true, false]),
            // Nothing small: nothing hidden.
            (&[5, 6, 11], &[false, false, false]),
            // The only other part is zero: the total is the one left to hide
            // (here it is small itself).
            (&[4, 0, 4], &[true, false, true]),
            // Ties: the earlier part.
            (&[1, 8, 8, 17], &[true, true, false, false]),
        ];
        for (values, expected) in cases {
            let n = values.len() - 1;
            let g = group(&(0..n).collect::<Vec<_>>(), Some(n));
            assert_eq!(plan(values, &[g]), *expected, "{values:?}");
        }
    }

    #[test]
    fn secondary_suppression_reaches_every_group_it_touches() {
        // A 2×2 table of labs × months with row and column totals:
        //        m1  m2 | lab
        // lab1    2  10 |  12
        // lab2    6   9 |  15
        // month   8  19 |  27
        let values = [2, 10, 12, 6, 9, 15, 8, 19, 27];
        let groups = [
            group(&[0, 1], Some(2)),
            group(&[3, 4], Some(5)),
            group(&[0, 3], Some(6)),
            group(&[1, 4], Some(7)),
            group(&[2, 5], Some(8)),
        ];
        let hidden = plan(&values, &groups);
        let hidden_at: Vec<usize> = (0..values.len()).filter(|&i| hidden[i]).collect();
        // 2 (primary); 10 for lab1's row, 6 for m1's column; then 9 for
        // lab2's row and m2's column.
        assert_eq!(hidden_at, [0, 1, 3, 4]);
        for g in &groups {
            let n = g.parts.iter().chain(&g.total).filter(|&&i| hidden[i]).count();
            assert_ne!(n, 1, "{g:?} has a single suppressed cell");
        }
    }
}
