//! Half-yearly monitoring for the funder (issue 15 part 3, first brick):
//! the indicators per semester (H1: January to June, H2: July to
//! December) and per partner organisation (a lab's `partner`).
//!
//! Nothing is counted here: every figure is [`indicators::compute`] on a
//! semester (clipped to the period asked for) and the labs of one partner,
//! so a distinct count (families reached) is distinct within the partner's
//! labs, as the indicators count within a lab; the trained staff by their
//! own organisation are [`indicators::training_by_organisation`]; the
//! figures by area of the social-services nomenclature ([`by_area`]) are
//! the semester's figures by activity type, added up by the area each type
//! is mapped to. The workbook that carries these tables is
//! `export::monitoring` (decision 0032).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::indicators::{self, Counts, Indicators, OrganisationTraining};
use crdt_sync::{
    ActivityType, Lab, LabId, Labs, NomenclatureArea, Period, ProjectSettings, Selection, Store,
};

/// Which half of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Half {
    /// 1 January to 30 June.
    H1,
    /// 1 July to 31 December.
    H2,
}

/// A half-year of monitoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Semester {
    /// The year.
    pub year: i32,
    /// Which half.
    pub half: Half,
}

impl Semester {
    /// The semester `day` falls in: 30 June is H1, 1 July is H2.
    pub fn of(day: NaiveDate) -> Semester {
        Semester { year: day.year(), half: if day.month() <= 6 { Half::H1 } else { Half::H2 } }
    }

    /// Its days, first and last included.
    pub fn period(self) -> Result<Period> {
        let (from, to) = match self.half {
            Half::H1 => ((1, 1), (6, 30)),
            Half::H2 => ((7, 1), (12, 31)),
        };
        let day = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(self.year, m, d);
        match (day(from), day(to)) {
            (Some(from), Some(to)) => Ok(Period::new(from, to)?),
            _ => {
                Err(crdt_sync::Error::Invalid { field: "semester", reason: format!("year {}", self.year) }
                    .into())
            }
        }
    }

    /// The next semester.
    fn next(self) -> Semester {
        match self.half {
            Half::H1 => Semester { year: self.year, half: Half::H2 },
            Half::H2 => Semester { year: self.year + 1, half: Half::H1 },
        }
    }

    /// Every semester `period` touches, in order.
    pub fn covering(period: Period) -> Vec<Semester> {
        let mut out = Vec::new();
        let mut s = Semester::of(period.from);
        let last = Semester::of(period.to);
        while s <= last {
            out.push(s);
            s = s.next();
        }
        out
    }
}

/// One partner organisation's figures in a semester.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PartnerCounts {
    /// The partner, as the labs name it (empty: labs that name none).
    pub partner: String,
    /// Its labs among those selected, by number.
    pub labs: Vec<LabId>,
    /// The indicators of those labs together.
    pub counts: Counts,
}

/// The meetings of one area of the nomenclature in a semester.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AreaCounts {
    /// The area; `None`: the meetings of activity types mapped to no area
    /// (or to a code that is no longer an area, or of a type the project
    /// does not list).
    pub area: Option<NomenclatureArea>,
    /// *Incontri realizzati*: meetings of the types mapped to the area.
    pub meetings: u32,
    /// *Ospiti*: their guests.
    pub guests: u32,
    /// *Presenze*: their attendances (members ticked present).
    pub attendances: u32,
}

/// The figures of `c` by area of the nomenclature: one row per area of
/// the project, in code order (zeros included: the district's table lists
/// them all), then the types mapped to none. Every meeting is in exactly
/// one row, so the rows add up to `c.meetings`, `c.guests` and
/// `c.attendances`.
pub fn by_area(c: &Counts, types: &[ActivityType], areas: &[NomenclatureArea]) -> Vec<AreaCounts> {
    let mut out: Vec<AreaCounts> = areas
        .iter()
        .cloned()
        .map(Some)
        .chain([None])
        .map(|area| AreaCounts { area, meetings: 0, guests: 0, attendances: 0 })
        .collect();
    let unmapped = areas.len();
    let row_of = |activity: &str| {
        let code = types.iter().find(|t| t.key == activity).and_then(|t| t.nomenclature.as_deref());
        code.and_then(|code| areas.iter().position(|a| a.code == code)).unwrap_or(unmapped)
    };
    let of = |m: &std::collections::BTreeMap<String, u32>, k: &str| m.get(k).copied().unwrap_or(0);
    for (activity, &meetings) in &c.meetings_by_activity {
        let row = &mut out[row_of(activity)];
        row.meetings += meetings;
        row.guests += of(&c.guests_by_activity, activity);
        row.attendances += of(&c.attendances_by_activity, activity);
    }
    out
}

