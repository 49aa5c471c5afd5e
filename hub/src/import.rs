//! What `taccuino-hub import` accepts: a bundle opened with its lab's
//! current key and made by an active device of that lab (decision 0016).

use crdt_sync::LabId;
use crdt_sync::sync::bundle::{self, Opened};

use crate::error::{HubError, Result};
use crate::registry::Registry;

/// Opens `bytes` with the key of the lab it claims, and checks who made it:
/// a bundle made with a key retired by a revocation, by a device this hub
/// never enrolled, by a revoked device, or by another lab's device is
/// refused ([`HubError::BundleRefused`], saying which). Nothing is applied:
/// the caller applies the returned bundle (`Opened::apply_as_lab`).
pub fn open_bundle(registry: &mut Registry, bytes: &[u8]) -> Result<Opened> {
    let lab = bundle::claimed_lab(bytes)?;
    let key = registry.lab_key(lab)?;
    let made_with = bundle::claimed_key_id(bytes)?;
    let retired = if made_with == key.id() { None } else { registry.retired_key(&made_with)? };
    if let Some(retired) = retired {
        return Err(refused(format!(
            "it was made with the bundle key lab {} had until {}, when device {} was revoked; the device \
             that made it must sync with the hub (to receive the lab's new key) and make the bundle again",
            lab_label(registry, retired.lab),
            when(retired.retired_at),
            retired.revoked_device
        )));
    }
    let opened = bundle::open(bytes, &key)?;
    let made_by = opened.info().device;
    match registry.device(made_by)? {
        None => Err(refused(format!("it was made by device {made_by}, which this hub never enrolled"))),
        Some(d) if d.revoked_at.is_some() => Err(refused(format!(
            "it was made by device {made_by} ({}), revoked on {}",
            d.name,
            d.revoked_at.map(when).unwrap_or_default()
        ))),
        Some(d) if d.lab != Some(lab) => {
            Err(refused(format!("device {made_by} ({}) is not a device of the bundle's lab", d.name)))
        }
        Some(_) => Ok(opened),
    }
}

fn refused(reason: String) -> HubError {
    HubError::BundleRefused { reason }
}

/// A time (ms since the epoch) as the command line prints it.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// A lab's number when one of its devices names it, else its id.
fn lab_label(registry: &Registry, lab: LabId) -> String {
    let devices = registry.devices().unwrap_or_default();
    match devices.iter().find(|d| d.lab == Some(lab)).and_then(|d| d.lab_number) {
        Some(n) => n.to_string(),
        None => lab.to_string(),
    }
}
