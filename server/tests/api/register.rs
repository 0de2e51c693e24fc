//! The stakeholder register through HTTP: create, list, search, duplicates, bad input.
use crate::helpers::*;

#[tokio::test]
async fn health_answers() {
    let app = spawn_app().await;
    let (status, body) = app.get_html("/health").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

/// Starting an application must not stall pages another one is rendering in the same process
/// (leptos route generation sets a process-wide flag that froze a page's data loading: see
/// `route_list` in server/src/lib.rs). Builds applications on one thread while another keeps
/// loading a page that fetches data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_answering_while_other_applications_start() {
    let app = spawn_app().await;
    let org = app.create_org("Keele University", "hei").await;
    app.create_contact("Ann Ray", "ann.ray@keele.example.org", &org).await;
    let builder = std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            for _ in 0..4 {
                let other = server::Application::build(server::config::Settings::for_tests())
                    .await
                    .expect("builds");
                drop(other);
            }
        })
    });
    let mut pages = 0;
    while !builder.is_finished() || pages < 5 {
        let res = tokio::time::timeout(std::time::Duration::from_secs(15), app.get_html("/contacts")).await;
        let (status, html) = res.expect("the contacts page answered within 15 s while applications started");
        assert_eq!(status, 200);
        assert!(html.contains("Ann Ray"), "the page's data loaded");
        pages += 1;
    }
    builder.join().expect("the builder thread finished");
}

#[tokio::test]
async fn an_organisation_is_created_listed_and_found_by_search() {
    let app = spawn_app().await;
    let id = app.create_org("Aston University", "hei").await;
    app.create_org("Wye Valley NHS Trust", "acute_trust").await;
    assert!(!id.is_empty());

    let (status, html) = app.get_html("/organisations").await;
    assert_eq!(status, 200);
    assert!(html.contains("Aston University") && html.contains("Wye Valley NHS Trust"));

    let (_, html) = app.get_html("/organisations?q=aston").await;
    assert!(html.contains("Aston University"));
    assert!(!html.contains("Wye Valley NHS Trust"), "search must filter");

    let (_, html) = app.get_html("/organisations?kind=acute_trust").await;
    assert!(
        html.contains("Wye Valley NHS Trust") && !html.contains("Aston University"),
        "kind filter"
    );

    let (status, html) = app.get_html(&format!("/organisations/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Higher education institution"));
}

#[tokio::test]
async fn bad_input_is_refused_with_field_errors_and_nothing_is_written() {
    let app = spawn_app().await;
    let res = app.call("organisations/create", &org_form("   ", "castle")).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Enter the organisation name"), "{body}");
    assert!(body.contains("Select the kind of organisation from the list"), "{body}");
    assert_eq!(app.org_count().await, 0);

    let org = app.create_org("Keele University", "hei").await;
    let mut form = contact_form("Ann Example", "not-an-email", &org);
    form[4].1 = "9".into(); // influence
    let res = app.call("contacts/create", &form).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Enter an email address in the correct format"), "{body}");
    assert!(body.contains("Influence: Must be a whole number from 1 to 5"), "{body}");
    assert_eq!(app.contact_count().await, 0);
}

#[tokio::test]
async fn a_duplicate_email_is_a_form_error_not_a_500() {
    let app = spawn_app().await;
    let org = app.create_org("University of Worcester", "hei").await;
    app.create_contact("Ann Example", "ann@worcester.example.org", &org)
        .await;
    // Same address, different case: the normalised email hits the unique index.
    let second = app
        .call(
            "contacts/create",
            &contact_form("Ann Other", "ANN@Worcester.example.org", &org),
        )
        .await;
    assert_eq!(second.status().as_u16(), 422);
    let body = second.text().await.unwrap();
    assert!(
        body.contains("A contact with this email address already exists"),
        "{body}"
    );
    assert_eq!(app.contact_count().await, 1);
}

#[tokio::test]
async fn contacts_are_searchable_by_name_email_and_organisation() {
    let app = spawn_app().await;
    let hei = app.create_org("Coventry University", "hei").await;
    let trust = app.create_org("Walsall Healthcare NHS Trust", "acute_trust").await;
    app.create_contact("Priya Shah", "priya.shah@cov.example.org", &hei)
        .await;
    app.create_contact("Tom Jones", "t.jones@walsall.test", &trust).await;

    let (_, html) = app.get_html("/contacts?q=priya").await;
    assert!(html.contains("Priya Shah") && !html.contains("Tom Jones"));
    let (_, html) = app.get_html("/contacts?q=walsall.test").await;
    assert!(html.contains("Tom Jones") && !html.contains("Priya Shah"));
    let (_, html) = app.get_html("/contacts?q=coventry").await;
    assert!(html.contains("Priya Shah") && !html.contains("Tom Jones"));
    let (_, html) = app.get_html("/contacts?kind=acute_trust").await;
    assert!(html.contains("Tom Jones") && !html.contains("Priya Shah"));
}

