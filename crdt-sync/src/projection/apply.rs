//! Executing a plan against the projection tables.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::TABLES;
use super::rows::{Delete, Plan, Row};
use crate::error::Result;

/// Applies `plan` on `conn` (the caller holds the transaction).
pub(crate) fn apply(conn: &Connection, plan: &Plan) -> Result<()> {
    // `merged_into` and `canonical_id` of the households this plan replaces:
    // canonical ids are recomputed only when a `merged_into` changes, and
    // otherwise carried over to the re-inserted row.
    let mut before: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
    for d in &plan.deletes {
        if let Delete::Household(id) = d {
            let id = id.to_string();
            let old: Option<(Option<String>, String)> = conn
                .prepare_cached("SELECT merged_into, canonical_id FROM households WHERE id = ?1")?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some(old) = old {
                before.insert(id, old);
            }
        }
        delete(conn, d)?;
    }
    let mut merges_changed = false;
    for r in &plan.rows {
        insert(conn, r)?;
        if let Row::Household { id, merged_into, .. } = r {
            match before.remove(id) {
                Some((old_merged, canonical)) if old_merged == *merged_into => exec(
                    conn,
                    "UPDATE households SET canonical_id = ?2 WHERE id = ?1",
                    params![id, canonical],
                )?,
                Some(_) => merges_changed = true,
                None => merges_changed |= merged_into.is_some(),
            }
        }
    }
    // Households deleted and not re-inserted that were merged.
    merges_changed |= before.values().any(|(merged, _)| merged.is_some());
    if merges_changed {
        recompute_canonical(conn)?;
    }
    Ok(())
}

