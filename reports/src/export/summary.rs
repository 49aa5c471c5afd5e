//! The indicators as tables: one row per cell (the total, each month, each
//! lab and each lab's months) and the totals against the targets. The
//! figures come from [`crate::indicators`]; nothing is counted here.
//!
//! In a pseudonymised export the counts of families and people (families
//! reached and accompanied, members and minors reached, attendances) go
//! through small-count suppression (`suppress.rs`): 1 to 4 is shown as
//! `<5`, and so is a second cell wherever a suppressed one could be
//! recovered from a total. Meetings, guests (never registered, so never
//! identifiable), active labs, staff trained and training hours are shown
//! as they are.

use std::collections::BTreeMap;

use super::labels::Label;
use super::register::Ctx;
use super::suppress::{self, Group};
use super::table::{Cell, Table, TableKind};
use crate::indicators::{Counts, Goal, Indicators};
use crdt_sync::Month;

pub(crate) fn hours(minutes: u64) -> Cell {
    Cell::Decimal(minutes as f64 / 60.0)
}

/// The wide indicators table.
pub(crate) fn indicators(ctx: &Ctx<'_>, ind: &Indicators) -> Table {
    use Label as L;
    let mut t = Table::new(
        TableKind::Indicators,
        ctx.lang,
        &[
            (L::ColLab, 11.0),
            (L::ColLabName, 24.0),
            (L::ColMonth, 14.0),
            (L::FamiliesReached, 12.0),
            (L::FamiliesAccompanied, 12.0),
            (L::MembersReached, 12.0),
            (L::MinorsReached, 12.0),
            (L::MeetingsHeld, 12.0),
        ],
    );
    // One column per activity type that occurs, in key order.
    let activities: Vec<String> = ind.total.meetings_by_activity.keys().cloned().collect();
    for a in &activities {
        t.push_column(format!("{}{}", ctx.text(L::ColMeetingsOf), ctx.activity(a)), 16.0);
    }
    for (l, w) in [
        (L::Attendances, 11.0),
        (L::Guests, 9.0),
        (L::ActiveLabs, 12.0),
        (L::OperatorsTrained, 12.0),
        (L::VolunteersTrained, 12.0),
        (L::TrainingHours, 12.0),
    ] {
        t.push_column(l.text(ctx.lang).to_owned(), w);
    }
    let row = |lab: Cell, name: Cell, month: Cell, c: &Counts| {
        let mut r = vec![
            lab,
            name,
            month,
            Cell::from(c.families_reached),
            Cell::from(c.families_accompanied),
            Cell::from(c.members_reached),
            Cell::from(c.minors_reached),
            Cell::from(c.meetings),
        ];
        r.extend(activities.iter().map(|a| Cell::from(c.meetings_by_activity.get(a).copied().unwrap_or(0))));
        r.extend([
            Cell::from(c.attendances),
            Cell::from(c.guests),
            Cell::from(c.active_labs),
            Cell::from(c.operators_trained),
            Cell::from(c.volunteers_trained),
            hours(c.training_minutes),
        ]);
        r
    };
    let whole = || Cell::from(ctx.text(L::WholePeriod));
    // Where each row sits: `(lab index or None for all labs, month or None
    // for the whole period)`, for the suppression groups.
    let mut place: Vec<(Option<usize>, Option<Month>)> = Vec::new();
    let all = || [Cell::from(ctx.text(L::AllLabs)), Cell::from(ctx.text(L::AllLabs))];
    let labs = ind.labs.iter().enumerate().map(|(i, l)| {
        let cells = [Cell::from(u32::from(l.lab.number)), Cell::from(l.lab.name.as_str())];
        (Some(i), cells, &l.total, &l.months)
    });
    for (lab, [number, name], total, ms) in [(None, all(), &ind.total, &ind.months)].into_iter().chain(labs) {
        t.rows.push(row(number.clone(), name.clone(), whole(), total));
        place.push((lab, None));
        for m in ms {
            t.rows.push(row(number.clone(), name.clone(), Cell::Month(m.month), &m.counts));
            place.push((lab, Some(m.month)));
        }
    }
    if !ctx.full {
        let groups = groups(&place);
        let attendances = 8 + activities.len();
        for column in [3, 4, 5, 6, attendances] {
            suppress_column(&mut t, column, &groups);
        }
    }
    t
}

