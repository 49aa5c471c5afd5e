//! The project document's contents: labs, activity types, targets.

use serde::{Deserialize, Serialize};

use crate::ids::LabId;

/// A *Laboratorio di comunità*.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Lab {
    /// Its id (also the id of its lab document).
    pub id: LabId,
    /// Number 1–10 (99 at most), used in codes (`PV03-…`).
    pub number: u8,
    /// Display name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// The partner organisation that runs it.
    pub partner: String,
}

/// Input for a new lab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewLab {
    /// Number 1–99, unique in the project.
    pub number: u8,
    /// Display name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Partner organisation.
    pub partner: String,
}

/// A kind of activity a meeting can be. The list lives in the project
/// document and can grow; `key` is what meetings store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ActivityType {
    /// Stable key (`family_tutoring`).
    pub key: String,
    /// Italian label.
    pub label_it: String,
    /// English label.
    pub label_en: String,
    /// The code of the nomenclature area it is mapped to
    /// ([`NomenclatureArea`](crate::NomenclatureArea)); `None` when not
    /// mapped. In the project document at `activity_types.<key>.nomenclature`;
    /// an absent key (every document written before issue 15) and a code
    /// that is not among the project's areas (removed, perhaps on another
    /// laptop, while this one mapped to it) both read as not mapped.
    /// [`put_activity_type`](crate::ProjectSettings::put_activity_type)
    /// leaves it as it is; `set_activity_nomenclature` changes it.
    #[serde(default)]
    pub nomenclature: Option<String>,
}

impl ActivityType {
    /// The six activity types every project starts with, none mapped to an
    /// area of the nomenclature.
    pub fn defaults() -> Vec<ActivityType> {
        [
            ("family_tutoring", "Tutoraggio familiare", "Family tutoring"),
            ("conflict_mediation", "Mediazione dei conflitti", "Conflict mediation"),
            ("parenting_support", "Sostegno alla genitorialità", "Parenting support"),
            ("self_care", "Cura di sé", "Self-care"),
            ("open_lab", "Laboratorio aperto", "Open lab"),
            ("other", "Altro", "Other"),
        ]
        .into_iter()
        .map(|(key, it, en)| ActivityType {
            key: key.into(),
            label_it: it.into(),
            label_en: en.into(),
            nomenclature: None,
        })
        .collect()
    }
}

/// The grant's targets, against which indicators are measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Targets {
    /// Families accompanied (800).
    pub families: u32,
    /// Permanent labs (10).
    pub labs: u32,
    /// Operators trained (60).
    pub operators_trained: u32,
    /// Volunteers trained (120).
    pub volunteers_trained: u32,
    /// Training hours that make a person count as trained.
    pub trained_hours: u32,
}

impl Default for Targets {
    fn default() -> Self {
        Targets { families: 800, labs: 10, operators_trained: 60, volunteers_trained: 120, trained_hours: 20 }
    }
}

/// How long families' data is kept, and how long a device may go without
/// syncing; in the project document at `retention{inactive_years,stale_device_days}`
/// (written by coordinators only: the hub refuses the project document from
/// any other device). Fields never written read as the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct RetentionPolicy {
    /// A family with no activity (registration, consent, attendance, a
    /// pathway's start or end) for this many whole years is due for erasure
    /// (default 5).
    pub inactive_years: u32,
    /// A device that has not synced for this many days locks families'
    /// personal data (default 30). Only stored here; the app enforces it.
    pub stale_device_days: u32,
    /// A volunteer's entry in an organisation's register is due for
    /// erasure this many whole years after the volunteering ended (default
    /// 5; decision 0033). Absent in policies written before issue 15.
    #[serde(default = "RetentionPolicy::default_volunteer_years")]
    pub volunteer_years: u32,
}

impl RetentionPolicy {
    /// Default retention of a volunteer's entry: five years after the end.
    pub const DEFAULT_VOLUNTEER_YEARS: u32 = 5;

    fn default_volunteer_years() -> u32 {
        Self::DEFAULT_VOLUNTEER_YEARS
    }

    /// Default retention: five years without activity.
    pub const DEFAULT_INACTIVE_YEARS: u32 = 5;
    /// Default lock: thirty days without a sync.
    pub const DEFAULT_STALE_DEVICE_DAYS: u32 = 30;
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            inactive_years: Self::DEFAULT_INACTIVE_YEARS,
            stale_device_days: Self::DEFAULT_STALE_DEVICE_DAYS,
            volunteer_years: Self::DEFAULT_VOLUNTEER_YEARS,
        }
    }
}
