//! Mail coming back over real SMTP into the inbound listener: bounces hold addresses and leave
//! them out of audiences, replies land on the contact's history and in the inbox, answers go
//! out threaded, and nothing accepted is lost.
use crate::endpoints::*;
use crate::helpers::*;
use app::backend::inbound::classify::Ours;
use app::backend::inbound::listener::{Accepted, Sink};
use app::backend::repo::inbound::InboxFilter;
use app::backend::services::inbound::{process_pending, StoreSink};
use app::domain::inbound::InboundKind;
use app::domain::ContactId;
use server::config::Settings;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

pub(crate) const DOMAIN: &str = "liaison.example.org";

async fn app_with_inbound() -> TestApp {
    let mut settings = Settings::for_tests();
    settings.inbound_bind = Some(([127, 0, 0, 1], 0).into());
    settings.bounce_address = Some(format!("bounces@{DOMAIN}"));
    settings.inbound_max_bytes = 64 * 1024;
    spawn_with(settings).await
}

/// One SMTP transaction against the listener; returns every reply line, in order.
pub(crate) async fn smtp(port: u16, from: &str, to: &[&str], data: &str) -> Vec<String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut replies = Vec::new();
    // Reads one reply (all its continuation lines), keeping its last line.
    async fn next(lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>) -> String {
        loop {
            let l = lines.next_line().await.expect("read").expect("a reply");
            if l.as_bytes().get(3) != Some(&b'-') {
                return l;
            }
        }
    }
    replies.push(next(&mut lines).await);
    for cmd in ["EHLO test.example\r\n".to_string(), format!("MAIL FROM:<{from}>\r\n")] {
        write.write_all(cmd.as_bytes()).await.expect("write");
        replies.push(next(&mut lines).await);
    }
    let mut accepted = 0;
    for t in to {
        write
            .write_all(format!("RCPT TO:<{t}>\r\n").as_bytes())
            .await
            .expect("write");
        let r = next(&mut lines).await;
        accepted += usize::from(r.starts_with("250"));
        replies.push(r);
    }
    if accepted > 0 {
        write.write_all(b"DATA\r\n").await.expect("write");
        replies.push(next(&mut lines).await);
        let body = data.replace("\r\n", "\n").replace('\n', "\r\n");
        let stuffed: String = body
            .split("\r\n")
            .map(|l| {
                if l.starts_with('.') {
                    format!(".{l}\r\n")
                } else {
                    format!("{l}\r\n")
                }
            })
            .collect();
        write.write_all(stuffed.as_bytes()).await.expect("write");
        write.write_all(b".\r\n").await.expect("write");
        replies.push(next(&mut lines).await);
    }
    write.write_all(b"QUIT\r\n").await.expect("write");
    replies.push(next(&mut lines).await);
    replies
}

pub(crate) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../app/src/backend/inbound/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    String::from_utf8(std::fs::read(&path).expect("fixture")).expect("utf-8 fixture")
}

pub(crate) struct Sent {
    pub briefing: String,
    pub segment: String,
    /// Per recipient address: the delivery key (from the VERP envelope sender).
    pub keys: std::collections::HashMap<String, String>,
    pub contacts: std::collections::HashMap<String, String>,
}

/// Two contacts at a university, a briefing to both, sent and recorded.
pub(crate) async fn sent_briefing(app: &TestApp) -> Sent {
    let org = app.create_org("Inbound Test University", "hei").await;
    let mut contacts = std::collections::HashMap::new();
    for (name, email) in [
        ("Jo Bloggs", "jo@inbound.example.org"),
        ("Zoë Hughes", "zoe@inbound.example.org"),
    ] {
        app.create_contact(name, email, &org).await;
    }
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE [email, record::id(id)] FROM contact")
        .await
        .unwrap();
    let rows: Vec<Vec<String>> = r.take(0).unwrap();
    for row in rows {
        contacts.insert(row[0].clone(), row[1].clone());
    }
    let segment = app.create_segment(&audience("Universities", &["hei"])).await;
    let form = new_briefing("ACP programme briefing: December", "The December briefing.", &segment);
    let briefing = app
        .create_briefing(&asking_acknowledgement(form, "2030-01-31", ""))
        .await;
    app.send_now(&briefing).await;
    assert!(
        wait_for(20, || async { app.mail.messages().len() >= 2 }).await,
        "both are sent"
    );
    let mut keys = std::collections::HashMap::new();
    for m in app.mail.messages() {
        let key = m
            .from
            .strip_prefix("bounces+")
            .and_then(|r| r.strip_suffix(&format!("@{DOMAIN}")))
            .unwrap_or_else(|| panic!("a VERP envelope sender, not {:?}", m.from))
            .to_string();
        assert!(
            m.data.contains(&format!("Message-ID: <{key}.b@")),
            "the VERP key is the delivery's own"
        );
        keys.insert(m.to[0].clone(), key);
    }
    // Delivery rows are written after the send: wait until both are recorded.
    let recorded = wait_for(20, || async {
        let mut r = app
            .store
            .db()
            .query("SELECT count() FROM delivery WHERE state = 'sent' GROUP ALL")
            .await
            .unwrap();
        let n: Option<i64> = r.take((0, "count")).unwrap();
        n == Some(2)
    })
    .await;
    assert!(recorded);
    Sent {
        briefing,
        segment,
        keys,
        contacts,
    }
}

