//! Liaison on a real SurrealDB server (`surreal start`, see `surreal.rs`): as a database user
//! with only the rights it needs, while the server goes away and comes back, and as two
//! `liaison` processes sharing one server through a 10,000-recipient send, with a `kill -9` of
//! one process and a restart of the server mid-send.
use crate::helpers::*;
use crate::surreal::SurrealServer;
use app::backend::db::{DbConfig, UserLevel};
use app::backend::repo::audit::Actor;
use app::backend::Store;
use app::domain::briefing::BriefingDraft;
use app::domain::policy::Role;
use app::domain::segment::SegmentFilter;
use app::domain::EmailAddress;
use server::config::Settings;
use server::devmail::MailSink;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DB_USER_PASS: &str = "a database user password";

/// The least privilege: a user defined on Liaison's database only, with the EDITOR role (which
/// may define tables, fields, indexes and events, as the migrations do, but no users).
#[tokio::test]
async fn a_database_user_with_editor_rights_runs_liaison() {
    let server = SurrealServer::start().await;
    server
        .root()
        .await
        .query(format!(
            "DEFINE NAMESPACE liaison; USE NS liaison; DEFINE DATABASE main; USE NS liaison DB main;
             DEFINE USER liaison ON DATABASE PASSWORD '{DB_USER_PASS}' ROLES EDITOR;"
        ))
        .await
        .unwrap()
        .check()
        .unwrap();
    let mut settings = Settings::for_tests();
    settings.db = DbConfig {
        username: Some("liaison".into()),
        password: Some(DB_USER_PASS.into()),
        user_level: UserLevel::Database,
        ..server.config("main")
    };
    let app = spawn_with(settings.clone()).await;
    let org = app.create_org("University of Birmingham", "hei").await;
    app.create_contact("Zoë Okafor", "zoe@bham.example.ac.uk", &org).await;
    // Found by the search, which the live query keeps current on a shared database.
    let (status, body) = app.get_html("/contacts?q=zoe").await;
    assert_eq!(status, 200);
    assert!(body.contains("Zoë Okafor"), "{body}");
    // Another process may have changed anything: on a shared database no page is kept.
    for _ in 0..2 {
        let served = page_as_served(&app.client, &format!("{}/contacts?q=zoe", app.address)).await;
        assert_ne!(served.how, "kept");
    }

    // A wrong password stops start-up with the server's reason, not a hang.
    settings.db.password = Some("not the password".into());
    let refused = Store::open(&settings.db).await;
    assert!(refused.is_err(), "a wrong password is refused");
}

/// The server is killed: within seconds every page answers 503 with what to do (at once, not
/// after a timeout), the health check too; the server comes back on the same data and Liaison
/// reconnects by itself.
#[tokio::test]
async fn while_the_server_is_away_pages_answer_503_and_liaison_reconnects_by_itself() {
    let mut server = SurrealServer::start().await;
    let mut settings = Settings::for_tests();
    settings.db = server.config("main");
    let app = spawn_with(settings).await;
    app.create_org("Keele University", "hei").await;
    assert_eq!(app.get_html("/organisations").await.0, 200);

    server.kill();
    let gone = Instant::now();
    // A request caught by the outage ends when the probe notices it (about 3 s), not when the
    // server is back.
    let (status, body) = app.get_html("/organisations").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot reach its database"), "{body}");
    assert!(
        gone.elapsed() < Duration::from_secs(10),
        "answered after {:?}",
        gone.elapsed()
    );
    // Once known, at once.
    let asked = Instant::now();
    assert_eq!(app.get_html("/contacts").await.0, 503);
    assert_eq!(app.get_html("/health").await.0, 503);
    assert!(asked.elapsed() < Duration::from_secs(1), "{:?}", asked.elapsed());
    // A change is not silently lost: the person is told it may not have been saved.
    let res = app
        .call("organisations/create", &org_form("Aston University", "hei"))
        .await;
    assert_eq!(res.status().as_u16(), 503);
    assert!(res.text().await.unwrap().contains("may not have been saved"));

    server.restart().await;
    assert!(
        wait_for(30, || async { app.get_html("/organisations").await.0 == 200 }).await,
        "Liaison reconnected by itself"
    );
    assert_eq!(app.get_html("/health").await.0, 200);
    app.create_org("Aston University", "hei").await;
    let (_, body) = app.get_html("/organisations").await;
    assert!(body.contains("Keele University") && body.contains("Aston University"));
}