/// One semester.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct SemesterCounts {
    /// Which semester.
    pub semester: Semester,
    /// Its days inside the period asked for.
    pub days: Period,
    /// The indicators of every selected lab, together and lab by lab.
    pub indicators: Indicators,
    /// By partner organisation, in the partners' order.
    pub partners: Vec<PartnerCounts>,
    /// The selected labs' staff trained, and their training hours, by the
    /// person's own organisation.
    pub organisations: Vec<OrganisationTraining>,
    /// The meetings of every selected lab by area of the nomenclature
    /// ([`by_area`] of the semester's total).
    pub areas: Vec<AreaCounts>,
}

/// The monitoring of a selection: one entry per semester it touches.
pub fn compute(store: &Store, selection: &Selection) -> Result<Vec<SemesterCounts>> {
    let period = selection.period.checked()?;
    let labs = store.resolve_labs(&selection.labs)?;
    let mut partners: Vec<(String, Vec<&Lab>)> = Vec::new();
    for lab in &labs {
        let name = lab.partner.trim().to_owned();
        match partners.iter_mut().find(|(p, _)| *p == name) {
            Some((_, ls)) => ls.push(lab),
            None => partners.push((name, vec![lab])),
        }
    }
    partners.sort_by_key(|a| a.0.to_lowercase());
    let ids = |ls: &[&Lab]| -> Labs { Labs::Only(ls.iter().map(|l| l.id).collect()) };
    let (types, areas) = (store.activity_types()?, store.nomenclature_areas()?);
    let mut out = Vec::new();
    for semester in Semester::covering(period) {
        let Some(days) = period.clip_period(semester.period()?) else { continue };
        let all = Selection { labs: Labs::Only(labs.iter().map(|l| l.id).collect()), period: days };
        let indicators = indicators::compute(store, &all)?;
        let partners = partners
            .iter()
            .map(|(partner, ls)| {
                // A partner of one lab has that lab's figures (the same
                // definitions on the same set of labs): no second pass over
                // the register. The project's partners mostly run one lab.
                let counts = match ls.as_slice() {
                    [one] => indicators.lab(one.id).map(|l| l.total.clone()),
                    _ => None,
                };
                let counts = match counts {
                    Some(c) => c,
                    None => indicators::compute(store, &Selection { labs: ids(ls), period: days })?.total,
                };
                Ok(PartnerCounts {
                    partner: partner.clone(),
                    labs: ls.iter().map(|l| l.id).collect(),
                    counts,
                })
            })
            .collect::<Result<_>>()?;
        let organisations = indicators::training_by_organisation(store, &all)?;
        let areas = by_area(&indicators.total, &types, &areas);
        out.push(SemesterCounts { semester, days, indicators, partners, organisations, areas });
    }
    Ok(out)
}

/// The days of `period` inside `other`.
trait Clip {
    fn clip_period(self, other: Period) -> Option<Period>;
}

