//! The pure half of the generator: seed, size and today's date in, a plan of
//! everything to register out. Entities refer to each other by index into
//! the plan (the store assigns the ids when the plan is written), so the plan
//! is plain data that tests can inspect without a store.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::DemoSize;
use crate::names::{self, Origin};
use crdt_sync::{
    AgeStatus, Area, ConsentScope, Contacts, Keyed, LegalBasis, NewGuardian, NewLab, NewMember, PathwayKind,
    ReferralSource, Role, SpecialCondition,
};

/// How much to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shape {
    /// Number of labs (numbered from 1).
    pub labs: usize,
    /// Length of the period, in days, ending today.
    pub days: i64,
    /// Families registered per lab.
    pub households_per_lab: usize,
    /// Meetings per lab over the period.
    pub meetings_per_lab: usize,
    /// Operators per lab.
    pub operators_per_lab: usize,
    /// Volunteers per lab.
    pub volunteers_per_lab: usize,
    /// Members present at a meeting (when enough families are around).
    pub attendees: (usize, usize),
    /// Training sessions over the period.
    pub trainings: usize,
    /// Percentage of families registered in the lab's first weeks.
    pub founding_share: u32,
    /// Whether labs close in August and over Christmas.
    pub holidays: bool,
}

impl Shape {
    pub(super) fn of(size: DemoSize) -> Shape {
        let large = Shape {
            labs: 10,
            days: 5 * 365 + 1,
            households_per_lab: 200,
            meetings_per_lab: 250,
            operators_per_lab: 6,
            volunteers_per_lab: 12,
            attendees: (9, 19),
            trainings: 60,
            founding_share: 25,
            holidays: true,
        };
        match size {
            DemoSize::Small => Shape {
                labs: 1,
                days: 35,
                households_per_lab: 25,
                meetings_per_lab: 10,
                operators_per_lab: 2,
                volunteers_per_lab: 4,
                attendees: (6, 14),
                trainings: 2,
                founding_share: 60,
                holidays: false,
            },
            DemoSize::Large => large,
            DemoSize::LargeOneLab => Shape { labs: 1, trainings: 6, ..large },
        }
    }
}

/// A member of staff; `lab` indexes [`Plan::labs`].
#[derive(Clone, Debug)]
pub(super) struct StaffPlan {
    pub lab: usize,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub organisation: String,
    pub phone: String,
    pub email: String,
}

/// A legal basis record; `collected_by` indexes [`Plan::staff`].
#[derive(Clone, Debug)]
pub(super) struct ConsentPlan {
    pub basis: LegalBasis,
    pub special: Option<SpecialCondition>,
    pub date: NaiveDate,
    pub scopes: BTreeSet<ConsentScope>,
    pub notice_version: String,
    pub collected_by: usize,
    pub guardian: Option<NewGuardian>,
}

/// How a pathway ends, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathwayEnd {
    Ongoing,
    Suspended,
    Closed(NaiveDate),
}

/// A pathway; `operator` indexes [`Plan::staff`].
#[derive(Clone, Debug)]
pub(super) struct PathwayPlan {
    pub kind: PathwayKind,
    pub start: NaiveDate,
    pub operator: usize,
    pub notes: String,
    pub end: PathwayEnd,
}

/// A family. `members[0]` is the reference person; first names are unique
/// within a family.
#[derive(Clone, Debug)]
pub(super) struct HouseholdPlan {
    pub lab: usize,
    pub joined: NaiveDate,
    /// When the family stopped coming, if it did.
    pub left: Option<NaiveDate>,
    /// How regularly it comes (1 to 4).
    pub weight: u32,
    pub members: Vec<NewMember>,
    pub contacts: Contacts,
    pub areas: BTreeSet<Area>,
    pub referral: Option<ReferralSource>,
    pub consent: ConsentPlan,
    pub pathway: Option<PathwayPlan>,
}

