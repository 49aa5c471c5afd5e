//! The font of the printed register: DejaVu Sans, regular and bold, built
//! into the binary (`crdt-sync/assets/fonts/`, licence beside it). It covers
//! Italian accents and the Latin, Cyrillic and Greek letters of the
//! families' names (Nicolò, Ionuț, Kovač); krilla embeds only the glyphs a
//! document uses.

use ttf_parser::Face;

use crate::error::{Error, Result};

/// DejaVu Sans.
pub(crate) static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub(crate) static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Text widths, for laying out before drawing.
pub(crate) struct Metrics {
    regular: Face<'static>,
    bold: Face<'static>,
}

impl Metrics {
    pub(crate) fn new() -> Result<Metrics> {
        let parse = |data: &'static [u8]| {
            Face::parse(data, 0)
                .map_err(|e| Error::internal(format!("the built-in font does not parse: {e}")))
        };
        Ok(Metrics { regular: parse(REGULAR)?, bold: parse(BOLD)? })
    }

    /// The advance width of `text` at `size` points (no kerning: the
    /// register's columns are wide enough for that not to matter).
    pub(crate) fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .or_else(|| face.glyph_index('?'))
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(0, u32::from)
            })
            .sum();
        units as f32 * size / f32::from(face.units_per_em())
    }
}
