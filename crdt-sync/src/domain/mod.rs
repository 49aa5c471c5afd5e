//! The domain model: plain values, independent of automerge and SQLite.
//!
//! Reading a document yields these types; operations take the `New*` and
//! `*Patch` inputs, which are validated before anything is written.

mod codice_fiscale;
mod consent;
mod device;
mod erasure;
mod household;
mod meeting;
mod member;
mod nomenclature;
mod person;
mod project;
mod training;
mod training_presence;
mod validate;
mod volunteer;

pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError, Sex};
pub use consent::{
    Consent, ConsentScope, Guardian, LegalBasis, LegalStatus, NewConsent, NewGuardian, Restriction,
    RestrictionReason, SpecialCondition, Withdrawal, WithdrawnScopes,
};
pub(crate) use consent::{
    check_minor_member, check_new as check_new_consent, check_renewal as check_consent_renewal,
};
pub use device::{DeviceRole, Directory, DirectoryEntry, Grant};
pub use erasure::{ErasedHousehold, ErasureReason, ErasureRequest, Tombstone, VolunteerTombstone};
pub use household::{
    Area, Contacts, Household, HouseholdPatch, NewHousehold, NewPathway, Pathway, PathwayKind, PathwayPatch,
    PathwayStatus, ReferralSource,
};
pub use meeting::{Attendance, Meeting, MeetingPatch, NewMeeting};
pub use member::{AgeStatus, Member, MemberPatch, NewMember};
pub(crate) use nomenclature::check_code as check_nomenclature_code;
pub use nomenclature::{MAX_NOMENCLATURE_CODE, NomenclatureArea};
pub use person::{NewPerson, Person, PersonPatch, Role};
pub use project::RetentionPolicy;
pub use project::{ActivityType, Lab, NewLab, Targets};
pub use training::{DEFAULT_COMPLETION_PERCENT, NewTraining, TrainingPatch, TrainingSession};
pub use training_presence::{Attendee, PresenceRecord, SessionSpan};
pub(crate) use validate::{check_birth_year, check_date, check_name, check_text};
pub(crate) use volunteer::CheckedEntry;
pub use volunteer::{Organisation, VolunteerEntry, VolunteerRecord};

/// A closed set of values stored in documents as a stable lowercase key.
pub trait Keyed: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable key written into documents and the projection.
    fn key(self) -> &'static str;
    /// The value for a key; `None` for keys written by a newer app.
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.key() == key)
    }
}

macro_rules! keyed_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "bindings", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $crate::domain::Keyed for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }
    };
}
pub(crate) use keyed_enum;
