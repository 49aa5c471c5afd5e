//! The kit of `app_sync_stall.rs` and of the `stalled_sync` benchmark: the
//! app in Tauri's mock runtime, a hub on a plain loopback port, and a proxy
//! between them that can hold the hub's answer.

#![allow(dead_code)] // Each user takes what it needs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crdt_sync::sync::DeviceRole;
use crdt_sync::{ActivityType, NewLab, NewPerson, ProjectSettings, Role, Staff};
use serde_json::{Value, json};
use taccuino_app::files_dialog::Fixed;
use taccuino_app::state::{AppState, Kdf};
use taccuino_hub::DataDir;
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder};
use tauri::webview::InvokeRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The passphrase every app here is paired with.
pub const PASSPHRASE: &str = "quaderno a righe 7";

/// How long a test waits for something that must happen before it calls the
/// run broken: a guard against hanging, never an assertion on time.
const HANG: Duration = Duration::from_secs(120);

/// The app, as the window drives it.
pub struct App {
    _files: Fixed,
    _app: tauri::App<MockRuntime>,
    /// Its window (clone it to call a command from another thread).
    pub webview: tauri::WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl App {
    /// A new app with no register.
    pub fn new() -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let builder = taccuino_app::taccuino_builder!(MockRuntime);
        let files = Fixed::default();
        let state = AppState::new(dir.path(), Kdf::Fixed(taccuino_keys::KdfParams::FLOOR)).expect("state");
        let app = mock_builder()
            .invoke_handler(builder.invoke_handler())
            .manage(state)
            .manage(files.clone())
            .build(taccuino_app::context())
            .expect("app");
        builder.mount_events(&app);
        let webview =
            tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
        App { _files: files, _app: app, webview, _dir: dir }
    }

    /// A command that must succeed.
    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        call(&self.webview, cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// First run: pairs with the hub at `url`.
    pub fn pair(&self, url: &str, code: &str, name: &str) -> Result<Value, Value> {
        call(
            &self.webview,
            "pair_with_hub",
            json!({ "url": url, "code": code, "deviceName": name, "passphrase": PASSPHRASE }),
        )
    }
}

/// Calls `cmd` as the window does; blocks until it answers.
pub fn call(webview: &tauri::WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    tauri::test::get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
}

/// A new meeting of the session's lab, today.
pub fn meeting(session: &Value, theme: &str) -> Value {
    json!({ "meeting": {
        "lab": session["lab"], "date": session["today"], "start": "17:00:00", "end": "19:00:00",
        "activity": session["activity_types"][0]["key"], "theme": theme, "facilitators": [],
        "attendance": [], "guests": 4, "notes": ""
    }})
}

/// A new family of the session's lab, its consent collected by `collector`.
pub fn family(session: &Value, collector: &Value, first: &str) -> Value {
    json!({ "family": {
        "lab": session["lab"],
        "reference": { "first_name": first, "last_name": "Arrigoni", "birth_year": 1988 },
        "others": [], "contacts": { "phone": "", "email": "", "address": "" },
        "areas": ["economic"], "referral": null,
        "consent": {
            "basis": "consent", "special": "explicit_consent", "notice_version": "2026-01",
            "date": session["today"], "collected_by": collector, "guardian": null, "scopes": []
        }
    }})
}

/// A fresh v7 id.
pub fn uuid_v7() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// A hub with lab 3 and one operator, serving plain `ws://` on loopback.
pub struct Hub {
    dir: DataDir,
    /// `ws://127.0.0.1:port`.
    pub url: String,
    addr: SocketAddr,
    lab: crdt_sync::LabId,
    _root: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Hub {
    /// Starts one.
    pub fn start() -> Hub {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = DataDir::new(root.path().join("hub"));
        dir.init(crdt_sync::ProjectId(uuid_v7())).expect("init");
        let lab = {
            let mut store = dir.open_store().expect("store");
            for t in ActivityType::defaults() {
                store.put_activity_type(t).expect("activity type");
            }
            let lab = store
                .create_lab(NewLab {
                    number: 3,
                    name: "Laboratorio Crosione".into(),
                    address: "Via Acerbi 21".into(),
                    partner: "Coop. Il Convoglio".into(),
                })
                .expect("lab");
            store
                .create_person(NewPerson {
                    lab,
                    first_name: "Marta".into(),
                    last_name: "Scotti".into(),
                    role: Role::Operator,
                    organisation: "Coop. Il Convoglio".into(),
                    phone: "0382 000111".into(),
                    email: String::new(),
                })
                .expect("person");
            lab
        };
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
        let state = taccuino_hub::AppState::new(
            dir.open_store().expect("store"),
            dir.open_registry().expect("registry"),
        );
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move { taccuino_hub::serve(listener, state, std::future::pending()).await });
        Hub { dir, url: format!("ws://{addr}"), addr, lab, _root: root, runtime }
    }

