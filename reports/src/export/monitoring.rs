//! The half-yearly monitoring workbook for the funder's evaluators
//! (decision 0032): the figures of [`crate::monitoring::compute`] as five
//! tables, one sheet each in an XLSX workbook, or one CSV file each (loose
//! or in a zip), with the conventions of the other exports (`csv.rs`,
//! `xlsx.rs`, `labels.rs`).
//!
//! - **Enti partner**: per semester, one row per partner organisation (the
//!   labs' `partner`) and a total row: families reached and accompanied,
//!   people and minors reached, meetings, attendances, guests, active labs,
//!   operators and volunteers trained, training hours.
//! - **Laboratori**: per semester, one row per lab: the same figures of
//!   the families and the meetings.
//! - **Obiettivi**: per semester, the totals against the project's targets
//!   (as the register's workbook shows them for its period).
//! - **Formazione per ente**: per semester, operators and volunteers
//!   trained and training hours by the person's own organisation, and the
//!   total.
//! - **Aree del nomenclatore**: per semester, one row per area of the
//!   social-services nomenclature the project lists (code and name), then
//!   the activity types mapped to none (*non classificato*), then the
//!   total: meetings, guests, attendances.
//!
//! Nothing is counted here. A pseudonymised export suppresses the counts of
//! families and people exactly as the register's indicators do
//! (`summary.rs`, `suppress.rs`): 1 to 4 is `<5`, and the secondary rule
//! runs over both tables together, with the groups a reader can subtract:
//! a semester's partners and its total, a partner's labs and the partner,
//! a semester's labs and its total; the attendances of a semester's areas
//! with its total too (the areas' total row is the partners' total again,
//! so the two are hidden together). The staff's counts and hours, meetings
//! and guests are shown as they are, as in the register's workbook. No
//! table names a family or a person, so there is nothing to pseudonymise.

use std::sync::atomic::AtomicBool;

use super::labels::Label;
use super::register::Ctx;
use super::summary::{self, hours};
use super::suppress::Group;
use super::table::{Cell, Table, TableKind};
use super::{Ctl, Export, Format, Options, Progress, Stage, csv, xlsx};
use crate::error::{Error, Result};
use crate::indicators::Counts;
use crate::monitoring::{self, Half, Semester, SemesterCounts};
use crdt_sync::{ProjectSettings, Selection, Store};

/// Columns before the counts: in the partners' table semester, from, to,
/// partner, labs; in the labs' table semester, from, to, lab, lab name,
/// partner.
const PARTNER_PREFIX: usize = 5;
const LAB_PREFIX: usize = 6;
/// In the areas' table: semester, from, to, code, name; then meetings,
/// guests, attendances.
const AREA_PREFIX: usize = 5;
/// Where the attendances are in [`COUNTS`] and in the areas' table.
const ATTENDANCES: usize = 5;
const AREA_ATTENDANCES: usize = AREA_PREFIX + 2;
const _: () = assert!(matches!(COUNTS[ATTENDANCES].0, Label::Attendances));

/// The counts both tables carry, in order, and whether a pseudonymised
/// export suppresses them (families and people).
const COUNTS: [(Label, f64, bool); 7] = [
    (Label::FamiliesReached, 12.0, true),
    (Label::FamiliesAccompanied, 12.0, true),
    (Label::MembersReached, 12.0, true),
    (Label::MinorsReached, 12.0, true),
    (Label::MeetingsHeld, 12.0, false),
    (Label::Attendances, 11.0, true),
    (Label::Guests, 9.0, false),
];

fn counts(c: &Counts) -> [Cell; 7] {
    [
        Cell::from(c.families_reached),
        Cell::from(c.families_accompanied),
        Cell::from(c.members_reached),
        Cell::from(c.minors_reached),
        Cell::from(c.meetings),
        Cell::from(c.attendances),
        Cell::from(c.guests),
    ]
}

/// "1° semestre 2025", "H1 2025".
fn semester_text(ctx: &Ctx<'_>, s: Semester) -> String {
    let half = match s.half {
        Half::H1 => Label::SemesterH1,
        Half::H2 => Label::SemesterH2,
    };
    format!("{} {}", ctx.text(half), s.year)
}