#[tokio::test]
async fn an_organisation_with_contacts_cannot_be_deleted() {
    let app = spawn_app().await;
    let org = app.create_org("Staffordshire University", "hei").await;
    app.create_contact("Sam Lee", "sam@staffs.example.org", &org).await;
    let res = app.call("organisations/delete", &[("id", org.clone())]).await;
    assert_eq!(res.status().as_u16(), 409);
    let body = res.text().await.unwrap();
    assert!(body.contains("still has 1 contact"), "{body}");
    assert_eq!(app.org_count().await, 1);

    let empty = app.create_org("Newman University", "hei").await;
    app.delete_org(&empty).await;
    assert_eq!(app.org_count().await, 1);
}

#[tokio::test]
async fn editing_keeps_uniqueness_and_applies_changes() {
    let app = spawn_app().await;
    let org = app.create_org("Harper Adams University", "hei").await;
    let mut form = org_form("Harper Adams University", "other");
    form.insert(0, ("id", org.clone()));
    app.update_org(&form).await;
    let (_, html) = app.get_html(&format!("/organisations/{org}")).await;
    assert!(
        html.contains("<dd class=\"summary-list__value\">Other</dd>"),
        "kind updated"
    );

    app.create_org("Aston University", "hei").await;
    let mut form = org_form("aston university", "hei");
    form.insert(0, ("id", org.clone()));
    let res = app.call("organisations/update", &form).await;
    assert_eq!(res.status().as_u16(), 422, "names are unique regardless of case");
}

#[tokio::test]
async fn without_javascript_a_bad_form_comes_back_with_errors_and_the_typed_values() {
    let app = spawn_app().await;
    let mut form = org_form("Typed But Wrong", "");
    form[3].1 = "!!".into(); // ods_code
    let res = app
        .post_plain_form("organisations/create", &form, "/organisations/new")
        .await;
    assert_eq!(res.status().as_u16(), 302);
    let location = redirect_target(&res);
    assert!(
        location.contains("/organisations/new?") && location.contains("__err="),
        "{location}"
    );
    assert_eq!(app.org_count().await, 0);

    let path = location.trim_start_matches(&app.address);
    let (status, html) = app.get_html(path).await;
    assert_eq!(status, 200);
    assert!(html.contains("There is a problem"), "error summary shown");
    assert!(html.contains("Select the kind of organisation"), "field message shown");
    assert!(html.contains("value=\"Typed But Wrong\""), "typed value kept");
}

#[tokio::test]
async fn without_javascript_a_good_form_redirects_to_the_new_record() {
    let app = spawn_app().await;
    let res = app
        .post_plain_form(
            "organisations/create",
            &org_form("Aston University", "hei"),
            "/organisations/new",
        )
        .await;
    assert_eq!(res.status().as_u16(), 302);
    let location = redirect_target(&res);
    assert!(
        location.starts_with("/organisations/") && !location.ends_with("/new"),
        "{location}"
    );
    let (status, html) = app.get_html(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Aston University"));
}

#[tokio::test]
async fn unknown_records_and_pages_are_404() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/organisations/doesnotexist").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    let (status, _) = app.get_html("/no/such/page").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn user_text_is_escaped_in_pages() {
    let app = spawn_app().await;
    let id = app.create_org("</title><script>alert(1)</script> Trust", "other").await;
    let (_, html) = app.get_html(&format!("/organisations/{id}")).await;
    assert!(
        !html.contains("<script>alert(1)"),
        "no script element from user text, in the body, title or data"
    );
    assert!(html.contains("&lt;script"), "the name is shown as text");
}

