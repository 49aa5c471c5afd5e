//! Operators and volunteers, and their trainings ([`Staff`]).

use crate::codes::format_code;
use crate::doc;
use crate::doc::DocRef;
use crate::domain::{
    Keyed, NewPerson, NewTraining, Person, PersonPatch, PresenceRecord, Role, TrainingPatch, TrainingSession,
    check_date, check_name, check_text,
};
use crate::error::{Error, Result};
use crate::ids::{LabId, PersonId, TrainingId};
use crate::store::Store;
use crate::store::api::*;

impl Staff for Store {
    fn create_person(&mut self, p: NewPerson) -> Result<PersonId> {
        let number = self.lab_number(p.lab)?;
        let p = NewPerson {
            first_name: check_name("person.first_name", &p.first_name)?,
            last_name: check_name("person.last_name", &p.last_name)?,
            ..p
        };
        check_text("person.organisation", &p.organisation)?;
        let id = PersonId(self.env.new_uuid());
        let code = format_code(number, self.next_code_number()?);
        let (_, p1) = self.edit(DocRef::person(id), true, |tx| doc::person::write_new(tx, &code, &p))?;
        let p2 = match self.edit(DocRef::lab(p.lab), false, |tx| doc::lab::add_to_roster(tx, id)) {
            Ok((_, x)) => x,
            Err(e) => {
                self.discard([p1]);
                return Err(e);
            }
        };
        self.commit(p1.into_iter().chain(p2).collect())?;
        Ok(id)
    }

    fn update_person(&mut self, id: PersonId, patch: PersonPatch) -> Result<()> {
        let patch = PersonPatch {
            first_name: patch
                .first_name
                .as_deref()
                .map(|n| check_name("person.first_name", n))
                .transpose()?,
            last_name: patch.last_name.as_deref().map(|n| check_name("person.last_name", n)).transpose()?,
            ..patch
        };
        let (_, p) = self.edit(DocRef::person(id), false, |tx| doc::person::patch(tx, &patch))?;
        self.commit(p.into_iter().collect())
    }

    fn create_training(&mut self, t: NewTraining) -> Result<TrainingId> {
        let today = self.env.today();
        check_date("training.date", t.date, today)?;
        let t = NewTraining { title: check_name("training.title", &t.title)?, ..t };
        check_shape(t.start, t.minutes, t.completion_percent)?;
        for p in &t.attendees {
            self.check_person("training.attendees", *p)?;
        }
        let id = TrainingId(self.env.new_uuid());
        let (_, p) =
            self.edit(DocRef::training(self.project), true, |tx| doc::training::write_new(tx, id, &t))?;
        self.commit(p.into_iter().collect())?;
        Ok(id)
    }

    fn update_training(&mut self, training: TrainingId, patch: TrainingPatch) -> Result<()> {
        let today = self.env.today();
        if let Some(d) = patch.date {
            check_date("training.date", d, today)?;
        }
        let patch = TrainingPatch {
            title: patch.title.as_deref().map(|t| check_name("training.title", t)).transpose()?,
            ..patch
        };
        let r = DocRef::training(self.project);
        let Some(now) = doc::training::read(self.doc(r)?, training) else {
            return Err(Error::not_found("training", training));
        };
        check_shape(
            patch.start.or(now.start),
            patch.minutes.unwrap_or(now.minutes),
            patch.completion_percent,
        )?;
        let (_, p) = self.edit(r, false, |tx| doc::training::patch(tx, training, &patch))?;
        self.commit(p.into_iter().collect())
    }

    fn set_training_attendance(
        &mut self,
        training: TrainingId,
        person: PersonId,
        present: bool,
    ) -> Result<()> {
        self.check_person("training.attendees", person)?;
        let r = DocRef::training(self.project);
        if doc::training::read(self.doc(r)?, training).is_none() {
            return Err(Error::not_found("training", training));
        }
        let (_, p) = self.edit(r, false, |tx| doc::training::set_attendee(tx, training, person, present))?;
        self.commit(p.into_iter().collect())
    }

    fn record_training_presence(
        &mut self,
        training: TrainingId,
        person: PersonId,
        record: PresenceRecord,
    ) -> Result<()> {
        self.check_person("training.attendees", person)?;
        let r = DocRef::training(self.project);
        let Some(session) = doc::training::read(self.doc(r)?, training) else {
            return Err(Error::not_found("training", training));
        };
        session.span().check(&record)?;
        let (_, p) = self.edit(r, false, |tx| doc::training::set_presence(tx, training, person, &record))?;
        self.commit(p.into_iter().collect())
    }

