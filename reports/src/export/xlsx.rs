//! XLSX with rust_xlsxwriter: one sheet per table, a bold header row that
//! stays frozen while scrolling, an autofilter on it, column widths, and
//! real values: dates are Excel dates shown `dd/mm/yyyy`, numbers are
//! numbers, so sums and filters work without conversion.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::labels::Language;
use super::table::{Cell, Table};
use super::{Ctl, ExportFile, Stage};
use crate::error::{Error, Result};

fn failed(e: XlsxError) -> Error {
    Error::ExportFailed { format: "xlsx", source: Box::new(e) }
}

struct Formats {
    header: Format,
    date: Format,
    month: Format,
    decimal: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            month: Format::new().set_num_format("mm/yyyy"),
            decimal: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
        }
    }
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime> {
    use chrono::Datelike;
    let (y, m, day) = (u16::try_from(d.year()).unwrap_or(0), d.month() as u8, d.day() as u8);
    ExcelDateTime::from_ymd(y, m, day).map_err(failed)
}

fn cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, c: &Cell) -> Result<()> {
    match c {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, s).map_err(failed)?;
        }
        Cell::Int(n) => {
            ws.write_number(row, col, *n as f64).map_err(failed)?;
        }
        Cell::Decimal(x) => {
            ws.write_number_with_format(row, col, *x, &f.decimal).map_err(failed)?;
        }
        Cell::Date(d) => {
            ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date).map_err(failed)?;
        }
        Cell::Month(m) => {
            ws.write_datetime_with_format(row, col, excel_date(m.first_day())?, &f.month).map_err(failed)?;
        }
        Cell::Percent(x) => {
            ws.write_number_with_format(row, col, *x, &f.percent).map_err(failed)?;
        }
    }
    Ok(())
}

fn sheet(wb: &mut Workbook, f: &Formats, t: &Table, lang: Language, ctl: &mut Ctl<'_>) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(t.kind.sheet(lang)).map_err(failed)?;
    let last_col = u16::try_from(t.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    for (i, c) in t.columns.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, &c.header, &f.header).map_err(failed)?;
        ws.set_column_width(col, c.width).map_err(failed)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 1)
            .map_err(|_| Error::invalid("export.rows", "more rows than a sheet holds"))?;
        for (i, c) in row.iter().enumerate() {
            cell(ws, f, r, u16::try_from(i).unwrap_or(u16::MAX), c)?;
        }
        ctl.row(Stage::Writing(t.kind.file_stem(lang)))?;
    }
    ws.set_freeze_panes(1, 0).map_err(failed)?;
    let last_row = u32::try_from(t.rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, last_col).map_err(failed)?;
    Ok(())
}

/// The tables as one workbook.
pub(crate) fn workbook(
    name: String,
    tables: &[Table],
    lang: Language,
    ctl: &mut Ctl<'_>,
) -> Result<ExportFile> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    for t in tables {
        sheet(&mut wb, &f, t, lang, ctl)?;
    }
    ctl.stage(Stage::Packing)?;
    let bytes = wb.save_to_buffer().map_err(failed)?;
    Ok(ExportFile {
        name,
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    })
}