/// A meeting. `facilitators` index [`Plan::staff`]; each attendance is
/// (index into [`Plan::households`], index into that family's members).
#[derive(Clone, Debug)]
pub(super) struct MeetingPlan {
    pub lab: usize,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub activity: &'static str,
    pub theme: &'static str,
    pub facilitators: BTreeSet<usize>,
    pub attendance: Vec<(usize, usize)>,
    pub guests: u32,
    pub notes: &'static str,
}

/// A training session; `attendees` index [`Plan::staff`].
#[derive(Clone, Debug)]
pub(super) struct TrainingPlan {
    pub date: NaiveDate,
    pub title: &'static str,
    pub minutes: u32,
    pub attendees: BTreeSet<usize>,
}

/// Everything to register, in the order to register it: staff first, then
/// families by registration date, meetings by date, trainings by date.
#[derive(Clone, Debug)]
pub(super) struct Plan {
    pub labs: Vec<NewLab>,
    pub staff: Vec<StaffPlan>,
    pub households: Vec<HouseholdPlan>,
    pub meetings: Vec<MeetingPlan>,
    pub trainings: Vec<TrainingPlan>,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn pick_str(rng: &mut ChaCha8Rng, items: &[&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total);
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let prefix = pick(rng, names::MOBILE_PREFIXES);
    format!("+39 {prefix} {:03} {:04}", rng.random_range(0..1000), rng.random_range(0..10_000))
}

/// Builds the plan. Pure: the same arguments give the same plan.
pub(super) fn build(size: DemoSize, seed: u64, today: NaiveDate) -> Plan {
    let shape = Shape::of(size);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = today - days(shape.days - 1);
    let labs: Vec<NewLab> = names::LABS
        .iter()
        .take(shape.labs)
        .enumerate()
        .map(|(i, l)| NewLab {
            number: u8::try_from(i + 1).unwrap_or(u8::MAX),
            name: l.name.into(),
            address: l.address.into(),
            partner: l.partner.into(),
        })
        .collect();
    let staff = staff(&mut rng, &shape);
    let households = households(&mut rng, &shape, &staff, start, today);
    let meetings = meetings(&mut rng, &shape, &staff, &households, start, today);
    let trainings = trainings(&mut rng, &shape, &staff, start, today);
    Plan { labs, staff, households, meetings, trainings }
}

fn staff(rng: &mut ChaCha8Rng, shape: &Shape) -> Vec<StaffPlan> {
    let mut out = Vec::new();
    for lab in 0..shape.labs {
        let place = &names::LABS[lab % names::LABS.len()];
        let roles = std::iter::repeat_n(Role::Operator, shape.operators_per_lab)
            .chain(std::iter::repeat_n(Role::Volunteer, shape.volunteers_per_lab));
        for role in roles {
            let origin = weighted(rng, Origin::STAFF_WEIGHTS);
            let first = if rng.random_bool(0.7) { origin.female() } else { origin.male() };
            let first_name = (*pick(rng, first)).to_owned();
            let last_name = (*pick(rng, origin.last())).to_owned();
            let organisation = match role {
                Role::Volunteer if rng.random_bool(0.3) => (*pick(rng, names::VOLUNTEER_GROUPS)).to_owned(),
                _ => place.partner.to_owned(),
            };
            let email = format!("{}.{}@example.org", names::fold(&first_name), names::fold(&last_name));
            let phone = phone(rng);
            out.push(StaffPlan { lab, first_name, last_name, role, organisation, phone, email });
        }
    }
    out
}

/// Staff indices of a lab with a role (all of the lab's staff when `role` is `None`).
fn lab_staff(staff: &[StaffPlan], lab: usize, role: Option<Role>) -> Vec<usize> {
    staff
        .iter()
        .enumerate()
        .filter(|(_, s)| s.lab == lab && role.is_none_or(|r| s.role == r))
        .map(|(i, _)| i)
        .collect()
}

fn households(
    rng: &mut ChaCha8Rng,
    shape: &Shape,
    staff: &[StaffPlan],
    start: NaiveDate,
    today: NaiveDate,
) -> Vec<HouseholdPlan> {
    let midpoint = start + days(shape.days / 2);
    let mut out = Vec::new();
    for lab in 0..shape.labs {
        let place = &names::LABS[lab % names::LABS.len()];
        let operators = lab_staff(staff, lab, Some(Role::Operator));
        for _ in 0..shape.households_per_lab {
            let joined = if rng.random_bool(f64::from(shape.founding_share) / 100.0) {
                start + days(rng.random_range(-14..=14))
            } else {
                start + days(rng.random_range(0..shape.days))
            }
            .min(today);
            let left =
                if rng.random_bool(0.6) { Some(joined + days(rng.random_range(180..=1095))) } else { None };
            let origin = weighted(rng, Origin::FAMILY_WEIGHTS);
            // Ages as of registration: children born later are not on the form.
            let members = family(rng, origin, joined.year());
            let reference = &members[0];
            let contacts = Contacts {
                phone: if rng.random_bool(0.92) { phone(rng) } else { String::new() },
                email: if rng.random_bool(0.35) {
                    format!(
                        "{}.{}{}@example.com",
                        names::fold(&reference.first_name),
                        names::fold(&reference.last_name),
                        rng.random_range(1..100)
                    )
                } else {
                    String::new()
                },
                address: if rng.random_bool(0.95) {
                    format!("{} {}, 27100 Pavia", pick(rng, place.streets), rng.random_range(1..=180))
                } else {
                    String::new()
                },
            };
            let mut areas = BTreeSet::new();
            for (area, p) in [(Area::Economic, 0.6), (Area::Relational, 0.35), (Area::Social, 0.45)] {
                if rng.random_bool(p) {
                    areas.insert(area);
                }
            }
            let referral = rng.random_bool(0.92).then(|| {
                weighted(
                    rng,
                    &[
                        (ReferralSource::SocialServices, 30),
                        (ReferralSource::School, 22),
                        (ReferralSource::WordOfMouth, 20),
                        (ReferralSource::Parish, 8),
                        (ReferralSource::Association, 10),
                        (ReferralSource::SelfReferred, 7),
                        (ReferralSource::Other, 3),
                    ],
                )
            });
            let mut scopes = BTreeSet::from([ConsentScope::DataProcessing]);
            if rng.random_bool(0.55) {
                scopes.insert(ConsentScope::Photos);
            }
            if rng.random_bool(0.8) {
                scopes.insert(ConsentScope::Contact);
            }
            // Families sent by the social services are processed as a public
            // task (art. 6(1)(e)), with art. 9(2)(b) for what the notes may
            // reveal; the others consent, explicitly for the notes too.
            let (basis, special) = if referral == Some(ReferralSource::SocialServices) {
                (LegalBasis::PublicTask, Some(SpecialCondition::SocialProtection))
            } else {
                (LegalBasis::Consent, Some(SpecialCondition::ExplicitConsent))
            };
            // Who collected it: an operator of the lab, or (as on the paper
            // forms of the first months, which were signed by the lab's first
            // operator) the first one. The draw is kept as it was so that the
            // rest of the register stays the same for a seed.
            let collector = rng.random_bool(0.8).then(|| *pick(rng, &operators));
            let consent = ConsentPlan {
                basis,
                special,
                date: joined,
                scopes,
                notice_version: if joined < midpoint { "1.0" } else { "2.0" }.into(),
                collected_by: collector.or_else(|| operators.first().copied()).unwrap_or(0),
                guardian: guardian(&members, joined),
            };
            let pathway = rng.random_bool(0.4).then(|| pathway(rng, joined, today, &operators));
            out.push(HouseholdPlan {
                lab,
                joined,
                left,
                weight: rng.random_range(1..=4),
                members,
                contacts,
                areas,
                referral,
                consent,
                pathway,
            });
        }
    }
    // Families are registered in the order they arrived, across labs (the
    // sort is stable, so ties keep the lab order).
    out.sort_by_key(|h| h.joined);
    out
}

/// The guardian of a family with minors: the first adult member (the
/// reference person, as a rule), or a named relative when there is none.
fn guardian(members: &[NewMember], on: NaiveDate) -> Option<NewGuardian> {
    let minor = |m: &NewMember| AgeStatus::of(m.birth_year, on) == AgeStatus::Minor;
    if !members.iter().any(minor) {
        return None;
    }
    match members.iter().position(|m| !minor(m)) {
        Some(i) => Some(NewGuardian::Member { index: u16::try_from(i).unwrap_or(0) }),
        None => Some(NewGuardian::Named {
            name: format!("Tutore {}", members.first().map_or("", |m| m.last_name.as_str()))
                .trim()
                .to_owned(),
        }),
    }
}

fn pathway(rng: &mut ChaCha8Rng, joined: NaiveDate, today: NaiveDate, operators: &[usize]) -> PathwayPlan {
    let start = (joined + days(rng.random_range(0..=90))).min(today);
    let end = if start + days(120) < today && rng.random_bool(0.55) {
        PathwayEnd::Closed((start + days(rng.random_range(90..=400))).min(today))
    } else if rng.random_bool(0.1) {
        PathwayEnd::Suspended
    } else {
        PathwayEnd::Ongoing
    };
    PathwayPlan {
        kind: *pick(rng, PathwayKind::ALL),
        start,
        operator: *pick(rng, operators),
        notes: (*pick(rng, names::PATHWAY_NOTES)).to_owned(),
        end,
    }
}

/// A first name of `origin` not yet used in the family.
fn first_name(rng: &mut ChaCha8Rng, origin: Origin, female: bool, taken: &[NewMember]) -> String {
    let list = if female { origin.female() } else { origin.male() };
    let mut name = *pick(rng, list);
    for _ in 0..32 {
        if !taken.iter().any(|m| m.first_name == name) {
            break;
        }
        name = *pick(rng, list);
    }
    name.to_owned()
}

/// A last name of `origin` (two of them for Peruvians).
fn last_name(rng: &mut ChaCha8Rng, origin: Origin) -> String {
    let first = *pick(rng, origin.last());
    if origin == Origin::Peruvian {
        format!("{first} {}", pick(rng, origin.last()))
    } else {
        first.to_owned()
    }
}

/// The first of someone's last names (what they pass on to their children).
fn first_surname(origin: Origin, last: &str) -> String {
    if origin == Origin::Peruvian {
        last.split(' ').next().unwrap_or(last).to_owned()
    } else {
        last.to_owned()
    }
}

/// Adds a member with a first name not yet used in the family; a few birth
/// years are unknown, as on real forms.
fn push(
    rng: &mut ChaCha8Rng,
    members: &mut Vec<NewMember>,
    origin: Origin,
    female: bool,
    last: String,
    by: u16,
) {
    let first_name = first_name(rng, origin, female, members);
    let birth_year = if rng.random_bool(0.04) { None } else { Some(by) };
    members.push(NewMember { first_name, last_name: last, birth_year });
}

/// A family: the reference person first, then partner, children and maybe
/// a grandparent. Birth years are realistic for `year`, minors included.
fn family(rng: &mut ChaCha8Rng, origin: Origin, year: i32) -> Vec<NewMember> {
    let size: usize = weighted(rng, &[(1, 15), (2, 20), (3, 25), (4, 22), (5, 12), (6, 6)]);
    let born = |age: i32| u16::try_from(year - age).unwrap_or(1950);
    let mut members: Vec<NewMember> = Vec::new();
    if size == 1 {
        let female = rng.random_bool(0.6);
        let last = last_name(rng, origin);
        let by = born(rng.random_range(22..=82));
        push(rng, &mut members, origin, female, last, by);
        return members;
    }
    let grandparent = size >= 4 && rng.random_bool(0.15);
    let couple = rng.random_bool(0.72);
    let adults = if couple { 2 } else { 1 };
    let children = size - adults - usize::from(grandparent);
    let parent_age = rng.random_range(24..=58);
    let parent_by = year - parent_age;
    // In a mixed couple (some Italian families) the father is from abroad.
    let father_origin = if origin == Origin::Italian && couple && rng.random_bool(0.08) {
        weighted(rng, &Origin::FAMILY_WEIGHTS[1..])
    } else {
        origin
    };
    let father_last = last_name(rng, father_origin);
    let mother_last =
        if couple && origin.shared_surname() { father_last.clone() } else { last_name(rng, origin) };
    let children_last = if couple {
        if origin == Origin::Peruvian {
            format!("{} {}", first_surname(father_origin, &father_last), first_surname(origin, &mother_last))
        } else {
            father_last.clone()
        }
    } else {
        mother_last.clone()
    };
    let mother_by = born(parent_age);
    let father_by = born(parent_age + rng.random_range(-2..=6));
    if couple {
        // Mothers are the lab's usual contact.
        if rng.random_bool(0.7) {
            push(rng, &mut members, origin, true, mother_last, mother_by);
            push(rng, &mut members, father_origin, false, father_last, father_by);
        } else {
            push(rng, &mut members, father_origin, false, father_last, father_by);
            push(rng, &mut members, origin, true, mother_last, mother_by);
        }
    } else if rng.random_bool(0.85) {
        push(rng, &mut members, origin, true, mother_last, mother_by);
    } else {
        push(rng, &mut members, origin, false, mother_last, father_by);
    }
    for _ in 0..children {
        let oldest = (parent_by + 18).max(year - 30);
        let youngest = (parent_by + 45).min(year);
        let by = if oldest <= youngest { rng.random_range(oldest..=youngest) } else { youngest };
        let child_origin =
            if origin != Origin::Italian && rng.random_bool(0.35) { Origin::Italian } else { origin };
        let female = rng.random_bool(0.5);
        push(
            rng,
            &mut members,
            child_origin,
            female,
            children_last.clone(),
            u16::try_from(by).unwrap_or(2010),
        );
    }
    if grandparent {
        let female = rng.random_bool(0.7);
        let last = last_name(rng, origin);
        let by = born(parent_age + rng.random_range(22..=32)).max(1925);
        push(rng, &mut members, origin, female, last, by);
    }
    members
}

/// The dates of a lab's meetings: one a week on the lab's day, a second
/// weekly slot to make up the count, none in August or over Christmas when
/// `holidays` is set. Exactly `shape.meetings_per_lab` dates when the period
/// has room for them, sorted.
fn meeting_dates(rng: &mut ChaCha8Rng, shape: &Shape, start: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat];
    let main = *pick(rng, &weekdays[..5]);
    let mut second = *pick(rng, &weekdays);
    while second == main {
        second = *pick(rng, &weekdays);
    }
    let closed = |d: NaiveDate| {
        shape.holidays
            && (d.month() == 8 || (d.month() == 12 && d.day() >= 24) || (d.month() == 1 && d.day() <= 6))
    };
    let monday = start - days(i64::from(start.weekday().num_days_from_monday()));
    let in_week = |week: i64, w: Weekday| monday + days(week * 7 + i64::from(w.num_days_from_monday()));
    let weeks = shape.days / 7 + 2;
    let usable = |d: NaiveDate| d >= start && d <= today && !closed(d);
    let mut dates: Vec<NaiveDate> = (0..weeks).map(|k| in_week(k, main)).filter(|d| usable(*d)).collect();
    let mut extra: Vec<NaiveDate> = (0..weeks).map(|k| in_week(k, second)).filter(|d| usable(*d)).collect();
    let target = shape.meetings_per_lab;
    while dates.len() > target {
        dates.remove(rng.random_range(0..dates.len()));
    }
    while dates.len() < target && !extra.is_empty() {
        dates.push(extra.remove(rng.random_range(0..extra.len())));
    }
    dates.sort();
    dates
}

