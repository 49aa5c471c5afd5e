//! What the project sets for every lab: the labs, the activity types and
//! their areas of the nomenclature, the targets, and this device's code
//! numbers ([`ProjectSettings`]).

use rusqlite::params;

use super::rows::parse;
use crate::codes::CodeRange;
use crate::doc;
use crate::doc::DocRef;
use crate::domain::check_nomenclature_code;
use crate::domain::{ActivityType, Lab, NewLab, NomenclatureArea, Targets, check_name, check_text};
use crate::error::{Error, Result};
use crate::ids::LabId;
use crate::selection::Labs;
use crate::store::Store;
use crate::store::api::*;

impl ProjectSettings for Store {
    fn add_code_range(&mut self, range: CodeRange) -> Result<()> {
        let overlaps: i64 = self.conn.query_row(
            "SELECT count(*) FROM code_ranges WHERE first_code <= ?2 AND last_code >= ?1",
            params![range.first, range.last],
            |r| r.get(0),
        )?;
        if overlaps > 0 {
            return Err(Error::invalid("code_range", "overlaps a range this device already has"));
        }
        self.conn.execute(
            "INSERT INTO code_ranges (first_code, last_code, next_code) VALUES (?1, ?2, ?1)",
            params![range.first, range.last],
        )?;
        Ok(())
    }

    fn create_lab(&mut self, lab: NewLab) -> Result<LabId> {
        if !(1..=99).contains(&lab.number) {
            return Err(Error::invalid("lab.number", format!("{} is not between 1 and 99", lab.number)));
        }
        let lab = NewLab { name: check_name("lab.name", &lab.name)?, ..lab };
        check_text("lab.address", &lab.address)?;
        if self.labs()?.iter().any(|l| l.number == lab.number) {
            return Err(Error::invalid("lab.number", format!("lab {} already exists", lab.number)));
        }
        let id = LabId(self.env.new_uuid());
        let (_, p1) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_lab(tx, id, &lab))?;
        let p2 = match self.edit(DocRef::lab(id), true, |_| Ok(())) {
            Ok((_, p)) => p,
            Err(e) => {
                self.discard([p1]);
                return Err(e);
            }
        };
        self.commit(p1.into_iter().chain(p2).collect())?;
        Ok(id)
    }

    fn update_lab(&mut self, lab: Lab) -> Result<()> {
        let current = self
            .labs()?
            .into_iter()
            .find(|l| l.id == lab.id)
            .ok_or_else(|| Error::not_found("lab", lab.id))?;
        let new = NewLab {
            number: current.number,
            name: check_name("lab.name", &lab.name)?,
            address: lab.address,
            partner: lab.partner,
        };
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_lab(tx, lab.id, &new))?;
        self.commit(p.into_iter().collect())
    }

    fn put_activity_type(&mut self, t: ActivityType) -> Result<()> {
        let key = t.key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()) {
            return Err(Error::invalid("activity_type.key", "use lowercase letters, digits and _"));
        }
        let t = ActivityType {
            key: key.to_owned(),
            label_it: check_name("activity_type.label_it", &t.label_it)?,
            label_en: check_name("activity_type.label_en", &t.label_en)?,
            nomenclature: None,
        };
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_activity_type(tx, &t))?;
        self.commit(p.into_iter().collect())
    }

    fn put_nomenclature_area(&mut self, area: NomenclatureArea) -> Result<()> {
        let area = area.checked()?;
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            doc::project::put_nomenclature_area(tx, &area)
        })?;
        self.commit(p.into_iter().collect())
    }

    fn remove_nomenclature_area(&mut self, code: &str) -> Result<Vec<String>> {
        let code = code.trim();
        if !self.nomenclature_areas()?.iter().any(|a| a.code == code) {
            return Err(Error::not_found("nomenclature_area", code));
        }
        let (unmapped, p) = self.edit(DocRef::project(self.project), false, |tx| {
            doc::project::remove_nomenclature_area(tx, code)
        })?;
        self.commit(p.into_iter().collect())?;
        Ok(unmapped)
    }

    fn set_activity_nomenclature(&mut self, key: &str, code: Option<&str>) -> Result<()> {
        if !self.activity_types()?.iter().any(|t| t.key == key) {
            return Err(Error::not_found("activity_type", key));
        }
        let code = code.map(check_nomenclature_code).transpose()?;
        if let Some(code) = &code
            && !self.nomenclature_areas()?.iter().any(|a| &a.code == code)
        {
            return Err(Error::not_found("nomenclature_area", code));
        }
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            doc::project::put_activity_nomenclature(tx, key, code.as_deref())
        })?;
        self.commit(p.into_iter().collect())
    }

    fn nomenclature_areas(&self) -> Result<Vec<NomenclatureArea>> {
        let mut stmt = self.conn.prepare_cached("SELECT code, name FROM nomenclature_areas ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok(NomenclatureArea { code: r.get(0)?, name: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_targets(&mut self, t: Targets) -> Result<()> {
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_targets(tx, &t))?;
        self.commit(p.into_iter().collect())
    }

    fn labs(&self) -> Result<Vec<Lab>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, number, name, address, partner FROM labs ORDER BY number")?;
        let rows = stmt.query_map([], |r| {
            Ok(Lab {
                id: parse(r.get(0)?)?,
                number: r.get(1)?,
                name: r.get(2)?,
                address: r.get(3)?,
                partner: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn activity_types(&self) -> Result<Vec<ActivityType>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, label_it, label_en, nomenclature FROM activity_types ORDER BY key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ActivityType {
                key: r.get(0)?,
                label_it: r.get(1)?,
                label_en: r.get(2)?,
                nomenclature: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn targets(&mut self) -> Result<Targets> {
        Ok(doc::project::targets(self.doc(DocRef::project(self.project))?))
    }

    fn resolve_labs(&self, labs: &Labs) -> Result<Vec<Lab>> {
        let all = self.labs()?;
        match labs {
            Labs::All => Ok(all),
            Labs::Only(ids) => {
                if let Some(missing) = ids.iter().find(|id| !all.iter().any(|l| l.id == **id)) {
                    return Err(Error::not_found("lab", missing));
                }
                Ok(all.into_iter().filter(|l| ids.contains(&l.id)).collect())
            }
        }
    }
}
