//! What the hub answers at `GET /update`: its own versions and, perhaps, a
//! release for the asking laptop. This answer's shape is frozen: a laptop
//! too old to sync with its hub still reads it, to learn of the release
//! that lets it sync again.

use serde::{Deserialize, Serialize};

use crate::SignedRelease;

/// The hub's answer at `GET /update`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateInfo {
    /// The hub's own version.
    pub hub_version: String,
    /// The sync protocol the hub speaks. A laptop that speaks another
    /// cannot sync: an older one installs the offer; a newer one waits for
    /// the hub, keeping its data.
    pub protocol: u16,
    /// The newest release for the laptop's format and lab, if newer than
    /// the laptop's version.
    pub offer: Option<UpdateOffer>,
}

/// A release the hub offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateOffer {
    /// The manifest and signature, as published: the laptop checks them.
    pub release: SignedRelease,
    /// Where to download the package on the same hub
    /// (`/update/package/<version>/<format>`).
    pub path: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON an older laptop reads: the field names may never change.
    #[test]
    fn the_shape_is_frozen() {
        let info = UpdateInfo {
            hub_version: "0.1.0".into(),
            protocol: 5,
            offer: Some(UpdateOffer {
                release: SignedRelease { manifest: "{}".into(), signature: "sig".into() },
                path: "/update/package/0.2.0/deb".into(),
            }),
        };
        assert_eq!(
            serde_json::to_string(&info).expect("json"),
            r#"{"hub_version":"0.1.0","protocol":5,"offer":{"release":{"manifest":"{}","signature":"sig"},"path":"/update/package/0.2.0/deb"}}"#
        );
    }
}