/// Sending rate of each process, and its SMTP connections: a `kill -9` repeats at most the
/// outcomes not yet recorded (a quarter of a second of sending) and what each connection had
/// in flight.
const RATE: usize = 300;
const CONNECTIONS: usize = 4;

/// A child process killed (`kill -9`) when the test ends, passed or not.
struct Process(Child);

impl Process {
    fn kill_9(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// The real `liaison` binary as a deployment runs it against a SurrealDB server: the password
/// from a file, the link-signing key shared, a real SMTP relay; `workers: false` is a process
/// that serves pages only (`LIAISON_WORKERS=false`).
fn liaison(
    server: &SurrealServer,
    pass_file: &std::path::Path,
    http: u16,
    smtp: u16,
    data: &std::path::Path,
    workers: bool,
) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .arg("serve")
        .env("LIAISON_WORKERS", workers.to_string())
        .env("LIAISON_BIND", format!("127.0.0.1:{http}"))
        .env("LIAISON_DATA_DIR", data)
        .env("LIAISON_DATABASE_URL", server.url())
        .env("LIAISON_DB_USER", crate::surreal::ROOT_USER)
        .env("LIAISON_DB_PASS_FILE", pass_file)
        .env("LIAISON_SECRET_KEY", "11".repeat(32))
        .env("LIAISON_SMTP_HOST", "127.0.0.1")
        .env("LIAISON_SMTP_PORT", smtp.to_string())
        .env("LIAISON_SMTP_TLS", "none")
        .env("LIAISON_SMTP_RATE", format!("{RATE}/s"))
        .env("LIAISON_SMTP_CONNECTIONS", CONNECTIONS.to_string())
        .env("LIAISON_DEV_MAIL", "false")
        .env("LIAISON_SEED_DEMO", "false")
        .env("LIAISON_LOG", "error")
        .stdin(Stdio::null())
        .spawn()
        .expect("the liaison binary");
    Process(child)
}

async fn wait_healthy(http: u16) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(res) = client.get(format!("http://127.0.0.1:{http}/health")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "liaison on {http} never became healthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn message_id(data: &str) -> Option<String> {
    data.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| l[11..].trim().to_string())
}

/// The programme manager the tests sign in as, written straight to the shared database.
async fn add_manager(store: &Store) {
    let hash = app::backend::auth::hash_password(PASSWORD.into()).await.unwrap();
    store
        .users()
        .create(
            &EmailAddress::parse(MANAGER).unwrap(),
            "Manager",
            Role::ProgrammeManager,
            &hash,
        )
        .await
        .unwrap();
}

