//! The programme board's quarterly report and the overview's engagement panel, over HTTP:
//! a real send over SMTP with an acknowledgement, an engagement change, a status update, a
//! logged meeting and an overdue follow-up, each counted in the quarter it happened in and
//! nowhere else.
use crate::endpoints::*;
use crate::helpers::*;
use app::backend::repo::audit::Actor;
use app::domain::board::Quarter;
use app::domain::workstream::{Rag, StatusDraft};

/// Runs one statement with `$id` bound.
async fn sql(app: &TestApp, q: &str, id: &str) {
    app.store
        .db()
        .query(q)
        .bind(("id", id.to_string()))
        .await
        .expect("query")
        .check()
        .expect("statement");
}

/// A briefing asking for acknowledgement, to the contacts of these kinds of organisation (all
/// when empty), not yet sent.
async fn ack_briefing(app: &TestApp, subject: &str, kinds: &[&str]) -> String {
    let segment = app
        .create_segment(&audience(&format!("Audience for {subject}"), kinds))
        .await;
    // The form asks for a deadline with an acknowledgement: one far off, so nothing is overdue.
    let form = asking_acknowledgement(new_briefing(subject, "Dear partners", &segment), "2030-01-31", "");
    app.create_briefing(&form).await
}

/// Confirms the briefing mailed to `email` through the link in that message, as its recipient
/// does (a plain form post from the acknowledgement page).
async fn acknowledge_mail_to(app: &TestApp, email: &str) {
    let mail = app
        .mail
        .messages()
        .into_iter()
        .find(|m| m.to == [email])
        .expect("a briefing mailed to that address");
    let ack = link(&mail.data, &format!("{}/ack/", app.address)).expect("ack link");
    let res = new_client()
        .post(&ack)
        .header("Origin", app.address.clone())
        .send()
        .await
        .expect("ack");
    assert_eq!(res.status().as_u16(), 200);
}

/// Waits until the briefing's send has finished.
async fn sent(app: &TestApp, briefing: &str) -> bool {
    wait_for(20, || async {
        app.store.briefings().get(briefing).await.ok().map(|b| b.summary.state)
            == Some(app::domain::briefing::BriefingState::Sent)
    })
    .await
}

