//! The security review's findings (issue 18), each as a test that failed before its fix:
//! throttling that cannot be raced, client addresses behind a trusted proxy, bounded input,
//! redirects that stay on this site, sessions that end, and no demo account or development
//! mail sink where a real programme runs.
use crate::helpers::*;
use app::domain::policy::Role;
use server::config::Settings;

const LEAD: &str = "lead@test.example.org";

async fn audit_count(app: &TestApp, action: &str, changes_prefix: &str) -> i64 {
    let mut r = app
        .store
        .db()
        .query("SELECT count() FROM audit WHERE action = $a AND string::starts_with(changes, $c) GROUP ALL")
        .bind(("a", action.to_string()))
        .bind(("c", changes_prefix.to_string()))
        .await
        .expect("audit query");
    let n: Option<i64> = r.take((0, "count")).expect("count");
    n.unwrap_or(0)
}

/// Fifty wrong passwords at once for one account: each attempt is counted before its password
/// is checked, so at most five are checked at all; the rest are refused, and only the first
/// refusal is audited.
#[tokio::test]
async fn parallel_guesses_get_no_more_than_the_limit() {
    let app = spawn_app().await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let address = app.address.clone();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let address = address.clone();
        tasks.push(tokio::spawn(async move {
            new_client()
                .post(format!("{address}/api/auth/sign-in"))
                .header("Accept", "application/json")
                .form(&[
                    ("email", LEAD),
                    ("password", &format!("wrong guess number {i}")),
                    ("next", "/"),
                ])
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }));
    }
    let mut checked = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("task") {
            422 => checked += 1,
            429 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(checked <= 5, "{checked} passwords were checked; the limit is 5");
    assert_eq!(checked + refused, 50);
    assert!(audit_count(&app, "failed-sign-in", "wrong email").await <= 5);
    assert_eq!(
        audit_count(&app, "failed-sign-in", "refused").await,
        1,
        "one audit entry for the refusals of this window, not one each"
    );
}

/// Behind a trusted proxy the client is the address the proxy names: one attacker's failures
/// do not lock out the account's owner at another address. From an untrusted peer the header
/// is ignored, so it cannot be used to dodge the limit.
#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_an_untrusted_one_does_not() {
    let settings = Settings {
        trusted_proxies: app::backend::net::IpRange::parse_list("127.0.0.1").expect("range"),
        ..Settings::for_tests()
    };
    let app = spawn_with(settings).await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let from = |ip: &'static str| {
        let app = &app;
        move |password: &'static str| async move {
            new_client()
                .post(format!("{}/api/auth/sign-in", app.address))
                .header("Accept", "application/json")
                .header("X-Forwarded-For", ip)
                .form(&[("email", LEAD), ("password", password), ("next", "/")])
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    let attacker = from("198.51.100.66");
    for _ in 0..5 {
        assert_eq!(attacker("not the password").await, 422);
    }
    assert_eq!(
        attacker(PASSWORD).await,
        429,
        "the attacker's address is locked for this account"
    );
    let owner = from("203.0.113.10");
    assert_eq!(
        owner(PASSWORD).await,
        200,
        "the owner, at their own address, still signs in"
    );

    // Without trusting the peer, the header changes nothing: every attempt is from 127.0.0.1.
    let plain = spawn_app().await;
    plain.add_user(LEAD, Role::WorkstreamLead).await;
    for i in 0..6 {
        let status = new_client()
            .post(format!("{}/api/auth/sign-in", plain.address))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .form(&[("email", LEAD), ("password", "not the password"), ("next", "/")])
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16();
        assert_eq!(status, if i < 5 { 422 } else { 429 }, "attempt {i}");
    }
}