/// The first three cells of every row: the semester and its days.
fn when(ctx: &Ctx<'_>, s: &SemesterCounts) -> [Cell; 3] {
    [Cell::from(semester_text(ctx, s.semester)), Cell::Date(s.days.from), Cell::Date(s.days.to)]
}

fn partner_name(ctx: &Ctx<'_>, partner: &str) -> Cell {
    if partner.is_empty() { Cell::from(ctx.text(Label::NoPartner)) } else { Cell::from(partner) }
}

fn head(ctx: &Ctx<'_>, kind: TableKind, columns: &[(Label, f64)]) -> Table {
    let when = [(Label::ColSemester, 14.0), (Label::ColFrom, 11.0), (Label::ColTo, 11.0)];
    Table::new(kind, ctx.lang, &[&when[..], columns].concat())
}

/// The tables and, for the suppression, where each row sits.
struct Tables {
    partners: Table,
    labs: Table,
    groups: Vec<Group>,
    /// Each semester's total row in `partners`, in order.
    totals: Vec<usize>,
}

/// A row of the partners' table (0) or of the labs' (1), and its index.
type Place = (u8, usize);

/// The partners' and the labs' tables, with the groups of rows related by
/// subtraction (numbered across both: the partners' rows, then the labs').
fn partners_and_labs(ctx: &Ctx<'_>, semesters: &[SemesterCounts]) -> Tables {
    use Label as L;
    let mut partners = head(ctx, TableKind::MonPartners, &[(L::ColPartner, 26.0), (L::ColLabs, 11.0)]);
    let mut labs =
        head(ctx, TableKind::MonLabs, &[(L::ColLab, 11.0), (L::ColLabName, 24.0), (L::ColPartner, 26.0)]);
    for (l, w, _) in COUNTS {
        partners.push_column(ctx.text(l).to_owned(), w);
        labs.push_column(ctx.text(l).to_owned(), w);
    }
    for (l, w) in [
        (L::ActiveLabs, 12.0),
        (L::OperatorsTrained, 12.0),
        (L::VolunteersTrained, 12.0),
        (L::TrainingHours, 12.0),
    ] {
        partners.push_column(ctx.text(l).to_owned(), w);
    }
    let partner_row = |s: &SemesterCounts, name: Cell, lab_list: String, c: &Counts| {
        let mut r = when(ctx, s).to_vec();
        r.extend([name, Cell::from(lab_list)]);
        r.extend(counts(c));
        r.extend([
            Cell::from(c.active_labs),
            Cell::from(c.operators_trained),
            Cell::from(c.volunteers_trained),
            hours(c.training_minutes),
        ]);
        r
    };
    // Group members as (table, row): 0 partners, 1 labs; renumbered below.
    let mut groups: Vec<(Vec<Place>, Place)> = Vec::new();
    let mut totals = Vec::new();
    for s in semesters {
        let mut partner_rows = Vec::new();
        let mut all_labs = Vec::new();
        for p in &s.partners {
            let mut numbers: Vec<u8> = s
                .indicators
                .labs
                .iter()
                .filter(|l| p.labs.contains(&l.lab.id))
                .map(|l| l.lab.number)
                .collect();
            numbers.sort_unstable();
            let list = numbers.iter().map(u8::to_string).collect::<Vec<_>>().join(", ");
            let at = partners.rows.len();
            partners.rows.push(partner_row(s, partner_name(ctx, &p.partner), list, &p.counts));
            partner_rows.push((0, at));
            let mut its_labs = Vec::new();
            for l in s.indicators.labs.iter().filter(|l| p.labs.contains(&l.lab.id)) {
                let mut r = when(ctx, s).to_vec();
                r.extend([
                    Cell::from(u32::from(l.lab.number)),
                    Cell::from(l.lab.name.as_str()),
                    partner_name(ctx, &p.partner),
                ]);
                r.extend(counts(&l.total));
                its_labs.push((1, labs.rows.len()));
                labs.rows.push(r);
            }
            all_labs.extend(its_labs.iter().copied());
            groups.push((its_labs, (0, at)));
        }
        let total = (0, partners.rows.len());
        totals.push(total.1);
        let every = Cell::from(ctx.text(L::Total));
        partners.rows.push(partner_row(s, every, String::new(), &s.indicators.total));
        groups.push((partner_rows, total));
        groups.push((all_labs, total));
    }
    let offset = partners.rows.len();
    let index = |(table, row): Place| if table == 0 { row } else { offset + row };
    let groups = groups
        .into_iter()
        .map(|(parts, total)| Group {
            parts: parts.into_iter().map(index).collect(),
            total: Some(index(total)),
        })
        .collect();
    Tables { partners, labs, groups, totals }
}

