//! A plain document in flowing text, for a reader rather than a register:
//! headings, paragraphs, bulleted items and `label: value` lines, wrapped
//! to the page and continued on as many A4 pages as they need, with the
//! title on every page and "page i of n" at the foot. The subject access
//! extract (`export::subject_access`) is printed with it.
//!
//! Like the register, the layout is a pure function from blocks to pages of
//! drawing operations (tested without a PDF), drawn by `render.rs` with the
//! built-in DejaVu Sans.

use super::font::Metrics;
use super::layout::{Op, PAGE, Page};
use super::render;
use crate::error::Result;

const MARGIN: f32 = 50.0;
const RIGHT: f32 = PAGE.0 - MARGIN;
const WIDTH: f32 = RIGHT - MARGIN;
/// The lowest baseline for text; the footer is below.
const BOTTOM: f32 = PAGE.1 - MARGIN - 20.0;
const SIZE: f32 = 10.0;
const LINE: f32 = 14.0;
const INDENT: f32 = 14.0;

/// A piece of a document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph (line breaks in it are kept).
    Text(String),
    /// A bulleted item.
    Item(String),
    /// `label: value`, the value wrapped beside the label.
    Field(String, String),
}

/// A document: its title and subtitle (repeated on every page), its blocks,
/// the left of its footer and the words of "page i of n".
pub(crate) struct Document {
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
    pub footer: String,
    pub page_words: (String, String),
}

/// The PDF of `doc`.
pub(crate) fn pdf(doc: &Document) -> Result<Vec<u8>> {
    let metrics = Metrics::new()?;
    render::render(&layout(doc, &metrics))
}

struct Writer<'a> {
    m: &'a Metrics,
    doc: &'a Document,
    pages: Vec<Page>,
    y: f32,
}

impl Writer<'_> {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: String) {
        let y = self.y;
        if let Some(p) = self.pages.last_mut() {
            p.0.push(Op::Text { x, y, size, bold, text });
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN + 14.0;
        self.text(MARGIN, 14.0, true, self.doc.title.clone());
        self.y += 18.0;
        self.text(MARGIN, SIZE, false, self.doc.subtitle.clone());
        self.y += 10.0;
        if let Some(p) = self.pages.last_mut() {
            p.0.push(Op::Line { x1: MARGIN, y1: self.y, x2: RIGHT, y2: self.y, width: 0.8 });
        }
        self.y += 24.0;
    }

    /// Makes room for `lines` more lines, starting a page if they do not fit.
    fn room(&mut self, lines: usize) {
        if self.pages.is_empty() || self.y + LINE * lines.saturating_sub(1) as f32 > BOTTOM {
            self.new_page();
        }
    }

    /// Lines of `text` no wider than `width`: paragraphs kept, words
    /// wrapped, a word wider than the line cut where it must be.
    fn wrap(&self, text: &str, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.lines() {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
                if self.m.width(&candidate, SIZE, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.m.width(&line, SIZE, bold) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// `lines` at `x`, one per line, breaking pages as needed.
    fn lines(&mut self, x: f32, bold: bool, lines: Vec<String>) {
        for l in lines {
            self.room(1);
            self.text(x, SIZE, bold, l);
            self.y += LINE;
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading(h) => {
                // A heading is never the last line of a page.
                self.y += 10.0;
                self.room(3);
                self.text(MARGIN, 12.0, true, h.clone());
                self.y += LINE + 6.0;
            }
            Block::Text(t) => {
                let lines = self.wrap(t, false, WIDTH);
                self.lines(MARGIN, false, lines);
                self.y += 4.0;
            }
            Block::Item(t) => {
                let lines = self.wrap(t, false, WIDTH - INDENT);
                self.room(1);
                self.text(MARGIN + 3.0, SIZE, false, "•".to_owned());
                self.lines(MARGIN + INDENT, false, lines);
                self.y += 2.0;
            }
            Block::Field(label, value) => {
                let label = format!("{label}: ");
                let w = self.m.width(&label, SIZE, true);
                if w > WIDTH / 3.0 {
                    self.lines(MARGIN, true, vec![label]);
                    let lines = self.wrap(value, false, WIDTH - INDENT);
                    self.lines(MARGIN + INDENT, false, lines);
                } else {
                    self.room(1);
                    self.text(MARGIN, SIZE, true, label);
                    let lines = self.wrap(value, false, WIDTH - w);
                    self.lines(MARGIN + w, false, lines);
                }
                self.y += 2.0;
            }
        }
    }
}

/// Lays `doc` out in pages, with "page i of n" footers.
pub(crate) fn layout(doc: &Document, m: &Metrics) -> Vec<Page> {
    let mut w = Writer { m, doc, pages: Vec::new(), y: 0.0 };
    w.new_page();
    for b in &doc.blocks {
        w.block(b);
    }
    super::layout::footers(&mut w.pages, &doc.footer, &doc.page_words, MARGIN, m);
    w.pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "Accesso ai propri dati".into(),
            subtitle: "Famiglia PV01-0001".into(),
            blocks,
            footer: "PV01-0001".into(),
            page_words: ("Pagina".into(), "di".into()),
        }
    }

    #[test]
    fn long_documents_flow_over_pages_and_stay_on_them() {
        let m = Metrics::new().expect("font");
        let mut blocks = vec![Block::Heading("Presenze".into())];
        for i in 0..120 {
            blocks.push(Block::Item(format!("Incontro {i}: {}", "laboratorio aperto ".repeat(8))));
        }
        blocks.push(Block::Field("Note".into(), format!("{}\nseconda riga", "x".repeat(400))));
        let pages = layout(&doc(blocks), &m);
        assert!(pages.len() > 3, "{} pages", pages.len());
        let texts: Vec<&str> = pages
            .iter()
            .flat_map(|p| &p.0)
            .filter_map(|o| match o {
                Op::Text { text, .. } => Some(text.as_str()),
                Op::Line { .. } => None,
            })
            .collect();
        assert!(texts.iter().any(|t| t.starts_with("Incontro 119")));
        assert!(texts.contains(&"seconda riga"));
        assert!(texts.contains(&format!("Pagina {n} di {n}", n = pages.len()).as_str()));
        for p in &pages {
            for op in &p.0 {
                if let Op::Text { x, y, size, bold, text } = op {
                    assert!(*y > 0.0 && *y < PAGE.1, "{op:?} is off the page");
                    assert!(*x >= 0.0 && x + m.width(text, *size, *bold) <= PAGE.0 - MARGIN + 0.5, "{op:?}");
                }
            }
        }
    }
}
