//! The permission matrix: every server function and every route outside them, called by every
//! kind of caller (anonymous, a workstream lead on their own and on another's workstream, a
//! programme manager): refused calls get 401/403 and write nothing in any table, allowed ones
//! never get a 5xx, public ones answer what they should; and object-level checks (an id of one
//! record passed with another's).
use crate::endpoints::*;
use crate::helpers::*;
use app::backend::services::reports;
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
    ("/api/contacts/subscriptions", Rule::SignedIn),
    ("/api/contacts/retention", Rule::Manager),
    ("/api/contacts/basis", Rule::Manager),
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
    ("/api/workstreams/nudges", Rule::Manager),
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
    ("/api/analysis/map", Rule::SignedIn),
    ("/api/analysis/engagement-history", Rule::SignedIn),
    ("/api/analysis/engagement-panel", Rule::SignedIn),
    ("/api/analysis/board-report", Rule::SignedIn),
    ("/api/analysis/place", Rule::Manager),
    ("/api/interactions/logged", Rule::SignedIn),
    ("/api/inbox/list", Rule::Manager),
    // Unknown message ids: answered 404 when allowed.
    ("/api/inbox/answer", Rule::Manager),
    ("/api/inbox/handled", Rule::Manager),
    ("/api/inbox/attach", Rule::Manager),
    ("/api/inbox/discard", Rule::Manager),
    ("/api/import/preview", Rule::Manager),
    ("/api/import/commit", Rule::Manager),
    ("/api/import/columns", Rule::Manager),
    // Removals last, and of unknown ids (answered 404 when allowed): the rows above keep
    // their fixtures.
    ("/api/segments/remove", Rule::Manager),
    ("/api/contacts/erase", Rule::Manager),
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
    /// Led by `OTHER_LEAD`.
    other_workstream: String,
    other_milestone: String,
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
        "analysis/map" => vec![
            ("query[search]", s("")),
            ("query[page]", s("1")),
            ("since", s("2026-01-01")),
        ],
        "analysis/engagement-history" => vec![("id", f.contact.clone())],
        "analysis/place" => vec![("id", f.contact.clone()), ("influence", s("4")), ("interest", s("2"))],
        "analysis/board-report" => vec![("quarter", s("2026-27-Q3"))],
        "inbox/list" => vec![("view", s("all"))],
        "inbox/answer" => vec![("id", s("nosuchmessage")), ("answer", s("Thank you"))],
        "inbox/handled" | "inbox/discard" => vec![("id", s("nosuchmessage"))],
        "inbox/attach" => vec![("id", s("nosuchmessage")), ("email", s("matrix@test.example.org"))],
        "interactions/logged" => vec![
            ("kind", s("meeting")),
            ("from", s("2026-01-01")),
            ("to", s("2026-12-31")),
        ],
        "organisations/get" | "organisations/delete" => vec![("id", f.org.clone())],
        "contacts/get" | "contacts/delete" | "contacts/history" | "contacts/subscriptions" => {
            vec![("id", f.contact.clone())]
        }
        "contacts/erase" => vec![("id", s("nosuchcontact"))],
        "contacts/basis" => vec![
            ("id", f.contact.clone()),
            ("basis", s("consent")),
            ("source", s("form")),
            ("recorded_on", s("2026-11-01")),
        ],
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
        // Turning reminders on where they are on: allowed, changes nothing else.
        "workstreams/nudges" => vec![("id", f.workstream.clone()), ("on", s("true"))],
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
        | "import/columns"
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

/// What a public server function answers with the matrix's arguments, whoever calls it: the
/// status, and a piece of the body that says it did what it should.
fn public_answer(endpoint: &str) -> (u16, &'static str) {
    match endpoint {
        // A wrong password: the form comes back with a message that names neither part.
        "auth/sign-in" => (422, "Enter a correct email address and password"),
        "auth/sign-out" => (200, ""),
        "auth/me" => (200, ""),
        "auth/ready" => (200, ""),
        // Made-up tokens: not found, or the form's message saying what to do next.
        "auth/invitation" => (404, "link"),
        "auth/reset-link" => (200, "false"),
        "auth/accept-invitation" => (422, "has expired or has already been used. Ask the programme manager"),
        "auth/reset-password" => (422, "has expired or has already been used. Ask for a new one"),
        // The same answer whether or not the account exists.
        "auth/forgot-password" => (200, ""),
        other => panic!("no expected answer for the public function {other}"),
    }
}

