//! Likely duplicates: two devices registered the same family offline, or a
//! volunteer did not find it and registered it again. The lead sees the
//! candidates on the family's page and merges the ones that are the same.

use super::Store;
use crate::domain::Household;
use crate::error::Result;
use crate::ids::HouseholdId;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How many search hits per surname are looked at.
pub(super) const CANDIDATES_PER_NAME: u32 = 50;

impl Store {
    pub(super) fn households_with_phone_digits(&self, phone: &str) -> Result<Vec<HouseholdId>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, phone FROM households WHERE phone <> ''")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, p) = row?;
            if digits(&p) == phone
                && let Ok(id) = id.parse()
            {
                out.push(id);
            }
        }
        Ok(out)
    }
}

/// 0 when nothing matches; 2 for the same phone, plus up to 1 for the
/// closest pair of members with the same surname and similar first names.
pub(super) fn similarity(a: &Household, b: &Household, phone: &str) -> f64 {
    let mut score = 0.0;
    if phone.len() >= 6 && digits(&b.contacts.phone) == phone {
        score += 2.0;
    }
    let mut best: f64 = 0.0;
    for x in &a.members {
        for y in &b.members {
            if fold(&x.last_name) != fold(&y.last_name) {
                continue;
            }
            let s = strsim::jaro_winkler(&fold(&x.first_name), &fold(&y.first_name));
            if s >= 0.9 {
                best = best.max(s);
            }
        }
    }
    score + best
}

/// Lower case, accents removed, spaces collapsed: "Nicolò  D'Amico" and
/// "nicolo d'amico" fold the same.
fn fold(s: &str) -> String {
    let lower: String = s.nfd().filter(|c| !is_combining_mark(*c)).collect::<String>().to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The digits of a phone number, without an Italian +39/0039 prefix.
pub(super) fn digits(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    d.strip_prefix("0039")
        .or_else(|| if s.trim_start().starts_with('+') { d.strip_prefix("39") } else { None })
        .unwrap_or(&d)
        .to_string()
}

pub(super) fn names(h: &Household) -> String {
    let mut v: Vec<String> = h.members.iter().map(|m| format!("{} {}", m.first_name, m.last_name)).collect();
    if let Some(r) = h.reference_member() {
        let first = format!("{} {}", r.first_name, r.last_name);
        v.retain(|n| *n != first);
        v.insert(0, first);
    }
    v.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_spacing() {
        assert_eq!(fold("Nicolò  D'Amico"), fold("nicolo d'amico"));
        assert_ne!(fold("Rossi"), fold("Rosi"));
    }

    #[test]
    fn phone_digits_drop_the_italian_prefix() {
        assert_eq!(digits("+39 333 123 4567"), "3331234567");
        assert_eq!(digits("0039-333-1234567"), "3331234567");
        assert_eq!(digits("333 123 4567"), "3331234567");
        assert_eq!(digits("0382 123456"), "0382123456");
    }
}
