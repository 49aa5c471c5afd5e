//! The register's page layout, as data: a register in, pages of drawing
//! operations out (A4 portrait, points, origin at the top left, text at its
//! baseline). Pure and deterministic, so page breaks are tested without a
//! PDF; `render.rs` draws the operations.
//!
//! Each meeting starts a new sheet, as on paper: the lab and the month at
//! the top, the meeting's date, time, activity, facilitators and guests,
//! then one numbered line per person present with a signature line, and the
//! facilitator's signature at the end. A long list continues on the next
//! page under the same headings.

use super::font::Metrics;

/// A4 in points.
pub(crate) const PAGE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 42.0;
const ROW: f32 = 22.0;
/// Room kept at the bottom of a page for the facilitator's signature and the footer.
const BOTTOM: f32 = PAGE.1 - MARGIN - 70.0;

/// One drawing operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    /// Text at its baseline's start.
    Text { x: f32, y: f32, size: f32, bold: bool, text: String },
    /// A straight line.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
}

/// One page.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Page(pub Vec<Op>);

/// A meeting's sheet: localised text, ready to place.
pub(crate) struct Sheet {
    /// "Incontro del 10/03/2026, 16:00–18:00".
    pub heading: String,
    /// Label and value lines: activity, theme, facilitators, guests.
    pub details: Vec<(String, String)>,
    /// One line per person present: family, person, birth year.
    pub present: Vec<[String; 3]>,
}

/// A document: a title and subtitle repeated on every page, its sheets,
/// and the words the layout prints itself.
pub(crate) struct Register {
    pub title: String,
    pub subtitle: String,
    pub sheets: Vec<Sheet>,
    /// Column headers: number, family, person, birth year, signature.
    pub columns: [String; 5],
    pub nobody: String,
    pub facilitator_signature: String,
    /// Left of the footer (which lab, pseudonymised or not).
    pub footer: String,
    /// "Pagina", "di".
    pub page_words: (String, String),
}

/// Column starts of the list of those present, and the signature column's end.
const COLS: [f32; 5] = [MARGIN, MARGIN + 24.0, MARGIN + 104.0, MARGIN + 300.0, MARGIN + 370.0];
const RIGHT: f32 = PAGE.0 - MARGIN;

struct Writer<'a> {
    m: &'a Metrics,
    reg: &'a Register,
    pages: Vec<Page>,
    y: f32,
}

impl Writer<'_> {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: impl Into<String>) {
        let y = self.y;
        if let Some(p) = self.pages.last_mut() {
            p.0.push(Op::Text { x, y, size, bold, text: text.into() });
        }
    }

    fn line(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        if let Some(p) = self.pages.last_mut() {
            p.0.push(Op::Line { x1, y1: y, x2, y2: y, width });
        }
    }

    /// `text` cut with an ellipsis to fit `width`.
    fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.m.width(text, size, false) <= width {
            return text.to_owned();
        }
        let mut out: String = text.to_owned();
        while !out.is_empty() && self.m.width(&format!("{out}…"), size, false) > width {
            out.pop();
        }
        format!("{out}…")
    }

    /// Words of `text` in lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = vec![String::new()];
        for word in text.split_whitespace() {
            let Some(last) = lines.last_mut() else { break };
            let candidate = if last.is_empty() { word.to_owned() } else { format!("{last} {word}") };
            if last.is_empty() || self.m.width(&candidate, size, false) <= width {
                *last = candidate;
            } else {
                lines.push(word.to_owned());
            }
        }
        lines
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN + 14.0;
        self.text(MARGIN, 14.0, true, self.reg.title.clone());
        self.y += 18.0;
        self.text(MARGIN, 10.0, false, self.reg.subtitle.clone());
        self.y += 10.0;
        self.line(MARGIN, RIGHT, self.y, 0.8);
        self.y += 24.0;
    }

    fn list_header(&mut self) {
        let c = &self.reg.columns;
        for (i, label) in c.iter().enumerate() {
            self.text(COLS[i], 9.0, true, label.clone());
        }
        self.y += 6.0;
        self.line(MARGIN, RIGHT, self.y, 0.5);
        self.y += ROW - 6.0;
    }

    fn sheet(&mut self, s: &Sheet) {
        self.new_page();
        self.text(MARGIN, 12.0, true, s.heading.clone());
        self.y += 20.0;
        for (label, value) in &s.details {
            let label = format!("{label}: ");
            let indent = self.m.width(&label, 10.0, true);
            self.text(MARGIN, 10.0, true, label);
            for (i, line) in self.wrap(value, 10.0, RIGHT - MARGIN - indent).into_iter().enumerate() {
                if i > 0 {
                    self.y += 14.0;
                }
                self.text(MARGIN + indent, 10.0, false, line);
            }
            self.y += 16.0;
        }
        self.y += 10.0;
        self.list_header();
        if s.present.is_empty() {
            self.text(MARGIN, 10.0, false, self.reg.nobody.clone());
            self.y += ROW;
        }
        for (i, [family, person, year]) in s.present.iter().enumerate() {
            if self.y > BOTTOM {
                self.new_page();
                self.text(MARGIN, 12.0, true, format!("{} …", s.heading));
                self.y += 24.0;
                self.list_header();
            }
            self.text(COLS[0], 10.0, false, format!("{}", i + 1));
            self.text(COLS[1], 10.0, false, self.fit(family, 10.0, COLS[2] - COLS[1] - 6.0));
            self.text(COLS[2], 10.0, false, self.fit(person, 10.0, COLS[3] - COLS[2] - 6.0));
            self.text(COLS[3], 10.0, false, year.clone());
            self.line(COLS[4], RIGHT, self.y + 2.0, 0.4);
            self.y += ROW;
        }
        self.y += 26.0;
        let label = format!("{}:", self.reg.facilitator_signature);
        let w = self.m.width(&label, 10.0, true);
        self.text(MARGIN, 10.0, true, label);
        self.line(MARGIN + w + 8.0, MARGIN + w + 228.0, self.y + 2.0, 0.4);
    }
}