/// An email of 1 MB is cut to 254 characters before it becomes a throttle key or an audit row.
#[tokio::test]
async fn oversized_sign_in_input_is_bounded_before_it_is_stored() {
    let app = spawn_app().await;
    let huge = "a".repeat(1024 * 1024);
    let res = app.sign_in_with(&new_client(), &huge, "whatever it is").await;
    assert_eq!(res.status().as_u16(), 422);
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE string::len(<string>id) FROM login_throttle; SELECT VALUE string::len(actor_label) FROM audit;")
        .await
        .expect("query");
    let keys: Vec<i64> = r.take(0).expect("keys");
    let labels: Vec<i64> = r.take(1).expect("labels");
    assert!(!keys.is_empty(), "the attempt was counted");
    assert!(keys.iter().all(|n| *n < 400), "throttle keys: {keys:?}");
    assert!(labels.iter().all(|n| *n < 400), "audit labels: {labels:?}");
}

/// `next` after sign-in: a tab or line break that browsers drop, or a backslash they turn into a
/// slash, can no longer send the user to another site, and a line break no longer panics.
#[tokio::test]
async fn sign_in_redirects_stay_on_this_site() {
    let app = spawn_app().await;
    for next in [
        "/\t/evil.test",
        "/\\evil.test",
        "/ok\nLocation: https://evil.test",
        "//evil.test",
        "/%2F/evil.test",
    ] {
        let res = new_client()
            .post(format!("{}/api/auth/sign-in", app.address))
            .header("Accept", "application/json")
            .form(&[("email", MANAGER), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status().as_u16(), 200, "{next:?}");
        assert_eq!(redirect_target(&res), "/", "{next:?}");
    }
    let res = new_client()
        .post(format!("{}/api/auth/sign-in", app.address))
        .header("Accept", "application/json")
        .form(&[("email", MANAGER), ("password", PASSWORD), ("next", "/contacts?q=a")])
        .send()
        .await
        .expect("sent");
    assert_eq!(redirect_target(&res), "/contacts?q=a");
}

/// A new password (`liaison user passwd`) ends every session of the account.
#[tokio::test]
async fn a_new_password_ends_the_users_sessions() {
    let app = spawn_app().await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let lead = app.signed_in(LEAD).await;
    app.org_options_as(&lead).await;
    let hash = app::backend::auth::hash_password("another long password".into())
        .await
        .expect("hash");
    let email = app::domain::EmailAddress::parse(LEAD).expect("email");
    // The command line's path (no endpoint sets a password without a reset link).
    app.store
        .users()
        .set_password(&email, &hash)
        .await
        .expect("password set");
    assert_eq!(
        app.call_as(&lead, "organisations/options", &[]).await.status().as_u16(),
        401
    );
}

/// However often it is used, a session ends seven days after sign-in.
#[tokio::test]
async fn sessions_have_an_absolute_lifetime() {
    let app = spawn_app().await;
    let pm = app.signed_in(MANAGER).await;
    app.org_options_as(&pm).await;
    // No endpoint ages a session: move every session's start back eight days.
    app.store
        .db()
        .query("UPDATE session SET created_at = time::now() - 8d")
        .await
        .expect("update")
        .check()
        .expect("aged");
    assert_eq!(
        app.call_as(&pm, "organisations/options", &[]).await.status().as_u16(),
        401
    );
}

/// On https the session cookie carries the `__Host-` prefix and `Secure`.
#[tokio::test]
async fn the_session_cookie_is_host_prefixed_on_https() {
    let settings = Settings {
        public_url: Some("https://liaison.example.nhs.uk".into()),
        ..Settings::for_tests()
    };
    let app = spawn_with_manager_cookie_ignored(settings).await;
    let res = app.sign_in_with(&new_client(), MANAGER, PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie").to_string();
    assert!(cookie.starts_with("__Host-liaison_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/"), "{cookie}");
    assert_eq!(
        res.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000"),
        "HSTS on https"
    );
    let plain = spawn_app().await;
    let res = new_client()
        .get(format!("{}/health", plain.address))
        .send()
        .await
        .expect("sent");
    assert!(
        res.headers().get("strict-transport-security").is_none(),
        "no HSTS on plain http"
    );
}

/// On https the test client cannot send the Secure cookie back over plain http, so the usual
/// signed-in client is not made; the manager account is.
async fn spawn_with_manager_cookie_ignored(settings: Settings) -> TestApp {
    spawn_with_options(settings, false).await
}

/// The demo (whose passwords the README publishes) goes only into an empty database, and
/// never behind https.
#[tokio::test]
async fn the_demo_is_never_loaded_beside_a_real_user_or_behind_https() {
    // Asked for, into an empty database on plain http: loaded.
    let demo = server::Application::build(Settings {
        seed_demo: true,
        ..Settings::for_tests()
    })
    .await
    .expect("builds");
    assert!(
        demo.store().users().count().await.expect("count") > 0,
        "demo users loaded"
    );

    // Behind https: refused, with the reason, even into an empty database.
    let https = server::Application::build(Settings {
        seed_demo: true,
        public_url: Some("https://liaison.example.nhs.uk".into()),
        ..Settings::for_tests()
    })
    .await
    .expect("builds");
    assert_eq!(https.store().users().count().await.expect("count"), 0);
    assert_eq!(https.store().organisations().count().await.expect("count"), 0);
    let reason = server::seed::seed_demo(https.store(), Some("https://liaison.example.nhs.uk"))
        .await
        .expect("checked")
        .expect_err("refused");
    assert!(reason.contains("https"), "{reason}");

    // A database whose first manager was made with `liaison user add`: refused, though it has
    // no organisations yet.
    let real = spawn_app().await;
    let reason = server::seed::seed_demo(&real.store, None)
        .await
        .expect("checked")
        .expect_err("refused");
    assert!(reason.contains("1 user"), "{reason}");
    assert_eq!(real.org_count().await, 0);
    let email = app::domain::EmailAddress::parse(server::seed::DEMO_MANAGER.0).expect("email");
    assert!(real.store.users().credentials(&email).await.expect("lookup").is_none());
}

/// Without a relay, a deployment that did not ask for the development mail sink does not start
/// (its mail would go nowhere); one that did, or a plain-http development run, does.
#[tokio::test]
async fn a_missing_relay_stops_start_up_unless_the_development_sink_is_allowed() {
    let refused = server::Application::build(Settings {
        dev_mail: false,
        smtp: None,
        ..Settings::for_tests()
    })
    .await;
    let err = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(err.contains("LIAISON_SMTP_HOST"), "{err}");
    assert!(server::Application::build(Settings::for_tests()).await.is_ok());
}

/// The development sink keeps only the newest messages, and `/dev/mail` pages through them.
#[tokio::test]
async fn the_development_sink_is_bounded_and_paginated() {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let sink = server::devmail::MailSink::bounded(3);
    let (addr, task) = sink.clone().start(([127, 0, 0, 1], 0).into()).await.expect("sink");
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .build();
    for i in 0..5 {
        let m = Message::builder()
            .from("a@test.example.org".parse().expect("from"))
            .to("b@test.example.org".parse().expect("to"))
            .subject(format!("message {i}"))
            .body(String::from("hello"))
            .expect("message");
        transport.send(m).await.expect("sent");
    }
    let kept = sink.messages();
    assert_eq!(kept.len(), 3);
    assert!(kept[0].data.contains("message 2") && kept[2].data.contains("message 4"));
    let (page, total) = sink.page_newest_first(1, 1);
    assert_eq!(total, 3);
    assert!(page[0].data.contains("message 3"));
    task.abort();
}

/// DNS rebinding: a request naming another host is refused before anything else happens.
#[tokio::test]
async fn a_request_for_another_host_name_is_refused() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/", app.address))
        .header("Host", "rebound.evil.test")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 421);
    let res = app
        .client
        .get(format!("{}/", app.address))
        .header("Host", "localhost")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 200, "localhost is this machine");
}

