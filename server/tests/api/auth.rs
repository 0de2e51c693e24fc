//! Sign-in, sessions, roles, CSRF, throttling and the audit log, through HTTP.
use crate::helpers::*;
use app::domain::policy::Role;
use std::collections::BTreeSet;

/// Who may call a server function.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Anyone, signed in or not (sign-in itself, "who am I").
    Public,
    /// Any signed-in user: the register and other read-only views.
    SignedIn,
    /// Programme managers only.
    Manager,
    /// Programme managers, and the lead of the workstream concerned.
    OwnWorkstream,
}

/// Every server function and its rule. The test below fails when a server function exists
/// that is not listed here, so a new feature cannot forget to decide who may use it.
const RULES: &[(&str, Rule)] = &[
    ("/api/auth/sign-in", Rule::Public),
    ("/api/auth/sign-out", Rule::Public),
    ("/api/auth/me", Rule::Public),
    ("/api/auth/ready", Rule::Public),
    ("/api/register/summary", Rule::SignedIn),
    ("/api/organisations/list", Rule::SignedIn),
    ("/api/organisations/get", Rule::SignedIn),
    ("/api/organisations/options", Rule::SignedIn),
    ("/api/organisations/create", Rule::Manager),
    ("/api/organisations/update", Rule::Manager),
    ("/api/organisations/delete", Rule::Manager),
    ("/api/contacts/list", Rule::SignedIn),
    ("/api/contacts/get", Rule::SignedIn),
    ("/api/contacts/history", Rule::SignedIn),
    ("/api/contacts/create", Rule::Manager),
    ("/api/contacts/update", Rule::Manager),
    ("/api/contacts/delete", Rule::Manager),
    ("/api/admin/users", Rule::Manager),
    ("/api/admin/users/set-active", Rule::Manager),
    ("/api/admin/users/set-role", Rule::Manager),
    ("/api/admin/audit", Rule::Manager),
    ("/api/workstreams/overview", Rule::SignedIn),
    ("/api/workstreams/get", Rule::SignedIn),
    ("/api/workstreams/status", Rule::OwnWorkstream),
    ("/api/workstreams/milestone-done", Rule::OwnWorkstream),
    ("/api/workstreams/milestone-add", Rule::OwnWorkstream),
    ("/api/segments/list", Rule::SignedIn),
    ("/api/segments/get", Rule::SignedIn),
    ("/api/segments/create", Rule::Manager),
    ("/api/plan/list", Rule::SignedIn),
    ("/api/plan/create", Rule::Manager),
    ("/api/briefings/list", Rule::SignedIn),
    ("/api/briefings/get", Rule::SignedIn),
    ("/api/briefings/progress", Rule::SignedIn),
    ("/api/briefings/create", Rule::Manager),
    ("/api/briefings/test", Rule::Manager),
    ("/api/briefings/schedule", Rule::Manager),
    ("/api/briefings/cancel", Rule::Manager),
    ("/api/briefings/repeat", Rule::Manager),
    ("/api/plan/active", Rule::Manager),
    ("/api/workstreams/setup-list", Rule::Manager),
    ("/api/admin/invitations", Rule::Manager),
    ("/api/admin/invite", Rule::Manager),
    ("/api/admin/invitation-resend", Rule::Manager),
    ("/api/admin/invitation-revoke", Rule::Manager),
    ("/api/auth/invitation", Rule::Public),
    ("/api/auth/accept-invitation", Rule::Public),
    ("/api/auth/forgot-password", Rule::Public),
    ("/api/auth/reset-link", Rule::Public),
    ("/api/auth/reset-password", Rule::Public),
    ("/api/briefings/stop", Rule::Manager),
    ("/api/briefings/edit-form", Rule::Manager),
    ("/api/briefings/update", Rule::Manager),
    ("/api/briefings/unschedule", Rule::Manager),
    ("/api/briefings/resume", Rule::Manager),
    ("/api/briefings/retry-failed", Rule::Manager),
    ("/api/workstreams/save", Rule::Manager),
    ("/api/workstreams/archive", Rule::Manager),
    ("/api/segments/edit-form", Rule::Manager),
    ("/api/segments/update", Rule::Manager),
    ("/api/segments/restore", Rule::Manager),
    ("/api/plan/edit-form", Rule::Manager),
    ("/api/plan/update", Rule::Manager),
    ("/api/workstreams/milestone-edit-form", Rule::OwnWorkstream),
    ("/api/workstreams/milestone-update", Rule::OwnWorkstream),
    ("/api/contacts/engagement", Rule::SignedIn),
    ("/api/interactions/list", Rule::SignedIn),
    ("/api/interactions/log", Rule::SignedIn),
    ("/api/interactions/edit-form", Rule::SignedIn),
    ("/api/interactions/update", Rule::SignedIn),
    ("/api/interactions/follow-ups", Rule::SignedIn),
    ("/api/interactions/follow-up-done", Rule::SignedIn),
    ("/api/import/preview", Rule::Manager),
    ("/api/import/commit", Rule::Manager),
    // Removals last, and of unknown ids (answered 404 when allowed): the rows above keep
    // their fixtures.
    ("/api/segments/remove", Rule::Manager),
    ("/api/plan/remove", Rule::Manager),
    ("/api/workstreams/milestone-delete", Rule::OwnWorkstream),
];

