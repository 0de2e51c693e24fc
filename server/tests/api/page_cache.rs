//! Rendered pages kept per person (`server::page_cache`): sent again without rendering, with a
//! new nonce each time, never to someone else, and never once something has changed.
use crate::helpers::*;
use app::domain::policy::Role;
use server::config::Settings;
use std::time::Duration;

const LEAD: &str = "lead@test.example.org";

#[tokio::test]
async fn a_page_asked_for_again_is_kept_and_sent_with_a_new_nonce() {
    let app = spawn_with(Settings::for_tests()).await;
    app.create_org("Keele University", "hei").await;
    // A page with an island, so with scripts that carry the nonce.
    let url = format!("{}/map", app.address);
    let Served {
        how: first,
        nonce: nonce_1,
        body: body_1,
    } = page_as_served(&app.client, &url).await;
    let Served {
        how: second,
        nonce: nonce_2,
        body: body_2,
    } = page_as_served(&app.client, &url).await;
    assert_eq!((first.as_str(), second.as_str()), ("rendered", "kept"));
    assert!(nonce_1.len() >= 16 && nonce_2.len() >= 16);
    assert_ne!(nonce_1, nonce_2, "a nonce is never sent twice");
    // The scripts carry the response's own nonce, and the page is otherwise the same.
    assert!(body_2.contains(&format!("nonce=\"{nonce_2}\"")), "{body_2}");
    assert!(!body_2.contains(&nonce_1));
    assert_eq!(body_1.replace(&nonce_1, "N"), body_2.replace(&nonce_2, "N"));
}

#[tokio::test]
async fn a_change_shows_at_once_and_a_background_one_within_a_second() {
    let app = spawn_with(Settings::for_tests()).await;
    let url = format!("{}/organisations", app.address);
    page_as_served(&app.client, &url).await;
    assert_eq!(page_as_served(&app.client, &url).await.how, "kept");

    // Saved through a form: the next page shows it.
    app.create_org("Aston University", "hei").await;
    let Served { how, body, .. } = page_as_served(&app.client, &url).await;
    assert_eq!(how, "rendered");
    assert!(body.contains("Aston University"));

    // Saved by something that is not a request (as the scheduler or the inbound mail worker
    // write): the users page is kept, and not for longer than a second.
    let users = format!("{}/users", app.address);
    page_as_served(&app.client, &users).await;
    app.add_user("new.lead@test.example.org", Role::WorkstreamLead).await;
    tokio::time::sleep(server::page_cache::FOR_AT_MOST + Duration::from_millis(100)).await;
    let Served { how, body, .. } = page_as_served(&app.client, &users).await;
    assert_eq!(how, "rendered");
    assert!(body.contains("new.lead@test.example.org"), "{body}");
}

#[tokio::test]
async fn pages_are_kept_per_person() {
    let app = spawn_with(Settings::for_tests()).await;
    app.add_user(LEAD, Role::WorkstreamLead).await;
    let lead = app.signed_in(LEAD).await;
    let url = format!("{}/organisations", app.address);
    page_as_served(&app.client, &url).await;
    let Served {
        how,
        body: manager_page,
        ..
    } = page_as_served(&app.client, &url).await;
    assert_eq!(how, "kept");
    assert!(manager_page.contains("Add an organisation"));
    // The lead's own page, not the manager's kept one.
    let Served {
        how, body: lead_page, ..
    } = page_as_served(&lead, &url).await;
    assert_eq!(how, "rendered");
    assert!(!lead_page.contains("Add an organisation"), "{lead_page}");
    // Signed out: nobody's page, the sign-in redirect.
    let anonymous = new_client();
    let res = anonymous.get(&url).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test]
async fn with_the_page_cache_off_every_page_is_rendered() {
    let mut settings = Settings::for_tests();
    settings.page_cache = false;
    let app = spawn_with(settings).await;
    let url = format!("{}/organisations", app.address);
    for _ in 0..2 {
        assert_eq!(page_as_served(&app.client, &url).await.how, "neither");
    }
}

#[tokio::test]
async fn a_kept_page_is_never_sent_to_a_session_that_has_ended() {
    let app = spawn_with(Settings::for_tests()).await;
    // A client that sends the session cookie whatever the server says: as a copied cookie would.
    let res = app.sign_in_with(&new_client(), MANAGER, PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    let stubborn = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let url = format!("{}/organisations", app.address);
    page_as_served(&stubborn, &url).await;
    assert_eq!(page_as_served(&stubborn, &url).await.how, "kept");

    app.sign_out_as(&stubborn).await;
    let res = stubborn.get(&url).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "the ended session is sent to sign in");
}

// Several threads, so that the requests are rendered at the same time (on the test's default
// single thread one page is rendered after the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_for_a_page_being_rendered_wait_for_it_instead_of_rendering_it_too() {
    let app = spawn_with(Settings::for_tests()).await;
    for n in 0..30 {
        app.create_org(&format!("Trust {n:02}"), "acute_trust").await;
    }
    let url = format!("{}/organisations", app.address);
    let started = std::time::Instant::now();
    let all = futures::future::join_all((0..16).map(|_| page_as_served(&app.client, &url))).await;
    let rendered = all.iter().filter(|s| s.how == "rendered").count();
    // One render, unless the machine is so loaded that the kept page's second ran out while the
    // requests were still arriving (each second may render once more), or the last creation's
    // change notice emptied the cache after the first render. Without single flight all 16
    // render.
    let seconds = usize::try_from(started.elapsed().as_secs()).unwrap_or(usize::MAX);
    assert!(
        (1..=2 + seconds).contains(&rendered),
        "{rendered} of 16 rendered the page in {seconds} s"
    );
    assert!(all.iter().all(|s| s.body.contains("Trust 00")));
}
