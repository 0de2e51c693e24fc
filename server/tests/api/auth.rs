//! Sign-in, sessions, roles, CSRF, throttling and the audit log, through HTTP (the permission
//! matrix is `permissions`).
use crate::helpers::*;
use app::domain::policy::Role;

const LEAD: &str = "lead@test.example.org";

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_leads_are_refused_manager_pages() {
    let app = spawn_app().await;
    let anon = new_client();
    for page in ["/", "/organisations", "/contacts/abc", "/users", "/audit"] {
        let res = anon.get(format!("{}{page}", app.address)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "{page}");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/sign-in?next="), "{page} → {location}");
    }
    let status = anon
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 200);

    app.add_user(LEAD, Role::WorkstreamLead).await;
    let lead = app.signed_in(LEAD).await;
    let res = lead.get(format!("{}/users", app.address)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = lead
        .get(format!("{}/organisations/new", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "forcing the URL of a forbidden page");
    let res = lead.get(format!("{}/organisations", app.address)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(!html.contains("Add an organisation"), "leads see no edit controls");
}

#[tokio::test]
async fn a_cross_origin_form_post_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.org_count().await;
    let res = app
        .client
        .post(format!("{}/api/organisations/create", app.address))
        .header("Origin", "https://evil.test")
        .header("Accept", "text/html")
        .form(&org_form("Forged Trust", "acute_trust"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.org_count().await, before);

    let res = app
        .client
        .post(format!("{}/api/organisations/create", app.address))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&org_form("Forged Trust", "acute_trust"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.org_count().await, before);

    // The same post from our own origin goes through.
    let res = app
        .client
        .post(format!("{}/api/organisations/create", app.address))
        .header("Origin", app.address.clone())
        .header("Accept", "application/json")
        .form(&org_form("Real Trust", "acute_trust"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(app.org_count().await, before + 1);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let client = new_client();
    for _ in 0..5 {
        let res = app.sign_in_with(&client, LEAD, "not the password").await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("Enter a correct email address and password"), "{body}");
    }
    let res = app.sign_in_with(&client, LEAD, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 429, "the right password is refused while locked");
    // An unknown account gets the same answer as a wrong password.
    let res = app
        .sign_in_with(&client, "nobody@test.example.org", "whatever it is")
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Enter a correct email address and password"));
    // Other accounts are unaffected.
    let res = app.sign_in_with(&new_client(), MANAGER, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn sessions_end_on_sign_out_and_when_the_user_is_disabled() {
    let app = spawn_app().await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let lead = app.signed_in(LEAD).await;
    app.org_options_as(&lead).await;
    app.set_user_active(LEAD, false).await;
    assert_eq!(
        app.call_as(&lead, "organisations/options", &[]).await.status().as_u16(),
        401,
        "disabled user's session ended"
    );
    assert_eq!(
        app.sign_in_with(&new_client(), LEAD, PASSWORD).await.status().as_u16(),
        422,
        "disabled user cannot sign in"
    );

    let pm = app.signed_in(MANAGER).await;
    app.sign_out_as(&pm).await;
    assert_eq!(
        app.call_as(&pm, "organisations/options", &[]).await.status().as_u16(),
        401
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let res = app.sign_in_with(&new_client(), MANAGER, PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("liaison_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn changes_and_sign_ins_are_audited_and_the_log_is_append_only() {
    let app = spawn_app().await;
    let org = app.create_org("Audited University", "hei").await;
    let mut form = org_form("Audited University", "other");
    form.insert(0, ("id", org.clone()));
    app.update_org(&form).await;
    let _ = app.sign_in_with(&new_client(), MANAGER, "wrong password!").await;

    let body = app.audit_text().await;
    assert!(
        body.contains("\"action\":\"create\"") && body.contains("Audited University"),
        "{body}"
    );
    assert!(
        body.contains("kind: Higher education institution → Other"),
        "what changed is recorded: {body}"
    );
    assert!(body.contains("\"action\":\"sign-in\""), "{body}");
    assert!(body.contains("\"action\":\"failed-sign-in\""), "{body}");

    let body = app.audit_text_of_action("update").await;
    assert!(!body.contains("\"action\":\"create\""), "filter by action: {body}");

    // The database itself refuses to rewrite history.
    let mut r = app
        .store
        .db()
        .query("UPDATE audit SET action = 'tampered'")
        .await
        .unwrap();
    assert!(
        r.take_errors().values().any(|e| e.to_string().contains("append-only")),
        "update refused"
    );
    let mut r = app.store.db().query("DELETE audit").await.unwrap();
    assert!(
        r.take_errors().values().any(|e| e.to_string().contains("append-only")),
        "delete refused"
    );
}