/// The groups of rows related by subtraction: each lab's months with the
/// lab's total; all labs' months with the grand total; the labs' totals
/// with the grand total; each month's labs with that month for all labs.
fn groups(place: &[(Option<usize>, Option<Month>)]) -> Vec<Group> {
    let new = || Group { parts: Vec::new(), total: None };
    // By lab (`None`: all labs): its months, and its whole period as total.
    let mut periods: BTreeMap<Option<usize>, Group> = BTreeMap::new();
    // By month: each lab's row, and the all-labs row as total.
    let mut months: BTreeMap<Month, Group> = BTreeMap::new();
    // The labs' whole periods, and the grand total.
    let mut labs = new();
    for (row, &(lab, month)) in place.iter().enumerate() {
        let period = periods.entry(lab).or_insert_with(new);
        match month {
            None => period.total = Some(row),
            Some(m) => {
                period.parts.push(row);
                let g = months.entry(m).or_insert_with(new);
                if lab.is_none() { g.total = Some(row) } else { g.parts.push(row) }
            }
        }
        match (lab, month) {
            (None, None) => labs.total = Some(row),
            (Some(_), None) => labs.parts.push(row),
            _ => {}
        }
    }
    periods.into_values().chain(months.into_values()).chain([labs]).collect()
}

/// Replaces the suppressed counts of one column by `<5`.
fn suppress_column(t: &mut Table, column: usize, groups: &[Group]) {
    suppress_across(&mut [(t, column)], groups);
}

/// Replaces the suppressed counts of one column in each of several tables
/// by `<5`, planned together: the rows are numbered across the tables in
/// order (the first table's rows, then the second's…), and `groups` use
/// those numbers, so a group may relate rows of two tables (the monitoring's
/// partners and their labs).
pub(crate) fn suppress_across(tables: &mut [(&mut Table, usize)], groups: &[Group]) {
    let values: Vec<u64> = tables
        .iter()
        .flat_map(|(t, column)| {
            t.rows.iter().map(move |r| match r.get(*column) {
                Some(Cell::Int(n)) => u64::try_from(*n).unwrap_or(0),
                _ => 0,
            })
        })
        .collect();
    let mut hidden = suppress::plan(&values, groups).into_iter();
    for (t, column) in tables.iter_mut() {
        for row in &mut t.rows {
            if let (Some(true), Some(cell)) = (hidden.next(), row.get_mut(*column)) {
                *cell = Cell::from(suppress::SHOWN);
            }
        }
    }
}

/// Whether a cell was suppressed.
pub(crate) fn is_suppressed(cell: Option<&Cell>) -> bool {
    matches!(cell, Some(Cell::Text(s)) if s == suppress::SHOWN)
}

/// The totals against the targets. A total suppressed in the indicators
/// table (`indicators`, first row) is suppressed here too, with its share
/// of the target (the share and the target would give it back).
pub(crate) fn targets(ctx: &Ctx<'_>, ind: &Indicators, indicators: &Table) -> Table {
    // The families accompanied are column 4 of the indicators; the other
    // goals are not suppressed.
    targets_of(ctx, ind, is_suppressed(indicators.rows.first().and_then(|r| r.get(4))))
}

/// The totals of `ind` against the targets; `families_hidden`: the families
/// accompanied were suppressed where the total is shown, so they are here.
pub(crate) fn targets_of(ctx: &Ctx<'_>, ind: &Indicators, families_hidden: bool) -> Table {
    use Label as L;
    let mut t = Table::new(
        TableKind::Targets,
        ctx.lang,
        &[(L::ColIndicator, 28.0), (L::ColValue, 10.0), (L::ColTarget, 11.0), (L::ColShare, 16.0)],
    );
    for p in ind.progress() {
        let label = match p.goal {
            Goal::Families => L::FamiliesAccompanied,
            Goal::Labs => L::ActiveLabs,
            Goal::OperatorsTrained => L::OperatorsTrained,
            Goal::VolunteersTrained => L::VolunteersTrained,
        };
        let hidden = matches!(p.goal, Goal::Families) && families_hidden;
        let (value, share) = if hidden {
            (Cell::from(suppress::SHOWN), Cell::from(suppress::SHOWN))
        } else {
            (Cell::from(p.value), Cell::Percent(p.ratio()))
        };
        t.rows.push(vec![Cell::from(ctx.text(label)), value, Cell::from(p.target), share]);
    }
    t
}
