//! The indicators as tables: one row per cell (the total, each month, each
//! lab and each lab's months) and the totals against the targets. The
//! figures come from [`crate::indicators`]; nothing is counted here.

use super::labels::Label;
use super::register::Ctx;
use super::table::{Cell, Table, TableKind};
use crate::indicators::{Counts, Goal, Indicators, MonthCounts};

fn hours(minutes: u64) -> Cell {
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
    let months = |t: &mut Table, lab: &dyn Fn() -> Cell, name: &dyn Fn() -> Cell, ms: &[MonthCounts]| {
        for m in ms {
            t.rows.push(row(lab(), name(), Cell::Month(m.month), &m.counts));
        }
    };
    let all = || Cell::from(ctx.text(L::AllLabs));
    t.rows.push(row(all(), all(), whole(), &ind.total));
    months(&mut t, &all, &all, &ind.months);
    for l in &ind.labs {
        let number = || Cell::from(u32::from(l.lab.number));
        let name = || Cell::from(l.lab.name.as_str());
        t.rows.push(row(number(), name(), whole(), &l.total));
        months(&mut t, &number, &name, &l.months);
    }
    t
}

/// The totals against the targets.
pub(crate) fn targets(ctx: &Ctx<'_>, ind: &Indicators) -> Table {
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
        t.rows.push(vec![
            Cell::from(ctx.text(label)),
            Cell::from(p.value),
            Cell::from(p.target),
            Cell::Percent(p.ratio()),
        ]);
    }
    t
}
