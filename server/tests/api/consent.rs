//! Consent and data protection: the lawful basis on record, audiences that require one, and a
//! subscription history kept by the database whichever way the change was made.
use crate::endpoints::*;
use crate::helpers::*;
use app::domain::consent::LawfulBasis;
use app::domain::ContactId;

async fn contact_id(app: &TestApp, email: &str) -> ContactId {
    app.store
        .contacts()
        .id_by_email(&app::domain::EmailAddress::parse(email).unwrap())
        .await
        .unwrap()
        .expect("the contact")
}

#[tokio::test]
async fn every_subscription_change_is_recorded_with_how_and_by_whom() {
    let app = spawn_app().await;
    let org = app.create_org("Consent Test Trust", "acute_trust").await;
    app.create_contact("Cara Consent", "cara@consent.example.org", &org)
        .await;
    let id = contact_id(&app, "cara@consent.example.org").await;

    // Unsubscribed in the edit form, then subscribed again.
    let mut form = contact_form("Cara Consent", "cara@consent.example.org", &org);
    form.retain(|(k, _)| *k != "subscribed");
    form.push(("id", id.to_string()));
    app.update_contact(&form).await;
    let mut form = contact_form("Cara Consent", "cara@consent.example.org", &org);
    form.push(("id", id.to_string()));
    app.update_contact(&form).await;
    // A name change alone is not a subscription change.
    let mut form = contact_form("Cara Consent-Smith", "cara@consent.example.org", &org);
    form.push(("id", id.to_string()));
    app.update_contact(&form).await;

    let history = app.store.contacts().subscription_history(&id).await.unwrap();
    let lines: Vec<(String, String)> = history
        .iter()
        .rev()
        .map(|c| (c.change.clone(), c.via.clone()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                "Subscribed".into(),
                "added to the register through the edit form".into()
            ),
            ("Unsubscribed".into(), "the edit form".into()),
            ("Subscribed".into(), "the edit form".into()),
        ]
    );
    assert!(history.iter().all(|c| c.by.contains(MANAGER)), "{history:?}");

    // Through the API as JSON, for the contact page.
    let body = app.subscriptions(id.as_str()).await;
    assert_eq!(body.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_lawful_basis_is_recorded_and_an_audience_can_require_one() {
    let app = spawn_app().await;
    let org = app.create_org("Basis Test University", "hei").await;
    app.create_contact("Ben Basis", "ben@basis.example.org", &org).await;
    app.create_contact("Nia Nobasis", "nia@basis.example.org", &org).await;
    let ben = contact_id(&app, "ben@basis.example.org").await;

    app.create_segment(&[
        ("name", "Universities with a basis".to_string()),
        ("kinds[]", "hei".to_string()),
        ("influence_min", "1".to_string()),
        ("interest_min", "1".to_string()),
        ("require_basis", "on".to_string()),
    ])
    .await;
    let segment = app
        .store
        .segments()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Universities with a basis")
        .unwrap();
    assert!(segment.filter.require_basis);
    assert_eq!(
        app.store.segments().count(&segment.id).await.unwrap(),
        0,
        "nobody has a basis yet"
    );

    // A bad form is refused field by field and changes nothing.
    let bad = app
        .call(
            "contacts/basis",
            &[
                ("id", ben.to_string()),
                ("basis", "because".to_string()),
                ("source", String::new()),
                ("recorded_on", "2999-01-01".to_string()),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("The date cannot be in the future"), "{text}");
    assert!(app.store.contacts().get(&ben).await.unwrap().basis.is_none());

    app.record_basis(&[
        ("id", ben.to_string()),
        ("basis", "public_task".to_string()),
        ("source", "event".to_string()),
        ("recorded_on", "2026-11-20".to_string()),
    ])
    .await;
    let basis = app.store.contacts().get(&ben).await.unwrap().basis.expect("recorded");
    assert_eq!(basis.basis, LawfulBasis::PublicTask);
    assert!(basis.recorded_by.contains(MANAGER));
    assert_eq!(
        app.store.segments().count(&segment.id).await.unwrap(),
        1,
        "the audience takes Ben now"
    );
    let members = app.store.segments().members(&segment.id, 10).await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
        ["ben@basis.example.org"],
        "the register view agrees"
    );

    let (status, page) = app.get_html(&format!("/contacts/{ben}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Public task: an event (a workshop or meeting), recorded 20 November 2026"),
        "{page}"
    );
    assert!(page.contains("Subscription history"));
}

#[tokio::test]
async fn a_subject_access_export_holds_everything_and_erasure_keeps_the_report_counts() {
    use app::backend::services::reports;
    let app = spawn_app().await;
    let org = app.create_org("Erasure Test University", "hei").await;
    app.create_contact("Eve Erased", "eve@erasure.example.org", &org).await;
    app.create_contact("Kim Kept", "kim@erasure.example.org", &org).await;
    let eve = contact_id(&app, "eve@erasure.example.org").await;
    app.log_interaction(&[
        ("contact", eve.to_string()),
        ("kind", "meeting".to_string()),
        ("date", "2026-11-02".to_string()),
        ("summary", "Eve said her trust backs the PgCert".to_string()),
    ])
    .await;
    // A briefing to both, sent and acknowledged by Eve.
    let segment = app.create_segment(&audience("All", &[])).await;
    let briefing = app
        .create_briefing(&asking_acknowledgement(
            new_briefing("Erasure briefing", "Hello", &segment),
            "2030-01-01",
            "",
        ))
        .await;
    app.send_now(&briefing).await;
    assert!(
        wait_for(20, || async {
            reports::report(&app.store, &briefing).await.unwrap().sent == 2
        })
        .await,
        "both sent and recorded"
    );
    let msg = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.to == ["eve@erasure.example.org"])
        .unwrap();
    let ack = link(&msg.data, &format!("{}/ack/", app.address)).unwrap();
    new_client()
        .post(&ack)
        .header("Origin", app.address.clone())
        .send()
        .await
        .unwrap();
    let before = reports::report(&app.store, &briefing).await.unwrap();
    assert_eq!((before.sent, before.acknowledged), (2, 1));

    // The export: JSON with every part, and CSV for a spreadsheet; both audited.
    let res = app
        .client
        .get(format!("{}/contacts/{eve}/subject-access.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let json: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(json["contact"]["email"], "eve@erasure.example.org");
    assert!(json["interactions"][0]["summary"]
        .as_str()
        .unwrap()
        .contains("backs the PgCert"));
    assert!(json["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["what"] == "Briefing: Erasure briefing"));
    assert!(!json["subscription_history"].as_array().unwrap().is_empty());
    let csv = app
        .client
        .get(format!("{}/contacts/{eve}/subject-access.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("Eve Erased") && text.contains("\r\n"));
    let lead = {
        app.add_user("lead@erasure.example.org", app::domain::policy::Role::WorkstreamLead)
            .await;
        app.signed_in("lead@erasure.example.org").await
    };
    let refused = lead
        .get(format!("{}/contacts/{eve}/subject-access.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403, "managers only");

    // Erasure: a tombstone, the notes blanked, the report's counts unchanged.
    app.erase_contact(eve.as_str()).await;
    let after = reports::report(&app.store, &briefing).await.unwrap();
    assert_eq!((after.sent, after.acknowledged), (2, 1), "reports keep their counts");
    assert!(!format!("{after:?}").contains("eve@erasure"), "and lose the address");
    let tomb = app.store.contacts().get(&eve).await.unwrap();
    assert_eq!(tomb.name.to_string(), "Erased contact");
    assert!(!tomb.subscribed);
    let log = app
        .store
        .interactions()
        .with(&app::backend::repo::interactions::With::Contact(eve.to_string()))
        .await
        .unwrap();
    assert!(log.iter().all(|i| !i.summary.contains("PgCert")), "{log:?}");
    assert_eq!(app.contact_count().await, 1, "the register no longer lists them");
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE changes FROM audit WHERE action = 'erase'")
        .await
        .unwrap();
    let changes: Vec<String> = r.take(0).unwrap();
    assert_eq!(changes, vec![String::new()], "audited without the erased data");
    let mut r = app
        .store
        .db()
        .query("SELECT count() FROM audit WHERE action = 'subject-access' GROUP ALL")
        .await
        .unwrap();
    let n: Option<i64> = r.take((0, "count")).unwrap();
    assert_eq!(n, Some(2));
    // Erasing twice is refused as not found.
    assert_eq!(
        app.call("contacts/erase", &[("id", eve.to_string())])
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn the_retention_review_lists_who_nobody_has_been_in_touch_with_for_three_years() {
    let app = spawn_app().await;
    let org = app.create_org("Retention Test Trust", "community_trust").await;
    for (name, email) in [
        ("Old Silent", "old.silent@retention.example.org"),
        ("Old Met", "old.met@retention.example.org"),
        ("New Person", "new.person@retention.example.org"),
    ] {
        app.create_contact(name, email, &org).await;
    }
    let silent = contact_id(&app, "old.silent@retention.example.org").await;
    let met = contact_id(&app, "old.met@retention.example.org").await;
    app.store
        .db()
        .query("UPDATE contact SET created_at = time::now() - 4y WHERE id IN [type::record('contact', $a), type::record('contact', $b)]")
        .bind(("a", silent.to_string()))
        .bind(("b", met.to_string()))
        .await
        .unwrap();
    let today = app::domain::workstream::today_in_london(chrono::Utc::now()).to_string();
    app.log_interaction(&[
        ("contact", met.to_string()),
        ("kind", "call".to_string()),
        ("date", today),
        ("summary", "Still the trust's lead".to_string()),
    ])
    .await;

    let review = app.retention_review().await;
    assert_eq!(review["years"], 3);
    let names: Vec<&str> = review["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Old Silent"], "only the one nobody has been in touch with");
    assert_eq!(review["contacts"][0]["ever_contacted"], false);
    let (status, page) = app.get_html("/contacts/retention").await;
    assert_eq!(status, 200);
    assert!(page.contains("Old Silent") && page.contains("Never (added"));
}
