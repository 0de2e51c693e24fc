//! The communication plan driving briefings: recurring instances made at UK wall-clock time,
//! paused items, stopping a repeat; audiences by tag and organisation.
use crate::endpoints::*;
use crate::helpers::*;
use app::backend::scheduler;
use app::domain::briefing::BriefingState;
use chrono::{DateTime, NaiveDate, Utc};
use server::config::Settings;

async fn app_without_workers() -> TestApp {
    let mut settings = Settings::for_tests();
    settings.workers = false;
    spawn_with(settings).await
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The plan form as posted: (objective, channel, frequency, start, send time, instances).
fn plan_form(
    segment: &str,
    [objective, channel, frequency, start, send_time, instances]: [&str; 6],
) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_string();
    vec![
        ("segment", s(segment)),
        ("objective", s(objective)),
        ("key_message", s("Progress")),
        ("channel", s(channel)),
        ("frequency", s(frequency)),
        ("owner", s("Programme manager")),
        ("start", s(start)),
        ("end", String::new()),
        ("feedback", String::new()),
        ("send_time", s(send_time)),
        ("instances", s(instances)),
    ]
}

async fn plan_item(app: &TestApp, segment: &str, frequency: &str, start: &str, instances: &str) -> String {
    let objective = format!("Weekly update {start} {instances}");
    app.create_plan_item(&plan_form(
        segment,
        [&objective, "email_briefing", frequency, start, "09:00", instances],
    ))
    .await;
    app.store
        .plan()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.objective == format!("Weekly update {start} {instances}"))
        .unwrap()
        .id
}

async fn template(app: &TestApp, segment: &str, deadline: Option<NaiveDate>) -> String {
    let mut form = new_briefing("Programme update", "Hello", segment);
    if let Some(deadline) = deadline {
        form = asking_acknowledgement(form, &deadline.to_string(), "");
    }
    app.create_briefing(&form).await
}

#[tokio::test]
async fn a_plan_item_makes_each_occurrence_its_own_briefing_at_uk_wall_clock_time() {
    let app = app_without_workers().await;
    let org = app.create_org("Plan Test University", "hei").await;
    for i in 0..3 {
        app.create_contact(&format!("Person {i}"), &format!("p{i}@plan.example.org"), &org)
            .await;
    }
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    // Weekly on Thursdays from 18 March 2027; the clocks go forward on Sunday 28 March.
    let item = plan_item(&app, &segment, "weekly", "2027-03-18", "scheduled").await;
    let id = template(&app, &segment, Some(NaiveDate::from_ymd_opt(2027, 3, 25).unwrap())).await;

    app.repeat_briefing(&id, &item).await;
    let t = app.store.briefings().get(&id).await.unwrap();
    assert_eq!(t.summary.state, BriefingState::Recurring);
    assert!(
        app.store.briefings().instances(&id).await.unwrap().is_empty(),
        "March 2027 is beyond the two-week lookahead today"
    );

    // Two weeks ahead of 17 March: the 18th and the 25th, at 09:00 GMT.
    let tick = scheduler::tick(&app.store, at("2027-03-17T12:00:00Z")).await.unwrap();
    assert_eq!(tick.instances_made.len(), 2);
    assert!(tick.briefings_started.is_empty());
    let made = app.store.briefings().instances(&id).await.unwrap();
    assert_eq!(
        made.iter().map(|b| b.subject.as_str()).collect::<Vec<_>>(),
        ["Programme update – 18 March 2027", "Programme update – 25 March 2027"]
    );
    assert!(made.iter().all(|b| b.state == BriefingState::Scheduled));
    assert_eq!(made[0].send_at.unwrap().to_rfc3339(), "2027-03-18T09:00:00+00:00");
    // The template's deadline (a week after the first occurrence) carries over to each.
    let first = app.store.briefings().get(&made[0].id).await.unwrap();
    assert_eq!(first.ack_deadline, NaiveDate::from_ymd_opt(2027, 3, 25));
    assert_eq!(first.instance_of.as_ref().map(|t| t.id.as_str()), Some(id.as_str()));

    // Another pass, or another process, makes nothing twice.
    assert!(scheduler::tick(&app.store, at("2027-03-17T12:30:00Z"))
        .await
        .unwrap()
        .instances_made
        .is_empty());

    // After the clock change, 09:00 BST is 08:00 UTC.
    scheduler::tick(&app.store, at("2027-03-26T12:00:00Z")).await.unwrap();
    let made = app.store.briefings().instances(&id).await.unwrap();
    let april = made
        .iter()
        .find(|b| b.subject.ends_with("1 April 2027"))
        .expect("1 April instance");
    assert_eq!(april.send_at.unwrap().to_rfc3339(), "2027-04-01T08:00:00+00:00");
    let t = scheduler::tick(&app.store, at("2027-04-01T07:59:00Z")).await.unwrap();
    assert!(
        !t.briefings_started.iter().any(|(b, _)| *b == april.id),
        "not before 09:00 BST"
    );
    let t = scheduler::tick(&app.store, at("2027-04-01T08:00:00Z")).await.unwrap();
    assert!(t.briefings_started.contains(&(april.id.clone(), 3)), "{t:?}");

    // Pausing the plan item stops new instances; resuming brings them back.
    app.set_plan_item_active(&item, false).await;
    assert!(scheduler::tick(&app.store, at("2027-04-10T12:00:00Z"))
        .await
        .unwrap()
        .instances_made
        .is_empty());
    app.set_plan_item_active(&item, true).await;
    assert!(!scheduler::tick(&app.store, at("2027-04-10T12:00:00Z"))
        .await
        .unwrap()
        .instances_made
        .is_empty());

    // Stopping the repeat keeps what was made and makes no more.
    let before = app.store.briefings().instances(&id).await.unwrap().len();
    app.cancel_briefing(&id).await;
    assert!(scheduler::tick(&app.store, at("2027-05-20T12:00:00Z"))
        .await
        .unwrap()
        .instances_made
        .is_empty());
    assert_eq!(app.store.briefings().instances(&id).await.unwrap().len(), before);
}