const LEAD: &str = "lead@test.example.org";
const OTHER_LEAD: &str = "other.lead@test.example.org";
const SPARE: &str = "spare@test.example.org";

struct Fixture {
    org: String,
    contact: String,
    spare_user: String,
    workstream: String,
    milestone: String,
    segment: String,
    briefing: String,
    plan_item: String,
}

/// A plausible argument set for each endpoint, so that an allowed call reaches its logic.
fn args(path: &str, f: &Fixture) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_string();
    match path.trim_start_matches("/api/") {
        "auth/sign-in" => vec![
            ("email", s("nobody@test.example.org")),
            ("password", s("wrong password")),
            ("next", s("/")),
        ],
        "organisations/list" => vec![
            ("query[search]", s("")),
            ("query[page]", s("1")),
            ("sort", s("NameAsc")),
        ],
        "contacts/list" | "contacts/engagement" => vec![("query[search]", s("")), ("query[page]", s("1"))],
        "organisations/get" | "organisations/delete" => vec![("id", f.org.clone())],
        "contacts/get" | "contacts/delete" | "contacts/history" => vec![("id", f.contact.clone())],
        "organisations/create" => org_form("Matrix Test Trust", "acute_trust"),
        "organisations/update" => {
            let mut v = org_form("Matrix Renamed Trust", "acute_trust");
            v.insert(0, ("id", f.org.clone()));
            v
        }
        "contacts/create" => contact_form("Matrix Person", "matrix.person@test.example.org", &f.org),
        "contacts/update" => {
            let mut v = contact_form("Matrix Person Two", "matrix.two@test.example.org", &f.org);
            v.insert(0, ("id", f.contact.clone()));
            v
        }
        "admin/users/set-active" => vec![("email", s(SPARE)), ("active", s("false"))],
        "admin/users/set-role" => vec![("id", f.spare_user.clone()), ("role", s("programme-manager"))],
        "admin/audit" => vec![
            ("actor", s("")),
            ("action", s("")),
            ("record", s("")),
            ("before", s("")),
            ("after", s("")),
        ],
        "workstreams/get" => vec![("id", f.workstream.clone())],
        "workstreams/status" => vec![
            ("workstream", f.workstream.clone()),
            ("rag", s("amber")),
            ("summary", s("Matrix update")),
            ("risks", s("")),
            ("issues", s("")),
            ("next_steps", s("")),
            ("commentary", s("")),
        ],
        "workstreams/milestone-done" => vec![
            ("workstream", f.workstream.clone()),
            ("milestone", f.milestone.clone()),
            ("done", s("true")),
        ],
        "workstreams/milestone-add" => vec![
            ("workstream", f.workstream.clone()),
            ("title", s("Matrix milestone")),
            ("due", s("2027-01-31")),
        ],
        "segments/get" => vec![("id", f.segment.clone())],
        "segments/create" => vec![
            ("name", s("Matrix audience")),
            ("influence_min", s("1")),
            ("interest_min", s("1")),
        ],
        "plan/create" => vec![
            ("segment", f.segment.clone()),
            ("objective", s("Matrix objective")),
            ("key_message", s("Matrix message")),
            ("channel", s("email_briefing")),
            ("frequency", s("monthly")),
            ("owner", s("Programme manager")),
            ("start", s("2026-12-01")),
            ("end", s("")),
            ("feedback", s("")),
        ],
        "briefings/get"
        | "briefings/progress"
        | "briefings/test"
        | "briefings/cancel"
        | "briefings/stop"
        | "briefings/resume"
        | "briefings/retry-failed"
        | "briefings/edit-form"
        | "briefings/unschedule" => {
            vec![("id", f.briefing.clone())]
        }
        "briefings/create" => vec![
            ("subject", s("Matrix briefing")),
            ("body", s("Hello")),
            ("segment", f.segment.clone()),
            ("ack_deadline", s("")),
            ("remind_days_before", s("")),
        ],
        "briefings/update" => vec![
            ("id", f.briefing.clone()),
            ("version", s("1")),
            ("subject", s("Matrix briefing, edited")),
            ("body", s("Hello again")),
            ("segment", f.segment.clone()),
            ("ack_deadline", s("")),
            ("remind_days_before", s("")),
        ],
        "briefings/repeat" => vec![("id", f.briefing.clone()), ("plan_item", f.plan_item.clone())],
        "plan/active" => vec![("id", f.plan_item.clone()), ("active", s("false"))],
        // A new workstream, so the fixture's leads keep their rights for the rows that follow.
        "workstreams/save" => vec![
            ("name", s("Matrix new workstream")),
            ("purpose", s("Purpose")),
            ("position", s("3")),
        ],
        "admin/invite" => vec![
            ("email", s("matrix.invitee@test.example.org")),
            ("name", s("Matrix Invitee")),
            ("role", s("workstream-lead")),
        ],
        // Unknown ids and tokens: the call is allowed and answered (404/422), never a 5xx.
        "admin/invitation-resend" | "admin/invitation-revoke" => vec![("id", s("nosuchinvitation"))],
        "auth/invitation" | "auth/reset-link" => vec![("token", s("x".repeat(43).as_str()))],
        "auth/accept-invitation" | "auth/reset-password" => vec![
            ("token", s("x".repeat(43).as_str())),
            ("password", s("a long enough password")),
            ("confirm", s("a long enough password")),
        ],
        "auth/forgot-password" => vec![("email", s("nobody@test.example.org"))],
        // Restoring an active workstream: allowed, changes nothing the other rows rely on.
        "workstreams/archive" => vec![("id", f.workstream.clone()), ("archived", s("false"))],
        "briefings/schedule" => vec![
            ("id", f.briefing.clone()),
            ("when", s("later")),
            ("date", s("2030-01-01")),
            ("time", s("09:00")),
        ],
        "segments/edit-form" | "segments/restore" => vec![("id", f.segment.clone())],
        "segments/update" => vec![
            ("id", f.segment.clone()),
            ("version", s("1")),
            ("name", s("Fixture audience, edited")),
            ("influence_min", s("1")),
            ("interest_min", s("1")),
        ],
        "plan/edit-form" => vec![("id", f.plan_item.clone())],
        "plan/update" => vec![
            ("id", f.plan_item.clone()),
            ("version", s("1")),
            ("segment", f.segment.clone()),
            ("objective", s("Fixture plan item, edited")),
            ("key_message", s("Message")),
            ("channel", s("email_briefing")),
            ("frequency", s("monthly")),
            ("owner", s("PM")),
            ("start", s("2027-01-01")),
            ("end", s("")),
            ("feedback", s("")),
        ],
        "workstreams/milestone-edit-form" => {
            vec![("workstream", f.workstream.clone()), ("milestone", f.milestone.clone())]
        }
        "workstreams/milestone-update" => vec![
            ("workstream", f.workstream.clone()),
            ("milestone", f.milestone.clone()),
            ("version", s("1")),
            ("title", s("Fixture milestone, edited")),
            ("due", s("2027-02-01")),
            ("status", s("open")),
        ],
        "segments/remove"
        | "plan/remove"
        | "import/preview"
        | "import/commit"
        | "interactions/edit-form"
        | "interactions/follow-up-done" => vec![("id", s("nosuchrecord"))],
        "interactions/list" => vec![("contact", f.contact.clone())],
        "interactions/log" => vec![
            ("contact", f.contact.clone()),
            ("kind", s("call")),
            ("date", s("2026-11-30")),
            ("summary", s("Matrix call")),
        ],
        "interactions/update" => vec![
            ("id", s("nosuchrecord")),
            ("version", s("1")),
            ("kind", s("call")),
            ("date", s("2026-11-30")),
            ("summary", s("Matrix call")),
        ],
        "workstreams/milestone-delete" => vec![
            ("workstream", f.workstream.clone()),
            ("milestone", s("nosuchmilestone")),
        ],
        _ => vec![],
    }
}

