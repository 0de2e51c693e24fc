//! Editing and removing what a programme manager set up: audiences, plan items and
//! milestones. Every edit names the version it was opened at (a stale one is refused, saying
//! who saved since, and writes nothing); removing what history refers to archives it.
use crate::endpoints::*;
use crate::helpers::*;
use app::backend::scheduler;
use app::domain::policy::Role;
use chrono::{DateTime, Utc};
use server::config::Settings;

fn audience_form(id: &str, version: u32, name: &str, influence: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_string()),
        ("version", version.to_string()),
        ("name", name.to_string()),
        ("kinds[]", "hei".to_string()),
        ("influence_min", influence.to_string()),
        ("interest_min", "1".to_string()),
        ("tags", String::new()),
    ]
}

fn plan_form(id: &str, version: u32, segment: &str, frequency: &str, send_time: &str) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_string();
    vec![
        ("id", s(id)),
        ("version", version.to_string()),
        ("segment", s(segment)),
        ("objective", s("Programme update")),
        ("key_message", s("Progress")),
        ("channel", s("email_briefing")),
        ("frequency", s(frequency)),
        ("owner", s("Programme manager")),
        ("start", s("2027-03-01")),
        ("end", String::new()),
        ("feedback", String::new()),
        ("send_time", s(send_time)),
        ("instances", s("scheduled")),
    ]
}

async fn last_audit(app: &TestApp, record_prefix: &str) -> (String, String) {
    let mut res = app
        .store
        .db()
        .query("SELECT action, changes, at FROM audit WHERE string::starts_with(record, $p) ORDER BY at DESC LIMIT 1")
        .bind(("p", record_prefix.to_string()))
        .await
        .unwrap();
    let action: Option<String> = res.take((0, "action")).unwrap();
    let mut res = app
        .store
        .db()
        .query("SELECT changes, at FROM audit WHERE string::starts_with(record, $p) ORDER BY at DESC LIMIT 1")
        .bind(("p", record_prefix.to_string()))
        .await
        .unwrap();
    let changes: Option<String> = res.take((0, "changes")).unwrap();
    (action.unwrap_or_default(), changes.unwrap_or_default())
}

fn briefing(segment: &str) -> Vec<(&'static str, String)> {
    new_briefing("Programme update", "Hello", segment)
}

