//! Drawing laid-out pages into a PDF with krilla: the fonts are embedded as
//! subsets with a Unicode map, so the text can be searched, copied and read
//! back (`pdftotext`).

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use super::font::{BOLD, REGULAR};
use super::layout::{Op, PAGE, Page};
use crate::error::{Error, Result};

/// krilla's errors are not `std::error::Error`; this carries their text.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct RenderError(String);

fn failed(reason: String) -> Error {
    Error::ExportFailed { format: "pdf", source: Box::new(RenderError(reason)) }
}

/// The PDF of `pages`.
pub(crate) fn render(pages: &[Page]) -> Result<Vec<u8>> {
    let font = |data: &'static [u8]| {
        Font::new(data.to_vec().into(), 0).ok_or_else(|| failed("the built-in font does not load".into()))
    };
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1).ok_or_else(|| failed("invalid page size".into()))?;
    let mut doc = Document::new();
    for p in pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut s = page.surface();
        for op in &p.0 {
            match op {
                Op::Text { x, y, size, bold: b, text } => {
                    s.set_stroke(None);
                    s.set_fill(Some(Fill::default()));
                    let f = if *b { bold.clone() } else { regular.clone() };
                    s.draw_text(Point::from_xy(*x, *y), f, *size, text, false, TextDirection::Auto);
                }
                Op::Line { x1, y1, x2, y2, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    let Some(path) = pb.finish() else { continue };
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke { width: *width, ..Stroke::default() }));
                    s.draw_path(&path);
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| failed(format!("{e:?}")))
}
