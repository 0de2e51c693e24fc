//! The register as the pages read it (`register_view`): searched the way people type, and
//! never stale, whichever way the register changed.
use crate::helpers::*;
use app::backend::repo::audit::Actor;

fn count_on(html: &str) -> u64 {
    let at = html
        .find(" contacts match now")
        .expect("the audience page shows its count");
    html[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number before 'contacts match now'")
}

#[tokio::test]
async fn search_finds_people_by_any_word_without_accents_and_puts_the_whole_name_first() {
    let app = spawn_app().await;
    let org = app.create_org("Keele University", "hei").await;
    for (name, email) in [
        ("Zoë Okafor", "z.okafor@keele.example.org"),
        ("Abel Brennan", "sam.green@keele.example.org"),
        ("Sam Green", "s.green@keele.example.org"),
        ("Siobhán O'Neill", "s.oneill@keele.example.org"),
    ] {
        app.create_contact(name, email, &org).await;
    }
    let (_, html) = app.get_html("/contacts?q=zoe").await;
    assert!(html.contains("Zoë Okafor"), "'zoe' finds 'Zoë'");
    let (_, html) = app.get_html("/contacts?q=OKAF").await;
    assert!(
        html.contains("Zoë Okafor") && !html.contains("Sam Green"),
        "a word's start, any case"
    );
    let (_, html) = app.get_html("/contacts?q=siobhan+oneill").await;
    assert!(
        html.contains("O&#x27;Neill") || html.contains("O'Neill"),
        "accents and apostrophes"
    );
    let (_, html) = app.get_html("/contacts?q=keele").await;
    assert!(
        html.contains("Zoë Okafor") && html.contains("Sam Green"),
        "by organisation"
    );
    let (_, html) = app.get_html("/contacts?q=kafor").await;
    assert!(!html.contains("Zoë Okafor"), "the middle of a word is not a match");

    // "sam green" is Abel's email and Sam's whole name: Sam comes first, though Abel sorts first.
    let (_, html) = app.get_html("/contacts?q=sam+green").await;
    let (sam, abel) = (html.find("Sam Green"), html.find("Abel Brennan"));
    assert!(sam.is_some() && abel.is_some(), "both match");
    assert!(sam < abel, "the whole-name match is ranked first");
}

#[tokio::test]
async fn an_audience_count_follows_every_kind_of_change_at_once() {
    let app = spawn_app().await;
    let org = app
        .create_org("Sandwell and West Birmingham Hospitals", "acute_trust")
        .await;
    app.create_contact("Ada One", "ada@swb.example.org", &org).await;
    let segment = app
        .create_segment(&[
            ("name", "Acute trusts".to_string()),
            ("kinds[]", "acute_trust".to_string()),
            ("influence_min", "1".to_string()),
            ("interest_min", "1".to_string()),
        ])
        .await;
    let count = || async { count_on(&app.get_html(&format!("/segments/{segment}")).await.1) };
    assert_eq!(count().await, 1);

    // Create.
    let ben = app.create_contact("Ben Two", "ben@swb.example.org", &org).await;
    assert_eq!(count().await, 2, "after a contact is created");

    // Edit: Ben's organisation becomes a university, so he leaves the audience.
    let hei = app.create_org("Aston University", "hei").await;
    let mut form = contact_form("Ben Two", "ben@swb.example.org", &hei);
    form.push(("id", ben.clone()));
    app.update_contact(&form).await;
    assert_eq!(count().await, 1, "after an edit moves a contact out");

    // An organisation's kind changes: its contacts move with it.
    let mut org_edit = org_form("Aston University", "acute_trust");
    org_edit.push(("id", hei.clone()));
    app.update_org(&org_edit).await;
    assert_eq!(count().await, 2, "after the organisation is edited");

    // Unsubscribe, through the path a briefing's link takes (the delivery a link would name is
    // written directly: no briefing is sent here).
    app.store
        .db()
        .query(
            "CREATE delivery:bench SET briefing = briefing:bench, contact = type::record('contact', $c), kind = 'briefing',
                email = 'ben@swb.example.org', name = 'Ben Two', org_name = 'Aston University', org_kind = 'acute_trust',
                state = 'sent', due = time::now()",
        )
        .bind(("c", ben.clone()))
        .await
        .expect("delivery")
        .check()
        .expect("delivery created");
    app.store
        .deliveries()
        .unsubscribe("bench", "link", chrono::Utc::now())
        .await
        .expect("unsubscribed");
    assert_eq!(count().await, 1, "after an unsubscribe");

    // Delete.
    let ada = app
        .store
        .contacts()
        .list(
            &app::domain::query::ContactQuery::from_params(|k| (k == "q").then(|| "ada".to_string())),
            25,
        )
        .await
        .expect("list")
        .items[0]
        .id
        .to_string();
    app.delete_contact(&ada).await;
    assert_eq!(count().await, 0, "after a delete");

    // Import.
    let file = "Name,Email,Organisation,Organisation kind\r\nCai Three,cai@swb.example.org,Sandwell and West Birmingham Hospitals,Acute trust\r\n";
    let id = app.upload_import("more.csv", file.as_bytes().to_vec()).await;
    app.commit_import(&id).await;
    assert_eq!(count().await, 1, "after an import");
}

#[tokio::test]
async fn a_change_that_bypasses_the_repositories_reaches_the_pages_through_the_live_query() {
    let app = spawn_app().await;
    let org = app.create_org("Birmingham City University", "hei").await;
    let dee = app.create_contact("Dee Four", "dee@bcu.example.org", &org).await;
    let (_, html) = app.get_html("/contacts").await;
    assert!(html.contains("Dee Four"));
    // As another Liaison process on a shared database server would: not through this Store's
    // repositories, so only the live query can tell this process.
    app.store
        .db()
        .query("UPDATE type::record('contact', $c) SET name = 'Dee Renamed'")
        .bind(("c", dee))
        .await
        .expect("update")
        .check()
        .expect("updated");
    let seen = wait_for(5, || async {
        app.get_html("/contacts").await.1.contains("Dee Renamed")
    })
    .await;
    assert!(seen, "the rename reaches the contacts list within 5 s");
}

/// An audience's members are listed from the register view by `SegmentFilter::admits`, its
/// count and recipient list by the database's `MATCH`: the two rules must take the same people.
#[tokio::test]
async fn the_audience_rule_in_memory_matches_the_database_rule() {
    use app::domain::segment::SegmentFilter;
    use app::domain::{Engagement, OrgKind, Tags};
    let app = spawn_app().await;
    let actor = Actor::Other("test".into());
    let mut file = String::from(
        "Name,Email,Organisation,Organisation kind,Area,Influence,Interest,Engagement now,Tags,Subscribed\r\n",
    );
    let kinds = ["Acute trust", "Higher education institution", "Primary care provider"];
    let areas = ["Black Country", "Coventry and Warwickshire", ""];
    let levels = ["Unaware", "Resistant", "Neutral", "Supportive", "Leading"];
    for i in 0..40 {
        file.push_str(&format!(
            "Person {i},p{i}@rule.example.org,Rule Org {o},{k},{a},{inf},{int},{e},{t},{s}\r\n",
            o = i % 6,
            k = kinds[(i % 6) % 3],
            a = areas[(i % 6) / 2],
            inf = 1 + i % 5,
            int = 1 + (i / 5) % 5,
            e = levels[i % 5],
            t = if i % 4 == 0 {
                "faculty;pgcert"
            } else if i % 4 == 1 {
                "pgcert"
            } else {
                ""
            },
            s = if i % 7 == 0 { "no" } else { "yes" },
        ));
    }
    let id = app.upload_import("rule.csv", file.into_bytes()).await;
    app.commit_import(&id).await;
    let view = app.store.register_view().await.expect("view");
    let some_org = app.store.organisations().options().await.expect("orgs")[0].0.clone();
    let filters = [
        SegmentFilter::default(),
        SegmentFilter {
            kinds: vec![OrgKind::AcuteTrust, OrgKind::Hei],
            ..Default::default()
        },
        SegmentFilter {
            areas: vec!["Black Country".into()],
            ..Default::default()
        },
        SegmentFilter {
            engagement: vec![Engagement::Resistant, Engagement::Leading],
            ..Default::default()
        },
        SegmentFilter {
            influence_min: 3,
            interest_min: 4,
            ..Default::default()
        },
        SegmentFilter {
            tags: Tags::parse("faculty").expect("tags"),
            ..Default::default()
        },
        SegmentFilter {
            organisations: vec![some_org],
            ..Default::default()
        },
        SegmentFilter {
            kinds: vec![OrgKind::PrimaryCare],
            areas: vec!["Coventry and Warwickshire".into()],
            tags: Tags::parse("pgcert").expect("tags"),
            influence_min: 2,
            ..Default::default()
        },
    ];
    for (i, f) in filters.iter().enumerate() {
        let f = SegmentFilter {
            influence_min: f.influence_min.max(1),
            interest_min: f.interest_min.max(1),
            ..f.clone()
        };
        // Made from the generated filter itself (not its form): the database's rule is compared
        // with the view's for exactly that filter.
        let segment = app
            .store
            .segments()
            .create(&actor, &format!("Rule {i}"), &f)
            .await
            .expect("audience");
        let in_db = app.store.segments().count(&segment).await.expect("count");
        assert_eq!(view.members(&f, usize::MAX).len() as u64, in_db, "audience {i}: {f:?}");
        assert!(in_db < 40, "audience {i} should not take everyone");
    }
}
