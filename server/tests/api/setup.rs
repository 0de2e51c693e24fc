//! Setting up a real programme in the browser (issue 13): workstreams created, edited, archived
//! and restored by a programme manager, their leads' rights following at once, every change
//! audited, and an edit that lost the race refused with who won.
use crate::endpoints::*;
use crate::helpers::*;
use app::domain::policy::Role;
use app::domain::workstream_setup::WorkstreamSetup;

const LEAD: &str = "lead@test.example.org";

fn workstream_form(name: &str, position: &str, leads: &[&str]) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("name", name.to_string()),
        ("purpose", format!("What {name} is for")),
        ("objectives", "Deliver the survey\nReport to the board".to_string()),
        ("starts_on", "2027-01-04".to_string()),
        ("ends_on", "2027-12-17".to_string()),
        ("position", position.to_string()),
    ];
    for l in leads {
        form.push(("leads[]", l.to_string()));
    }
    form
}

impl TestApp {
    async fn setup_named(&self, name: &str) -> WorkstreamSetup {
        self.store
            .workstreams()
            .setups(true)
            .await
            .expect("setups")
            .into_iter()
            .find(|w| w.name == name)
            .unwrap_or_else(|| panic!("no workstream named {name}"))
    }

    /// A status update that is expected to be refused: its status.
    async fn refused_status_as(&self, client: &reqwest::Client, workstream: &str) -> u16 {
        self.call_as(client, "workstreams/status", &status_form(workstream, "On track"))
            .await
            .status()
            .as_u16()
    }
}

#[tokio::test]
async fn a_manager_sets_up_workstreams_and_the_leads_rights_follow() {
    let app = spawn_app().await;
    let lead_id = app.add_user(LEAD, Role::WorkstreamLead).await.to_string();
    let res = app
        .save_workstream(&workstream_form("Creation of baseline", "1", &[&lead_id]))
        .await;
    assert_eq!(redirect_target(&res), "/setup/workstreams?saved=1");
    app.save_workstream(&workstream_form("HEI workshops", "2", &[])).await;

    let baseline = app.setup_named("Creation of baseline").await;
    assert_eq!(baseline.leads.len(), 1);
    assert_eq!(baseline.objectives, "Deliver the survey\nReport to the board");
    assert_eq!(baseline.version, 1);
    let workshops = app.setup_named("HEI workshops").await;

    let lead = app.signed_in(LEAD).await;
    // Their own workstream.
    app.post_status_as(&lead, &status_form(baseline.id.as_str(), "On track"))
        .await;
    assert_eq!(
        app.refused_status_as(&lead, workshops.id.as_str()).await,
        403,
        "not theirs"
    );

    // Giving them the second one: the same session may now update it.
    let mut form = workstream_form("HEI workshops", "2", &[&lead_id]);
    form.push(("id", workshops.id.to_string()));
    form.push(("version", workshops.version.to_string()));
    app.save_workstream(&form).await;
    // Rights follow at once.
    app.post_status_as(&lead, &status_form(workshops.id.as_str(), "On track"))
        .await;

    // The overview lists them in order; the set-up page needs a manager.
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    let (a, b) = (html.find("Creation of baseline"), html.find("HEI workshops"));
    assert!(a.is_some() && b.is_some() && a < b, "both on the overview, in order");
    let (status, html) = app.get_html("/setup/workstreams").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Creation of baseline") && html.contains("Test User"),
        "leads are named"
    );
    assert_eq!(
        app.call_as(&lead, "workstreams/setup-list", &[])
            .await
            .status()
            .as_u16(),
        403
    );

    // Every change is in the audit log with what changed.
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE changes FROM audit WHERE string::starts_with(record, 'workstream:') AND action = 'update'")
        .await
        .expect("audit");
    let changes: Vec<String> = r.take(0).expect("changes");
    assert!(
        changes.iter().any(|c| c.contains("leads:") && c.contains("Test User")),
        "{changes:?}"
    );
}

#[tokio::test]
async fn an_edit_that_lost_the_race_is_refused_with_who_won_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.save_workstream(&workstream_form("Deployment toolkit", "5", &[]))
        .await;
    let opened = app.setup_named("Deployment toolkit").await;

    // Someone else saves first.
    let mut first = workstream_form("Deployment toolkit", "4", &[]);
    first.push(("id", opened.id.to_string()));
    first.push(("version", opened.version.to_string()));
    app.save_workstream(&first).await;

    // The second save, from the same opened version, is refused and writes nothing.
    let mut second = workstream_form("Deployment framework", "5", &[]);
    second.push(("id", opened.id.to_string()));
    second.push(("version", opened.version.to_string()));
    let res = app.call("workstreams/save", &second).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("was changed by Test User"), "{body}");
    assert!(
        body.contains("Deployment framework"),
        "what they typed comes back: {body}"
    );
    let now = app.setup_named("Deployment toolkit").await;
    assert_eq!((now.position, now.version), (4, 2), "the first save stands");
}

#[tokio::test]
async fn an_archived_workstream_leaves_the_overview_and_its_leads_rights_and_can_be_restored() {
    let app = spawn_app().await;
    let lead_id = app.add_user(LEAD, Role::WorkstreamLead).await.to_string();
    app.save_workstream(&workstream_form("Communication plan", "4", &[&lead_id]))
        .await;
    let w = app.setup_named("Communication plan").await;
    let lead = app.signed_in(LEAD).await;
    app.post_status_as(&lead, &status_form(w.id.as_str(), "On track")).await;

    app.archive_workstream(w.id.as_str(), true).await;
    let (_, html) = app.get_html("/").await;
    assert!(!html.contains("Communication plan"), "gone from the overview");
    assert_eq!(
        app.refused_status_as(&lead, w.id.as_str()).await,
        403,
        "no longer theirs to update"
    );
    let (status, html) = app.get_html(&format!("/workstreams/{}", w.id)).await;
    assert_eq!(status, 200, "its page and history stay");
    assert!(html.contains("On track"));
    assert!(app.setup_named("Communication plan").await.archived);

    app.archive_workstream(w.id.as_str(), false).await;
    let (_, html) = app.get_html("/").await;
    assert!(html.contains("Communication plan"), "back on the overview");
    app.post_status_as(&lead, &status_form(w.id.as_str(), "On track")).await;
}

