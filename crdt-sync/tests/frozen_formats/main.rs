//! Frozen formats (issue 16, docs/decisions/0020-frozen-formats.md): files
//! committed under `tests/fixtures/` that today's code must still read, and
//! still write, so that a persisted or exchanged format never changes by
//! accident. One module per format; a new format gets its own module here
//! and its files under `tests/fixtures/<format>/`.
//!
//! To change a format on purpose: make the change (bumping the version the
//! module's failure names), then rewrite the fixtures with
//! `TACCUINO_UPDATE_FIXTURES=1 cargo test -p taccuino-crdt-sync --test frozen_formats`
//! and commit them with the reason why.

mod bundles;
mod documents;
mod fixture;
mod frames;
mod register;
mod register_file;
