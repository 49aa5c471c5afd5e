//! The store's benchmark lives in `benches/store.rs` (`cargo bench -p
//! taccuino-bench --bench store`). It has a crate of its own so that a
//! benchmark build compiles the core and the demo data only, not the
//! desktop app and the hub the tests crate's dev-dependencies bring.