pub(crate) fn with_key(fixture_text: &str, key: &str, to: &str) -> String {
    fixture_text
        .replace("AbCdEfGhIjKlMnOpQrSt", key)
        .replace("ZyXwVuTsRqPoNmLkJiHg", key)
        .replace("j.bloggs@example.nhs.uk", to)
        .replace("sam.smith@nhs.net", to)
}

async fn contact(app: &TestApp, id: &str) -> app::domain::Contact {
    app.store.contacts().get(&ContactId::parse(id).unwrap()).await.unwrap()
}

#[tokio::test]
async fn a_hard_bounce_over_smtp_holds_the_address_until_it_is_edited() {
    let app = app_with_inbound().await;
    let port = app.inbound.expect("an inbound listener");
    let s = sent_briefing(&app).await;
    assert_eq!(app.store.segments().count(&s.segment).await.unwrap(), 2);

    let jo = "jo@inbound.example.org";
    let key = &s.keys[jo];
    let verp = format!("bounces+{key}@{DOMAIN}");
    let dsn = with_key(&fixture("postfix_permanent.eml"), key, jo);
    let replies = smtp(port, "", &[&verp], &dsn).await;
    assert!(replies[0].starts_with("220"), "{replies:?}");
    assert!(replies[5].starts_with("250"), "stored: {replies:?}");

    let jo_id = s.contacts[jo].clone();
    assert!(
        wait_for(20, || async { contact(&app, &jo_id).await.held.is_some() }).await,
        "a hard bounce holds the address"
    );
    let held = contact(&app, &jo_id).await.held.unwrap();
    assert!(held.reason.contains("User unknown"), "{}", held.reason);
    assert_eq!(
        app.store.segments().count(&s.segment).await.unwrap(),
        1,
        "audiences leave a held address out"
    );
    let (_, held_view) = app.get_html("/contacts?held=1").await;
    assert!(
        held_view.contains("Jo Bloggs") && !held_view.contains("Zoë Hughes"),
        "the register filters on undeliverable addresses"
    );
    let history = app.store.interactions().history(&jo_id).await.unwrap();
    assert!(
        history.iter().any(|h| h.detail.starts_with("bounced (permanent)")),
        "the delivery shows the bounce: {history:?}"
    );
    assert!(
        history.iter().any(|h| h.detail.starts_with("Address held")),
        "{history:?}"
    );

    // The same bounce again (a sender's retry) is one message.
    smtp(port, "", &[&verp], &dsn).await;
    let all = app.store.inbound().list(InboxFilter::All, 50).await.unwrap();
    assert_eq!(all.len(), 1, "stored once: {all:?}");
    assert_eq!(all[0].kind, InboundKind::HardBounce);

    // Correcting the address releases it.
    let form = contact_form(
        "Jo Bloggs",
        "jo.bloggs@inbound.example.org",
        &contact(&app, &jo_id).await.organisation.to_string(),
    );
    let mut form = form;
    form.push(("id", jo_id.clone()));
    app.update_contact(&form).await;
    assert!(contact(&app, &jo_id).await.held.is_none(), "a new address is not held");
    assert_eq!(app.store.segments().count(&s.segment).await.unwrap(), 2);
    let _ = s.briefing;
}

