//! A sync never holds the register while it waits on the network (issue
//! 12): the app, through its commands in Tauri's mock runtime, syncs with a
//! real hub (its router on a loopback port, plain `ws://`) through a
//! loopback proxy that stops forwarding the hub's answer mid-sync. While
//! the sync waits, commands that write complete; what they saved reaches
//! the hub (in the same session, or the next one for a document created
//! after the `Hello`); locking the register meanwhile ends the sync cleanly.
//!
//! Nothing here is timed: every assertion is about order (the save returned
//! while the proxy still held the hub's answer, so the sync could not have
//! finished). Timings belong in the benchmark (`benches/stalled_sync.rs`).

#[path = "stall/mod.rs"]
mod stall;

use serde_json::json;
use stall::{App, Hub, Proxy, call, meeting, uuid_v7};

#[test]
fn saves_during_a_stalled_sync_do_not_wait_for_it_and_reach_the_hub() {
    let hub = Hub::start();
    let proxy = Proxy::start(&hub);
    let a = App::new();
    let session = a.pair(&proxy.url(), &hub.code(), "Portatile A").expect("pairing through the proxy");

    proxy.stall_next_answer();
    let webview = a.webview.clone();
    let sync = std::thread::spawn(move || call(&webview, "sync_now", json!({})));
    proxy.wait_until_holding();

    // The hub's answer to the `Hello` is held: the sync is waiting on the
    // network. The register takes a meeting, an edit and a new family.
    let theme = format!("Durante la sincronizzazione {}", uuid_v7());
    let id = a.ok("create_meeting", meeting(&session, &theme));
    a.ok("update_meeting", json!({ "id": id, "patch": { "guests": 7 } }));
    let staff = a.ok("list_staff", json!({ "lab": session["lab"] }));
    let family = a.ok("register_family", stall::family(&session, &staff[0]["id"], "Ginevra"));
    assert!(proxy.is_holding(), "the hub's answer was still held when the saves returned");
    assert!(!sync.is_finished(), "so the sync was still waiting on the network");

    proxy.release();
    let done = sync.join().expect("sync thread").expect("the sync completes once the hub answers");
    assert_eq!(done["outcome"], "ok", "{done}");

    // The meeting changed a document the session was syncing: it reached
    // the hub in that same session (B pairs with the hub directly now,
    // before A syncs again).
    let b = App::new();
    b.pair(&hub.url, &hub.code(), "Portatile B").expect("b pairs");
    let m = b.ok("get_meeting", json!({ "id": id }));
    assert_eq!(m["meeting"]["theme"], json!(theme));
    assert_eq!(m["meeting"]["guests"], 7, "the edit made during the sync arrived too");

    // The family's own document was created after the `Hello`: the next
    // sync offers it. Nothing was refused meanwhile.
    let again = a.ok("sync_now", json!({}));
    assert_eq!(again["outcome"], "ok", "{again}");
    assert_eq!(again["refused"], json!([]), "{again}");
    let got = b.ok("sync_now", json!({}));
    assert_eq!(got["outcome"], "ok", "{got}");
    let f = b.ok("get_family", json!({ "id": family["id"] }));
    assert_eq!(f["household"]["code"], family["code"], "{f}");
}

#[test]
fn locking_the_register_during_a_stalled_sync_ends_it_cleanly_and_loses_nothing() {
    let hub = Hub::start();
    let proxy = Proxy::start(&hub);
    let a = App::new();
    let session = a.pair(&proxy.url(), &hub.code(), "Portatile A").expect("pairing through the proxy");

    proxy.stall_next_answer();
    let webview = a.webview.clone();
    let sync = std::thread::spawn(move || call(&webview, "sync_now", json!({})));
    proxy.wait_until_holding();
    let theme = format!("Prima del blocco {}", uuid_v7());
    let id = a.ok("create_meeting", meeting(&session, &theme));
    a.ok("lock_register", json!({}));
    assert!(proxy.is_holding(), "locked while the sync waited on the network");

    proxy.release();
    let ended = sync.join().expect("sync thread").expect_err("the register went away under the sync");
    assert_eq!(ended["kind"], "locked", "{ended}");
    assert_eq!(a.ok("app_status", json!({}))["register"], "locked");

    // Opened again, the saved meeting is there and the next sync carries it.
    a.ok("unlock", json!({ "passphrase": stall::PASSPHRASE }));
    assert_eq!(a.ok("get_meeting", json!({ "id": id }))["meeting"]["theme"], json!(theme));
    let again = a.ok("sync_now", json!({}));
    assert_eq!(again["outcome"], "ok", "{again}");
    let b = App::new();
    b.pair(&hub.url, &hub.code(), "Portatile B").expect("b pairs");
    assert_eq!(b.ok("get_meeting", json!({ "id": id }))["meeting"]["theme"], json!(theme));
}

#[test]
fn a_sync_cut_while_stalled_fails_as_offline_and_the_one_queued_behind_it_carries_the_save() {
    let hub = Hub::start();
    let proxy = Proxy::start(&hub);
    let a = App::new();
    let session = a.pair(&proxy.url(), &hub.code(), "Portatile A").expect("pairing through the proxy");

    proxy.stall_next_answer();
    let webview = a.webview.clone();
    let first = std::thread::spawn(move || call(&webview, "sync_now", json!({})));
    proxy.wait_until_holding();
    // A second "sync now" waits for the first (one sync at a time); the
    // proxy would let it through, so without that turn it could finish now.
    let webview = a.webview.clone();
    let second = std::thread::spawn(move || call(&webview, "sync_now", json!({})));
    let theme = format!("Rete caduta {}", uuid_v7());
    let id = a.ok("create_meeting", meeting(&session, &theme));
    assert!(proxy.is_holding());
    assert!(!second.is_finished(), "the second sync waits for the first, which waits on the hub");

    proxy.cut();
    let ended = first.join().expect("sync thread").expect_err("the connection was cut");
    assert_eq!(ended["kind"], "offline", "{ended}");
    let next = second.join().expect("sync thread").expect("the queued sync runs once the first ended");
    assert_eq!(next["outcome"], "ok", "{next}");
    assert_eq!(a.ok("sync_status", json!({}))["link"]["last_outcome"], "ok");
    let b = App::new();
    b.pair(&hub.url, &hub.code(), "Portatile B").expect("b pairs");
    assert_eq!(b.ok("get_meeting", json!({ "id": id }))["meeting"]["theme"], json!(theme));
}