fn meetings(
    rng: &mut ChaCha8Rng,
    shape: &Shape,
    staff: &[StaffPlan],
    households: &[HouseholdPlan],
    start: NaiveDate,
    today: NaiveDate,
) -> Vec<MeetingPlan> {
    let mut out = Vec::new();
    for lab in 0..shape.labs {
        let everyone = lab_staff(staff, lab, None);
        let operators = lab_staff(staff, lab, Some(Role::Operator));
        let families: Vec<usize> = (0..households.len()).filter(|i| households[*i].lab == lab).collect();
        let slot = *pick(rng, &[(9, 30), (10, 0), (14, 30), (16, 30), (17, 0)]);
        for date in meeting_dates(rng, shape, start, today) {
            let activity = weighted(rng, names::ACTIVITY_WEIGHTS);
            let begin = slot.0 * 3600 + slot.1 * 60;
            let length = *pick(rng, &[90, 120, 120, 150]) * 60;
            let time = |s: u32| NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap_or_default();
            let mut facilitators = BTreeSet::new();
            if rng.random_bool(0.85) {
                facilitators.insert(*pick(rng, &operators));
            }
            for _ in 0..rng.random_range(1..=2) {
                facilitators.insert(*pick(rng, &everyone));
            }
            let present: Vec<usize> = families
                .iter()
                .copied()
                .filter(|i| households[*i].joined <= date && households[*i].left.is_none_or(|l| l > date))
                .collect();
            let target = rng.random_range(shape.attendees.0..=shape.attendees.1);
            let attendance = attendance(rng, households, present, target);
            out.push(MeetingPlan {
                lab,
                date,
                start: time(begin),
                end: time(begin + length),
                activity,
                theme: pick_str(rng, names::themes(activity)),
                facilitators,
                attendance,
                guests: if rng.random_bool(0.5) { 0 } else { rng.random_range(1..=5) },
                notes: if rng.random_bool(0.25) { pick_str(rng, names::MEETING_NOTES) } else { "" },
            });
        }
    }
    out.sort_by_key(|m| m.date);
    out
}

