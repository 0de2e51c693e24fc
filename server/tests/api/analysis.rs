//! Stakeholder analysis through HTTP: every change of a contact's standing is in its history,
//! whichever way it was made (the form, an import), and the map counts contacts per cell and
//! shows how they moved since a date.
use crate::helpers::*;

async fn json(res: reqwest::Response) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), 200);
    serde_json::from_str(&res.text().await.expect("body")).expect("json")
}

#[tokio::test]
async fn a_contacts_standing_is_recorded_at_every_change_and_the_map_shows_the_move() {
    let app = spawn_app().await;
    let org = app.create_org("Map University", "hei").await;
    let mut form = contact_form("Zoë Map", "zoe.map@map.example.org", &org);
    let set = |form: &mut Vec<(&'static str, String)>, k: &str, v: &str| {
        if let Some(f) = form.iter_mut().find(|(name, _)| *name == k) {
            f.1 = v.to_string();
        }
    };
    set(&mut form, "influence", "2");
    set(&mut form, "interest", "2");
    assert_eq!(app.call("contacts/create", &form).await.status().as_u16(), 200);
    let id = app
        .store
        .contacts()
        .list(&Default::default(), 10)
        .await
        .expect("list")
        .items[0]
        .id
        .to_string();
    // Created three days ago, as far as the history knows.
    app.store
        .db()
        .query("UPDATE engagement_change SET at = time::now() - 3d WHERE contact = type::record('contact', $id)")
        .bind(("id", id.clone()))
        .await
        .expect("backdate")
        .check()
        .expect("backdated");

    // A change that leaves the standing alone is not a change of standing.
    set(&mut form, "name", "Zoë Map-Renamed");
    let mut edit = form.clone();
    edit.insert(0, ("id", id.clone()));
    assert_eq!(app.call("contacts/update", &edit).await.status().as_u16(), 200);
    // The form moves them up the map and forward in engagement.
    set(&mut edit, "influence", "4");
    set(&mut edit, "interest", "5");
    set(&mut edit, "engagement_current", "supportive");
    assert_eq!(app.call("contacts/update", &edit).await.status().as_u16(), 200);
    // An import raises their target.
    let csv = "Name,E-mail,Organisation,Organisation kind,Influence,Interest,Engagement now,Engagement target\r\n\
               Zoë Map-Renamed,zoe.map@map.example.org,Map University,Higher education institution,4,5,Supportive,Leading\r\n";
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("map.csv");
    let res = app
        .client
        .post(format!("{}/contacts/import/upload", app.address))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 303);
    let import = redirect_target(&res)
        .trim_start_matches("/contacts/import/")
        .to_string();
    let res = app.call("import/commit", &[("id", import)]).await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap_or_default());

    let history = json(app.call("analysis/engagement-history", &[("id", id.clone())]).await).await;
    let lines: Vec<(String, String)> = history
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["by"].as_str().unwrap_or_default().to_string(),
                l["changes"]
                    .as_array()
                    .map(|c| c.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("; "))
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "created, edited, imported (the rename is not one): {lines:?}"
    );
    assert_eq!(lines[0].1, "target: supportive → leading", "newest first: {lines:?}");
    assert_eq!(
        lines[1].1,
        "influence: 2 → 4; interest: 2 → 5; current: neutral → supportive"
    );
    assert!(lines[2].1.starts_with("influence 2, interest 2"), "{lines:?}");
    assert!(
        lines.iter().all(|(by, _)| by.contains(MANAGER)),
        "who made each change: {lines:?}"
    );

    // The map: one contact at (4, 5), moved from (2, 2) since two days ago.
    let since = (chrono::Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let map = json(
        app.call(
            "analysis/map",
            &[
                ("query[search]", String::new()),
                ("query[page]", "1".into()),
                ("since", since.clone()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(map["map"]["total"], 1);
    assert_eq!(map["map"]["cells"]["4-5"], 1);
    assert_eq!(map["map"]["moves"], serde_json::json!([[[2, 2], [4, 5], 1]]), "{map}");
    // Before the contact existed: no move.
    let long_ago = json(
        app.call(
            "analysis/map",
            &[
                ("query[search]", String::new()),
                ("query[page]", "1".into()),
                ("since", "2020-01-01".into()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(long_ago["map"]["moves"], serde_json::json!([]));

    let (status, html) = app.get_html(&format!("/map?since={since}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<svg") && html.contains("Influence and interest map"),
        "the map"
    );
    assert!(html.contains(&format!("Moves since {since}")), "the moves, in words");
    assert!(
        html.contains("1 contact from influence 2, interest 2 (monitor) to influence 4, interest 5 (manage closely)")
    );
    let (status, html) = app.get_html(&format!("/contacts/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("How their standing changed") && html.contains("target: supportive → leading"));
}