fn exec(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<()> {
    conn.prepare_cached(sql)?.execute(p)?;
    Ok(())
}

fn delete(conn: &Connection, d: &Delete) -> Result<()> {
    match d {
        Delete::Project => {
            for t in ["labs", "activity_types", "targets", "nomenclature_areas"] {
                exec(conn, &format!("DELETE FROM {t}"), [])?;
            }
        }
        Delete::Household(id) => {
            let id = id.to_string();
            // The search row shares the household row's rowid (see insert):
            // deleting by rowid avoids scanning the FTS table.
            exec(
                conn,
                "DELETE FROM household_search WHERE rowid = (SELECT rowid FROM households WHERE id = ?1)",
                [&id],
            )?;
            exec(conn, "DELETE FROM households WHERE id = ?1", [&id])?;
            exec(conn, "DELETE FROM members WHERE household_id = ?1", [&id])?;
            exec(conn, "DELETE FROM pathways WHERE household_id = ?1", [&id])?;
        }
        Delete::Person(id) => {
            let id = id.to_string();
            exec(conn, "DELETE FROM persons WHERE id = ?1", [&id])?;
            exec(conn, "DELETE FROM person_labs WHERE person_id = ?1", [&id])?;
        }
        Delete::Meeting(id) => {
            let id = id.to_string();
            exec(conn, "DELETE FROM meetings WHERE id = ?1", [&id])?;
            exec(conn, "DELETE FROM meeting_facilitators WHERE meeting_id = ?1", [&id])?;
            exec(conn, "DELETE FROM attendance WHERE meeting_id = ?1", [&id])?;
        }
        Delete::LabMeetings(lab) => {
            let lab = lab.to_string();
            exec(
                conn,
                "DELETE FROM meeting_facilitators WHERE meeting_id IN (SELECT id FROM meetings WHERE lab_id = ?1)",
                [&lab],
            )?;
            exec(conn, "DELETE FROM attendance WHERE lab_id = ?1", [&lab])?;
            exec(conn, "DELETE FROM meetings WHERE lab_id = ?1", [&lab])?;
        }
        Delete::LabHouseholds(lab) => {
            exec(conn, "DELETE FROM lab_households WHERE lab_id = ?1", [lab.to_string()])?
        }
        Delete::LabHousehold(lab, h) => exec(
            conn,
            "DELETE FROM lab_households WHERE lab_id = ?1 AND household_id = ?2",
            params![lab.to_string(), h.to_string()],
        )?,
        Delete::LabRoster(lab) => exec(conn, "DELETE FROM lab_roster WHERE lab_id = ?1", [lab.to_string()])?,
        Delete::Trainings => {
            exec(conn, "DELETE FROM trainings", [])?;
            exec(conn, "DELETE FROM training_attendance", [])?;
        }
        Delete::Conflicts { doc_key, prefix: None } => {
            exec(conn, "DELETE FROM doc_conflicts WHERE doc_key = ?1", [doc_key])?
        }
        // The path itself and every path below it; `substr`, not `LIKE`,
        // because keys may hold `%` or `_`.
        Delete::Conflicts { doc_key, prefix: Some(prefix) } => exec(
            conn,
            "DELETE FROM doc_conflicts WHERE doc_key = ?1
               AND (path = ?2 OR substr(path, 1, length(?2) + 1) = ?2 || '.')",
            params![doc_key, prefix],
        )?,
    }
    Ok(())
}

fn insert(conn: &Connection, r: &Row) -> Result<()> {
    match r {
        Row::Lab { id, number, name, address, partner } => exec(
            conn,
            "INSERT INTO labs (id, number, name, address, partner) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, number, name, address, partner],
        ),
        Row::ActivityType { key, label_it, label_en, nomenclature } => exec(
            conn,
            "INSERT INTO activity_types (key, label_it, label_en, nomenclature) VALUES (?1, ?2, ?3, ?4)",
            params![key, label_it, label_en, nomenclature],
        ),
        Row::NomenclatureArea { code, name } => {
            exec(conn, "INSERT INTO nomenclature_areas (code, name) VALUES (?1, ?2)", params![code, name])
        }
        Row::Target { key, value } => {
            exec(conn, "INSERT INTO targets (key, value) VALUES (?1, ?2)", params![key, value])
        }
        Row::Household {
            id,
            lab_id,
            code,
            reference_id,
            phone,
            email,
            address,
            areas,
            referral,
            consent_date,
            consent_scopes,
            legal_basis,
            legal_status,
            restricted,
            merged_into,
            merge_confirmed,
            created_at,
        } => exec(
            conn,
            "INSERT INTO households (id, lab_id, code, reference_id, phone, email, address, areas, referral,
                consent_date, consent_scopes, merged_into, merge_confirmed, canonical_id, created_at,
                legal_basis, legal_status, restricted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?1, ?14, ?15, ?16, ?17)",
            params![
                id,
                lab_id,
                code,
                reference_id,
                phone,
                email,
                address,
                areas,
                referral,
                consent_date,
                consent_scopes,
                merged_into,
                merge_confirmed,
                created_at,
                legal_basis,
                legal_status,
                restricted
            ],
        ),
        Row::Member { id, household_id, first_name, last_name, birth_year } => exec(
            conn,
            "INSERT INTO members (id, household_id, first_name, last_name, birth_year) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, household_id, first_name, last_name, birth_year],
        ),
        Row::Pathway { id, household_id, kind, start_date, end_date, operator_id, status, notes } => exec(
            conn,
            "INSERT INTO pathways (id, household_id, kind, start_date, end_date, operator_id, status, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, household_id, kind, start_date, end_date, operator_id, status, notes],
        ),
        Row::HouseholdSearch { household_id, code, names } => exec(
            conn,
            "INSERT INTO household_search (rowid, household_id, code, names)
             VALUES ((SELECT rowid FROM households WHERE id = ?1), ?1, ?2, ?3)",
            params![household_id, code, names],
        ),
        Row::Person { id, code, first_name, last_name, role, organisation, phone, email } => exec(
            conn,
            "INSERT INTO persons (id, code, first_name, last_name, role, organisation, phone, email)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, code, first_name, last_name, role, organisation, phone, email],
        ),
        Row::PersonLab { person_id, lab_id } => exec(
            conn,
            "INSERT INTO person_labs (person_id, lab_id) VALUES (?1, ?2)",
            params![person_id, lab_id],
        ),
        Row::LabHousehold { lab_id, household_id, code } => exec(
            conn,
            "INSERT INTO lab_households (lab_id, household_id, code) VALUES (?1, ?2, ?3)",
            params![lab_id, household_id, code],
        ),
        Row::Roster { lab_id, person_id } => exec(
            conn,
            "INSERT INTO lab_roster (lab_id, person_id) VALUES (?1, ?2)",
            params![lab_id, person_id],
        ),
        Row::Meeting { id, lab_id, date, start_time, end_time, activity, theme, guests, notes } => exec(
            conn,
            "INSERT INTO meetings (id, lab_id, date, start_time, end_time, activity, theme, guests, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, lab_id, date, start_time, end_time, activity, theme, guests, notes],
        ),
        Row::Facilitator { meeting_id, person_id } => exec(
            conn,
            "INSERT INTO meeting_facilitators (meeting_id, person_id) VALUES (?1, ?2)",
            params![meeting_id, person_id],
        ),
        Row::Attendance { meeting_id, member_id, household_id, lab_id, date } => exec(
            conn,
            "INSERT INTO attendance (meeting_id, member_id, household_id, lab_id, date) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![meeting_id, member_id, household_id, lab_id, date],
        ),
        Row::Training { id, date, start, title, minutes, completion } => exec(
            conn,
            "INSERT INTO trainings (id, date, title, minutes, start, completion) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, date, title, minutes, start, completion],
        ),
        Row::TrainingAttendance { training_id, person_id, minutes, completed } => exec(
            conn,
            "INSERT INTO training_attendance (training_id, person_id, minutes, completed) VALUES (?1, ?2, ?3, ?4)",
            params![training_id, person_id, minutes, completed],
        ),
        Row::Conflict { doc_key, path } => exec(
            conn,
            "INSERT OR IGNORE INTO doc_conflicts (doc_key, path) VALUES (?1, ?2)",
            params![doc_key, path],
        ),
    }
}