/// Per semester, its totals against the targets: the register's targets
/// table (`summary::targets_of`) after the semester's three cells. The
/// families accompanied are suppressed where the semester's total row of
/// the partners' table (`totals`) has them suppressed.
fn targets(ctx: &Ctx<'_>, semesters: &[SemesterCounts], partners: &Table, totals: &[usize]) -> Table {
    use Label as L;
    let mut t = head(
        ctx,
        TableKind::MonTargets,
        &[(L::ColIndicator, 28.0), (L::ColValue, 10.0), (L::ColTarget, 11.0), (L::ColShare, 16.0)],
    );
    let column = PARTNER_PREFIX + 1;
    for (s, &total) in semesters.iter().zip(totals) {
        let hidden = summary::is_suppressed(partners.rows.get(total).and_then(|r| r.get(column)));
        for r in summary::targets_of(ctx, &s.indicators, hidden).rows {
            let mut row = when(ctx, s).to_vec();
            row.extend(r);
            t.rows.push(row);
        }
    }
    t
}

/// Per semester, trained staff and hours by their own organisation, then
/// the total (every organisation together, the indicators' figure).
fn staff(ctx: &Ctx<'_>, semesters: &[SemesterCounts]) -> Table {
    use Label as L;
    let mut t = head(
        ctx,
        TableKind::MonStaff,
        &[
            (L::ColOrganisation, 26.0),
            (L::OperatorsTrained, 12.0),
            (L::VolunteersTrained, 12.0),
            (L::TrainingHours, 12.0),
        ],
    );
    for s in semesters {
        for o in &s.organisations {
            let name = if o.organisation.is_empty() {
                Cell::from(ctx.text(L::NoOrganisation))
            } else {
                Cell::from(o.organisation.as_str())
            };
            let mut r = when(ctx, s).to_vec();
            r.extend([
                name,
                Cell::from(o.operators_trained),
                Cell::from(o.volunteers_trained),
                hours(o.training_minutes),
            ]);
            t.rows.push(r);
        }
        let c = &s.indicators.total;
        let mut r = when(ctx, s).to_vec();
        r.extend([
            Cell::from(ctx.text(L::Total)),
            Cell::from(c.operators_trained),
            Cell::from(c.volunteers_trained),
            hours(c.training_minutes),
        ]);
        t.rows.push(r);
    }
    t
}

/// Per semester, the meetings, guests and attendances of each area of the
/// nomenclature (`SemesterCounts::areas`: the project's areas by code, then
/// the types mapped to none), then the semester's total. Returns the table
/// and, per semester, the rows of its areas and of its total.
fn areas(ctx: &Ctx<'_>, semesters: &[SemesterCounts]) -> (Table, Vec<(Vec<usize>, usize)>) {
    use Label as L;
    let mut t = head(
        ctx,
        TableKind::MonAreas,
        &[
            (L::ColAreaCode, 12.0),
            (L::ColAreaName, 30.0),
            (L::MeetingsHeld, 12.0),
            (L::Guests, 9.0),
            (L::Attendances, 11.0),
        ],
    );
    let mut rows = Vec::new();
    for s in semesters {
        let mut parts = Vec::new();
        for a in &s.areas {
            let (code, name) = match &a.area {
                Some(area) => (Cell::from(area.code.as_str()), Cell::from(area.name.as_str())),
                None => (Cell::from(""), Cell::from(ctx.text(L::NotMapped))),
            };
            let mut r = when(ctx, s).to_vec();
            r.extend([code, name, Cell::from(a.meetings), Cell::from(a.guests), Cell::from(a.attendances)]);
            parts.push(t.rows.len());
            t.rows.push(r);
        }
        let c = &s.indicators.total;
        let mut r = when(ctx, s).to_vec();
        r.extend([
            Cell::from(""),
            Cell::from(ctx.text(L::Total)),
            Cell::from(c.meetings),
            Cell::from(c.guests),
            Cell::from(c.attendances),
        ]);
        rows.push((parts, t.rows.len()));
        t.rows.push(r);
    }
    (t, rows)
}