/// A summary of everything the application can write, to prove a refused call wrote nothing:
/// the row count of every table the schema defines (sessions, sign-in counters, interactions,
/// subscription events, delivery blocks and entries included, and any table added later), and
/// the fields that change without changing a count.
async fn fingerprint(app: &TestApp) -> String {
    let mut out = String::new();
    let mut r = app.store.db().query("INFO FOR DB").await.unwrap();
    let info: Option<serde_json::Value> = r.take(0).unwrap();
    let mut tables: Vec<String> = info
        .as_ref()
        .and_then(|i| i["tables"].as_object())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    tables.sort();
    assert!(tables.len() > 20, "the schema's tables: {tables:?}");
    for table in tables {
        let mut r = app
            .store
            .db()
            .query(format!("SELECT count() FROM `{table}` GROUP ALL"))
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

/// Users of every kind, and one record of each kind for the calls to act on: a workstream the
/// lead leads (with a milestone), another lead's workstream, an organisation with a contact,
/// an audience, a briefing and a plan item.
async fn fixture(app: &TestApp) -> Fixture {
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let spare_user = app.add_user(SPARE, Role::WorkstreamLead).await.to_string();
    let org = app.create_org("Fixture University", "hei").await;
    let contact = app
        .create_contact("Fixture Person", "fixture@test.example.org", &org)
        .await;
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
    let workstream = app.create_workstream("Matrix workstream", 1, &[&lead_id]).await;
    let other_workstream = app.create_workstream("Other workstream", 2, &[&other_id]).await;
    app.add_milestone(workstream.as_str(), "Fixture milestone", "2027-01-01")
        .await;
    let milestone = app.store.workstreams().view(&workstream).await.unwrap().milestones[0]
        .id
        .clone();
    app.add_milestone(other_workstream.as_str(), "Fixture milestone", "2027-01-01")
        .await;
    let other_milestone = app
        .store
        .workstreams()
        .view(&other_workstream)
        .await
        .unwrap()
        .milestones[0]
        .id
        .clone();
    let segment = app.create_segment(&audience("Fixture audience", &[])).await;
    let briefing = app
        .create_briefing(&new_briefing("Fixture briefing", "Body", &segment))
        .await;
    let s = |v: &str| v.to_string();
    app.create_plan_item(&[
        ("segment", segment.clone()),
        ("objective", s("Fixture plan item")),
        ("key_message", s("Message")),
        ("channel", s("email_briefing")),
        ("frequency", s("monthly")),
        ("owner", s("PM")),
        ("start", s("2027-01-01")),
        ("end", String::new()),
        ("feedback", String::new()),
    ])
    .await;
    let plan_item = app.store.plan().list().await.unwrap()[0].id.clone();
    Fixture {
        org,
        contact,
        spare_user,
        workstream: workstream.to_string(),
        milestone,
        other_workstream: other_workstream.to_string(),
        other_milestone,
        segment,
        briefing,
        plan_item,
    }
}

#[tokio::test]
async fn every_server_function_has_a_rule_and_the_server_enforces_it() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;

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

    let mut public_wrong = Vec::new();
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
                None => {
                    assert!(
                        ![400, 401, 403].contains(&status) && status < 500,
                        "{who} calling {path} should be allowed (and its arguments valid), got {status}: {body}"
                    );
                    if *rule == Rule::Public {
                        let expected = public_answer(endpoint);
                        if status != expected.0 || !body.contains(expected.1) {
                            public_wrong.push(format!(
                                "{who} calling {path}: expected {expected:?}, got {status}: {body}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(public_wrong.is_empty(), "\n{}", public_wrong.join("\n"));
}

/// Who may open a page or route outside the server functions.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// The same answer for everyone (signed in or not).
    Open(u16),
    /// Anonymous visitors are sent to sign in (whether or not the page exists: that is not
    /// told to strangers); any signed-in user gets `.0` (404 for an id that does not exist).
    SignedIn(u16),
    /// As `SignedIn`, but leads are refused (403).
    Manager(u16),
    /// As `Manager`, but the lead of the workstream concerned gets it too.
    OwnWorkstream(u16),
}

/// Every page and route, with the fixture's ids in place of parameters: (the router's path,
/// the path requested, the rule). The test fails when a page exists that is not listed.
fn routes(f: &Fixture) -> Vec<(&'static str, String, Route)> {
    use Route::*;
    let ws = &f.workstream;
    vec![
        ("/", "/".into(), SignedIn(200)),
        ("/workstreams/{id}", format!("/workstreams/{ws}"), SignedIn(200)),
        (
            "/workstreams/{id}/milestones/{milestone}",
            format!("/workstreams/{ws}/milestones/{}", f.milestone),
            OwnWorkstream(200),
        ),
        (
            "/organisations",
            "/organisations?q=fixture&sort=name".into(),
            SignedIn(200),
        ),
        ("/organisations/new", "/organisations/new".into(), Manager(200)),
        (
            "/organisations/{id}",
            format!("/organisations/{}", f.org),
            SignedIn(200),
        ),
        (
            "/organisations/{id}/edit",
            format!("/organisations/{}/edit", f.org),
            Manager(200),
        ),
        ("/contacts", "/contacts?q=fixture&below=1".into(), SignedIn(200)),
        ("/contacts/new", "/contacts/new".into(), Manager(200)),
        ("/contacts/import", "/contacts/import".into(), Manager(200)),
        ("/contacts/retention", "/contacts/retention".into(), Manager(200)),
        (
            "/contacts/import/{id}",
            "/contacts/import/nosuchimport".into(),
            Manager(404),
        ),
        ("/contacts/{id}", format!("/contacts/{}", f.contact), SignedIn(200)),
        (
            "/contacts/{id}/edit",
            format!("/contacts/{}/edit", f.contact),
            Manager(200),
        ),
        (
            "/interactions/{id}/edit",
            "/interactions/nosuchrecord/edit".into(),
            SignedIn(404),
        ),
        ("/follow-ups", "/follow-ups".into(), SignedIn(200)),
        (
            "/interactions",
            "/interactions?kind=meeting&from=2026-01-01&to=2026-12-31".into(),
            SignedIn(200),
        ),
        (
            "/reports/board",
            "/reports/board?quarter=2026-27-Q2".into(),
            SignedIn(200),
        ),
        ("/engagement", "/engagement".into(), SignedIn(200)),
        ("/inbox", "/inbox?view=all".into(), Manager(200)),
        ("/map", "/map?since=2026-01-01&quadrant=monitor".into(), SignedIn(200)),
        ("/plan", "/plan".into(), SignedIn(200)),
        ("/plan/{id}/edit", format!("/plan/{}/edit", f.plan_item), Manager(200)),
        ("/segments", "/segments".into(), SignedIn(200)),
        ("/segments/{id}", format!("/segments/{}", f.segment), SignedIn(200)),
        (
            "/segments/{id}/edit",
            format!("/segments/{}/edit", f.segment),
            Manager(200),
        ),
        ("/briefings", "/briefings".into(), SignedIn(200)),
        ("/briefings/new", "/briefings/new".into(), Manager(200)),
        ("/briefings/{id}", format!("/briefings/{}", f.briefing), SignedIn(200)),
        (
            "/briefings/{id}/edit",
            format!("/briefings/{}/edit", f.briefing),
            Manager(200),
        ),
        ("/sign-in", "/sign-in".into(), Open(200)),
        ("/forgot-password", "/forgot-password".into(), Open(200)),
        (
            "/reset-password/{token}",
            format!("/reset-password/{}", "x".repeat(43)),
            Open(200),
        ),
        (
            "/invitation/{token}",
            format!("/invitation/{}", "x".repeat(43)),
            Open(404),
        ),
        ("/setup/workstreams", "/setup/workstreams".into(), Manager(200)),
        (
            "/setup/workstreams/{id}",
            format!("/setup/workstreams/{ws}"),
            Manager(200),
        ),
        ("/users", "/users".into(), Manager(200)),
        ("/audit", "/audit".into(), Manager(200)),
        // Routes outside the Leptos app.
        ("", "/health".into(), Open(200)),
        ("", "/no-such-page".into(), SignedIn(404)),
        ("", "/ack/nosuchdelivery.AAAAAAAAAAAAAAAAAAAAAA".into(), Open(404)),
        (
            "",
            "/unsubscribe/nosuchdelivery.AAAAAAAAAAAAAAAAAAAAAA".into(),
            Open(404),
        ),
        ("", "/dev/mail".into(), Manager(200)),
        ("", "/contacts/export.csv".into(), Manager(200)),
        ("", format!("/contacts/{}/subject-access.json", f.contact), Manager(200)),
        ("", format!("/contacts/{}/subject-access.csv", f.contact), Manager(200)),
        ("", "/contacts/nosuchcontact/subject-access.json".into(), Manager(404)),
        ("", "/contacts/import/nosuchimport/errors.csv".into(), Manager(404)),
    ]
}

#[tokio::test]
async fn every_page_and_route_answers_each_kind_of_caller_as_it_should() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let table = routes(&f);
    let listed: BTreeSet<&str> = table.iter().map(|(p, ..)| *p).filter(|p| !p.is_empty()).collect();
    let pages = server::page_paths();
    let missing: Vec<_> = pages.iter().filter(|p| !listed.contains(p.as_str())).collect();
    assert!(missing.is_empty(), "pages missing from the matrix: {missing:?}");

    let callers = [
        ("anonymous", new_client()),
        ("workstream lead (own workstream)", app.signed_in(LEAD).await),
        ("workstream lead (another's)", app.signed_in(OTHER_LEAD).await),
        ("programme manager", app.signed_in(MANAGER).await),
    ];
    let mut wrong = Vec::new();
    for (_, path, rule) in &table {
        for (who, client) in &callers {
            let anonymous = *who == "anonymous";
            let lead = who.starts_with("workstream lead");
            let expected = match *rule {
                Route::Open(code) => code,
                _ if anonymous => 303,
                Route::Manager(_) if lead => 403,
                Route::OwnWorkstream(_) if *who == "workstream lead (another's)" => 403,
                Route::SignedIn(code) | Route::Manager(code) | Route::OwnWorkstream(code) => code,
            };
            let before = fingerprint(&app).await;
            let res = client
                .get(format!("{}{path}", app.address))
                .send()
                .await
                .expect("response");
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = res.text().await.unwrap_or_default();
            if status != expected || (status == 303 && !location.starts_with("/sign-in?next=")) {
                wrong.push(format!(
                    "{who} GET {path}: expected {expected}, got {status} {location}"
                ));
            }
            if status >= 500 {
                wrong.push(format!("{who} GET {path}: server error {status}: {body}"));
            }
            // A subject access export writes its audit entry (personal data does not leave
            // unrecorded), and nothing else.
            let audited = path.contains("/subject-access.") && status == 200;
            let without_audit = |f: String| {
                if audited {
                    f.split(' ')
                        .filter(|t| !t.starts_with("audit="))
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    f
                }
            };
            if without_audit(fingerprint(&app).await) != without_audit(before) {
                wrong.push(format!("{who} GET {path} wrote something"));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Object-level checks: an id the caller may use, passed with the id of a record that belongs to
/// something else, is refused and changes nothing.
#[tokio::test]
async fn ids_of_another_workstreams_milestone_are_refused_to_a_lead() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let lead = app.signed_in(LEAD).await;
    let other = app::domain::WorkstreamId::parse(&f.other_workstream).expect("id");
    let before = app.store.workstreams().view(&other).await.expect("view").milestones;
    let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "workstreams/milestone-done",
            vec![
                ("workstream", f.workstream.clone()),
                ("milestone", f.other_milestone.clone()),
                ("done", "true".into()),
            ],
        ),
        (
            "workstreams/milestone-update",
            vec![
                ("workstream", f.workstream.clone()),
                ("milestone", f.other_milestone.clone()),
                ("version", "1".into()),
                ("title", "Taken over".into()),
                ("due", "2027-02-01".into()),
                ("status", "done".into()),
            ],
        ),
        (
            "workstreams/milestone-edit-form",
            vec![
                ("workstream", f.workstream.clone()),
                ("milestone", f.other_milestone.clone()),
            ],
        ),
        (
            "workstreams/milestone-delete",
            vec![
                ("workstream", f.workstream.clone()),
                ("milestone", f.other_milestone.clone()),
            ],
        ),
    ];
    for (endpoint, form) in calls {
        let written = fingerprint(&app).await;
        let res = app.call_as(&lead, endpoint, &form).await;
        let status = res.status().as_u16();
        assert!(
            status == 404 || status == 403,
            "{endpoint} with another workstream's milestone: {status} {}",
            res.text().await.unwrap_or_default()
        );
        assert_eq!(fingerprint(&app).await, written, "{endpoint} wrote nothing");
    }
    let (status, _) = {
        let res = lead
            .get(format!(
                "{}/workstreams/{}/milestones/{}",
                app.address, f.workstream, f.other_milestone
            ))
            .send()
            .await
            .expect("page");
        (res.status().as_u16(), ())
    };
    assert_eq!(status, 404, "the edit page of another workstream's milestone");
    let after = app.store.workstreams().view(&other).await.expect("view").milestones;
    assert_eq!(before, after, "the other workstream's milestone is untouched");
}

/// A personal link acts on its own delivery only: a token's signature with another delivery's
/// key, or an acknowledgement token on the unsubscribe route, is not a link at all.
#[tokio::test]
async fn a_personal_link_token_works_for_its_own_delivery_and_purpose_only() {
    let app = spawn_app().await;
    let org = app.create_org("Token University", "hei").await;
    for who in ["first", "second"] {
        app.create_contact(&format!("Token {who}"), &format!("{who}@token.example.org"), &org)
            .await;
    }
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    let briefing = app
        .create_briefing(&[
            ("subject", "Token briefing".to_string()),
            ("body", "Hello".to_string()),
            ("segment", segment),
            ("ack_required", "on".to_string()),
            ("ack_deadline", "2030-01-31".to_string()),
            ("remind_days_before", String::new()),
        ])
        .await;
    app.send_now(&briefing).await;
    assert!(
        wait_for(20, || async {
            reports::report(&app.store, &briefing).await.is_ok_and(|r| r.sent == 2)
        })
        .await
    );
    let ack_of = |who: &str| {
        let m = app
            .mail
            .messages()
            .into_iter()
            .find(|m| m.to.iter().any(|t| t.starts_with(who)))
            .expect("message");
        link(&m.data, &format!("{}/ack/", app.address)).expect("ack link")
    };
    let (first, second) = (ack_of("first"), ack_of("second"));
    let token = |url: &str| url.rsplit('/').next().unwrap_or_default().to_string();
    let (first_token, second_token) = (token(&first), token(&second));
    let (first_key, first_mac) = first_token.split_once('.').expect("key.mac");
    let (second_key, _) = second_token.split_once('.').expect("key.mac");
    assert_ne!(first_key, second_key);

    let acknowledged = || async {
        let report = reports::report(&app.store, &briefing).await.expect("report");
        report.acknowledged
    };
    // The first one's signature with the second one's key.
    let forged = format!("{}/ack/{second_key}.{first_mac}", app.address);
    let res = app
        .client
        .post(&forged)
        .header("origin", &app.address)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 404);
    // An acknowledgement token on the unsubscribe route.
    let res = app
        .client
        .post(format!("{}/unsubscribe/{first_token}", app.address))
        .header("origin", &app.address)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(acknowledged().await, 0, "nothing acknowledged");
    let unsubscribed = app
        .store
        .contacts()
        .list(&Default::default(), 10)
        .await
        .expect("list")
        .items;
    assert!(unsubscribed.iter().all(|c| c.subscribed), "nobody unsubscribed");
    // The genuine link acknowledges its own delivery, and only that one.
    let res = app
        .client
        .post(&first)
        .header("origin", &app.address)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(acknowledged().await, 1);
}