impl Clip for Period {
    fn clip_period(self, other: Period) -> Option<Period> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from <= to).then_some(Period { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crdt_sync::testing::d;
    use crdt_sync::testing::register::{self as fixture};
    use crdt_sync::{Attendance, Families, Meetings, NewLab, NewMeeting};
    use std::collections::BTreeSet;

    /// Every meeting in one row: an area's types, then those mapped to
    /// none, to a code that is no area, or not listed at all.
    #[test]
    fn figures_by_area_add_up_to_the_total() {
        let t = |key: &str, code: Option<&str>| ActivityType {
            key: key.into(),
            label_it: key.into(),
            label_en: key.into(),
            nomenclature: code.map(str::to_owned),
        };
        let types = [t("a", Some("A1")), t("b", Some("A1")), t("c", None), t("d", Some("GONE"))];
        let areas = [
            NomenclatureArea { code: "A1".into(), name: "Famiglia".into() },
            NomenclatureArea { code: "B2".into(), name: "Disabili".into() },
        ];
        let m = |pairs: &[(&str, u32)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        let c = Counts {
            meetings: 10,
            guests: 7,
            attendances: 30,
            meetings_by_activity: m(&[("a", 1), ("b", 2), ("c", 3), ("d", 1), ("zumba", 3)]),
            guests_by_activity: m(&[("a", 1), ("c", 2), ("d", 4)]),
            attendances_by_activity: m(&[("a", 5), ("b", 6), ("c", 7), ("d", 2), ("zumba", 10)]),
            ..Counts::default()
        };
        let rows = by_area(&c, &types, &areas);
        let figures: Vec<_> = rows
            .iter()
            .map(|r| (r.area.as_ref().map(|a| a.code.as_str()), r.meetings, r.guests, r.attendances))
            .collect();
        assert_eq!(figures, [(Some("A1"), 3, 1, 11), (Some("B2"), 0, 0, 0), (None, 7, 6, 19)]);
        let sum = |f: fn(&AreaCounts) -> u32| rows.iter().map(f).sum::<u32>();
        assert_eq!((sum(|r| r.meetings), sum(|r| r.guests), sum(|r| r.attendances)), (10, 7, 30));
        // No areas: one row, everything in it.
        let rows = by_area(&c, &types, &[]);
        assert_eq!((rows.len(), rows[0].area.clone(), rows[0].meetings), (1, None, 10));
    }

    #[test]
    fn thirtieth_of_june_is_the_first_half_and_first_of_july_the_second() {
        assert_eq!(Semester::of(d(2025, 6, 30)), Semester { year: 2025, half: Half::H1 });
        assert_eq!(Semester::of(d(2025, 7, 1)), Semester { year: 2025, half: Half::H2 });
        let h1 = Semester { year: 2024, half: Half::H1 }.period().expect("period");
        assert_eq!((h1.from, h1.to), (d(2024, 1, 1), d(2024, 6, 30)));
        let p = Period::new(d(2024, 6, 30), d(2025, 7, 1)).expect("period");
        let halves: Vec<_> = Semester::covering(p).iter().map(|s| (s.year, s.half)).collect();
        assert_eq!(halves, [(2024, Half::H1), (2024, Half::H2), (2025, Half::H1), (2025, Half::H2)]);
    }

    /// The hand-built register (`crdt_sync::testing::register`), counted by
    /// hand by semester: H1 2025 holds M1 (31/1), M2 (1/2) and M4 (10/3);
    /// H2 2025 nothing; H1 2026, up to 31/1, M3 (10/1). Then two meetings
    /// of a third lab with another partner on 30 June and 1 July 2025.
    #[test]
    fn figures_by_semester_and_partner() {
        let (mut s, f) = fixture::build();
        let lab3 = s
            .create_lab(NewLab {
                number: 3,
                name: "Laboratorio Vallone".into(),
                address: "Pavia".into(),
                partner: "ACLI".into(),
            })
            .expect("lab");
        let anna = s.household(f.f1).expect("F1").members[0].id;
        for (day, guests) in [(d(2025, 6, 30), 1), (d(2025, 7, 1), 2)] {
            s.create_meeting(NewMeeting {
                lab: lab3,
                date: day,
                start: chrono::NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
                end: chrono::NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
                activity: "open_lab".into(),
                theme: "Estate".into(),
                facilitators: BTreeSet::new(),
                attendance: vec![Attendance { household: f.f1, member: anna }],
                guests,
                notes: String::new(),
            })
            .expect("meeting");
        }
        let months = compute(&s, &Selection::all_labs(fixture::period())).expect("monitoring");
        let halves: Vec<_> = months.iter().map(|m| (m.semester.year, m.semester.half)).collect();
        assert_eq!(halves, [(2025, Half::H1), (2025, Half::H2), (2026, Half::H1)]);
        let [h1, h2, h3] = [&months[0], &months[1], &months[2]];
        assert_eq!((h3.days.from, h3.days.to), (d(2026, 1, 1), d(2026, 1, 31)), "clipped to the period");
        // H1 2025: M1, M2, M4 and lab 3's 30 June; attendances 3 + 2 + 3 + 1.
        assert_eq!((h1.indicators.total.meetings, h1.indicators.total.attendances), (4, 9));
        // H2 2025: only lab 3's 1 July.
        assert_eq!(
            (h2.indicators.total.meetings, h2.indicators.total.attendances, h2.indicators.total.guests),
            (1, 1, 2)
        );
        assert_eq!(h3.indicators.total.meetings, 1);
        // Partners, by name: ACLI (lab 3), Cooperativa Sociale (labs 1 and 2).
        let names: Vec<&str> = h1.partners.iter().map(|p| p.partner.as_str()).collect();
        assert_eq!(names, ["ACLI", "Cooperativa Sociale"]);
        let (acli, coop) = (&h1.partners[0].counts, &h1.partners[1].counts);
        assert_eq!((acli.meetings, acli.families_reached, acli.members_reached), (1, 1, 1));
        // ACLI runs one lab: its figures are that lab's, taken from the
        // semester's pass; the same as counting that lab alone.
        for h in [h1, h2, h3] {
            let alone = indicators::compute(
                &s,
                &Selection { labs: Labs::Only(BTreeSet::from([lab3])), period: h.days },
            )
            .expect("lab 3 alone");
            assert_eq!(h.partners[0].counts, alone.total, "{:?}", h.semester);
        }
        // Labs 1 and 2 in H1 2025: M1, M2, M4; F1, F2 (F3 is F2), F4, F5.
        assert_eq!((coop.meetings, coop.families_reached, coop.attendances), (3, 4, 8));
        // F1 reached at both partners counts once in the semester's total.
        assert_eq!(h1.indicators.total.families_reached, 4);
        assert_eq!(h2.partners[1].counts.meetings, 0);
        assert_eq!(h2.partners[0].counts.meetings, 1);
    }
}
