//! Stakeholder analysis through HTTP: every change of a contact's standing is in its history,
//! whichever way it was made (the form, an import), and the map counts contacts per cell and
//! shows how they moved since a date.
use crate::endpoints::*;
use crate::helpers::*;

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
    app.create_contact_with(&form).await;
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
    app.update_contact(&edit).await;
    // The form moves them up the map and forward in engagement.
    set(&mut edit, "influence", "4");
    set(&mut edit, "interest", "5");
    set(&mut edit, "engagement_current", "supportive");
    app.update_contact(&edit).await;
    // An import raises their target.
    let csv = "Name,E-mail,Organisation,Organisation kind,Influence,Interest,Engagement now,Engagement target\r\n\
               Zoë Map-Renamed,zoe.map@map.example.org,Map University,Higher education institution,4,5,Supportive,Leading\r\n";
    let import = app.upload_import("map.csv", csv.as_bytes().to_vec()).await;
    app.commit_import(&import).await;

    let history = app.engagement_history(&id).await;
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
    let map = app
        .map(&[
            ("query[search]", String::new()),
            ("query[page]", "1".into()),
            ("since", since.clone()),
        ])
        .await;
    assert_eq!(map["map"]["total"], 1);
    assert_eq!(map["map"]["cells"]["4-5"], 1);
    assert_eq!(map["map"]["moves"], serde_json::json!([[[2, 2], [4, 5], 1]]), "{map}");
    // Before the contact existed: no move.
    let long_ago = app
        .map(&[
            ("query[search]", String::new()),
            ("query[page]", "1".into()),
            ("since", "2020-01-01".into()),
        ])
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

/// Moving a contact on the map (what dragging a point and the chosen cell's form both call):
/// only influence and interest change, the move is audited and in the engagement history, a
/// chosen cell lists its people, and a bad score or an unknown contact is refused with a reason.
#[tokio::test]
async fn a_contact_moved_on_the_map_changes_cell_and_the_move_is_recorded() {
    let app = spawn_app().await;
    let org = app.create_org("Drag University", "hei").await;
    let mut form = contact_form("Ada Drag", "ada.drag@drag.example.org", &org);
    for (k, v) in form.iter_mut() {
        match *k {
            "influence" => *v = "2".into(),
            "interest" => *v = "2".into(),
            _ => {}
        }
    }
    app.create_contact_with(&form).await;
    let id = app
        .store
        .contacts()
        .list(&Default::default(), 10)
        .await
        .expect("list")
        .items[0]
        .id
        .to_string();
    let map_with_cell = |cell: &'static str| {
        vec![
            ("query[search]", String::new()),
            ("query[page]", "1".into()),
            ("since", String::new()),
            ("cell", cell.to_string()),
        ]
    };
    let chosen = app.map(&map_with_cell("2-2")).await;
    assert_eq!(chosen["chosen"]["total"], 1, "{chosen}");
    assert_eq!(chosen["chosen"]["people"][0]["name"], "Ada Drag");
    assert_eq!(chosen["may_move"], true);

    let placed = app.place_on_map(&id, "5", "4").await;
    assert_eq!(placed["from"], serde_json::json!([2, 2]));
    assert_eq!(placed["to"], serde_json::json!([5, 4]));

    let after = app
        .store
        .contacts()
        .get(&app::domain::ContactId::parse(&id).expect("id"))
        .await
        .expect("get");
    assert_eq!((after.influence.get(), after.interest.get()), (5, 4));
    assert_eq!(after.name.to_string(), "Ada Drag", "nothing else changed");
    let empty = app.map(&map_with_cell("2-2")).await;
    assert_eq!(empty["chosen"]["total"], 0, "no longer in the cell it left");
    let moved_to = app.map(&map_with_cell("5-4")).await;
    assert_eq!(moved_to["chosen"]["people"][0]["id"], id.as_str());

    let history = app.engagement_history(&id).await;
    assert_eq!(
        history[0]["changes"],
        serde_json::json!(["influence: 2 → 5", "interest: 2 → 4"]),
        "{history}"
    );
    let audit = app.audit_text().await;
    assert!(
        audit.contains("influence: 2 → 5; interest: 2 → 4 (moved on the map)"),
        "{audit}"
    );

    // Refused, with the reason, and nothing changed.
    let res = app.call("analysis/place", &place_form(&id, "6", "4")).await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app.call("analysis/place", &place_form("nosuchcontact", "3", "3")).await;
    assert_eq!(res.status().as_u16(), 404);
    let unchanged = app
        .store
        .contacts()
        .get(&app::domain::ContactId::parse(&id).expect("id"))
        .await
        .expect("get");
    assert_eq!((unchanged.influence.get(), unchanged.interest.get()), (5, 4));

    // Without JavaScript: the chosen cell's form posts and the browser is sent back to the map.
    let res = app
        .post_plain_form(
            "analysis/place",
            &[("id", id.clone()), ("influence", "1".into()), ("interest", "1".into())],
            "/map?cell=5-4",
        )
        .await;
    assert_eq!(res.status().as_u16(), 302);
    assert!(
        redirect_target(&res).contains("/map?cell=5-4"),
        "{}",
        redirect_target(&res)
    );
    let (status, html) = app.get_html("/map?cell=1-1").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Influence 1, interest 1 (monitor): 1 contact"),
        "the chosen cell's list"
    );
    assert!(
        html.contains("name=\"influence\"") && html.contains(" of Ada Drag"),
        "its form"
    );
    assert!(
        html.contains(&format!("data-contact=\"{id}\"")),
        "its people drawn as points"
    );

    // The cell's form sends the map it came from: the map is loaded again saying what moved.
    let res = app
        .post_plain_form(
            "analysis/place",
            &[
                ("id", id.clone()),
                ("influence", "2".into()),
                ("interest", "2".into()),
                ("next", "/map?cell=1-1".into()),
            ],
            "/map?cell=1-1",
        )
        .await;
    assert_eq!(res.status().as_u16(), 302);
    let back = redirect_target(&res);
    assert_eq!(back, format!("/map?cell=1-1&moved={id}&from=1-1"));
    let (_, html) = app.get_html(&back).await;
    assert!(
        html.contains("Moved Ada Drag from influence 1, interest 1 to influence 2, interest 2"),
        "the map says what moved"
    );
    // Only ever back to this site.
    let res = app
        .post_plain_form(
            "analysis/place",
            &[
                ("id", id.clone()),
                ("influence", "1".into()),
                ("interest", "1".into()),
                ("next", "//elsewhere.example/map".into()),
            ],
            "/map?cell=2-2",
        )
        .await;
    assert_eq!(redirect_target(&res), "/");
}
