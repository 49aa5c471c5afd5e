//! The projection: plain SQLite rows derived from the documents.
//!
//! [`plan`] is pure: given a document and what changed, it returns the rows
//! to delete and insert. [`apply`] executes a plan inside the caller's
//! SQLite transaction. Incremental maintenance and a full rebuild use the
//! same two functions, which is why they give identical rows (a test checks).

mod apply;
mod plan;
mod rows;

pub(crate) use apply::{apply, clear_all, dump, dump_rows};
pub(crate) use plan::{Scope, plan};

/// Bump when the projection's rows change meaning: every document is then
/// re-projected at the next open.
/// Version 2: open conflicts (`doc_conflicts`, decision 0031).
pub(crate) const VERSION: i64 = 2;

/// Projection tables, in dump order (the FTS table is dumped via its content).
pub(crate) const TABLES: &[&str] = &[
    "labs",
    "activity_types",
    "targets",
    "nomenclature_areas",
    "households",
    "members",
    "pathways",
    "persons",
    "person_labs",
    "lab_households",
    "lab_roster",
    "meetings",
    "meeting_facilitators",
    "attendance",
    "trainings",
    "training_attendance",
    "doc_conflicts",
];

/// Removes every projected row of a household (its erasure): the family
/// row, members, pathways, search row and open conflicts. Attendance (ids
/// only) and the lab's index entry (the code) stay.
pub(crate) fn erase_household(
    conn: &rusqlite::Connection,
    id: crate::ids::HouseholdId,
) -> crate::error::Result<()> {
    let doc_key = crate::doc::DocRef::household(id).to_string();
    let deletes = vec![rows::Delete::Household(id), rows::Delete::Conflicts { doc_key, prefix: None }];
    apply(conn, &rows::Plan { deletes, rows: Vec::new() })
}
