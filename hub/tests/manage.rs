//! Devices managed from the coordinator's app (issue 13), against the real
//! hub: a lead asks for a device, the coordinator makes a pairing code that
//! answers the request, a new laptop pairs with it, shows up in the list
//! with its app version and last sync, is revoked and refused at its next
//! sync. Only coordinators manage; only leads ask; every change is in the
//! administration log.

mod common;

use common::{Device, Hub, enrol, init_hub, project};
use crdt_sync::DeviceId;
use crdt_sync::sync::DeviceRole;
use crdt_sync::sync::manage::{ManageRefusal, ManageRequest, ManageResponse};
use futures_util::{SinkExt, StreamExt};
use taccuino_sync_client::{ClientError, manage};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn ask(hub: &Hub, who: &Device, request: ManageRequest) -> ManageResponse {
    manage(&hub.url, &who.enrolled.token, &request).await.unwrap_or_else(|e| panic!("{}: {e}", who.name))
}

fn refused(why: ManageRefusal) -> ManageResponse {
    ManageResponse::Refused(why)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_pairs_lists_and_revokes_devices_from_the_app() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (mut office, _labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut lead = enrol(&hub, tmp.path(), "lead", Some(1), "lead").await;
    let mut volunteer = enrol(&hub, tmp.path(), "volunteer", Some(1), "volunteer").await;
    lead.sync_ok(&hub.url).await;
    volunteer.sync_ok(&hub.url).await;

    // A volunteer neither manages nor asks; a coordinator does not ask.
    let issue = |role, lab, answering| ManageRequest::IssueCode { role, lab, ttl_hours: None, answering };
    let note = |text: &str| ManageRequest::Ask { role: DeviceRole::Volunteer, note: text.into() };
    for request in [ManageRequest::List, issue(DeviceRole::Volunteer, Some(1), None), note("Giulia")] {
        assert_eq!(ask(&hub, &volunteer, request).await, refused(ManageRefusal::NotAllowed));
    }
    assert_eq!(ask(&hub, &office, note("per me")).await, refused(ManageRefusal::NotAllowed));
    assert_eq!(ask(&hub, &lead, ManageRequest::List).await, refused(ManageRefusal::NotAllowed));
    // A lead asks for a volunteer's laptop of the lead's own lab.
    let ManageResponse::Asked { request } = ask(&hub, &lead, note("Giulia, volontaria del martedì")).await
    else {
        panic!("the lead's request was not recorded")
    };
    let lead_asks_a_lead = ManageRequest::Ask { role: DeviceRole::Lead, note: "io".into() };
    assert_eq!(ask(&hub, &lead, lead_asks_a_lead).await, refused(ManageRefusal::Invalid));
    assert_eq!(ask(&hub, &lead, note("  ")).await, refused(ManageRefusal::Invalid));

    // The coordinator sees every device, with the version it synced with,
    // and the request.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let ManageResponse::Devices { devices, requests } = ask(&hub, &office, ManageRequest::List).await else {
        panic!("no list")
    };
    assert_eq!(devices.len(), 3, "{devices:?}");
    for d in &devices {
        assert_eq!(d.app_version.as_deref(), Some(env!("CARGO_PKG_VERSION")), "{d:?}");
        assert!(d.last_sync.is_some() && d.revoked_at.is_none(), "{d:?}");
    }
    assert_eq!(requests.len(), 1);
    assert_eq!((requests[0].id, requests[0].lab, requests[0].role), (request, 1, DeviceRole::Volunteer));
    assert_eq!(requests[0].asked_by, lead.enrolled.device);

    // Codes the hub cannot honour.
    for (bad, why) in [
        (issue(DeviceRole::Volunteer, Some(9), None), ManageRefusal::UnknownLab),
        (issue(DeviceRole::Coordinator, Some(1), None), ManageRefusal::Invalid),
        (issue(DeviceRole::Operator, None, None), ManageRefusal::Invalid),
        (issue(DeviceRole::Volunteer, Some(1), Some(request + 1)), ManageRefusal::UnknownRequest),
        (
            ManageRequest::IssueCode {
                role: DeviceRole::Volunteer,
                lab: Some(1),
                ttl_hours: Some(1000),
                answering: None,
            },
            ManageRefusal::Invalid,
        ),
    ] {
        assert_eq!(ask(&hub, &office, bad).await, refused(why));
    }

    // The code that answers the request pairs a new laptop.
    let ManageResponse::Code(made) =
        ask(&hub, &office, issue(DeviceRole::Volunteer, Some(1), Some(request))).await
    else {
        panic!("no code")
    };
    assert_eq!((made.role, made.lab), (DeviceRole::Volunteer, Some(1)));
    let hours = (made.expires_at - chrono::Utc::now().timestamp_millis()) as f64 / 3_600_000.0;
    assert!((71.9..=72.0).contains(&hours), "the hub's default validity: {hours}");
    let unpinned = taccuino_sync_client::Endpoint::parse(&format!("wss://{}", hub.addr)).expect("url");
    let paired =
        taccuino_sync_client::enroll(&unpinned, &made.code, "Portatile di Giulia").await.expect("pair");
    assert_eq!(paired.hub.pin(), hub.url.pin(), "the code's check pins the hub's certificate");
    let store = common::device_store(tmp.path(), "giulia", &paired.enrolled);
    let mut giulia = Device { name: "giulia".into(), enrolled: paired.enrolled, store };
    giulia.sync_ok(&hub.url).await;
    let ManageResponse::Devices { devices, requests } = ask(&hub, &office, ManageRequest::List).await else {
        panic!("no list")
    };
    assert!(requests.is_empty(), "the request is answered: {requests:?}");
    let listed = devices.iter().find(|d| d.id == giulia.enrolled.device).expect("the new laptop is listed");
    assert_eq!(
        (listed.name.as_str(), listed.role, listed.lab),
        ("Portatile di Giulia", DeviceRole::Volunteer, Some(1))
    );

    // Lost: revoked from the app, refused at its next sync.
    let gone = giulia.enrolled.device;
    assert_eq!(
        ask(&hub, &office, ManageRequest::Revoke { device: gone }).await,
        ManageResponse::Revoked { device: gone }
    );
    let next = giulia.sync(&hub.url).await;
    assert!(matches!(next, Err(ClientError::Unauthorized | ClientError::Revoked)), "{next:?}");
    let self_revoke = ManageRequest::Revoke { device: office.enrolled.device };
    assert_eq!(ask(&hub, &office, self_revoke).await, refused(ManageRefusal::UnknownDevice));
    let nobody = ManageRequest::Revoke { device: DeviceId(uuid::Uuid::now_v7()) };
    assert_eq!(ask(&hub, &office, nobody).await, refused(ManageRefusal::UnknownDevice));
    // A request dismissed, once.
    let ManageResponse::Asked { request: second } = ask(&hub, &lead, note("Marco")).await else {
        panic!("asked")
    };
    assert_eq!(
        ask(&hub, &office, ManageRequest::Dismiss { request: second }).await,
        ManageResponse::Dismissed
    );
    assert_eq!(
        ask(&hub, &office, ManageRequest::Dismiss { request: second }).await,
        refused(ManageRefusal::UnknownRequest)
    );
    office.sync_ok(&hub.url).await;

    // Every change, in the administration log, by whom.
    let log = hub.cmd(&["devices", "--log"]);
    let by = |who: &Device| format!("device {}", who.enrolled.device);
    for (who, action) in [(&lead, "ask"), (&office, "issue_code"), (&office, "revoke"), (&office, "dismiss")]
    {
        assert!(
            log.lines().any(|l| l.contains(&by(who)) && l.contains(action)),
            "{action} by {}:\n{log}",
            who.name
        );
    }
    assert!(log.lines().any(|l| l.contains("command line") && l.contains("issue_code")), "{log}");
    let listed = hub.cmd(&["devices"]);
    assert!(listed.lines().any(|l| l.contains(&gone.to_string()) && l.contains("revoked")), "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_management_needs_a_credential_and_a_well_formed_request() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (office, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let anyone = manage(&hub.url, "not-a-token", &ManageRequest::List).await;
    assert!(matches!(anyone, Err(ClientError::Unauthorized)), "{anyone:?}");
    // A request the hub does not know: refused, and the hub goes on.
    let stream = taccuino_sync_client::open_stream(&hub.url).await.expect("tls");
    let mut request = hub.url.url("/devices").into_client_request().expect("request");
    let bearer = format!("Bearer {}", office.enrolled.token).parse().expect("header");
    request.headers_mut().insert("authorization", bearer);
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream).await.expect("websocket");
    ws.send(Message::Text("{\"action\":\"drop_everything\"}".into())).await.expect("send");
    let Some(Ok(Message::Text(answer))) = ws.next().await else { panic!("no answer") };
    let answer: ManageResponse = serde_json::from_str(&answer).expect("an answer");
    assert_eq!(answer, refused(ManageRefusal::Invalid));
    let listed = ask(&hub, &office, ManageRequest::List).await;
    assert!(matches!(listed, ManageResponse::Devices { .. }), "{listed:?}");
}
