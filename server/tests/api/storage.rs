//! The embedded on-disk database: migrations run once, data survives a restart.
use crate::helpers::*;
use app::backend::db::DbConfig;
use app::backend::{migrations, Store};
use server::config::Settings;

#[tokio::test]
async fn data_and_migrations_survive_a_restart_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let config = DbConfig {
        url: format!("surrealkv://{}", dir.path().join("db").display()),
        ..DbConfig::memory()
    };
    {
        let mut settings = Settings::for_tests();
        settings.db = config.clone();
        let app = spawn_with(settings).await;
        app.create_org("University of Wolverhampton", "hei").await;
    }
    // Give the first server a moment to drop its handle on the datastore.
    let mut reopened = None;
    for _ in 0..50 {
        match Store::open(&config).await {
            Ok(s) => {
                reopened = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let store = reopened.expect("the database reopens");
    assert_eq!(store.organisations().count().await.unwrap(), 1);
    assert!(
        migrations::apply(&store).await.unwrap().is_empty(),
        "nothing to apply twice"
    );
}

#[tokio::test]
async fn the_demo_programme_loads_once() {
    // An empty database (no users either: the demo never goes beside a real account).
    let app = server::Application::build(server::config::Settings::for_tests())
        .await
        .unwrap();
    let store = app.store();
    assert!(server::seed::seed_demo(store, None).await.unwrap().is_ok());
    assert_eq!(
        store.contacts().count().await.unwrap(),
        server::demo_data::CONTACT_COUNT as u64
    );
    let orgs = store.organisations().count().await.unwrap();
    assert!(orgs >= 40, "{orgs}");
    assert!(
        server::seed::seed_demo(store, None).await.unwrap().is_err(),
        "a second seed does nothing"
    );
    assert_eq!(store.organisations().count().await.unwrap(), orgs);
}