/// The contact list's filters and sorts, as the URL carries them, over HTTP.
#[tokio::test]
async fn the_contact_list_filters_and_sorts_as_the_url_says() {
    let app = spawn_app().await;
    let trust = app.create_org("Filter Test Trust", "acute_trust").await; // Black Country
    let mut other = org_form("Filter Test University", "hei");
    other[2].1 = "Birmingham and Solihull".into();
    let uni = app.create_org_with(&other).await;
    // (name, org, influence, interest, now, target, subscribed, tags)
    let people = [
        (
            "Ada Able",
            &trust,
            "5",
            "5",
            "resistant",
            "leading",
            true,
            "senior leader",
        ),
        ("Ben Best", &trust, "2", "4", "supportive", "supportive", true, ""),
        ("Cy Cole", &uni, "4", "1", "unaware", "supportive", false, "course lead"),
        ("Di Dunn", &uni, "1", "2", "leading", "leading", true, "course lead"),
    ];
    for (name, org, inf, int, now, target, subscribed, tags) in people {
        let email = format!("{}@filter.example.org", name.to_lowercase().replace(' ', "."));
        let mut form = contact_form(name, &email, org);
        for (k, v) in form.iter_mut() {
            match *k {
                "influence" => *v = inf.into(),
                "interest" => *v = int.into(),
                "engagement_current" => *v = now.into(),
                "engagement_target" => *v = target.into(),
                _ => {}
            }
        }
        if !subscribed {
            form.retain(|(k, _)| *k != "subscribed");
        }
        form.push(("tags", tags.into()));
        app.create_contact_with(&form).await;
    }
    let names = |params: Vec<(&str, &str)>| {
        let app = &app;
        let mut form: Vec<(String, String)> = params
            .into_iter()
            .map(|(k, v)| (format!("query[{k}]"), v.to_string()))
            .collect();
        form.push(("query[page]".into(), "1".into()));
        async move {
            let form: Vec<(&str, String)> = form.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let page = app.list_contacts(&form).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(vec![("area", "Birmingham and Solihull")]).await,
        ["Cy Cole", "Di Dunn"]
    );
    assert_eq!(names(vec![("engagement", "resistant")]).await, ["Ada Able"]);
    assert_eq!(names(vec![("quadrant", "KeepSatisfied")]).await, ["Cy Cole"]);
    assert_eq!(names(vec![("quadrant", "KeepInformed")]).await, ["Ben Best"]);
    assert_eq!(names(vec![("tag", "course lead")]).await, ["Cy Cole", "Di Dunn"]);
    assert_eq!(names(vec![("subscribed", "false")]).await, ["Cy Cole"]);
    assert_eq!(names(vec![("below_target", "true")]).await, ["Ada Able", "Cy Cole"]);
    assert_eq!(
        names(vec![("organisation", uni.as_str())]).await,
        ["Cy Cole", "Di Dunn"]
    );
    assert_eq!(
        names(vec![("sort", "Influence")]).await,
        ["Ada Able", "Cy Cole", "Ben Best", "Di Dunn"]
    );
    // The database's gap agrees with the domain's: Ada resistant → leading is 3, Cy 3, Ben 0, Di 0.
    assert_eq!(
        names(vec![("sort", "Gap")]).await,
        ["Ada Able", "Cy Cole", "Ben Best", "Di Dunn"]
    );
    assert_eq!(
        names(vec![("sort", "Organisation"), ("kind", "hei")]).await,
        ["Cy Cole", "Di Dunn"]
    );

    // The page reads the same view from its URL, without JavaScript, and the export follows it.
    let (status, html) = app.get_html("/contacts?below=1&sort=gap&kind=acute_trust").await;
    assert_eq!(status, 200);
    assert!(html.contains("Ada Able") && !html.contains("Ben Best") && !html.contains("Cy Cole"));
    let res = app
        .client
        .get(format!(
            "{}/contacts/export.csv?tag=course+lead&subscribed=yes",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("Di Dunn") && !csv.contains("Cy Cole") && !csv.contains("Ada Able"),
        "{csv}"
    );
}

/// Organisations are found by name, or by their ODS code or UKPRN as typed.
#[tokio::test]
async fn organisations_are_found_by_ods_code_and_ukprn() {
    let app = spawn_app().await;
    let mut form = org_form("Code Test University", "hei");
    form[3].1 = "rrk99".into(); // ods_code
    form[4].1 = "10007140".into(); // ukprn
    app.create_org_with(&form).await;
    app.create_org("Another Trust", "acute_trust").await;
    let found = |search: &'static str| {
        let app = &app;
        async move {
            let page = app
                .list_orgs(&[
                    ("query[search]", search.to_string()),
                    ("query[page]", "1".into()),
                    ("sort", "NameAsc".into()),
                ])
                .await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("RRK99").await, ["Code Test University"]);
    assert_eq!(found("rrk99").await, ["Code Test University"]);
    assert_eq!(found("10007140").await, ["Code Test University"]);
    assert!(found("1000714").await.is_empty(), "codes match exactly");
    assert_eq!(found("code test").await, ["Code Test University"]);
}

/// The engagement-gap view: each sector's counts, and contacts furthest below target first.
#[tokio::test]
async fn the_engagement_view_counts_each_sector_and_puts_the_largest_gaps_first() {
    let app = spawn_app().await;
    let trust = app.create_org("Gap Test Trust", "acute_trust").await;
    for (name, now, target) in [
        ("Near Miss", "neutral", "supportive"),
        ("Far Off", "resistant", "leading"),
        ("On Target", "leading", "leading"),
    ] {
        let email = format!("{}@gap.example.org", name.to_lowercase().replace(' ', "."));
        let mut form = contact_form(name, &email, &trust);
        for (k, v) in form.iter_mut() {
            match *k {
                "engagement_current" => *v = now.into(),
                "engagement_target" => *v = target.into(),
                _ => {}
            }
        }
        app.create_contact_with(&form).await;
    }
    let view = app.engagement_view(&[("query[page]", "1".to_string())]).await;
    assert_eq!(
        view["sectors"],
        serde_json::json!([{"kind": "acute_trust", "contacts": 3, "below_target": 2, "resistant": 1}])
    );
    let names: Vec<&str> = view["page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Far Off", "Near Miss", "On Target"]);
    let (status, html) = app.get_html("/engagement?below=1").await;
    assert_eq!(status, 200);
    assert!(html.contains("Far Off") && !html.contains("On Target"));
}
