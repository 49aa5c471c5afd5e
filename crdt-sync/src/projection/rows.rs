//! Rows of the projection tables, as data.

use crate::ids::{HouseholdId, LabId, MeetingId, PersonId};

/// Rows to remove before inserting a document's (or an entity's) new rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Delete {
    /// Everything from the project document.
    Project,
    /// Everything of one household.
    Household(HouseholdId),
    /// Everything of one person.
    Person(PersonId),
    /// One meeting with its attendance and facilitators.
    Meeting(MeetingId),
    /// Every meeting of a lab.
    LabMeetings(LabId),
    /// A lab's households index.
    LabHouseholds(LabId),
    /// One entry of a lab's households index.
    LabHousehold(LabId, HouseholdId),
    /// A lab's roster.
    LabRoster(LabId),
    /// Every training session.
    Trainings,
    /// A document's open conflicts (`doc_conflicts`): all of them, or only
    /// those at the dotted path `prefix` and below it.
    Conflicts { doc_key: String, prefix: Option<String> },
}

/// One projected row. Text columns hold ids as hyphenated UUIDs and dates as
/// ISO `YYYY-MM-DD`, so they sort and compare in SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Row {
    Lab {
        id: String,
        number: i64,
        name: String,
        address: String,
        partner: String,
    },
    ActivityType {
        key: String,
        label_it: String,
        label_en: String,
        nomenclature: Option<String>,
    },
    NomenclatureArea {
        code: String,
        name: String,
    },
    Target {
        key: &'static str,
        value: i64,
    },
    Household {
        id: String,
        lab_id: String,
        code: String,
        reference_id: Option<String>,
        phone: String,
        email: String,
        address: String,
        areas: String,
        referral: Option<String>,
        consent_date: Option<String>,
        consent_scopes: Option<String>,
        legal_basis: Option<String>,
        legal_status: &'static str,
        restricted: bool,
        merged_into: Option<String>,
        merge_confirmed: bool,
        created_at: i64,
    },
    Member {
        id: String,
        household_id: String,
        first_name: String,
        last_name: String,
        birth_year: Option<i64>,
    },
    Pathway {
        id: String,
        household_id: String,
        kind: String,
        start_date: String,
        end_date: Option<String>,
        operator_id: Option<String>,
        status: String,
        notes: String,
    },
    HouseholdSearch {
        household_id: String,
        code: String,
        names: String,
    },
    Person {
        id: String,
        code: String,
        first_name: String,
        last_name: String,
        role: String,
        organisation: String,
        phone: String,
        email: String,
    },
    PersonLab {
        person_id: String,
        lab_id: String,
    },
    LabHousehold {
        lab_id: String,
        household_id: String,
        code: String,
    },
    Roster {
        lab_id: String,
        person_id: String,
    },
    Meeting {
        id: String,
        lab_id: String,
        date: String,
        start_time: String,
        end_time: String,
        activity: String,
        theme: String,
        guests: i64,
        notes: String,
    },
    Facilitator {
        meeting_id: String,
        person_id: String,
    },
    Attendance {
        meeting_id: String,
        member_id: String,
        household_id: String,
        lab_id: String,
        date: String,
    },
    Training {
        id: String,
        date: String,
        start: Option<String>,
        title: String,
        minutes: i64,
        completion: i64,
    },
    /// `minutes`: attended, by the rule of `domain::training_presence`.
    TrainingAttendance {
        training_id: String,
        person_id: String,
        minutes: i64,
        completed: bool,
    },
    Conflict {
        doc_key: String,
        path: String,
    },
}

/// What projecting (part of) a document does to the tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Applied first.
    pub deletes: Vec<Delete>,
    /// Then these.
    pub rows: Vec<Row>,
}