    fn person(&mut self, id: PersonId) -> Result<Person> {
        doc::person::read(self.doc(DocRef::person(id))?, id).ok_or_else(|| Error::not_found("person", id))
    }

    fn persons(&mut self, lab: Option<LabId>) -> Result<Vec<Person>> {
        // From the projection, which holds every field `person` reads (the
        // projection check at open makes it current): loading each person's
        // document instead kept the picker that opens right after unlocking
        // waiting about 0.1 s on a five-year register (decision 0037).
        const COLUMNS: &str =
            "p.id, p.code, p.first_name, p.last_name, p.role, p.organisation, p.phone, p.email";
        let sql = match lab {
            Some(_) => format!(
                "SELECT {COLUMNS} FROM persons p JOIN lab_roster r ON r.person_id = p.id
                 WHERE r.lab_id = ?1 ORDER BY p.last_name, p.first_name, p.id"
            ),
            None => format!("SELECT {COLUMNS} FROM persons p ORDER BY p.last_name, p.first_name, p.id"),
        };
        let mut labs: std::collections::HashMap<String, std::collections::BTreeSet<LabId>> =
            std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached("SELECT person_id, lab_id FROM person_labs")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if let Ok(l) = row.get::<_, String>(1)?.parse() {
                    labs.entry(row.get(0)?).or_default().insert(l);
                }
            }
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = match lab {
            Some(l) => stmt.query([l.to_string()])?,
            None => stmt.query([])?,
        };
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let role: String = row.get(4)?;
            // Rows the projection wrote from a readable document only.
            let (Ok(pid), Some(role)) = (id.parse::<PersonId>(), Role::from_key(&role)) else {
                continue;
            };
            out.push(Person {
                id: pid,
                code: row.get(1)?,
                first_name: row.get(2)?,
                last_name: row.get(3)?,
                role,
                organisation: row.get(5)?,
                phone: row.get(6)?,
                email: row.get(7)?,
                labs: labs.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    fn trainings(&mut self) -> Result<Vec<TrainingSession>> {
        let d = self.doc(DocRef::training(self.project))?;
        let mut out: Vec<TrainingSession> =
            doc::training::session_ids(d).into_iter().filter_map(|id| doc::training::read(d, id)).collect();
        out.sort_by_key(|t| (t.date, t.id));
        Ok(out)
    }
}

/// A session lasts 1 minute to 24 hours, ends the day it starts (arrival
/// and departure are times of its date) and has a threshold of 1–100%.
fn check_shape(start: Option<chrono::NaiveTime>, minutes: u32, completion: Option<u8>) -> Result<()> {
    use chrono::Timelike;
    if !(1..=24 * 60).contains(&minutes) {
        return Err(Error::invalid("training.minutes", "must be between 1 minute and 24 hours"));
    }
    if let Some(s) = start
        && s.num_seconds_from_midnight() / 60 + minutes > 24 * 60
    {
        return Err(Error::invalid(
            "training.minutes",
            format!("a session starting at {} must end by midnight", s.format("%H:%M")),
        ));
    }
    if let Some(c) = completion
        && !(1..=100).contains(&c)
    {
        return Err(Error::invalid("training.completion_percent", "must be between 1 and 100 percent"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::Staff;
    use crate::testing::register::build;

    /// The list read from the projection is what reading each person's
    /// document gives, for every lab and for the whole register.
    #[test]
    fn persons_from_the_projection_equal_their_documents() {
        let (mut s, f) = build();
        for lab in [None, Some(f.lab1), Some(f.lab2)] {
            let listed = s.persons(lab).expect("persons");
            let read: Vec<_> = listed.iter().map(|p| s.person(p.id).expect("person")).collect();
            assert_eq!(listed, read, "{lab:?}");
            if let Some(lab) = lab {
                assert!(listed.iter().all(|p| p.labs.contains(&lab)), "{lab:?}");
            }
        }
        let all = s.persons(None).expect("all");
        assert_eq!(all.len(), f.staff.len(), "every person of the fixture");
        assert_eq!(s.persons(Some(f.lab1)).expect("lab 1").len(), 3, "Olga, Vera, Walter");
        // And after an edit, the projection follows the document.
        let olga = f.staff[0];
        let patch = crate::domain::PersonPatch { phone: Some("0382 999".into()), ..Default::default() };
        s.update_person(olga, patch).expect("edit");
        let listed = s.persons(None).expect("after the edit");
        let olga_listed = listed.iter().find(|p| p.id == olga).expect("Olga");
        assert_eq!(olga_listed, &s.person(olga).expect("Olga's document"));
        assert_eq!(olga_listed.phone, "0382 999");
    }
}
