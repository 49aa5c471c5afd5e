//! A table as the writers see it: typed cells under labelled columns. The
//! register and the indicators are gathered into [`Table`]s once; the CSV
//! and XLSX writers only decide how each kind of cell looks.

use chrono::NaiveDate;

use super::labels::{Label, Language};
use crdt_sync::Month;

/// One value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Nothing (an unknown birth year, a total row's month).
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number with decimals (hours).
    Decimal(f64),
    /// A date.
    Date(NaiveDate),
    /// A month (a date on its first day, shown as `mm/yyyy`).
    Month(Month),
    /// A fraction shown as a percentage (0.25 is 25%).
    Percent(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Cell {
        Cell::Int(i64::from(n))
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A column: its header and its width in the spreadsheet (characters).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub header: String,
    pub width: f64,
}

/// Which table this is: names its sheet and its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableKind {
    Meetings,
    Attendance,
    Households,
    Trainings,
    TrainingAttendance,
    Indicators,
    Targets,
    MonPartners,
    MonLabs,
    MonTargets,
    MonStaff,
    MonAreas,
}

impl TableKind {
    pub(crate) fn sheet(self, lang: Language) -> &'static str {
        match self {
            TableKind::Meetings => Label::SheetMeetings,
            TableKind::Attendance => Label::SheetAttendance,
            TableKind::Households => Label::SheetHouseholds,
            TableKind::Trainings => Label::SheetTrainings,
            TableKind::TrainingAttendance => Label::SheetTrainingAttendance,
            TableKind::Indicators => Label::SheetIndicators,
            TableKind::Targets => Label::SheetTargets,
            TableKind::MonPartners => Label::SheetMonPartners,
            TableKind::MonLabs => Label::SheetMonLabs,
            TableKind::MonTargets => Label::SheetMonTargets,
            TableKind::MonStaff => Label::SheetMonStaff,
            TableKind::MonAreas => Label::SheetMonAreas,
        }
        .text(lang)
    }

    pub(crate) fn file_stem(self, lang: Language) -> &'static str {
        match self {
            TableKind::Meetings => Label::FileMeetings,
            TableKind::Attendance => Label::FileAttendance,
            TableKind::Households => Label::FileHouseholds,
            TableKind::Trainings => Label::FileTrainings,
            TableKind::TrainingAttendance => Label::FileTrainingAttendance,
            TableKind::Indicators => Label::FileIndicators,
            TableKind::Targets => Label::FileTargets,
            TableKind::MonPartners => Label::FileMonPartners,
            TableKind::MonLabs => Label::FileMonLabs,
            TableKind::MonTargets => Label::FileMonTargets,
            TableKind::MonStaff => Label::FileMonStaff,
            TableKind::MonAreas => Label::FileMonAreas,
        }
        .text(lang)
    }
}

/// A table of the export.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Table {
    pub kind: TableKind,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns (`(label, width)`).
    pub(crate) fn new(kind: TableKind, lang: Language, columns: &[(Label, f64)]) -> Table {
        let columns = columns
            .iter()
            .map(|(l, width)| Column { header: l.text(lang).to_owned(), width: *width })
            .collect();
        Table { kind, columns, rows: Vec::new() }
    }

    /// Adds a column whose header is not in the catalogue (an activity type's label).
    pub(crate) fn push_column(&mut self, header: String, width: f64) {
        self.columns.push(Column { header, width });
    }
}