/// Resolves `merged_into` chains so every household's `canonical_id` names
/// the family it now counts as. A chain ends at a household that is not
/// merged (or not known here). A cycle, possible when two devices merge A
/// into B and B into A offline, resolves to the smallest id in the cycle, the
/// same on every replica.
pub(crate) fn recompute_canonical(conn: &Connection) -> Result<()> {
    let merged: BTreeMap<String, String> = conn
        .prepare_cached("SELECT id, merged_into FROM households WHERE merged_into IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    exec(
        conn,
        "UPDATE households SET canonical_id = id WHERE canonical_id <> id AND merged_into IS NULL",
        [],
    )?;
    for start in merged.keys() {
        let canonical = resolve(&merged, start);
        exec(
            conn,
            "UPDATE households SET canonical_id = ?2 WHERE id = ?1 AND canonical_id <> ?2",
            params![start, canonical],
        )?;
    }
    Ok(())
}

fn resolve<'a>(merged: &'a BTreeMap<String, String>, start: &'a str) -> &'a str {
    let mut path: Vec<&str> = vec![start];
    let mut cur = start;
    while let Some(next) = merged.get(cur) {
        if let Some(pos) = path.iter().position(|p| *p == next.as_str()) {
            // A cycle: path[pos..] are its members.
            return path[pos..].iter().copied().min().unwrap_or(next);
        }
        path.push(next);
        cur = next;
    }
    cur
}

/// Removes every projected row.
pub(crate) fn clear_all(conn: &Connection) -> Result<()> {
    for t in TABLES {
        exec(conn, &format!("DELETE FROM {t}"), [])?;
    }
    exec(conn, "DELETE FROM household_search", [])?;
    Ok(())
}

/// The rows `sql` returns, each as `name|cell|cell…`, sorted.
pub(crate) fn dump_rows(
    conn: &Connection,
    name: &str,
    sql: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let n = stmt.column_count();
    let mut rows: Vec<String> = stmt
        .query_map(p, |r| {
            let cells = (0..n)
                .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(format!("{name}|{}", cells.join("|")))
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.sort();
    Ok(rows)
}

/// Every projected row, as text, in a stable order: for comparing replicas
/// and rebuilds byte for byte.
pub(crate) fn dump(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut tables: Vec<(String, String)> =
        TABLES.iter().map(|t| ((*t).to_owned(), format!("SELECT * FROM {t}"))).collect();
    tables.push(("household_search".into(), "SELECT household_id, code, names FROM household_search".into()));
    for (name, sql) in tables {
        out.extend(dump_rows(conn, &name, &sql, [])?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn chains_resolve_to_their_end() {
        let merged = m(&[("a", "b"), ("b", "c")]);
        assert_eq!(resolve(&merged, "a"), "c");
        assert_eq!(resolve(&merged, "b"), "c");
    }

    #[test]
    fn cycles_resolve_to_their_smallest_member() {
        let merged = m(&[("b", "a"), ("a", "b"), ("c", "b")]);
        assert_eq!(resolve(&merged, "a"), "a");
        assert_eq!(resolve(&merged, "b"), "a");
        assert_eq!(resolve(&merged, "c"), "a");
    }
}