#[tokio::test]
async fn three_soft_bounces_hold_an_address_and_one_does_not() {
    let app = app_with_inbound().await;
    let port = app.inbound.expect("an inbound listener");
    let s = sent_briefing(&app).await;
    let zoe = "zoe@inbound.example.org";
    let key = &s.keys[zoe];
    let verp = format!("bounces+{key}@{DOMAIN}");
    let zoe_id = s.contacts[zoe].clone();
    for i in 0..3 {
        // Three different delay notices (each its own message).
        let dsn = with_key(&fixture("postfix_delayed.eml"), key, zoe).replace("4F1A2B3C@", &format!("4F1A2B3{i}@"));
        let replies = smtp(port, "", &[&verp], &dsn).await;
        assert!(replies[5].starts_with("250"), "{replies:?}");
        let n = i + 1;
        assert!(
            wait_for(20, || async {
                app.store.inbound().list(InboxFilter::All, 50).await.unwrap().len() == n
            })
            .await
        );
        let held = contact(&app, &zoe_id).await.held.is_some();
        assert_eq!(held, n == 3, "held only at the third soft bounce (after {n})");
    }
}

#[tokio::test]
async fn the_listener_refuses_strangers_and_oversized_mail_and_answers_in_order() {
    let app = app_with_inbound().await;
    let port = app.inbound.expect("an inbound listener");
    let r = smtp(
        port,
        "x@elsewhere.example",
        &["someone@elsewhere.example"],
        "Subject: hi\r\n\r\nhi",
    )
    .await;
    assert!(r[3].starts_with("550"), "not ours: {r:?}");
    let big = format!("Subject: big\r\n\r\n{}", "x".repeat(100 * 1024));
    let r = smtp(port, "x@elsewhere.example", &[&format!("replies@{DOMAIN}")], &big).await;
    assert!(r[5].starts_with("552"), "over LIAISON_INBOUND_MAX_BYTES: {r:?}");
    assert!(r[6].starts_with("221"), "the dialogue stays in step: {r:?}");
    assert!(app.store.inbound().list(InboxFilter::All, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reply_lands_on_the_history_and_in_the_inbox_and_is_answered_threaded() {
    let app = app_with_inbound().await;
    let port = app.inbound.expect("an inbound listener");
    let s = sent_briefing(&app).await;
    let zoe = "zoe@inbound.example.org";
    let key = &s.keys[zoe];
    // Our Message-IDs' domain is the public URL's host (127.0.0.1 here).
    let reply = fixture("reply_quoted.eml")
        .replace(
            "AbCdEfGhIjKlMnOpQrSt.b@liaison.example.org",
            &format!("{key}.b@127.0.0.1"),
        )
        .replace("zoe.hughes@example.nhs.uk", zoe);
    let r = smtp(port, zoe, &[&format!("replies@{DOMAIN}")], &reply).await;
    assert!(r[5].starts_with("250"), "{r:?}");
    // An out-of-office is kept but asks nobody for anything.
    let ooo = fixture("out_of_office.eml").replace(
        "AbCdEfGhIjKlMnOpQrSt.b@liaison.example.org",
        &format!("{key}.b@127.0.0.1"),
    );
    smtp(port, zoe, &[&format!("replies@{DOMAIN}")], &ooo).await;

    assert!(
        wait_for(20, || async {
            app.store.inbound().list(InboxFilter::All, 10).await.unwrap().len() == 2
        })
        .await
    );
    let open = app.store.inbound().list(InboxFilter::Open, 10).await.unwrap();
    assert_eq!(open.len(), 1, "only the reply waits: {open:?}");
    let item = &open[0];
    assert_eq!(item.kind, InboundKind::Reply);
    assert_eq!(
        item.contact.as_ref().map(|c| c.id.as_str()),
        Some(s.contacts[zoe].as_str())
    );
    assert_eq!(item.briefing.as_ref().map(|b| b.id.as_str()), Some(s.briefing.as_str()));
    assert!(
        item.text.ends_with("Zoë") && !item.text.contains("wrote:"),
        "{}",
        item.text
    );
    assert_eq!(app.store.inbound().open_count().await.unwrap(), 1);
    let history = app.store.interactions().history(&s.contacts[zoe]).await.unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.what == "Reply" && h.detail.contains("non-medical prescribing")),
        "{history:?}"
    );

    // A question from the acknowledgement page joins it.
    let mail = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.to == ["jo@inbound.example.org"])
        .expect("Jo's briefing");
    let ack = link(&mail.data, &format!("{}/ack/", app.address)).expect("ack link");
    let res = new_client()
        .post(format!("{ack}/question"))
        .header("Origin", app.address.clone())
        .form(&[("question", "When is the next <workshop>?")])
        .send()
        .await
        .expect("question sent");
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap_or_default());
    assert_eq!(app.store.inbound().open_count().await.unwrap(), 2);

    // The answer goes out through the outbox, threaded under the reply.
    let before = app.mail.messages().len();
    app.answer_inbox(&item.id, "Yes: it covers prescribing.\n\nBest wishes")
        .await;
    assert!(
        wait_for(20, || async { app.mail.messages().len() > before }).await,
        "the answer is sent"
    );
    let answer = app.mail.messages().into_iter().last().unwrap();
    assert_eq!(answer.to, vec![zoe.to_string()]);
    assert!(
        answer.data.contains("In-Reply-To: <reply-1@example.nhs.uk>"),
        "{}",
        answer.data
    );
    assert!(answer.data.contains("Subject: Re: ACP programme briefing: December"));
    assert_eq!(
        app.store.inbound().open_count().await.unwrap(),
        1,
        "answered is no longer open"
    );

    // The question is marked handled without an answer.
    let question = app.store.inbound().list(InboxFilter::Open, 10).await.unwrap().remove(0);
    assert_eq!(question.kind, InboundKind::Question);
    app.mark_handled(&question.id).await;
    assert_eq!(app.store.inbound().open_count().await.unwrap(), 0);

    // Mail from a stranger matches nobody: attached to a contact, or discarded.
    for (n, who) in [(1, "sam.stranger@elsewhere.example"), (2, "spam@elsewhere.example")] {
        let mail = format!("From: {who}\r\nSubject: Hello {n}\r\nMessage-ID: <stranger-{n}@elsewhere.example>\r\n\r\nCan I join the list?\r\n");
        smtp(port, who, &[&format!("replies@{DOMAIN}")], &mail).await;
    }
    assert!(
        wait_for(20, || async {
            app.store
                .inbound()
                .list(InboxFilter::Unmatched, 10)
                .await
                .unwrap()
                .len()
                == 2
        })
        .await
    );
    let unmatched = app.store.inbound().list(InboxFilter::Unmatched, 10).await.unwrap();
    let (first, second) = (&unmatched[1], &unmatched[0]);
    let refused = app
        .call(
            "inbox/attach",
            &[("id", first.id.clone()), ("email", "nobody@nowhere.example".into())],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422, "no such contact");
    app.attach_message(&first.id, zoe).await;
    assert_eq!(
        app.store.inbound().get(&first.id).await.unwrap().contact.map(|c| c.id),
        Some(s.contacts[zoe].clone())
    );
    app.discard_message(&second.id).await;
    assert!(app
        .store
        .inbound()
        .list(InboxFilter::Unmatched, 10)
        .await
        .unwrap()
        .is_empty());
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE action FROM audit WHERE string::starts_with(record, 'inbound:') ORDER BY at")
        .await
        .unwrap();
    let actions: Vec<String> = r.take(0).unwrap();
    assert_eq!(
        actions,
        ["answer", "mark-handled", "attach-message", "discard-message"],
        "each is audited"
    );
}

