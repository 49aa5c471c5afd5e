//! The training sign-in sheet's page layout, as data (like `layout.rs` for
//! the register): a sheet in, A4 pages of drawing operations out.
//!
//! The title, date, time and duration at the top of every page; the
//! session's details and the note on the first; then one row per expected
//! participant (number, name, organisation) with four empty boxes: arrival
//! time, arrival signature, departure time, departure signature; a few
//! blank rows for those who come unannounced; the trainer's signature; and
//! "page i of n" at the foot.

use super::font::Metrics;
use super::layout::{Op, PAGE, Page, footers};

const MARGIN: f32 = 36.0;
const RIGHT: f32 = PAGE.0 - MARGIN;
/// A row's height: room to sign in.
const ROW: f32 = 30.0;
/// The lowest a row may end; below are the trainer's signature and the footer.
const BOTTOM: f32 = PAGE.1 - MARGIN - 60.0;
/// Column starts: #, name, organisation, arrival time, arrival signature,
/// departure time, departure signature; and the table's right edge.
const COLS: [f32; 8] = [
    MARGIN,
    MARGIN + 20.0,
    MARGIN + 135.0,
    MARGIN + 235.0,
    MARGIN + 283.0,
    MARGIN + 375.0,
    MARGIN + 423.0,
    RIGHT,
];

/// A sign-in sheet: localised text, ready to place.
pub(crate) struct SignIn {
    /// The session's title.
    pub title: String,
    /// "Foglio firme · 20/09/2026 · 09:30–11:00 · 1 h 30 min".
    pub subtitle: String,
    /// Label and value lines: date, time, duration, threshold.
    pub details: Vec<(String, String)>,
    /// How to sign, and how long the sheet is kept.
    pub note: String,
    /// Column headers (seven).
    pub columns: [String; 7],
    /// One row per expected participant: name, organisation.
    pub people: Vec<[String; 2]>,
    /// Blank rows after them.
    pub blank_rows: usize,
    /// Said when nobody is expected.
    pub nobody: String,
    /// The trainer's signature label.
    pub signature: String,
    /// Left of the footer.
    pub footer: String,
    /// "Pagina", "di".
    pub page_words: (String, String),
}

struct Writer<'a> {
    m: &'a Metrics,
    s: &'a SignIn,
    pages: Vec<Page>,
    y: f32,
}

impl Writer<'_> {
    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.0.push(op);
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: impl Into<String>) {
        let y = self.y;
        self.op(Op::Text { x, y, size, bold, text: text.into() });
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.op(Op::Line { x1, y1: y, x2, y2: y, width });
    }

    fn vline(&mut self, x: f32, y1: f32, y2: f32) {
        self.op(Op::Line { x1: x, y1, x2: x, y2, width: 0.5 });
    }

    /// `text` cut with an ellipsis to fit `width`.
    fn fit(&self, text: &str, size: f32, bold: bool, width: f32) -> String {
        if self.m.width(text, size, bold) <= width {
            return text.to_owned();
        }
        let mut out = text.to_owned();
        while !out.is_empty() && self.m.width(&format!("{out}…"), size, bold) > width {
            out.pop();
        }
        format!("{out}…")
    }

    /// Words of `text` in lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = vec![String::new()];
        for word in text.split_whitespace() {
            let Some(last) = lines.last_mut() else { break };
            let candidate = if last.is_empty() { word.to_owned() } else { format!("{last} {word}") };
            if last.is_empty() || self.m.width(&candidate, size, bold) <= width {
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
        let title = self.fit(&self.s.title, 14.0, true, RIGHT - MARGIN);
        self.text(MARGIN, 14.0, true, title);
        self.y += 18.0;
        self.text(MARGIN, 10.0, false, self.s.subtitle.clone());
        self.y += 10.0;
        self.hline(MARGIN, RIGHT, self.y, 0.8);
        self.y += 22.0;
    }

    /// The header row: column names wrapped in their cells, a rule under.
    fn header(&mut self) {
        let top = self.y - 12.0;
        let mut lowest = self.y;
        for (i, label) in self.s.columns.iter().enumerate() {
            let width = COLS[i + 1] - COLS[i] - 6.0;
            let mut y = self.y;
            for line in self.wrap(label, 8.0, true, width) {
                self.op(Op::Text { x: COLS[i] + 3.0, y, size: 8.0, bold: true, text: line });
                y += 10.0;
            }
            lowest = lowest.max(y - 10.0);
        }
        self.y = lowest + 8.0;
        self.hline(MARGIN, RIGHT, top, 0.8);
        self.hline(MARGIN, RIGHT, self.y, 0.8);
        for x in COLS {
            self.vline(x, top, self.y);
        }
    }

    /// One row of boxes, with `cells` (number, name, organisation) written
    /// in: on one line, or two when they do not fit (the second cut to fit).
    fn row(&mut self, cells: [&str; 3]) {
        if self.y + ROW > BOTTOM {
            self.new_page();
            self.header();
        }
        let (top, bottom) = (self.y, self.y + ROW);
        for (i, text) in cells.iter().enumerate() {
            let width = COLS[i + 1] - COLS[i] - 6.0;
            let mut lines = self.wrap(text, 9.0, false, width);
            if lines.len() > 2 {
                let rest = lines.split_off(1).join(" ");
                lines.push(rest);
            }
            let mut y = if lines.len() > 1 { top + ROW / 2.0 - 2.0 } else { top + ROW / 2.0 + 3.5 };
            for line in lines {
                let text = self.fit(&line, 9.0, false, width);
                self.op(Op::Text { x: COLS[i] + 3.0, y, size: 9.0, bold: false, text });
                y += 11.0;
            }
        }
        for x in COLS {
            self.vline(x, top, bottom);
        }
        self.hline(MARGIN, RIGHT, bottom, 0.5);
        self.y = bottom;
    }

    fn sheet(&mut self) {
        self.new_page();
        for (label, value) in &self.s.details {
            let label = format!("{label}: ");
            let indent = self.m.width(&label, 10.0, true);
            self.text(MARGIN, 10.0, true, label);
            self.text(MARGIN + indent, 10.0, false, value.clone());
            self.y += 15.0;
        }
        self.y += 2.0;
        for line in self.wrap(&self.s.note, 9.0, false, RIGHT - MARGIN) {
            self.text(MARGIN, 9.0, false, line);
            self.y += 12.0;
        }
        self.y += 18.0;
        self.header();
        if self.s.people.is_empty() {
            self.y += 16.0;
            self.text(MARGIN, 10.0, false, self.s.nobody.clone());
            self.y += 8.0;
        }
        for (i, [name, org]) in self.s.people.iter().enumerate() {
            self.row([&(i + 1).to_string(), name, org]);
        }
        let n = self.s.people.len();
        for i in 0..self.s.blank_rows {
            self.row([&(n + i + 1).to_string(), "", ""]);
        }
        self.y += 36.0;
        if self.y > BOTTOM + 30.0 {
            self.new_page();
        }
        let label = format!("{}:", self.s.signature);
        let w = self.m.width(&label, 10.0, true);
        self.text(MARGIN, 10.0, true, label);
        self.hline(MARGIN + w + 8.0, MARGIN + w + 240.0, self.y + 2.0, 0.4);
    }
}

