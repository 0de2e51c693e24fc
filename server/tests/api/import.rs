//! The register import and export over HTTP: upload (multipart, as a browser without
//! JavaScript sends it), preview, commit in one transaction, the rows not imported, re-import,
//! export and its round trip, and who may do it.
use crate::helpers::*;
use app::domain::policy::Role;

const FILE: &str = "Name,E-mail,Trust,Organisation kind,Job role,Influence,Engagement now\r\n\
Amir Khan,amir.khan@swbh.example.org,Sandwell and West Birmingham,Acute trust,Matron,4,Neutral\r\n\
Beth Jones,beth.jones@swbh.example.org,Sandwell and West Birmingham,acute_trust,=HYPERLINK(\"x\"),5,supportive\r\n\
Cara Bad,cara.bad@swbh.example.org,Sandwell and West Birmingham,Acute trust,,9,Neutral\r\n\
,no-name@swbh.example.org,Nowhere,,,,\r\n";

impl TestApp {
    async fn download(&self, path: &str) -> (u16, String) {
        let res = self.client.get(format!("{}{path}", self.address)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }
}

fn counts(p: &serde_json::Value) -> (u64, u64, u64, u64, u64) {
    let c = &p["counts"];
    let n = |k: &str| c[k].as_u64().unwrap_or(99);
    (
        n("create"),
        n("update"),
        n("unchanged"),
        n("error"),
        n("new_organisations"),
    )
}

#[tokio::test]
async fn a_spreadsheet_is_previewed_then_its_good_rows_imported_in_one_go_and_again_changes_nothing() {
    let app = spawn_app().await;
    let id = app.upload_import("register.csv", FILE.as_bytes().to_vec()).await;

    // The preview writes nothing and says what each row would do.
    let p = app.import_preview(&id).await;
    assert_eq!(counts(&p), (2, 0, 0, 2, 1), "{p}");
    assert_eq!(app.contact_count().await, 0);
    let columns = p["columns"].to_string();
    assert!(
        columns.contains("[\"E-mail\",\"email\"]") && columns.contains("[\"Trust\",\"organisation\"]"),
        "{columns}"
    );
    let rows = p["rows"].as_array().unwrap();
    let bad = rows.iter().find(|r| r["email"] == "cara.bad@swbh.example.org").unwrap();
    assert_eq!(bad["outcome"], "Error");
    assert!(bad["detail"].as_str().unwrap().starts_with("Influence:"), "{bad}");
    assert_eq!(bad["line"], 4);

    app.commit_import(&id).await;
    assert_eq!(app.contact_count().await, 2);
    assert_eq!(app.org_count().await, 1, "the acute trust was created from the file");
    // Each new contact's histories (standing and subscription) begin with the import, by whom.
    let amir = app
        .store
        .contacts()
        .id_by_email(&app::domain::EmailAddress::parse("amir.khan@swbh.example.org").unwrap())
        .await
        .unwrap()
        .expect("imported");
    let standing = app.store.contacts().engagement_history(&amir).await.unwrap();
    assert_eq!(standing.len(), 1, "{standing:?}");
    assert_eq!((standing[0].influence.get(), standing[0].current.key()), (4, "neutral"));
    assert!(standing[0].by.contains(MANAGER), "{standing:?}");
    let subscription = app.store.contacts().subscription_history(&amir).await.unwrap();
    assert_eq!(subscription.len(), 1, "{subscription:?}");
    assert_eq!(
        (subscription[0].change.as_str(), subscription[0].via.as_str()),
        ("Subscribed", "added to the register through an import")
    );
    assert!(subscription[0].by.contains(MANAGER), "{subscription:?}");
    let p = app.import_preview(&id).await;
    assert!(p["committed"].as_str().unwrap().starts_with("2 created"), "{p}");

    // Committing twice is refused.
    let res = app.call("import/commit", &[("id", id.clone())]).await;
    assert_eq!(res.status().as_u16(), 409);

    // The rows not imported, with the reason, as a file.
    let (status, errors) = app.download(&format!("/contacts/import/{id}/errors.csv")).await;
    assert_eq!(status, 200);
    assert!(errors.starts_with('\u{feff}'), "Excel needs the BOM");
    assert!(errors.contains("Error,Name,E-mail"), "{errors}");
    assert!(
        errors.contains("Row 4, Influence:") && errors.contains("cara.bad@swbh.example.org"),
        "{errors}"
    );
    assert!(!errors.contains("amir.khan"), "{errors}");

    // Audited with its counts.
    let mut res = app
        .store
        .db()
        .query("SELECT VALUE changes FROM audit WHERE action = 'import'")
        .await
        .unwrap();
    let audit: Vec<String> = res.take(0).unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].starts_with("2 created, 0 updated"), "{audit:?}");

    // The same file again changes nothing.
    let again = app.upload_import("register.csv", FILE.as_bytes().to_vec()).await;
    assert_eq!(counts(&app.import_preview(&again).await), (0, 0, 2, 2, 0));
}

