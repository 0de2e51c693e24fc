//! Nudges: the leads of a workstream whose status went stale are emailed once per stale
//! period (over real SMTP), the overview says who was reminded and when, and a manager can
//! turn the reminders off for a workstream.
use crate::helpers::*;
use app::backend::scheduler::nudge_stale;
use app::domain::policy::Role;
use chrono::{Duration, Utc};

#[tokio::test]
async fn the_leads_of_a_stale_workstream_are_reminded_once_per_period_unless_turned_off() {
    let app = spawn_app().await;
    let lead = app
        .add_user("toolkit.lead@test.example.org", Role::WorkstreamLead)
        .await;
    let ws = app.create_workstream("Deployment <toolkit>", 1, &[&lead]).await;
    let fresh = app.create_workstream("Fresh workstream", 2, &[&lead]).await;
    // Set up 20 days ago and never updated: stale after 14 days. The other is new.
    app.store
        .db()
        .query("UPDATE type::record('workstream', $id) SET created_at = time::now() - 20d")
        .bind(("id", ws.to_string()))
        .await
        .expect("backdate")
        .check()
        .expect("backdated");
    let identity = app.dispatcher.as_ref().expect("dispatcher").identity.clone();
    let now = Utc::now();
    let nudged = nudge_stale(&app.store, &identity, 14, now).await.expect("nudge");
    assert_eq!(nudged, vec![ws.to_string()], "only the stale one");
    assert!(
        !nudged.contains(&fresh.to_string()),
        "a workstream set up today is not stale"
    );
    assert!(
        nudge_stale(&app.store, &identity, 14, now + Duration::hours(1))
            .await
            .expect("again")
            .is_empty(),
        "once per stale period"
    );

    // The lead gets it over SMTP, with the link to post an update; the name is escaped.
    assert!(
        wait_for(20, || async {
            app.mail
                .messages()
                .iter()
                .any(|m| m.to == ["toolkit.lead@test.example.org"])
        })
        .await
    );
    let msg = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.to == ["toolkit.lead@test.example.org"])
        .expect("the nudge");
    let text = unfolded(&msg.data);
    assert!(text.contains(&format!("/workstreams/{ws}")), "{text}");
    assert!(text.contains("Deployment &lt;toolkit&gt;"), "escaped in the HTML part");
    assert!(!text.contains("<strong>Deployment <toolkit></strong>"));

    // The overview says who was reminded, and when.
    let (_, html) = app.get_html("/").await;
    assert!(html.contains("Reminded by email on"), "{html}");

    // A manager turns them off: a period later, not reminded; on again: reminded again.
    app.set_nudges(ws.as_str(), false).await;
    let later = now + Duration::days(15);
    let off = nudge_stale(&app.store, &identity, 14, later).await.expect("off");
    assert!(!off.contains(&ws.to_string()), "turned off: {off:?}");
    assert!(off.contains(&fresh.to_string()), "the other one went stale meanwhile");
    let (_, setup) = app.get_html("/setup/workstreams").await;
    assert!(
        setup.contains("Turn on stale-status reminders for Deployment &lt;toolkit&gt;"),
        "{setup}"
    );
    app.set_nudges(ws.as_str(), true).await;
    let again = nudge_stale(&app.store, &identity, 14, later).await.expect("on");
    assert!(again.contains(&ws.to_string()), "{again:?}");

    // Leads may not change it.
    let lead_client = app.signed_in("toolkit.lead@test.example.org").await;
    let res = app
        .call_as(
            &lead_client,
            "workstreams/nudges",
            &[("id", ws.to_string()), ("on", "false".into())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
}