/// A client signed in on process `http` (its cookie is good on every process: cookies are not
/// kept per port, and sessions live in the database).
async fn sign_in_on(http: u16) -> reqwest::Client {
    let client = new_client();
    let res = client
        .post(format!("http://127.0.0.1:{http}/api/auth/sign-in"))
        .header("Accept", "application/json")
        .form(&[("email", MANAGER), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    client
}

async fn page(client: &reqwest::Client, http: u16, path: &str) -> (u16, String) {
    match client.get(format!("http://127.0.0.1:{http}{path}")).send().await {
        Ok(res) => (res.status().as_u16(), res.text().await.unwrap_or_default()),
        Err(_) => (0, String::new()),
    }
}

/// Each process keeps the register in memory. A change made on one is on another's pages at
/// once (a live query follows the register), and still after the SurrealDB server restarts,
/// when a notification may have been lost: what a process keeps from a shared database is
/// read again when the database answers again (see `backend::freshness`).
#[tokio::test]
async fn a_change_on_one_process_shows_on_the_other_also_after_the_server_restarts() {
    let mut server = SurrealServer::start().await;
    let secrets = tempfile::tempdir().unwrap();
    let pass_file = secrets.path().join("db-pass");
    std::fs::write(&pass_file, crate::surreal::ROOT_PASS).unwrap();
    add_manager(&Store::open(&server.config("main")).await.unwrap()).await;
    // Pages only: nothing is sent, so the relay's port has nothing behind it.
    let (http_a, http_b, relay) = (free_port(), free_port(), free_port());
    let data: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let _a = liaison(&server, &pass_file, http_a, relay, data[0].path(), false);
    let _b = liaison(&server, &pass_file, http_b, relay, data[1].path(), false);
    wait_healthy(http_a).await;
    wait_healthy(http_b).await;
    let client = sign_in_on(http_a).await;
    let create = |name: &'static str| {
        let client = client.clone();
        async move {
            let res = client
                .post(format!("http://127.0.0.1:{http_a}/api/organisations/create"))
                .header("Accept", "application/json")
                .form(&org_form(name, "hei"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200, "{name} created on A");
        }
    };
    let b_shows = |name: &'static str| {
        let client = client.clone();
        async move { page(&client, http_b, "/organisations").await.1.contains(name) }
    };

    assert!(!b_shows("Keele University").await, "B has read the register");
    create("Keele University").await;
    assert!(wait_for(10, || b_shows("Keele University")).await, "B shows A's change");

    server.restart().await;
    for http in [http_a, http_b] {
        assert!(
            wait_for(30, || async { page(&client, http, "/organisations").await.0 == 200 }).await,
            "{http} serves pages again"
        );
    }
    create("Aston University").await;
    // Well within TRUST_FOR: the restart itself made B read again.
    assert!(
        wait_for(10, || b_shows("Aston University")).await,
        "B shows a change made on A after the restart"
    );
}

/// The numbers of a briefing's send as the page on process `http` polls them.
async fn progress(client: &reqwest::Client, http: u16, briefing: &str) -> serde_json::Value {
    let res = client
        .post(format!("http://127.0.0.1:{http}/api/briefings/progress"))
        .header("Accept", "application/json")
        .form(&[("id", briefing)])
        .send()
        .await
        .expect("request sent");
    assert_eq!(res.status().as_u16(), 200, "progress on {http}");
    serde_json::from_str(&res.text().await.unwrap()).unwrap()
}

/// Two `liaison` processes that send and one that serves pages only (`LIAISON_WORKERS=false`),
/// one SurrealDB server, one 10,000-recipient briefing scheduled for a moment ahead to a real
/// SMTP server. A session made on one process works on the others; the scheduler of one of
/// them starts the send, once; both dispatchers share it, and the page-only process runs none
/// yet shows the whole send; one sending process is killed with `kill -9` and the SurrealDB
/// server is killed and restarted mid-send. Everyone gets the briefing, duplicates stay within
/// what was in flight at the kill, and a duplicate is the same message (same Message-ID).
#[tokio::test]
async fn two_processes_share_one_server_and_a_send_survives_killing_either() {
    const N: usize = 10_000;
    let mut server = SurrealServer::start().await;
    let secrets = tempfile::tempdir().unwrap();
    let pass_file = secrets.path().join("db-pass");
    std::fs::write(&pass_file, format!("{}\n", crate::surreal::ROOT_PASS)).unwrap();

    // The register and the briefing, written as a programme would (repositories, one server).
    let store = Store::open(&server.config("main"))
        .await
        .expect("opens the remote database");
    add_manager(&store).await;
    server::bench::bench_register(&store, N).await.expect("10,000 contacts");
    let actor = Actor::system();
    let segment = store
        .segments()
        .create(&actor, "Everyone", &SegmentFilter::default())
        .await
        .unwrap();
    let draft = BriefingDraft {
        subject: "Programme update".into(),
        body: "Dear partners,\n\nThe **PgCert** outcomes are agreed.".into(),
        segment,
        workstreams: vec![],
        ack_required: false,
        ack_deadline: None,
        remind_days_before: None,
    };
    let briefing = store.briefings().create(&actor, &draft, "Test").await.unwrap();

    // The relay, and the two processes.
    let sink = MailSink::new();
    let (smtp, _sink_task) = sink.clone().start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (http_a, http_b, http_c) = (free_port(), free_port(), free_port());
    let data: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut a = liaison(&server, &pass_file, http_a, smtp.port(), data[0].path(), true);
    let mut b = liaison(&server, &pass_file, http_b, smtp.port(), data[1].path(), true);
    let mut c = liaison(&server, &pass_file, http_c, smtp.port(), data[2].path(), false);
    for http in [http_a, http_b, http_c] {
        wait_healthy(http).await;
    }

    // A session made on one process is good on the others (sessions live in the database).
    let client = sign_in_on(http_a).await;
    for http in [http_b, http_c] {
        let res = client
            .get(format!("http://127.0.0.1:{http}/briefings"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "signed in on {http} with A's session");
        assert!(res.text().await.unwrap().contains("Programme update"));
    }

    // Scheduled two seconds ahead: both schedulers see it come due.
    store
        .briefings()
        .schedule(&actor, &briefing, chrono::Utc::now() + chrono::Duration::seconds(2))
        .await
        .unwrap();
    let received = |at_least: usize| {
        let sink = sink.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(300);
            while sink.messages().len() < at_least {
                assert!(Instant::now() < deadline, "only {} sent", sink.messages().len());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    received(2_000).await;
    // Two dispatchers (A's and B's) have said they are alive; C, serving pages only, runs none.
    let mut r = store
        .db()
        .query("SELECT VALUE <string>id FROM dispatcher")
        .await
        .unwrap();
    let dispatchers: Vec<String> = r.take(0).unwrap();
    assert_eq!(dispatchers.len(), 2, "{dispatchers:?}");
    // C sends nothing, yet its progress bar shows the whole send (both dispatchers' outcomes),
    // as B's does.
    assert!(
        wait_for(10, || async {
            progress(&client, http_c, &briefing).await["sent"].as_u64() >= Some(2_000)
        })
        .await,
        "C shows what A and B sent: {}",
        progress(&client, http_c, &briefing).await
    );
    let on_b = progress(&client, http_b, &briefing).await;
    assert!(on_b["sent"].as_u64() >= Some(2_000), "{on_b}");
    assert_eq!(on_b["recipients"], N as u64);
    a.kill_9(); // SIGKILL: no clean-up, its leases are taken over by its silence
    let killed_at = sink.messages().len();
    received(killed_at + 2_000).await;
    server.restart().await;
    let restarted_at = sink.messages().len();

    // Everyone, by the surviving process.
    let everyone = {
        let sink = sink.clone();
        move || {
            let mut per: HashMap<String, Vec<String>> = HashMap::new();
            for m in sink.messages() {
                for to in &m.to {
                    per.entry(to.clone())
                        .or_default()
                        .push(message_id(&m.data).unwrap_or_default());
                }
            }
            per
        }
    };
    let deadline = Instant::now() + Duration::from_secs(300);
    while everyone().len() < N {
        assert!(
            Instant::now() < deadline,
            "{} of {N} recipients after 5 minutes",
            everyone().len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let per = everyone();
    let duplicates: usize = per.values().map(|ids| ids.len() - 1).sum();
    eprintln!(
        "two processes: killed A after {killed_at} messages, restarted the database after {restarted_at}; \
         {duplicates} sent twice"
    );
    for (to, ids) in &per {
        assert!(ids.iter().all(|id| !id.is_empty() && id == &ids[0]), "{to}: {ids:?}");
    }
    // One kill (a quarter second of sending plus what its connections held) and one database
    // restart (outcomes wait in memory and are recorded when it is back: nothing is resent).
    let bound = RATE / 4 + CONNECTIONS;
    assert!(duplicates <= bound, "{duplicates} duplicates (at most {bound})");

    // The scheduler fired once: one set of blocks for the briefing, one delivery row per person.
    let mut r = store
        .db()
        .query(
            "SELECT VALUE count() FROM delivery_block WHERE briefing = type::record('briefing', $id) GROUP ALL;
             SELECT VALUE recipients FROM ONLY type::record('briefing', $id);",
        )
        .bind(("id", briefing.clone()))
        .await
        .unwrap();
    let blocks: Vec<i64> = r.take(0).unwrap();
    let recipients: Option<i64> = r.take(1).unwrap();
    assert_eq!(blocks, vec![N.div_ceil(app::backend::repo::deliveries::BLOCK) as i64]);
    assert_eq!(recipients, Some(N as i64));
    // And the record of it is complete: the briefing is marked sent with every outcome.
    assert!(
        wait_for(60, || async {
            app::backend::services::reports::report(&store, &briefing)
                .await
                .is_ok_and(|r| r.sent == N as u64 && r.queued == 0)
        })
        .await,
        "every outcome recorded"
    );
    let on_c = progress(&client, http_c, &briefing).await;
    assert_eq!(
        (on_c["sent"].as_u64(), on_c["queued"].as_u64()),
        (Some(N as u64), Some(0)),
        "{on_c}"
    );
    assert_eq!(on_c["state"], "sent");
    b.kill_9();
    c.kill_9();
}