/// The PDF of `s`.
pub(crate) fn pdf(s: &SignIn) -> crate::error::Result<Vec<u8>> {
    let m = Metrics::new()?;
    super::render::render(&layout(s, &m))
}

/// Lays `s` out in pages, with "page i of n" footers.
pub(crate) fn layout(s: &SignIn, m: &Metrics) -> Vec<Page> {
    let mut w = Writer { m, s, pages: Vec::new(), y: 0.0 };
    w.sheet();
    footers(&mut w.pages, &s.footer, &s.page_words, MARGIN, m);
    w.pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(people: usize) -> SignIn {
        SignIn {
            title: "Ascolto e accoglienza".into(),
            subtitle: "Foglio firme · 20/09/2026".into(),
            details: vec![("Data".into(), "20/09/2026".into()), ("Durata".into(), "1 h 30 min".into())],
            note: "Firmare all'entrata e all'uscita. ".repeat(6),
            columns: [
                "#".into(),
                "Nome e cognome".into(),
                "Ente".into(),
                "Ora entrata".into(),
                "Firma entrata".into(),
                "Ora uscita".into(),
                "Firma uscita".into(),
            ],
            people: (0..people)
                .map(|i| {
                    [
                        format!("Persona {i} Dell'Acqua Bianchi Rossi"),
                        "Cooperativa sociale Il Convoglio".into(),
                    ]
                })
                .collect(),
            blank_rows: 3,
            nobody: "Nessuno".into(),
            signature: "Firma del docente".into(),
            footer: "Foglio firme".into(),
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
    fn a_long_list_continues_under_the_same_headers_and_everything_stays_on_the_page() {
        let m = Metrics::new().expect("font");
        assert_eq!(layout(&sheet(5), &m).len(), 1);
        let pages = layout(&sheet(45), &m);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        for (i, p) in pages.iter().enumerate() {
            let t = texts(p);
            assert!(t.contains(&"Ascolto e accoglienza"), "the title on page {}", i + 1);
            assert!(t.contains(&"Firma uscita"), "the headers on page {}", i + 1);
            let numbering = format!("Pagina {} di {}", i + 1, pages.len());
            assert!(t.contains(&numbering.as_str()), "{numbering}");
            for op in &p.0 {
                match op {
                    Op::Text { x, y, size, bold, text } => {
                        assert!(*y > 0.0 && *y < PAGE.1, "{op:?} is off the page");
                        assert!(x + m.width(text, *size, *bold) <= RIGHT + 0.5, "{op:?} sticks out");
                    }
                    Op::Line { y1, y2, .. } => assert!(*y1 < PAGE.1 && *y2 < PAGE.1, "{op:?}"),
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(texts).collect();
        // 45 people and 3 blank rows, numbered; long names cut to their box.
        assert!(all.contains(&"48") && !all.contains(&"49"));
        // Long names take two lines, cut on the second when still too long.
        assert!(all.contains(&"Persona 44 Dell'Acqua"), "{all:?}");
        let long = SignIn { people: vec![["Maria ".repeat(20), "Ente".into()]], ..sheet(0) };
        let texts: Vec<String> = layout(&long, &m)[0]
            .0
            .iter()
            .filter_map(|o| match o {
                Op::Text { text, .. } => Some(text.clone()),
                Op::Line { .. } => None,
            })
            .collect();
        assert!(texts.iter().any(|t| t.starts_with("Maria") && t.ends_with('…')), "{texts:?}");
        assert!(all.contains(&"Firma del docente:"));
    }
}