#[tokio::test]
async fn draft_instances_wait_for_review_and_only_drafts_repeat_with_email_items() {
    let app = app_without_workers().await;
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    let item = plan_item(&app, &segment, "monthly", "2027-01-31", "draft").await;
    let id = template(&app, &segment, None).await;
    app.repeat_briefing(&id, &item).await;
    let t = scheduler::tick(&app.store, at("2027-02-20T12:00:00Z")).await.unwrap();
    assert_eq!(t.instances_made.len(), 1);
    assert!(t.briefings_started.is_empty());
    let made = app.store.briefings().instances(&id).await.unwrap();
    assert_eq!(
        made[0].subject, "Programme update – 28 February 2027",
        "monthly on the 31st falls on the month's last day"
    );
    assert_eq!((made[0].state, made[0].send_at), (BriefingState::Draft, None));

    // A template is not a draft any more; nor can it be sent itself.
    let again = app
        .call("briefings/repeat", &[("id", id.clone()), ("plan_item", item.clone())])
        .await;
    assert_eq!(
        again.status().as_u16(),
        409,
        "{}",
        again.text().await.unwrap_or_default()
    );
    let send = app.call("briefings/schedule", &send_now_form(&id)).await;
    assert_eq!(send.status().as_u16(), 409);

    // A workshop plan item sends no email.
    app.create_plan_item(&plan_form(
        &segment,
        ["Workshop", "workshop", "monthly", "2027-01-01", "", ""],
    ))
    .await;
    let workshop = app
        .store
        .plan()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.objective == "Workshop")
        .unwrap()
        .id;
    let other = template(&app, &segment, None).await;
    let res = app
        .call("briefings/repeat", &[("id", other.clone()), ("plan_item", workshop)])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert!(res.text().await.unwrap().contains("Only an email-briefing plan item"));
    assert_eq!(
        app.store.briefings().get(&other).await.unwrap().summary.state,
        BriefingState::Draft
    );

    // A send time in the hour the clocks change is refused with the reason, and nothing is written.
    let before = app.store.plan().list().await.unwrap().len();
    let res = app
        .call(
            "plan/create",
            &plan_form(
                &segment,
                [
                    "Night owl",
                    "email_briefing",
                    "weekly",
                    "2027-01-01",
                    "01:30",
                    "scheduled",
                ],
            ),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("clocks change"));
    assert_eq!(app.store.plan().list().await.unwrap().len(), before);
}

#[tokio::test]
async fn audiences_select_contacts_by_tag_and_by_organisation() {
    let app = spawn_app().await;
    let aston = app.create_org("Aston University", "hei").await;
    let keele = app.create_org("Keele University", "hei").await;
    let tagged = |name: &str, email: &str, org: &str, tags: &str| {
        let mut f = contact_form(name, email, org);
        f.push(("tags", tags.to_string()));
        f
    };
    for (n, e, o, t) in [
        ("Ann Lee", "ann@aston.example.org", &aston, "Course Lead, NMP"),
        ("Bob Ray", "bob@aston.example.org", &aston, "senior leader"),
        ("Cat Day", "cat@keele.example.org", &keele, "course  lead"),
        ("Dan Fox", "dan@keele.example.org", &keele, ""),
    ] {
        app.create_contact_with(&tagged(n, e, o, t)).await;
    }
    // Bad tags: a clear error on the field, nothing written.
    let res = app
        .call(
            "contacts/create",
            &tagged("Eve Kay", "eve@keele.example.org", &keele, &"x".repeat(41)),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Each tag must be 40 characters or fewer"));
    assert_eq!(app.contact_count().await, 4);

    let segment = |name: &str, extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("name", name.to_string()),
            ("influence_min", "1".to_string()),
            ("interest_min", "1".to_string()),
        ];
        f.extend(extra);
        f
    };
    app.create_segment(&segment("Course leads", vec![("tags", "COURSE LEAD".into())]))
        .await;
    app.create_segment(&segment(
        "Keele course leads",
        vec![("tags", "course lead".into()), ("organisations[]", keele.clone())],
    ))
    .await;
    app.create_segment(&segment("Aston", vec![("organisations[]", aston.clone())]))
        .await;
    let segs = app.store.segments().list().await.unwrap();
    let count = |n: &str| segs.iter().find(|s| s.name == n).unwrap().count;
    assert_eq!(count("Course leads"), 2);
    assert_eq!(count("Keele course leads"), 1);
    assert_eq!(count("Aston"), 2);
    let keele_leads = segs.iter().find(|s| s.name == "Keele course leads").unwrap();
    let members = app.store.segments().members(&keele_leads.id, 10).await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
        ["cat@keele.example.org"]
    );
}