#[tokio::test]
async fn a_message_stored_but_not_classified_is_classified_later() {
    // What the listener stores before a crash: the next pass records it.
    let mut settings = Settings::for_tests();
    settings.workers = false;
    let app = spawn_with(settings).await;
    let sink = StoreSink(app.store.clone());
    sink.store(Accepted {
        via: "smtp",
        envelope_from: String::new(),
        envelope_to: vec![format!("bounces+AbCdEfGhIjKlMnOpQrSt@{DOMAIN}")],
        raw: fixture("postfix_permanent.eml").into_bytes(),
    })
    .await
    .unwrap();
    assert!(app.store.inbound().list(InboxFilter::All, 10).await.unwrap().is_empty());
    let ours = Ours {
        message_id_domain: DOMAIN.into(),
    };
    assert_eq!(process_pending(&app.store, &ours).await.unwrap(), 1);
    assert_eq!(process_pending(&app.store, &ours).await.unwrap(), 0, "once");
    let all = app.store.inbound().list(InboxFilter::All, 10).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, InboundKind::HardBounce);
    assert!(all[0].contact.is_none(), "no such delivery here: unmatched");
}

#[tokio::test]
async fn a_stakeholder_asks_a_question_from_the_acknowledgement_page() {
    let app = app_with_inbound().await;
    let _ = sent_briefing(&app).await;
    let msg = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.to == ["jo@inbound.example.org"])
        .expect("Jo's briefing");
    let ack = link(&msg.data, &format!("{}/ack/", app.address)).expect("ack link");
    let anon = new_client();
    let page = anon.get(&ack).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("I have a question") && page.contains("name=\"question\""),
        "{page}"
    );

    let post = |question: &str| {
        anon.post(format!("{ack}/question"))
            .header("Origin", app.address.clone())
            .form(&[("question", question.to_string())])
            .send()
    };
    let empty = post("   ").await.unwrap();
    assert_eq!(empty.status().as_u16(), 422);
    assert!(empty.text().await.unwrap().contains("Write your question"));
    let long = post(&"x".repeat(app::domain::inbound::QUESTION_MAX + 1)).await.unwrap();
    assert_eq!(long.status().as_u16(), 422, "bounded");
    assert!(
        app.store.inbound().list(InboxFilter::All, 10).await.unwrap().is_empty(),
        "nothing kept"
    );

    let asked = post("Is the <script>alert(1)</script> workshop online?").await.unwrap();
    assert_eq!(asked.status().as_u16(), 200);
    assert!(asked.text().await.unwrap().contains("Your question has been sent"));
    let open = app.store.inbound().list(InboxFilter::Open, 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, InboundKind::Question);
    assert_eq!(open[0].from, "Jo Bloggs <jo@inbound.example.org>");

    // The inbox shows it escaped; a question does not acknowledge the briefing.
    let (status, html) = app.get_html("/inbox").await;
    assert_eq!(status, 200);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert(1)"));
    let (_, overview) = app.get_html("/").await;
    assert!(
        overview.contains("1 reply or question from stakeholders waiting"),
        "the overview counts it"
    );
    let history = app
        .store
        .interactions()
        .history(&open[0].contact.clone().unwrap().id)
        .await
        .unwrap();
    assert!(
        history.iter().any(|h| h.detail == "sent, not acknowledged"),
        "{history:?}"
    );
}