#[tokio::test]
async fn the_board_report_counts_what_happened_in_its_quarter_and_links_to_the_sources() {
    let app = spawn_app().await;
    let acute = app.create_org("Board Acute Trust", "acute_trust").await;
    let hei = app.create_org("Board University", "hei").await;
    let mut contacts = vec![];
    for (name, email, org) in [
        ("Zoë Acute", "zoe@acute.example.org", &acute),
        ("Sam Acute", "sam@acute.example.org", &acute),
        ("Ann Hei", "ann@hei.example.org", &hei),
    ] {
        contacts.push(app.create_contact(name, email, org).await);
    }
    // The register was built last quarter, as far as the history knows.
    let (start, _) = Quarter::containing(app::domain::time::london_date(chrono::Utc::now())).bounds();
    app.store
        .db()
        .query("UPDATE engagement_change SET at = $at")
        .bind(("at", start - chrono::Duration::days(10)))
        .await
        .expect("backdate")
        .check()
        .expect("backdated");
    // Zoë moves from neutral (the form's default) to supportive this quarter, below a
    // leading target.
    let mut edit = contact_form("Zoë Acute", "zoe@acute.example.org", &acute);
    edit.insert(0, ("id", contacts[0].clone()));
    for (k, v) in [("engagement_current", "supportive"), ("engagement_target", "leading")] {
        if let Some(f) = edit.iter_mut().find(|(name, _)| *name == k) {
            f.1 = v.to_string();
        }
    }
    app.update_contact(&edit).await;

    // A briefing asking for acknowledgement to the acute trust, sent now; one acknowledges.
    let actor = Actor::system();
    let briefing = ack_briefing(&app, "Board <b>update</b>", &["acute_trust"]).await;
    app.send_now(&briefing).await;
    assert!(wait_for(20, || async { app.mail.messages().len() >= 2 }).await);
    // A recipient's delivery row is written with its outcome, just after the relay took it.
    assert!(sent(&app, &briefing).await, "the send finishes");
    acknowledge_mail_to(&app, "zoe@acute.example.org").await;

    // A workstream amber last quarter, green this one.
    let ws = app.create_workstream("Board workshops", 1, &[]).await;
    // No endpoint posts an update in the past: last quarter's is written through the store.
    let amber = StatusDraft {
        rag: Rag::Amber,
        summary: "Slipping".into(),
        risks: String::new(),
        issues: String::new(),
        next_steps: String::new(),
        commentary: String::new(),
    };
    app.store
        .workstreams()
        .post_status(&actor, "Lead", &ws, &amber, start - chrono::Duration::days(20))
        .await
        .expect("status");
    app.post_status_as(&app.client, &status_form(ws.as_str(), "Back on track"))
        .await;

    // A meeting with Sam, its follow-up now overdue.
    let today = app::domain::time::london_date(chrono::Utc::now()).to_string();
    app.log_interaction(&[
        ("contact", contacts[1].clone()),
        ("kind", "meeting".into()),
        ("date", today.clone()),
        ("participants", String::new()),
        ("summary", "Agreed the rota".into()),
        ("follow_up_on", today.clone()),
    ])
    .await;
    let two_days_ago = (app::domain::time::london_date(chrono::Utc::now()) - chrono::Duration::days(2)).to_string();
    sql(
        &app,
        "UPDATE interaction SET follow_up_on = $id WHERE logged = true",
        &two_days_ago,
    )
    .await;

    let r = app.board_report("").await;
    let briefings = r["reach"]["briefings"].as_array().expect("briefings");
    assert_eq!(briefings.len(), 1);
    assert_eq!(briefings[0]["delivered"], 2);
    assert_eq!(briefings[0]["acknowledged"], 1);
    let sectors = r["reach"]["sectors"].as_array().expect("sectors");
    let acute_row = sectors.iter().find(|s| s["kind"] == "acute_trust").expect("acute");
    assert_eq!(
        (
            &acute_row["contacts"],
            &acute_row["reached"],
            &acute_row["asked"],
            &acute_row["acknowledged"]
        ),
        (&2.into(), &2.into(), &2.into(), &1.into())
    );
    assert_eq!(
        acute_row["below_target"], 2,
        "Zoë is supportive (target leading), Sam neutral (target supportive)"
    );
    let hei_row = sectors.iter().find(|s| s["kind"] == "hei").expect("hei");
    assert_eq!((&hei_row["contacts"], &hei_row["reached"]), (&1.into(), &0.into()));
    let moves = r["movement"]["moves"].as_array().expect("moves");
    assert_eq!(moves.len(), 1);
    assert_eq!(
        (&moves[0]["from"], &moves[0]["to"]),
        (&"neutral".into(), &"supportive".into())
    );
    assert_eq!(r["movement"]["added"], 0);
    let wq = &r["workstreams"][0];
    assert_eq!(wq["at_start"], "Amber");
    assert_eq!(wq["updates"].as_array().map(Vec::len), Some(1));
    let meetings = r["interactions"]
        .as_array()
        .expect("interactions")
        .iter()
        .find(|k| k[0] == "Meeting")
        .expect("meetings")[1]
        .clone();
    assert_eq!(meetings, 1);
    assert_eq!(r["overdue"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["overdue"][0]["with"], "Sam Acute");

    // What is kept for the quarter follows the register: Sam moves too.
    let mut sam = contact_form("Sam Acute", "sam@acute.example.org", &acute);
    sam.insert(0, ("id", contacts[1].clone()));
    if let Some(f) = sam.iter_mut().find(|(name, _)| *name == "engagement_current") {
        f.1 = "supportive".into();
    }
    app.update_contact(&sam).await;
    let again = app.board_report("").await;
    assert_eq!(again["movement"]["moves"].as_array().map(Vec::len), Some(2), "{again}");

    // The quarter before: the amber update, nothing sent, nobody moved, all three added.
    let previous = Quarter::containing(app::domain::time::london_date(chrono::Utc::now())).previous();
    let p = app.board_report(&previous.key()).await;
    assert_eq!(p["reach"]["briefings"].as_array().map(Vec::len), Some(0));
    assert_eq!(p["movement"]["moves"].as_array().map(Vec::len), Some(0));
    assert_eq!(p["movement"]["added"], 3);
    assert_eq!(p["workstreams"][0]["updates"].as_array().map(Vec::len), Some(1));

    // The printed page: escaped, linked to its sources.
    let (status, html) = app.get_html("/reports/board").await;
    assert_eq!(status, 200);
    assert!(html.contains("Quarterly engagement report"));
    assert!(html.contains("Board &lt;b&gt;update&lt;/b&gt;"), "user text is escaped");
    assert!(!html.contains("Board <b>update</b>"));
    assert!(html.contains(&format!("href=\"/briefings/{briefing}\"")));
    assert!(html.contains(&format!("href=\"/contacts/{}\"", contacts[0])));
    assert!(html.contains(&format!("href=\"/workstreams/{ws}\"")));
    assert!(html.contains("href=\"/engagement?kind=acute_trust&amp;below=1\""));
    assert!(html.contains("1 follow-up overdue"));
    // The interaction log the meeting count links to lists the meeting.
    let (status, log) = app
        .get_html(&format!("/interactions?kind=meeting&from={today}&to={today}"))
        .await;
    assert_eq!(status, 200);
    assert!(log.contains("Agreed the rota"), "{log}");

    // A quarter that is not one is a clear 404.
    let res = app
        .call("analysis/board-report", &[("quarter", "2026-Q3".into())])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(res.text().await.unwrap_or_default().contains("write it as 2026-27-Q3"));

    // The overview's panel: reach of the last 90 days and the latest briefing's rate.
    let panel = app.engagement_panel().await;
    assert_eq!(panel["latest"][0]["acknowledged"], 1);
    let (_, overview) = app.get_html("/").await;
    assert!(overview.contains("briefings reached 2 of 3 contacts"), "{overview}");
    assert!(overview.contains("Quarterly board report"));
}

#[tokio::test]
async fn reach_follows_an_acknowledgement_within_seconds() {
    let app = spawn_app().await;
    let org = app.create_org("Fresh Acute Trust", "acute_trust").await;
    app.create_contact("Ann Fresh", "ann@fresh.example.org", &org).await;
    let briefing = ack_briefing(&app, "Fresh", &[]).await;
    app.send_now(&briefing).await;
    assert!(wait_for(20, || async { !app.mail.messages().is_empty() }).await);
    assert!(sent(&app, &briefing).await, "the send finishes");
    let panel = app.engagement_panel().await;
    assert_eq!(panel["latest"][0]["acknowledged"], 0);
    acknowledge_mail_to(&app, "ann@fresh.example.org").await;
    // The figures kept from before are served while new ones are worked out: they follow
    // within seconds.
    assert!(
        wait_for(10, || async {
            app.engagement_panel().await["latest"][0]["acknowledged"] == 1
        })
        .await,
        "the acknowledgement reaches the overview's figures"
    );
}

/// What a finished send reached is kept when it finishes (per sector, with its contacts) and
/// its acknowledgements are counted as they come, once each: the report reads these instead
/// of counting the deliveries.
#[tokio::test]
async fn a_finished_send_is_kept_per_sector_and_its_acknowledgements_counted_once() {
    let app = spawn_app().await;
    let acute = app.create_org("Kept Acute Trust", "acute_trust").await;
    let hei = app.create_org("Kept University", "hei").await;
    for (name, email, org) in [
        ("Ann Kept", "ann@kept-acute.example.org", &acute),
        ("Bea Kept", "bea@kept-acute.example.org", &acute),
        ("Cal Kept", "cal@kept-hei.example.org", &hei),
    ] {
        app.create_contact(name, email, org).await;
    }
    let briefing = ack_briefing(&app, "Kept", &["acute_trust", "hei"]).await;
    app.send_now(&briefing).await;
    assert!(sent(&app, &briefing).await, "the send finishes");
    let ids = [briefing.clone()];
    assert!(
        wait_for(10, || async {
            app.store.tallies().of(&ids).await.map(|t| t.len()).unwrap_or(0) == 2
        })
        .await,
        "the dispatcher keeps what the send reached when it finishes"
    );
    let mut kept: Vec<(String, i64, usize)> = app
        .store
        .tallies()
        .of(&ids)
        .await
        .expect("tallies")
        .into_iter()
        .map(|t| (t.org_kind, t.delivered, t.contacts.split(',').count()))
        .collect();
    kept.sort();
    assert_eq!(kept, vec![("acute_trust".to_string(), 2, 2), ("hei".to_string(), 1, 1)]);

    let acks = || async { app.store.tallies().acks_of(&ids).await.expect("acks") };
    assert!(acks().await.is_empty());
    for _ in 0..2 {
        acknowledge_mail_to(&app, "bea@kept-acute.example.org").await;
    }
    let counted: Vec<(String, i64)> = acks().await.into_iter().map(|a| (a.org_kind, a.n)).collect();
    assert_eq!(
        counted,
        vec![("acute_trust".to_string(), 1)],
        "a second confirmation changes nothing"
    );

    // Kept again by the first report that finds it missing (a send finished before this was kept).
    sql(
        &app,
        "DELETE briefing_tally WHERE briefing = type::record('briefing', $id)",
        &briefing,
    )
    .await;
    let (start, end) = Quarter::containing(app::domain::time::london_date(chrono::Utc::now())).bounds();
    let reach = app::backend::services::engagement::reach(&app.store, start, end)
        .await
        .expect("reach");
    let mine = reach.briefings.iter().find(|b| b.id == briefing).expect("the briefing");
    assert_eq!((mine.delivered, mine.acknowledged), (3, 1));
    assert_eq!(app.store.tallies().of(&ids).await.expect("tallies").len(), 2);
    // Two keeps at once (the dispatcher's and a report's) leave one tally per sector, and the
    // acknowledgements counted again from the deliveries are the same.
    let (one, other) = (app.store.tallies(), app.store.tallies());
    let (a, b) = tokio::join!(one.keep(&briefing), other.keep(&briefing));
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    assert_eq!(app.store.tallies().of(&ids).await.expect("tallies").len(), 2);
    let counted: Vec<(String, i64)> = acks().await.into_iter().map(|a| (a.org_kind, a.n)).collect();
    assert_eq!(counted, vec![("acute_trust".to_string(), 1)]);
}
