//! Typed identifiers. Every entity has a UUID v7 (time-ordered) wrapped in a
//! newtype so a `MemberId` can never be passed where a `HouseholdId` is meant.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "bindings", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The underlying UUID.
            pub fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }
    };
}

id_type!(
    /// The deployment (one per project, e.g. "Fare #BeneComune").
    ProjectId
);
id_type!(
    /// A *Laboratorio di comunità*.
    LabId
);
id_type!(
    /// A family (household).
    HouseholdId
);
id_type!(
    /// A member of a household.
    MemberId
);
id_type!(
    /// An operator or volunteer.
    PersonId
);
id_type!(
    /// A lab meeting.
    MeetingId
);
id_type!(
    /// A pathway (*percorso*) a household follows.
    PathwayId
);
id_type!(
    /// A training session.
    TrainingId
);
id_type!(
    /// A partner organisation of the project (the Consorzio, the Comune,
    /// each partner): the *ente* whose volunteers' register a record is in.
    OrganisationId
);
id_type!(
    /// A device (a laptop, or the hub).
    DeviceId
);