#[tokio::test]
async fn invalid_workstreams_are_refused_field_by_field_and_write_nothing() {
    let app = spawn_app().await;
    let mut form = workstream_form(" ", "0", &["not a user!"]);
    form.retain(|(k, _)| *k != "ends_on");
    form.push(("ends_on", "2026-01-01".into()));
    let res = app.call("workstreams/save", &form).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap_or_default();
    for message in [
        "Enter the workstream's name",
        "whole number from 1 to 99",
        "The end date must be on or after the start date",
        "Choose the leads from the list",
    ] {
        assert!(body.contains(message), "{message}: {body}");
    }
    // A well-formed id that is no account.
    let res = app
        .call("workstreams/save", &workstream_form("Ghost-led", "1", &["nosuchuser"]))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(app.store.workstreams().setups(true).await.expect("setups").is_empty());
}

fn briefing_form(id: &str, version: u32, subject: &str, segment: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_string()),
        ("version", version.to_string()),
        ("subject", subject.to_string()),
        (
            "body",
            "Dear partners,\n\nThe **PgCert** outcomes are agreed.".to_string(),
        ),
        ("segment", segment.to_string()),
        ("ack_deadline", String::new()),
        ("remind_days_before", String::new()),
    ]
}

/// A draft, or a scheduled briefing not yet sending, can be corrected; a scheduled one keeps its
/// time; a save from a stale page is refused; a sent one cannot be edited; "unschedule" makes a
/// scheduled briefing a draft again.
#[tokio::test]
async fn briefings_are_edited_until_they_send_and_a_stale_edit_is_refused() {
    let app = spawn_app().await;
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    let id = app
        .create_briefing(&new_briefing("Programme updte", "Body", &segment))
        .await;

    // The typo is fixed.
    app.update_briefing(&briefing_form(&id, 1, "Programme update", &segment))
        .await;
    let saved = app.store.briefings().get(&id).await.expect("get");
    assert_eq!((saved.summary.subject.as_str(), saved.version), ("Programme update", 2));

    // A second editor who opened version 1 is refused, with who saved, and nothing changes.
    let res = app
        .call("briefings/update", &briefing_form(&id, 1, "Programme news", &segment))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap_or_default();
    assert!(
        body.contains("was changed by Test User") && body.contains("Programme news"),
        "{body}"
    );
    assert_eq!(
        app.store.briefings().get(&id).await.expect("get").summary.subject,
        "Programme update"
    );

    // Scheduled for later: an edit keeps the time; unscheduling makes it a draft again.
    app.schedule_briefing(&[
        ("id", id.clone()),
        ("when", "later".into()),
        ("date", "2030-03-04".into()),
        ("time", "09:30".into()),
    ])
    .await;
    let before = app.store.briefings().get(&id).await.expect("get");
    app.update_briefing(&briefing_form(&id, before.version, "Programme update, March", &segment))
        .await;
    let after = app.store.briefings().get(&id).await.expect("get");
    assert_eq!(
        after.summary.send_at, before.summary.send_at,
        "saving keeps the send time"
    );
    assert_eq!(after.summary.state, app::domain::briefing::BriefingState::Scheduled);
    let (status, html) = app.get_html(&format!("/briefings/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Saving keeps this time"));
    app.unschedule_briefing(&id).await;
    let now = app.store.briefings().get(&id).await.expect("get");
    assert_eq!(
        (now.summary.state, now.summary.send_at),
        (app::domain::briefing::BriefingState::Draft, None)
    );

    // Once it is sending or sent, it is history: refused.
    app.send_now(&id).await;
    assert!(
        wait_for(20, || async {
            matches!(
                app.store.briefings().get(&id).await.expect("get").summary.state,
                app::domain::briefing::BriefingState::Sending | app::domain::briefing::BriefingState::Sent
            )
        })
        .await
    );
    let version = app.store.briefings().get(&id).await.expect("get").version;
    let res = app
        .call("briefings/update", &briefing_form(&id, version, "Too late", &segment))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("can no longer be edited"));
}

/// A workstream's page and the overview read its newest updates, not every one ever posted
/// (each renders Markdown), and say how many there are.
#[tokio::test]
async fn a_long_status_history_is_read_a_page_at_a_time() {
    let app = spawn_app().await;
    app.save_workstream(&workstream_form("Long history", "1", &[])).await;
    let ws = app.setup_named("Long history").await.id.to_string();
    let shown = app::domain::workstream::UPDATES_SHOWN as usize;
    for _ in 0..shown + 5 {
        app.post_status_as(&app.client, &status_form(&ws, "On track")).await;
    }
    let view = app
        .store
        .workstreams()
        .view(&app::domain::WorkstreamId::parse(&ws).expect("id"))
        .await
        .expect("view");
    assert_eq!((view.updates.len(), view.update_count), (shown, shown as u64 + 5));
    assert!(view.updates.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let (status, html) = app.get_html(&format!("/workstreams/{ws}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("The newest {shown} of {} updates.", shown + 5)),
        "{html}"
    );
    let (status, _) = app.get_html("/").await;
    assert_eq!(status, 200);
}
