//! The interaction log over HTTP: leads and managers log meetings, calls and notes with a
//! contact or an organisation; only the author or a manager edits one; follow-ups reach their
//! owner's list and the overview's count.
use crate::helpers::*;
use app::domain::policy::Role;

fn meeting(with: (&str, &str), summary: &str, follow_up_on: &str) -> Vec<(&'static str, String)> {
    let today = chrono::Utc::now().date_naive().to_string();
    vec![
        (
            if with.0 == "contact" { "contact" } else { "organisation" },
            with.1.to_string(),
        ),
        ("kind", "meeting".into()),
        ("date", today),
        ("participants", "Zoë Ashworth, Sam Patel".into()),
        ("summary", summary.into()),
        ("follow_up_on", follow_up_on.into()),
    ]
}

#[tokio::test]
async fn a_lead_logs_a_meeting_with_a_follow_up_that_reaches_their_list() {
    let app = spawn_app().await;
    let org = app.create_org("Log Test University", "hei").await;
    let contact = app.create_contact("Zoë Ashworth", "zoe@log.example.org", &org).await;
    app.add_user("lead@log.example.org", Role::WorkstreamLead).await;
    app.add_user("other@log.example.org", Role::WorkstreamLead).await;
    let lead = app.signed_in("lead@log.example.org").await;
    let other = app.signed_in("other@log.example.org").await;
    let today = chrono::Utc::now().date_naive().to_string();

    app.log_interaction_as(
        &lead,
        &meeting(("contact", &contact), "Agreed the PgCert outcomes", &today),
    )
    .await;
    let log = app.interactions_as(&lead, &[("contact", contact.clone())]).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let (item, editable) = (&items[0][0], &items[0][1]);
    assert_eq!(item["summary"], "Agreed the PgCert outcomes");
    assert_eq!(*editable, true, "its author may edit it");
    let id = item["id"].as_str().unwrap().to_string();

    // On the contact's timeline, in the lead's follow-ups and in the overview's count.
    let history = app.contact_history_as(&lead, &contact).await;
    assert!(history.to_string().contains("Agreed the PgCert outcomes"), "{history}");
    let mine = app.follow_ups_as(&lead).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let overview = app.overview_as(&lead).await;
    assert_eq!(overview["follow_ups_due"], 1);

    // Another lead sees it but may not change it; a manager may; a stale edit is refused.
    let log = app.interactions_as(&other, &[("contact", contact.clone())]).await;
    assert_eq!(log["items"][0][1], false);
    let mut edit = meeting(("contact", &contact), "Hijacked", "");
    edit.remove(0);
    edit.push(("id", id.clone()));
    edit.push(("version", "1".into()));
    assert_eq!(
        app.call_as(&other, "interactions/update", &edit)
            .await
            .status()
            .as_u16(),
        403
    );
    let mut fix = meeting(("contact", &contact), "Agreed the PgCert learning outcomes", &today);
    fix.remove(0);
    fix.push(("id", id.clone()));
    fix.push(("version", "1".into()));
    app.update_interaction(&fix).await;
    let res = app.call_as(&lead, "interactions/update", &fix).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("was changed by"));

    // Only its owner (or a manager) marks the follow-up done; then it leaves the list.
    assert_eq!(
        app.call_as(&other, "interactions/follow-up-done", &[("id", id.clone())])
            .await
            .status()
            .as_u16(),
        409
    );
    app.follow_up_done_as(&lead, &id).await;
    let mine = app.follow_ups_as(&lead).await;
    assert!(mine["items"].as_array().unwrap().is_empty());

    // With an organisation too; a date in the future is refused field by field.
    app.log_interaction(&meeting(("organisation", &org), "Workshop with the faculty", ""))
        .await;
    let log = app.interactions(&[("organisation", org.clone())]).await;
    assert_eq!(log["items"][0][0]["summary"], "Workshop with the faculty");
    let mut future = meeting(("contact", &contact), "Not yet", "");
    future[2].1 = "2099-01-01".into();
    let res = app.call("interactions/log", &future).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("cannot be in the future"));
}
