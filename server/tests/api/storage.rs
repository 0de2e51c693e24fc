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
    let app = spawn_app().await;
    assert!(server::seed::seed_if_empty(&app.store).await.unwrap());
    assert_eq!(app.contact_count().await, server::demo_data::CONTACT_COUNT as u64);
    let orgs = app.org_count().await;
    assert!(orgs >= 40, "{orgs}");
    assert!(
        !server::seed::seed_if_empty(&app.store).await.unwrap(),
        "a second seed does nothing"
    );
    assert_eq!(app.org_count().await, orgs);
}