/// Who came: families drawn by how regularly they come, each bringing its
/// reference person and some of the others, until `target` members are in.
fn attendance(
    rng: &mut ChaCha8Rng,
    households: &[HouseholdPlan],
    mut candidates: Vec<usize>,
    target: usize,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    while out.len() < target && !candidates.is_empty() {
        let total: u32 = candidates.iter().map(|i| households[*i].weight).sum();
        let mut r = rng.random_range(0..total);
        let mut chosen = candidates.len() - 1;
        for (k, i) in candidates.iter().enumerate() {
            if r < households[*i].weight {
                chosen = k;
                break;
            }
            r -= households[*i].weight;
        }
        let h = candidates.remove(chosen);
        out.push((h, 0));
        for m in 1..households[h].members.len() {
            if rng.random_bool(0.6) {
                out.push((h, m));
            }
        }
    }
    out
}

fn trainings(
    rng: &mut ChaCha8Rng,
    shape: &Shape,
    staff: &[StaffPlan],
    start: NaiveDate,
    today: NaiveDate,
) -> Vec<TrainingPlan> {
    let mut out = Vec::new();
    let (p_operator, p_volunteer) = if staff.len() > 40 { (0.2, 0.12) } else { (0.5, 0.4) };
    for _ in 0..shape.trainings {
        let mut date = start + days(rng.random_range(0..shape.days));
        if date.weekday() == Weekday::Sun {
            date = (date - days(1)).max(start);
        }
        let mut attendees = BTreeSet::new();
        for (i, s) in staff.iter().enumerate() {
            let p = if s.role == Role::Operator { p_operator } else { p_volunteer };
            if rng.random_bool(p) {
                attendees.insert(i);
            }
        }
        if attendees.is_empty() && !staff.is_empty() {
            attendees.insert(rng.random_range(0..staff.len()));
        }
        out.push(TrainingPlan {
            date: date.min(today),
            title: pick_str(rng, names::TRAINING_TITLES),
            minutes: *pick(rng, &[120, 180, 180, 240, 480]),
            attendees,
        });
    }
    out.sort_by_key(|t| t.date);
    out
}