/// Lays `reg` out in pages, with "page i of n" footers.
pub(crate) fn layout(reg: &Register, m: &Metrics) -> Vec<Page> {
    let mut w = Writer { m, reg, pages: Vec::new(), y: 0.0 };
    for s in &reg.sheets {
        w.sheet(s);
    }
    footers(&mut w.pages, &reg.footer, &reg.page_words, MARGIN, m);
    w.pages
}

/// Adds to every page, within `margin`, a rule, `footer` and "page i of n"
/// (`words`: the language's "page" and "of").
pub(crate) fn footers(pages: &mut [Page], footer: &str, words: &(String, String), margin: f32, m: &Metrics) {
    let n = pages.len();
    let (page, of) = words;
    let right = PAGE.0 - margin;
    for (i, p) in pages.iter_mut().enumerate() {
        let y = PAGE.1 - margin + 12.0;
        p.0.push(Op::Line { x1: margin, y1: y - 12.0, x2: right, y2: y - 12.0, width: 0.4 });
        p.0.push(Op::Text { x: margin, y, size: 8.0, bold: false, text: footer.to_owned() });
        let numbering = format!("{page} {} {of} {n}", i + 1);
        let x = right - m.width(&numbering, 8.0, false);
        p.0.push(Op::Text { x, y, size: 8.0, bold: false, text: numbering });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register(present: usize) -> Register {
        let s = |n: usize| Sheet {
            heading: format!("Incontro {n}"),
            details: vec![("Conduttori".into(), "Olga Ferri, Vera Sala ".repeat(12))],
            present: (0..present)
                .map(|i| ["PV01-0001".into(), format!("Persona {i}"), "1990".into()])
                .collect(),
        };
        Register {
            title: "Registro".into(),
            subtitle: "marzo 2026".into(),
            sheets: vec![s(1), s(2)],
            columns: ["#".into(), "Famiglia".into(), "Presenti".into(), "Anno".into(), "Firma".into()],
            nobody: "Nessuno".into(),
            facilitator_signature: "Firma del conduttore".into(),
            footer: "Lab 1".into(),
            page_words: ("Pagina".into(), "di".into()),
        }
    }

    fn texts(p: &Page) -> Vec<&str> {
        p.0.iter()
            .filter_map(|o| match o {
                Op::Text { text, .. } => Some(text.as_str()),
                Op::Line { .. } => None,
            })
            .collect()
    }

    #[test]
    fn each_meeting_starts_a_page_and_long_lists_continue() {
        let m = Metrics::new().expect("font");
        assert_eq!(layout(&register(10), &m).len(), 2);
        let pages = layout(&register(40), &m);
        assert_eq!(pages.len(), 4, "40 names need two pages per meeting");
        assert!(texts(&pages[1]).contains(&"Persona 39"));
        assert!(texts(&pages[3]).contains(&"Pagina 4 di 4"));
        for p in &pages {
            for op in &p.0 {
                if let Op::Text { x, y, .. } = op {
                    assert!(*x >= 0.0 && *x < PAGE.0 && *y > 0.0 && *y < PAGE.1, "{op:?} is off the page");
                }
            }
        }
    }

    #[test]
    fn long_text_is_wrapped_and_cells_are_cut_to_fit() {
        let m = Metrics::new().expect("font");
        let w = Writer { m: &m, reg: &register(0), pages: Vec::new(), y: 0.0 };
        let lines = w.wrap(&"parola ".repeat(40), 10.0, 200.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| m.width(l, 10.0, false) <= 200.0));
        let cut = w.fit("Maria Antonietta Dell'Acqua Bianchi Rossi", 10.0, 100.0);
        assert!(cut.ends_with('…') && m.width(&cut, 10.0, false) <= 100.0, "{cut}");
    }
}