/// The five tables of the monitoring, suppressed unless the export is full.
pub(crate) fn tables(ctx: &Ctx<'_>, semesters: &[SemesterCounts]) -> Vec<Table> {
    let Tables { mut partners, mut labs, mut groups, totals } = partners_and_labs(ctx, semesters);
    let (mut areas, area_rows) = areas(ctx, semesters);
    if !ctx.full {
        for (i, _) in COUNTS.iter().enumerate().filter(|(i, c)| c.2 && *i != ATTENDANCES) {
            summary::suppress_across(
                &mut [(&mut partners, PARTNER_PREFIX + i), (&mut labs, LAB_PREFIX + i)],
                &groups,
            );
        }
        // The attendances: the areas' rows are numbered after the labs'.
        // A semester's areas add up to its total (the partners' total
        // row); the areas' own total row is that row again, so the two
        // form a group and are hidden together.
        let offset = partners.rows.len() + labs.rows.len();
        for ((parts, total), &partners_total) in area_rows.iter().zip(&totals) {
            let total_of = Some(partners_total);
            groups.push(Group { parts: parts.iter().map(|r| offset + r).collect(), total: total_of });
            groups.push(Group { parts: vec![offset + total], total: total_of });
        }
        summary::suppress_across(
            &mut [
                (&mut partners, PARTNER_PREFIX + ATTENDANCES),
                (&mut labs, LAB_PREFIX + ATTENDANCES),
                (&mut areas, AREA_ATTENDANCES),
            ],
            &groups,
        );
    }
    let targets = targets(ctx, semesters, &partners, &totals);
    let staff = staff(ctx, semesters);
    vec![partners, labs, targets, staff, areas]
}

/// The half-yearly monitoring of `options.selection`: one workbook
/// ([`Format::Xlsx`]), or one CSV file per table ([`Format::Csv`]), or
/// those in one zip ([`Format::CsvZip`]). Pseudonymised (small counts
/// suppressed) unless the options are full. Like [`super::run`], it reports
/// progress, stops on `cancel`, and appends one row to the audit log
/// (with `"report": "monitoring"` in its details).
///
/// Errors: a PDF format ([`Error::Register`] (`Invalid`, `export.format`)),
/// an invalid period or an unknown lab, [`Error::Cancelled`], or a writer
/// failure ([`Error::ExportFailed`]).
pub fn monitoring(
    store: &mut Store,
    options: &Options,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<Export> {
    if !matches!(options.format, Format::Xlsx | Format::Csv | Format::CsvZip) {
        return Err(Error::invalid("export.format", "the monitoring is a workbook or CSV files, not a PDF"));
    }
    let mut ctl = Ctl { progress, cancel, done: 0, total: 2 };
    ctl.stage(Stage::Reading)?;
    let period = options.selection.period.checked()?;
    let labs = store.resolve_labs(&options.selection.labs)?;
    let lab_ids: Vec<String> = labs.iter().map(|l| l.id.to_string()).collect();
    let selection = Selection { labs: options.selection.labs.clone(), period };
    let semesters = monitoring::compute(store, &selection)?;
    ctl.step(Stage::Reading)?;
    let ctx = Ctx::new(store.reader(), options, &lab_ids)?;
    let tables = tables(&ctx, &semesters);
    drop(ctx);
    let rows = tables.iter().map(|t| t.rows.len() as u64).sum::<u64>();
    ctl.total = ctl.done + rows + 1;
    ctl.step(Stage::Reading)?;
    let lang = options.language;
    let name =
        |ext: &str| format!("{}_{}_{}.{ext}", Label::FileMonitoring.text(lang), period.from, period.to);
    let files = match options.format {
        Format::Xlsx => vec![xlsx::workbook(name("xlsx"), &tables, lang, &mut ctl)?],
        Format::CsvZip => {
            let files = csv::files(&tables, lang, &mut ctl)?;
            vec![csv::zip(name("zip"), &files, &mut ctl)?]
        }
        _ => csv::files(&tables, lang, &mut ctl)?,
    };
    ctl.check()?;
    super::record(store, options, &files, rows, Some("monitoring"))?;
    ctl.done = ctl.total;
    (ctl.progress)(Progress { stage: Stage::Done, done: ctl.total, total: ctl.total });
    Ok(Export { files })
}
