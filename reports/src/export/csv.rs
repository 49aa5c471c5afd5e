//! CSV as Italian spreadsheets expect it: UTF-8 with a byte-order mark
//! (without it Excel reads UTF-8 as Windows-1252 and "Nicolò" turns into
//! "NicolÃ²"), `;` between fields (the comma is the decimal separator),
//! dates as `dd/mm/yyyy`, quoting only where needed. Optionally the files go
//! into one zip (deflate).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::labels::Language;
use super::table::{Cell, Table};
use super::{Ctl, ExportFile, Stage};
use crate::error::{Error, Result};

/// The UTF-8 byte-order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

fn failed(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::ExportFailed { format: "csv", source: Box::new(e) }
}

/// A number with up to two decimals, with the language's decimal separator.
pub(crate) fn decimal(x: f64, lang: Language) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match lang {
        Language::It => s.replace('.', ","),
        Language::En => s.to_owned(),
    }
}

fn text(cell: &Cell, lang: Language) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Decimal(x) => decimal(*x, lang),
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        Cell::Month(m) => format!("{:02}/{:04}", m.month, m.year),
        Cell::Percent(x) => format!("{}%", decimal(x * 100.0, lang)),
    }
}

/// One table as a CSV file's bytes.
pub(crate) fn table(t: &Table, lang: Language, ctl: &mut Ctl<'_>) -> Result<Vec<u8>> {
    let mut w = ::csv::WriterBuilder::new().delimiter(b';').from_writer(BOM.to_vec());
    w.write_record(t.columns.iter().map(|c| c.header.as_str())).map_err(failed)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| text(c, lang))).map_err(failed)?;
        ctl.row(Stage::Writing(t.kind.file_stem(lang)))?;
    }
    w.into_inner().map_err(|e| failed(e.into_error()))
}

/// Every table as its own CSV file.
pub(crate) fn files(tables: &[Table], lang: Language, ctl: &mut Ctl<'_>) -> Result<Vec<ExportFile>> {
    tables
        .iter()
        .map(|t| {
            Ok(ExportFile {
                name: format!("{}.csv", t.kind.file_stem(lang)),
                media_type: "text/csv; charset=utf-8",
                bytes: table(t, lang, ctl)?,
            })
        })
        .collect()
}

/// The files in one zip archive (deflate).
pub(crate) fn zip(name: String, files: &[ExportFile], ctl: &mut Ctl<'_>) -> Result<ExportFile> {
    let zip_failed = |e: zip::result::ZipError| Error::ExportFailed { format: "zip", source: Box::new(e) };
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        ctl.check()?;
        z.start_file(f.name.as_str(), options).map_err(zip_failed)?;
        z.write_all(&f.bytes).map_err(|e| Error::ExportFailed { format: "zip", source: Box::new(e) })?;
    }
    ctl.stage(Stage::Packing)?;
    let bytes = z.finish().map_err(zip_failed)?.into_inner();
    Ok(ExportFile { name, media_type: "application/zip", bytes })
}
