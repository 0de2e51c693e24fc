//! The mailbox poller against a real Dovecot (Debian's `dovecot-imapd`, started here on a
//! random loopback port with its own configuration and mail in a temp dir): bounces and replies
//! that arrive in a mailbox are heard, each message is handled once across pollers, and a
//! message that could not be stored stays in the mailbox.
use crate::helpers::*;
use crate::inbound::{fixture, sent_briefing, with_key, DOMAIN};
use app::backend::inbound::imap::{poll_once, ImapConfig};
use app::backend::inbound::listener::{Accepted, Sink};
use app::backend::repo::inbound::InboxFilter;
use app::backend::services::inbound::StoreSink;
use server::config::Settings;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A Dovecot serving one mailbox (any user, password `secret`) until dropped.
struct Dovecot {
    port: u16,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    fn start() -> Dovecot {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for d in ["run", "state", "home"] {
            std::fs::create_dir_all(root.join(d)).expect("dirs");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let conf = format!(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
             ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\nfirst_valid_uid = 1\n\
             passdb {{\n  driver = static\n  args = password=secret\n}}\n\
             userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={r}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n",
            r = root.display()
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("config");
        // Dovecot runs the mailbox as its own user: it must be able to write the homes.
        let _ = std::process::Command::new("chown")
            .args(["-R", "dovecot:dovecot"])
            .arg(root.join("home"))
            .status();
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755));
        let child = std::process::Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .spawn()
            .expect("dovecot (apt install dovecot-imapd; .ci/setup does)");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "dovecot did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Dovecot { port, child, _dir: dir }
    }

    fn config(&self, folder: &str) -> ImapConfig {
        ImapConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: false,
            username: "liaison".into(),
            password: "secret".into(),
            folder: folder.into(),
            done_folder: "Liaison processed".into(),
            every: Duration::from_millis(200),
            timeout: Duration::from_secs(20),
        }
    }

    /// Delivers a message into `folder` with IMAP APPEND, as a mail server's delivery would.
    async fn append(&self, folder: &str, message: &str) {
        let body = message.replace("\r\n", "\n").replace('\n', "\r\n");
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        lines.next_line().await.unwrap();
        write.write_all(b"a1 LOGIN liaison secret\r\n").await.unwrap();
        assert!(until(&mut lines, "a1 ").await.starts_with("a1 OK"));
        write
            .write_all(format!("a2 CREATE \"{folder}\"\r\n").as_bytes())
            .await
            .unwrap();
        until(&mut lines, "a2 ").await;
        write
            .write_all(format!("a3 APPEND \"{folder}\" {{{}}}\r\n", body.len()).as_bytes())
            .await
            .unwrap();
        until(&mut lines, "+").await;
        write.write_all(body.as_bytes()).await.unwrap();
        write.write_all(b"\r\n").await.unwrap();
        let ok = until(&mut lines, "a3 ").await;
        assert!(ok.starts_with("a3 OK"), "{ok}");
        write.write_all(b"a4 LOGOUT\r\n").await.unwrap();
    }

    /// How many messages `folder` holds.
    async fn count(&self, folder: &str) -> usize {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        lines.next_line().await.unwrap();
        write
            .write_all(format!("a1 LOGIN liaison secret\r\na2 EXAMINE \"{folder}\"\r\n").as_bytes())
            .await
            .unwrap();
        let mut exists = 0;
        loop {
            let l = lines.next_line().await.unwrap().expect("a line");
            if let Some(n) = l.strip_prefix("* ").and_then(|r| r.strip_suffix(" EXISTS")) {
                exists = n.parse().unwrap();
            }
            if l.starts_with("a2 ") {
                break;
            }
        }
        exists
    }
}