#[tokio::test]
async fn the_plan_shows_what_happened_against_each_occurrence_and_flags_the_missed() {
    use app::api::plan::PlanView;
    use app::domain::plan_outcome::Happened;
    use chrono::{Duration, Months};
    let app = app_without_workers().await;
    let org = app.create_org("Outcome Test University", "hei").await;
    app.create_contact("Olu Outcome", "olu@outcome.example.org", &org).await;
    let segment = app.create_segment(&audience("Everyone", &[])).await;
    let today = app::domain::workstream::today_in_london(Utc::now());

    // A monthly workshop: three past occurrences, the second held (two days late).
    let start = today.checked_sub_months(Months::new(2)).unwrap() - Duration::days(10);
    app.create_plan_item(&plan_form(
        &segment,
        [
            "Curriculum workshops",
            "workshop",
            "monthly",
            &start.to_string(),
            "09:00",
            "draft",
        ],
    ))
    .await;
    // A weekly email briefing whose instance two weeks ago went out.
    let weekly_start = today - Duration::days(21);
    let email_item = plan_item(&app, &segment, "weekly", &weekly_start.to_string(), "scheduled").await;
    let items = app.store.plan().list().await.unwrap();
    let workshop = items
        .iter()
        .find(|i| i.objective == "Curriculum workshops")
        .unwrap()
        .id
        .clone();

    let held = start.checked_add_months(Months::new(1)).unwrap() + Duration::days(2);
    let form = |plan_item: &str| {
        vec![
            ("organisation", org.clone()),
            ("kind", "workshop".to_string()),
            ("date", held.to_string()),
            ("summary", "PgCert outcomes workshop".to_string()),
            ("plan_item", plan_item.to_string()),
        ]
    };
    let refused = app.call("interactions/log", &form(&email_item)).await;
    assert_eq!(
        refused.status().as_u16(),
        409,
        "an email item is carried out by its briefings"
    );
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Choose a plan item from the list"));
    app.log_interaction(&form(&workshop)).await;

    let id = template(&app, &segment, None).await;
    app.repeat_briefing(&id, &email_item).await;
    let two_weeks_ago = (today - Duration::days(14)).and_hms_opt(12, 0, 0).unwrap().and_utc();
    // As if the repeat had been set up three weeks ago (instances are made from then on).
    app.store
        .db()
        .query("UPDATE type::record('briefing', $id) SET recurring_since = $since")
        .bind(("id", id.clone()))
        .bind(("since", two_weeks_ago - Duration::days(7)))
        .await
        .unwrap();
    let tick = scheduler::tick(&app.store, two_weeks_ago).await.unwrap();
    assert_eq!(tick.briefings_started.len(), 1, "{tick:?}");

    let body = app.plan_text().await;
    let view: PlanView = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let outcomes = |id: &str| {
        let n = view.items.iter().position(|i| i.id == id).unwrap();
        view.outcomes[n].clone()
    };
    let w = outcomes(&workshop);
    let summary: Vec<(chrono::NaiveDate, bool, usize)> =
        w.iter().map(|o| (o.date, o.missed, o.happened.len())).collect();
    assert_eq!(
        summary,
        vec![
            (start.checked_add_months(Months::new(2)).unwrap(), true, 0),
            (start.checked_add_months(Months::new(1)).unwrap(), false, 1),
            (start, true, 0),
        ]
    );
    assert!(
        matches!(&w[1].happened[0], Happened::Logged { kind, with_name, .. } if kind == "Workshop" && with_name == "Outcome Test University")
    );

    let e = outcomes(&email_item);
    let summary: Vec<(chrono::NaiveDate, bool, usize)> =
        e.iter().map(|o| (o.date, o.missed, o.happened.len())).collect();
    assert_eq!(
        summary,
        vec![
            (today, false, 0),
            (today - Duration::days(7), true, 0),
            (today - Duration::days(14), false, 1),
            (today - Duration::days(21), true, 0),
        ]
    );
    assert!(
        matches!(e[2].happened[0], Happened::Briefing { occurrence: Some(o), .. } if o == today - Duration::days(14))
    );

    let (_, overview) = app.get_html("/").await;
    assert!(
        overview.contains("4 planned communications missed"),
        "the overview says so"
    );
    let (_, plan) = app.get_html("/plan").await;
    assert!(plan.contains("The plan against what happened") && plan.contains("PgCert outcomes workshop"));
}