#[tokio::test]
async fn an_export_is_excel_safe_and_imports_back_unchanged() {
    let app = spawn_app().await;
    let id = app.upload_import("register.csv", FILE.as_bytes().to_vec()).await;
    app.commit_import(&id).await;

    let (status, csv) = app.download("/contacts/export.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}') && csv.contains("\r\n"));
    assert!(csv.contains("'=HYPERLINK"), "a formula is neutralised: {csv}");
    assert!(csv.contains("Beth Jones,beth.jones@swbh.example.org"), "{csv}");
    // A filtered view exports only what it shows.
    let (_, filtered) = app.download("/contacts/export.csv?q=amir").await;
    assert!(
        filtered.contains("Amir Khan") && !filtered.contains("Beth Jones"),
        "{filtered}"
    );

    let back = app.upload_import("export.csv", csv.into_bytes()).await;
    assert_eq!(counts(&app.import_preview(&back).await), (0, 0, 2, 0, 0));
}

#[tokio::test]
async fn bad_files_are_refused_with_what_to_do_and_only_managers_import_or_export() {
    let app = spawn_app().await;
    let (status, to) = app
        .upload_as(&app.client, "euro.csv", b"Name;Email\r\nA;a@x.example.org\r\n".to_vec())
        .await;
    assert_eq!(status, 303);
    assert!(
        to.starts_with("/contacts/import?error=") && to.contains("semicolons"),
        "{to}"
    );
    let (_, to) = app
        .upload_as(&app.client, "no-email.csv", b"Name,Trust\r\nA,B\r\n".to_vec())
        .await;
    // Kept: its preview asks which column holds the email addresses.
    assert!(to.starts_with("/contacts/import/") && !to.contains("error"), "{to}");
    let (_, to) = app
        .upload_as(&app.client, "huge.csv", vec![b'a'; 10 * 1024 * 1024 + 1])
        .await;
    assert!(to.contains("10+MB"), "{to}");

    app.add_user("lead@import.example.org", Role::WorkstreamLead).await;
    let lead = app.signed_in("lead@import.example.org").await;
    let (status, _) = app.upload_as(&lead, "register.csv", FILE.as_bytes().to_vec()).await;
    assert_eq!(status, 403);
    let res = lead
        .get(format!("{}/contacts/export.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let (status, to) = app
        .upload_as(&new_client(), "register.csv", FILE.as_bytes().to_vec())
        .await;
    assert_eq!(status, 303);
    assert!(to.starts_with("/sign-in"), "{to}");
    let mut res = app
        .store
        .db()
        .query("SELECT count() FROM import GROUP ALL")
        .await
        .unwrap();
    let staged: Option<i64> = res.take((0, "count")).unwrap();
    assert_eq!(
        staged.unwrap_or(0),
        1,
        "nothing refused was kept: only the file whose email column is to be chosen"
    );
}

#[tokio::test]
async fn columns_with_unknown_headings_are_chosen_on_the_preview_and_kept_for_the_commit() {
    let app = spawn_app().await;
    let file = "Who,Correspondence,Employer,Organisation kind,Shoe size\r\n\
                Dana Lee,dana.lee@rwt.example.org,Royal Wolverhampton,Acute trust,7\r\n";
    // Nothing reads as the email: the file is kept, and its preview asks which column it is.
    let id = app.upload_import("odd.csv", file.as_bytes().to_vec()).await;
    let p = app.import_preview(&id).await;
    assert_eq!(p["email_column"], false, "{p}");
    let (_, html) = app.get_html(&format!("/contacts/import/{id}")).await;
    assert!(
        html.contains("No column was recognised as the email addresses"),
        "{html}"
    );
    assert!(!html.contains("Import 1 contacts"), "nothing to commit yet");

    // A field chosen twice, or choices that do not fit the file, are refused and change nothing.
    let choose = |choices: &[&str]| {
        let mut form: Vec<(&'static str, String)> = vec![("id", id.clone())];
        form.extend(choices.iter().map(|c| ("columns[]", c.to_string())));
        form
    };
    let res = app
        .call(
            "import/columns",
            &choose(&["name", "name", "organisation", "org_kind", ""]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert!(res.text().await.unwrap_or_default().contains("chosen for two columns"));
    let res = app.call("import/columns", &choose(&["name", "email"])).await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(app.import_preview(&id).await["email_column"], false);

    // The right choice: the preview is worked out again with it, and the commit uses it.
    app.choose_import_columns(&choose(&["name", "email", "organisation", "org_kind", ""]))
        .await;
    let p = app.import_preview(&id).await;
    assert_eq!(p["email_column"], true);
    assert_eq!(counts(&p), (1, 0, 0, 0, 1), "{p}");
    let columns = p["columns"].to_string();
    assert!(
        columns.contains("[\"Correspondence\",\"email\"]") && columns.contains("[\"Shoe size\",\"\"]"),
        "{columns}"
    );
    app.commit_import(&id).await;
    assert_eq!(app.contact_count().await, 1);
    // Once imported, its columns cannot be chosen again.
    let res = app
        .call(
            "import/columns",
            &choose(&["name", "email", "organisation", "org_kind", ""]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
}

/// The commit writes its rows in chunks inside one transaction: a write that fails in a later
/// chunk leaves nothing behind, neither the earlier chunks, nor the new organisations, nor the
/// import marked done. Driven through the store: a row the database refuses after the preview
/// (here the same address as an earlier row, which the plan rules out) cannot be made over HTTP.
#[tokio::test]
async fn a_commit_that_fails_in_a_later_chunk_writes_nothing() {
    use app::backend::repo::audit::Actor;
    use app::domain::import::{plan, Existing, Field};
    let app = spawn_app().await;
    let rows: Vec<(usize, Vec<String>)> = (0..1_200)
        .map(|i| {
            (
                i + 2,
                vec![
                    format!("Person {i}"),
                    format!("person.{i}@chunk.example.org"),
                    format!("Trust {}", i / 100),
                    "Acute trust".to_string(),
                ],
            )
        })
        .collect();
    let mapping = [
        Some(Field::Name),
        Some(Field::Email),
        Some(Field::Organisation),
        Some(Field::OrgKind),
    ];
    let mut n = 0;
    let mut plan = plan(&rows, &mapping, &Existing::default(), || {
        n += 1;
        app::domain::OrgId::parse(&format!("chunktrust{n}")).expect("an id")
    });
    assert_eq!(plan.counts().create, 1_200);
    let first = plan.rows[0].draft.as_ref().expect("a create").email.clone();
    plan.rows[1_100].draft.as_mut().expect("a create").email = first;

    let actor = Actor::Other("test".into());
    let id = app::backend::import::stage(&app.store, &actor, "chunks.csv", b"Name\r\nx\r\n")
        .await
        .expect("staged");
    let refused = app
        .store
        .imports()
        .commit(&actor, &id, &plan, plan.counts(), String::new())
        .await;
    assert!(refused.is_err(), "the duplicate address is refused");
    assert_eq!(app.contact_count().await, 0, "no chunk is kept");
    assert_eq!(app.org_count().await, 0, "nor the new organisations");
    let staged = app.store.imports().get(&id).await.expect("the import");
    assert!(staged.committed_at.is_none(), "the import can still be committed");
    assert!(!app.audit_text().await.contains("not imported (errors)"), "nor audited");
}