/// A store that is down: every message is refused.
struct DatabaseDown;

impl app::backend::inbound::listener::Sink for DatabaseDown {
    async fn store(&self, _: Accepted) -> Result<(), String> {
        Err("the database is down".into())
    }
}

#[tokio::test]
async fn when_the_message_cannot_be_stored_the_sender_hears_451_and_keeps_it() {
    use app::backend::inbound::listener::{Limits, Listener, Owned};
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let listener = std::sync::Arc::new(Listener {
        owned: Owned::new([format!("replies@{DOMAIN}").as_str()]),
        tls: None,
        limits: Limits::default(),
        hostname: DOMAIN.into(),
        sink: std::sync::Arc::new(DatabaseDown),
        stored: std::sync::Arc::new(tokio::sync::Notify::new()),
    });
    let (_stop, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(listener.serve(socket, stop));
    let r = smtp(
        port,
        "zoe@example.nhs.uk",
        &[&format!("replies@{DOMAIN}")],
        &fixture("reply_quoted.eml"),
    )
    .await;
    assert!(
        r[5].starts_with("451"),
        "a temporary failure, so the sender retries: {r:?}"
    );
    assert!(r[6].starts_with("221"), "{r:?}");
}

#[tokio::test]
async fn with_a_certificate_the_listener_speaks_starttls() {
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (Debian's openssl package)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let mut settings = Settings::for_tests();
    settings.inbound_bind = Some(([127, 0, 0, 1], 0).into());
    settings.inbound_tls = Some((cert, key));
    let app = spawn_with(settings).await;
    let port = app.inbound.expect("a listener");

    // A client that insists on TLS (the certificate is self-signed, hence "dangerous").
    let tls = TlsParameters::builder("localhost".into())
        .dangerous_accept_invalid_certs(true)
        .dangerous_accept_invalid_hostnames(true)
        .build()
        .unwrap();
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .tls(Tls::Required(tls))
        .build();
    let envelope = lettre::address::Envelope::new(
        Some("zoe@example.nhs.uk".parse().unwrap()),
        vec![format!("replies@{DOMAIN}").parse().unwrap()],
    )
    .unwrap();
    mailer
        .send_raw(&envelope, fixture("reply_quoted.eml").as_bytes())
        .await
        .expect("delivered over STARTTLS");
    assert!(
        wait_for(20, || async {
            app.store.inbound().list(InboxFilter::All, 10).await.unwrap().len() == 1
        })
        .await,
        "stored and classified"
    );
    // Without a certificate STARTTLS is not offered, and a client that insists cannot send.
    let plain = app_with_inbound().await;
    let tls = TlsParameters::builder("localhost".into())
        .dangerous_accept_invalid_certs(true)
        .dangerous_accept_invalid_hostnames(true)
        .build()
        .unwrap();
    let insisting = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(plain.inbound.unwrap())
        .tls(Tls::Required(tls))
        .build();
    assert!(insisting.send_raw(&envelope, b"Subject: x\r\n\r\nx").await.is_err());
}