/// The audit log only grows: its page reads by keyset from the index on `at`, counts nothing,
/// and an entry written between two page loads shifts nothing (no entry shown twice or
/// skipped).
#[tokio::test]
async fn the_audit_log_pages_by_cursor_without_counting_the_table() {
    use app::backend::repo::audit::Actor;
    let app = spawn_app().await;
    // Entries written directly: no endpoint writes 120 audited actions quickly.
    for i in 0..120 {
        app.store
            .audit()
            .append(
                &Actor::system(),
                app::domain::audit::AuditAction::Update,
                &format!("paging:{i:03}"),
                "",
            )
            .await
            .expect("append");
    }
    let page = |before: String, after: String| {
        let app = &app;
        async move {
            let v = app
                .audit_page(&[
                    ("actor", String::new()),
                    ("action", String::new()),
                    ("record", "paging:".to_string()),
                    ("before", before),
                    ("after", after),
                ])
                .await;
            let records: Vec<String> = v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["record"].as_str().unwrap_or_default().to_string())
                .collect();
            let cursor = |k: &str| v[k].as_str().map(str::to_string);
            (records, cursor("older"), cursor("newer"))
        }
    };
    let (first, older, newer) = page(String::new(), String::new()).await;
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "paging:119", "newest first");
    assert!(newer.is_none(), "nothing is newer than the newest");
    // Written between two page loads: page numbers would now repeat an entry; a cursor does not.
    for i in 120..125 {
        app.store
            .audit()
            .append(
                &Actor::system(),
                app::domain::audit::AuditAction::Update,
                &format!("paging:{i:03}"),
                "",
            )
            .await
            .expect("append");
    }
    let (second, older, newer) = page(older.expect("an older page"), String::new()).await;
    assert_eq!(second.first().map(String::as_str), Some("paging:069"));
    let (third, last_older, _) = page(older.expect("a third page"), String::new()).await;
    assert_eq!(third.len(), 20);
    assert_eq!(third.last().map(String::as_str), Some("paging:000"));
    assert!(last_older.is_none(), "nothing is older than the oldest");
    let mut seen: Vec<String> = first.iter().chain(&second).chain(&third).cloned().collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 120, "every entry once");
    // Back up: the page newer than the second is the first, plus what was written since.
    let (back, _, newer_still) = page(String::new(), newer.expect("a newer page")).await;
    assert_eq!(back.last().map(String::as_str), Some("paging:070"));
    assert_eq!(
        back.first().map(String::as_str),
        Some("paging:119"),
        "the 50 just newer, newest first"
    );
    assert!(newer_still.is_some(), "and still newer ones beyond");
    // A cursor that is not one shows the newest.
    let (newest, ..) = page("not a cursor".into(), String::new()).await;
    assert_eq!(newest[0], "paging:124");
    let (status, html) = app.get_html("/audit?record=paging").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Older entries") && !html.contains("Newer entries"),
        "links, not page numbers"
    );
}

/// Every page names a fresh nonce in its Content-Security-Policy, and its inline scripts (the
/// hydration scripts, on the pages with an island: `islands::on_page`) carry that nonce;
/// everything else gets a policy with no script at all.
#[tokio::test]
async fn pages_carry_a_content_security_policy_with_a_fresh_nonce() {
    let app = spawn_app().await;
    let csp_of = |res: &reqwest::Response| {
        res.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let mut nonces = Vec::new();
    for path in ["/map", "/reports/board", "/map?cell=3-3"] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("page");
        let csp = csp_of(&res);
        let html = res.text().await.expect("body");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {csp:?}"))
            .to_string();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path}: the hydration scripts");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: every inline script carries the response's nonce"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a new nonce per response");
    // A page without an island loads no WebAssembly, and its data is not sent along for it.
    let (_, html) = app.get_html("/contacts").await;
    assert!(
        !html.contains("liaison.wasm") && !html.contains("__RESOLVED_RESOURCES[0]"),
        "{html}"
    );
    for path in ["/health", "/ack/not-a-token", "/unsubscribe/not-a-token"] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("response");
        let csp = csp_of(&res);
        assert!(
            csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
            "{path}: {csp}"
        );
    }
}