/// A summary of everything the application can write, to prove a refused call wrote nothing.
async fn fingerprint(app: &TestApp) -> String {
    let mut out = String::new();
    for table in [
        "organisation",
        "contact",
        "audit",
        "user",
        "segment",
        "plan_item",
        "briefing",
        "delivery",
        "status_update",
        "milestone",
        "workstream",
    ] {
        let mut r = app
            .store
            .db()
            .query(format!("SELECT count() FROM {table} GROUP ALL"))
            .await
            .unwrap();
        let n: Option<i64> = r.take((0, "count")).unwrap();
        out.push_str(&format!("{table}={} ", n.unwrap_or(0)));
    }
    // Field-level changes that keep counts equal.
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE string::concat(name, kind) FROM organisation; SELECT VALUE string::concat(email, role, <string>active) FROM user; SELECT VALUE string::concat(state, <string>send_at) FROM briefing; SELECT VALUE <string>active FROM plan_item; SELECT VALUE <string>done FROM milestone;")
        .await
        .unwrap();
    for i in 0..5 {
        let mut v: Vec<String> = r.take(i).unwrap();
        v.sort();
        out.push_str(&format!("{v:?} "));
    }
    out
}

#[tokio::test]
async fn every_server_function_has_a_rule_and_the_server_enforces_it() {
    let app = spawn_app().await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let spare_user = app.add_user(SPARE, Role::WorkstreamLead).await.to_string();
    let org = app.create_org("Fixture University", "hei").await;
    let res = app
        .create_contact("Fixture Person", "fixture@test.example.org", &org)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let contact = app.store.contacts().list(&Default::default(), 10).await.unwrap().items[0]
        .id
        .to_string();
    let lead_id = app
        .store
        .users()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == LEAD)
        .unwrap()
        .id;
    let other_id = app.add_user(OTHER_LEAD, Role::WorkstreamLead).await;
    let workstream = app
        .store
        .workstreams()
        .create("Matrix workstream", "Aim", 1, Some(&lead_id))
        .await
        .unwrap();
    app.store
        .workstreams()
        .create("Other workstream", "Aim", 2, Some(&other_id))
        .await
        .unwrap();
    let actor = app::backend::repo::audit::Actor::system();
    let draft = app::domain::workstream::parse_milestone("Fixture milestone", "2027-01-01").unwrap();
    app.store
        .workstreams()
        .add_milestone(&actor, &workstream, &draft)
        .await
        .unwrap();
    let milestone = app.store.workstreams().view(&workstream).await.unwrap().milestones[0]
        .id
        .clone();
    let segment = app
        .store
        .segments()
        .create(&actor, "Fixture audience", &Default::default())
        .await
        .unwrap();
    let briefing_draft = app::domain::plan::BriefingDraft {
        subject: "Fixture briefing".into(),
        body: "Body".into(),
        segment: segment.clone(),
        workstreams: vec![],
        ack_required: false,
        ack_deadline: None,
        remind_days_before: None,
    };
    let briefing = app
        .store
        .briefings()
        .create(&actor, &briefing_draft, "Test")
        .await
        .unwrap();
    let plan_draft = app::domain::plan::PlanForm {
        segment: segment.clone(),
        objective: "Fixture plan item".into(),
        key_message: "Message".into(),
        channel: "email_briefing".into(),
        frequency: "monthly".into(),
        owner: "PM".into(),
        start: "2027-01-01".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let plan_item = app.store.plan().create(&actor, &plan_draft).await.unwrap();
    let fixture = Fixture {
        org,
        contact,
        spare_user,
        workstream: workstream.to_string(),
        milestone,
        segment,
        briefing,
        plan_item,
    };

    // Completeness: the registered server functions are exactly those with a rule.
    let registered: BTreeSet<String> = server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    let ruled: BTreeSet<String> = RULES.iter().map(|(p, _)| p.to_string()).collect();
    let missing: Vec<_> = registered.difference(&ruled).collect();
    assert!(
        missing.is_empty(),
        "server functions without a rule in the permission matrix: {missing:?}"
    );
    let stale: Vec<_> = ruled.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "rules for server functions that no longer exist: {stale:?}"
    );

    for (path, rule) in RULES {
        let endpoint = path.trim_start_matches("/api/");
        let form = args(path, &fixture);
        // Fresh sessions for each endpoint: sign-out must not leak into the next row.
        let callers = [
            ("anonymous", new_client()),
            ("workstream lead (own workstream)", app.signed_in(LEAD).await),
            ("workstream lead (another's)", app.signed_in(OTHER_LEAD).await),
            ("programme manager", app.signed_in(MANAGER).await),
        ];
        for (who, client) in callers {
            let lead = who.starts_with("workstream lead");
            let expect_refused = match (rule, who) {
                (Rule::Public, _) => None,
                (_, "anonymous") => Some(401),
                (Rule::Manager, _) if lead => Some(403),
                (Rule::OwnWorkstream, "workstream lead (another's)") => Some(403),
                _ => None,
            };
            let before = fingerprint(&app).await;
            let res = app.call_as(&client, endpoint, &form).await;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            match expect_refused {
                Some(code) => {
                    assert_eq!(
                        status, code,
                        "{who} calling {path} should be refused with {code}: {body}"
                    );
                    assert_eq!(
                        fingerprint(&app).await,
                        before,
                        "{who} calling {path} was refused but wrote something"
                    );
                }
                None => assert!(
                    ![400, 401, 403].contains(&status),
                    "{who} calling {path} should be allowed (and its arguments valid), got {status}: {body}"
                ),
            }
        }
    }
}

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
    assert_eq!(
        app.call_as(&lead, "organisations/options", &[]).await.status().as_u16(),
        200
    );
    let res = app
        .call(
            "admin/users/set-active",
            &[("email", LEAD.to_string()), ("active", "false".to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
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
    assert_eq!(app.call_as(&pm, "auth/sign-out", &[]).await.status().as_u16(), 200);
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
    assert_eq!(app.call("organisations/update", &form).await.status().as_u16(), 200);
    let _ = app.sign_in_with(&new_client(), MANAGER, "wrong password!").await;

    let res = app
        .call(
            "admin/audit",
            &[
                ("actor", String::new()),
                ("action", String::new()),
                ("record", String::new()),
                ("before", String::new()),
                ("after", String::new()),
            ],
        )
        .await;
    let body = res.text().await.unwrap();
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

    let res = app
        .call(
            "admin/audit",
            &[
                ("actor", String::new()),
                ("action", "update".into()),
                ("record", String::new()),
                ("before", String::new()),
                ("after", String::new()),
            ],
        )
        .await;
    let body = res.text().await.unwrap();
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