#[tokio::test]
async fn an_audience_is_edited_and_a_stale_edit_is_refused_keeping_what_was_typed() {
    let app = spawn_app().await;
    let org = app.create_org("Edit Test University", "hei").await;
    app.create_contact("Ann Able", "ann@edit.example.org", &org).await;
    let id = app.create_segment(&audience("Universities", &[])).await;

    app.update_segment(&audience_form(&id, 1, "Universities (HEIs)", "1"))
        .await;
    let saved = app.store.segments().get(&id).await.unwrap();
    assert_eq!((saved.name.as_str(), saved.version), ("Universities (HEIs)", 2));
    assert_eq!(saved.filter.kinds.len(), 1);
    assert_eq!(saved.count, 1, "the live count follows the edited rule");
    let (action, changes) = last_audit(&app, &format!("segment:{id}")).await;
    assert_eq!(action, "update");
    assert!(
        changes.contains("name: Universities → Universities (HEIs)") && changes.contains("kinds:"),
        "{changes}"
    );

    // Someone who opened version 1 is refused, told who saved, and keeps what they typed.
    let res = app
        .call("segments/update", &audience_form(&id, 1, "Influential HEIs", "4"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap_or_default();
    assert!(
        body.contains("was changed by Test User") && body.contains("Influential HEIs"),
        "{body}"
    );
    let after = app.store.segments().get(&id).await.unwrap();
    assert_eq!(
        (after.name.as_str(), after.version, after.filter.influence_min),
        ("Universities (HEIs)", 2, 1)
    );

    // A bad edit is refused field by field and writes nothing.
    let res = app.call("segments/update", &audience_form(&id, 2, " ", "9")).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("Enter a name for the audience"), "{body}");
    assert_eq!(app.store.segments().get(&id).await.unwrap().version, 2);
}

#[tokio::test]
async fn an_unused_audience_is_deleted_and_a_used_one_archived_until_restored() {
    let app = spawn_app().await;
    let unused = app.create_segment(&audience("Nobody uses this", &[])).await;
    let used = app.create_segment(&audience("Everyone", &[])).await;
    app.create_briefing(&briefing(&used)).await;

    app.remove_segment(&unused).await;
    assert!(app.store.segments().get(&unused).await.is_err(), "deleted");
    assert_eq!(last_audit(&app, &format!("segment:{unused}")).await.0, "delete");

    app.remove_segment(&used).await;
    let archived = app.store.segments().get(&used).await.expect("kept");
    assert!(archived.archived);
    assert_eq!(last_audit(&app, &format!("segment:{used}")).await.0, "archive");

    // An archived audience is offered for nothing new.
    let res = app
        .call(
            "briefings/create",
            &[
                ("subject", "New briefing".to_string()),
                ("body", "Hello".to_string()),
                ("segment", used.clone()),
                ("ack_deadline", String::new()),
                ("remind_days_before", String::new()),
            ],
        )
        .await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    assert!(status >= 400 && body.contains("archived"), "{status} {body}");

    app.restore_segment(&used).await;
    assert!(!app.store.segments().get(&used).await.unwrap().archived);

    // Unknown ids are not found, and leads may do none of this.
    assert_eq!(
        app.call("segments/remove", &[("id", "nosuch".to_string())])
            .await
            .status()
            .as_u16(),
        404
    );
    app.add_user("lead@edit.example.org", Role::WorkstreamLead).await;
    let lead = app.signed_in("lead@edit.example.org").await;
    let res = app.call_as(&lead, "segments/remove", &[("id", used.clone())]).await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(app.store.segments().get(&used).await.is_ok());
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn editing_a_plan_items_timing_changes_only_its_future_occurrences() {
    let mut settings = Settings::for_tests();
    settings.workers = false;
    let app = spawn_with(settings).await;
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    // A weekly item (Mondays from 1 March 2027) driving a repeating briefing.
    let mut create = plan_form("", 0, &segment, "weekly", "09:00");
    create.drain(0..2);
    app.create_plan_item(&create).await;
    let item = app.store.plan().list().await.unwrap()[0].clone();
    let template = app.create_briefing(&briefing(&segment)).await;
    app.repeat_briefing(&template, &item.id).await;
    // On 28 Feb the scheduler makes the next two weeks: 1 and 8 March.
    scheduler::tick(&app.store, at("2027-02-28T12:00:00Z")).await.unwrap();
    let made = app.store.briefings().instances(&template).await.unwrap();
    assert_eq!(made.len(), 2);
    // A person reschedules the 8 March one by hand: it is theirs now.
    let mine = made.iter().find(|b| b.subject.contains("8 March")).unwrap().id.clone();
    // 11:00 in the UK on 8 March (GMT) is 11:00 UTC.
    app.schedule_briefing(&[
        ("id", mine.clone()),
        ("when", "later".into()),
        ("date", "2027-03-08".into()),
        ("time", "11:00".into()),
    ])
    .await;

    // The item becomes fortnightly at 10:00. The untouched future instance (1 March) is made
    // again at the new time; the one a person scheduled stays as it was.
    app.update_plan_item(&plan_form(&item.id, 1, &segment, "fortnightly", "10:00"))
        .await;
    let edited = app.store.plan().get(&item.id).await.unwrap();
    assert_eq!((edited.version, edited.frequency.key()), (2, "fortnightly"));
    scheduler::tick(&app.store, at("2027-02-28T12:05:00Z")).await.unwrap();
    let mut after = app.store.briefings().instances(&template).await.unwrap();
    after.sort_by_key(|b| b.send_at);
    let times: Vec<String> = after
        .iter()
        .map(|b| b.send_at.map(|t| t.to_rfc3339()).unwrap_or_default())
        .collect();
    assert_eq!(
        times,
        ["2027-03-01T10:00:00+00:00", "2027-03-08T11:00:00+00:00"],
        "1 March remade at 10:00; the hand-scheduled 8 March kept"
    );
    let (_, changes) = last_audit(&app, &format!("plan_item:{}", item.id)).await;
    assert!(
        changes.contains("frequency: weekly → fortnightly") && changes.contains("send time: 09:00 → 10:00"),
        "{changes}"
    );

    // A stale edit is refused and writes nothing.
    let res = app
        .call("plan/update", &plan_form(&item.id, 1, &segment, "monthly", "09:00"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("was changed by"));
    assert_eq!(
        app.store.plan().get(&item.id).await.unwrap().frequency.key(),
        "fortnightly"
    );

    // It has produced briefings, so removing it archives (and pauses) it.
    app.remove_plan_item(&item.id).await;
    let archived = app.store.plan().get(&item.id).await.expect("kept for its history");
    assert!(archived.archived && !archived.active);
    assert_eq!(last_audit(&app, &format!("plan_item:{}", item.id)).await.0, "archive");

    // A fresh item that produced nothing is deleted.
    let mut other = plan_form("", 0, &segment, "monthly", "09:00");
    other.drain(0..2);
    other[1].1 = "Quarterly workshop".into();
    other[3].1 = "workshop".into();
    app.create_plan_item(&other).await;
    let fresh = app
        .store
        .plan()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.objective == "Quarterly workshop")
        .unwrap();
    app.remove_plan_item(&fresh.id).await;
    assert!(app.store.plan().get(&fresh.id).await.is_err());
}

#[tokio::test]
async fn a_lead_edits_and_deletes_their_own_milestones_only() {
    let app = spawn_app().await;
    let lead = app.add_user("lead@ms.example.org", Role::WorkstreamLead).await;
    let other = app.add_user("other@ms.example.org", Role::WorkstreamLead).await;
    let ws = app.create_workstream("Baseline", 1, &[&lead]).await;
    app.create_workstream("Toolkit", 2, &[&other]).await;
    app.add_milestone(ws.as_str(), "Baseln survey", "2027-01-31").await;
    let m = app.store.workstreams().view(&ws).await.unwrap().milestones[0].clone();
    let form = |version: u32, title: &str, status: &str| {
        vec![
            ("workstream", ws.to_string()),
            ("milestone", m.id.clone()),
            ("version", version.to_string()),
            ("title", title.to_string()),
            ("due", "2027-02-28".to_string()),
            ("status", status.to_string()),
        ]
    };

    let own = app.signed_in("lead@ms.example.org").await;
    app.update_milestone_as(&own, &form(1, "Baseline survey", "done")).await;
    let saved = app.store.workstreams().milestone(&ws, &m.id).await.unwrap();
    assert_eq!(saved.title, "Baseline survey");
    assert_eq!(saved.due.to_string(), "2027-02-28");
    assert!(saved.done.is_some());
    assert_eq!(saved.version, 2);

    // Another workstream's lead may not touch it; a stale save is refused.
    let stranger = app.signed_in("other@ms.example.org").await;
    let res = app
        .call_as(&stranger, "workstreams/milestone-update", &form(2, "Hijacked", "open"))
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = app
        .call_as(&own, "workstreams/milestone-update", &form(1, "Survey", "open"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("was changed by"));
    let res = app
        .call_as(
            &stranger,
            "workstreams/milestone-delete",
            &[("workstream", ws.to_string()), ("milestone", m.id.clone())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);

    // The lead deletes it, audited.
    app.delete_milestone_as(&own, ws.as_str(), &m.id).await;
    assert!(app.store.workstreams().view(&ws).await.unwrap().milestones.is_empty());
    assert_eq!(last_audit(&app, &format!("milestone:{}", m.id)).await.0, "delete");
}

/// Ids and yes/no fields are parsed at the door: a malformed id is a 404 that names the record
/// it should have named, a yes/no that is neither is refused with the field named, and neither
/// reaches the store.
#[tokio::test]
async fn malformed_ids_and_flags_are_refused_at_the_door() {
    let app = spawn_app().await;
    for (endpoint, field, what) in [
        ("briefings/get", "id", "briefing"),
        ("briefings/cancel", "id", "briefing"),
        ("segments/get", "id", "audience"),
        ("plan/remove", "id", "plan item"),
        ("interactions/follow-up-done", "id", "interaction"),
        ("import/commit", "id", "import"),
    ] {
        for bad in ["a:b", "x y", "⟨x⟩", ""] {
            let res = app.call(endpoint, &[(field, bad.to_string())]).await;
            assert_eq!(res.status().as_u16(), 404, "{endpoint} {bad:?}");
            let body = res.text().await.unwrap_or_default();
            assert!(
                body.contains(&format!("No {what} has that address")),
                "{endpoint}: {body}"
            );
        }
    }
    let items = app.plan_text().await;
    let res = app
        .call(
            "plan/active",
            &[("id", "someitem".to_string()), ("active", "yes".to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("Choose yes or no"));
    assert_eq!(app.plan_text().await, items);
}
