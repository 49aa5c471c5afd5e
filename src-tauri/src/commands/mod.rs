//! The commands the front end may call. Each is a thin adapter: it takes
//! the register from [`AppState`](crate::state::AppState), calls
//! `crdt-sync`, and returns plain values or an [`AppError`](crate::error::AppError).
//! Every name here is also in `command_list.rs`, which the build script
//! turns into one permission per command.

pub mod conflicts;
pub mod devices;
pub mod families;
pub mod meetings;
pub mod nomenclature;
pub mod privacy;
pub mod register;
pub mod reports;
pub mod staff;
pub mod sync;
pub mod updates;
pub mod volunteers;