/// Reads lines until one starts with `tag`, and returns it.
async fn until(lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>, tag: &str) -> String {
    loop {
        let l = lines.next_line().await.unwrap().expect("a line");
        if l.starts_with(tag) {
            return l;
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_bounce_in_the_mailbox_holds_the_address_and_leaves_the_folder() {
    let dovecot = Dovecot::start();
    let mut settings = Settings::for_tests();
    settings.bounce_address = Some(format!("bounces@{DOMAIN}"));
    settings.inbound_imap = Some(dovecot.config("INBOX"));
    let app = spawn_with(settings).await;
    let s = sent_briefing(&app).await;
    let jo = "jo@inbound.example.org";
    // A bounce as a mailbox keeps it: the VERP address survives in Delivered-To / To.
    dovecot
        .append("INBOX", &with_key(&fixture("postfix_permanent.eml"), &s.keys[jo], jo))
        .await;
    let jo_id = app::domain::ContactId::parse(&s.contacts[jo]).unwrap();
    assert!(
        wait_for(20, || async {
            app.store.contacts().get(&jo_id).await.unwrap().held.is_some()
        })
        .await,
        "the poller stored it and the classifier held the address"
    );
    assert_eq!(dovecot.count("INBOX").await, 0, "moved out of the folder Liaison reads");
    assert_eq!(
        dovecot.count("Liaison processed").await,
        1,
        "and kept in the done folder"
    );
}

/// A sink that refuses everything (the database is down).
struct Broken;

impl Sink for Broken {
    async fn store(&self, _: Accepted) -> Result<(), String> {
        Err("the database is down".into())
    }
}

#[tokio::test]
async fn two_pollers_handle_each_message_once_and_an_unstored_message_stays() {
    let dovecot = Dovecot::start();
    let mut settings = Settings::for_tests();
    settings.workers = false;
    let app = spawn_with(settings).await;
    let cfg = dovecot.config("Liaison");
    for i in 0..5 {
        let reply = fixture("reply_quoted.eml").replace("reply-1@example.nhs.uk", &format!("reply-{i}@example.nhs.uk"));
        dovecot.append("Liaison", &reply).await;
    }
    // The database is down: nothing is stored, and nothing leaves the mailbox.
    assert!(poll_once(&cfg, &Broken).await.is_ok());
    assert_eq!(
        dovecot.count("Liaison").await,
        5,
        "the mailbox keeps what was not stored"
    );

    let (a, b) = (StoreSink(app.store.clone()), StoreSink(app.store.clone()));
    let (ra, rb) = tokio::join!(poll_once(&cfg, &a), poll_once(&cfg, &b));
    let stored = ra.unwrap_or(0) + rb.unwrap_or(0);
    assert!(stored >= 5, "between them every message was read: {stored}");
    assert_eq!(dovecot.count("Liaison").await, 0);
    let ours = app::backend::inbound::classify::Ours {
        message_id_domain: DOMAIN.into(),
    };
    app::backend::services::inbound::process_pending(&app.store, &ours)
        .await
        .unwrap();
    let all = app.store.inbound().list(InboxFilter::All, 50).await.unwrap();
    assert_eq!(all.len(), 5, "each message once, however many pollers read it");
}

/// A free loopback port (bound and released; the process that uses it binds it again).
/// The real `liaison` binary on an on-disk database in `dir`, listening for inbound mail.
fn liaison(dir: &std::path::Path, http: u16, smtp: u16, workers: bool) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_liaison"))
        .arg("serve")
        .env("LIAISON_BIND", format!("127.0.0.1:{http}"))
        .env("LIAISON_DATA_DIR", dir)
        .env("LIAISON_INBOUND_BIND", format!("127.0.0.1:{smtp}"))
        .env("LIAISON_MAIL_REPLY_TO", format!("replies@{DOMAIN}"))
        .env("LIAISON_DEV_MAIL", "true")
        .env("LIAISON_SEED_DEMO", "false")
        .env("LIAISON_WORKERS", if workers { "true" } else { "false" })
        .env("LIAISON_LOG", "error")
        .spawn()
        .expect("the liaison binary")
}

fn wait_for_port(port: u16) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "port {port} never opened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `kill -9` of the process that accepted a message, before it classified it: the message was
/// stored before `250`, so the next process classifies it. A kill during DATA gives the sender
/// no `250`, so the sender still has the message and sends it again.
#[tokio::test]
async fn a_kill_9_between_accepting_and_recording_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (http, smtp) = (free_port(), free_port());
    // No workers: this process accepts and stores, and classifies nothing.
    let mut first = liaison(dir.path(), http, smtp, false);
    wait_for_port(smtp);
    let replies = crate::inbound::smtp(
        smtp,
        "zoe@example.nhs.uk",
        &[&format!("replies@{DOMAIN}")],
        &fixture("reply_quoted.eml"),
    )
    .await;
    assert!(replies[5].starts_with("250"), "{replies:?}");
    // A second message is cut off mid-DATA by the kill.
    let mut cut = tokio::net::TcpStream::connect(("127.0.0.1", smtp)).await.unwrap();
    cut.write_all(format!("EHLO t\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<replies@{DOMAIN}>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a mess").as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill().expect("kill -9");
    first.wait().unwrap();
    let mut rest = String::new();
    let _ = tokio::io::AsyncReadExt::read_to_string(&mut cut, &mut rest).await;
    assert!(
        !rest.contains("250 2.0.0"),
        "the cut message was never acknowledged: {rest}"
    );

    // The next process classifies what the first one stored.
    let mut second = liaison(dir.path(), http, smtp, true);
    wait_for_port(smtp);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let config = app::backend::db::DbConfig {
        url: format!("surrealkv://{}", dir.path().join("db").display()),
        ..app::backend::db::DbConfig::memory()
    };
    let mut store = None;
    for _ in 0..50 {
        match app::backend::Store::open(&config).await {
            Ok(s) => {
                store = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let store = store.expect("the database reopens");
    let all = store.inbound().list(InboxFilter::All, 10).await.unwrap();
    assert_eq!(
        all.len(),
        1,
        "the stored message, once, and nothing of the cut one: {all:?}"
    );
    assert_eq!(all[0].kind, app::domain::inbound::InboundKind::Reply);
    assert!(all[0].text.contains("non-medical prescribing"));
}