    /// A volunteer's one-time pairing code for lab 3.
    pub fn code(&self) -> String {
        self.dir
            .open_registry()
            .expect("registry")
            .issue_code(DeviceRole::Volunteer, Some((self.lab, 3)), 1, None)
            .expect("code")
    }
}

/// A loopback TCP proxy in front of the hub. Told to, it holds what the hub
/// sends on the next connection once the WebSocket is open (the device has
/// sent its `Hello` and waits for the answer), until released or cut.
pub struct Proxy {
    addr: SocketAddr,
    /// Whether the next connection stalls.
    armed: Arc<AtomicBool>,
    /// Open (`true`) lets held bytes through.
    gate: watch::Sender<bool>,
    /// Raised by one drops every connection open then (later ones pass).
    cut: watch::Sender<u64>,
    /// Whether bytes are being held now.
    holding: Arc<AtomicBool>,
    /// Told each time a connection starts holding.
    held: Mutex<mpsc::Receiver<()>>,
}

impl Proxy {
    /// A proxy to `hub` on its runtime.
    pub fn start(hub: &Hub) -> Proxy {
        let listener = hub.runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (gate, _) = watch::channel(true);
        let (cut, _) = watch::channel(0u64);
        let (held_tx, held) = mpsc::channel();
        let proxy = Proxy {
            addr,
            armed: Arc::new(AtomicBool::new(false)),
            gate,
            cut,
            holding: Arc::new(AtomicBool::new(false)),
            held: Mutex::new(held),
        };
        let (hub_addr, armed, gate, cut, holding) = (
            hub.addr,
            proxy.armed.clone(),
            proxy.gate.subscribe(),
            proxy.cut.subscribe(),
            proxy.holding.clone(),
        );
        hub.runtime.spawn(async move {
            while let Ok((device, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(hub_addr).await else { continue };
                let stall = armed.swap(false, Ordering::SeqCst);
                let link = Link {
                    stall,
                    gate: gate.clone(),
                    cut: cut.clone(),
                    holding: holding.clone(),
                    held: held_tx.clone(),
                };
                tokio::spawn(link.run(device, upstream));
            }
        });
        proxy
    }

    /// `ws://` address of the proxy.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The next connection holds the hub's bytes once its WebSocket is open.
    pub fn stall_next_answer(&self) {
        self.gate.send_replace(false);
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Blocks until a connection holds bytes from the hub.
    pub fn wait_until_holding(&self) {
        let held = self.held.lock().expect("held");
        held.recv_timeout(HANG).expect("the sync reached the hub and the proxy held its answer");
    }

    /// Whether bytes from the hub are held now.
    pub fn is_holding(&self) -> bool {
        self.holding.load(Ordering::SeqCst)
    }

    /// Lets the held bytes through, and all after them.
    pub fn release(&self) {
        self.gate.send_replace(true);
    }

    /// Drops every connection (both sides see it closed).
    pub fn cut(&self) {
        self.cut.send_modify(|cuts| *cuts += 1);
    }
}

struct Link {
    stall: bool,
    gate: watch::Receiver<bool>,
    cut: watch::Receiver<u64>,
    holding: Arc<AtomicBool>,
    held: mpsc::Sender<()>,
}

impl Link {
    async fn run(mut self, device: TcpStream, upstream: TcpStream) {
        let (mut device_read, mut device_write) = device.into_split();
        let (mut hub_read, mut hub_write) = upstream.into_split();
        let mut cut = self.cut.clone();
        let cuts = *cut.borrow_and_update();
        let up = async {
            let _ = tokio::io::copy(&mut device_read, &mut hub_write).await;
            let _ = hub_write.shutdown().await;
        };
        let down = async {
            let mut buf = vec![0u8; 64 * 1024];
            // The hub's side of the upgrade, up to its blank line: after it
            // come frames, the first of them the answer to the `Hello`.
            let mut head = Vec::new();
            let mut open = false;
            loop {
                let n = match hub_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if self.stall && open && !*self.gate.borrow() {
                    self.holding.store(true, Ordering::SeqCst);
                    let _ = self.held.send(());
                    if self.gate.wait_for(|open| *open).await.is_err() {
                        break;
                    }
                    self.holding.store(false, Ordering::SeqCst);
                }
                if device_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                if !open {
                    head.extend_from_slice(&buf[..n]);
                    open = head.windows(4).any(|w| w == b"\r\n\r\n");
                }
            }
            let _ = device_write.shutdown().await;
        };
        tokio::select! {
            _ = async { tokio::join!(up, down) } => {}
            _ = cut.wait_for(|c| *c != cuts) => {}
        }
    }
}
