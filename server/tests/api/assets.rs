//! The browser's files: compressed as the browser accepts, revalidated on each use; pages are
//! not compressed.
use crate::helpers::*;
use server::config::Settings;

#[tokio::test]
async fn the_browsers_files_are_compressed_and_revalidated_and_pages_are_not_compressed() {
    let site = tempfile::tempdir().expect("a temporary site root");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg/");
    // Repetitive, like real WebAssembly and CSS: compression has something to take.
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 7) as u8).collect();
    std::fs::write(site.path().join("pkg/liaison_bg.wasm"), &wasm).expect("the wasm file");
    std::fs::write(site.path().join("pkg/liaison.css"), "body { margin: 0 }\n".repeat(200)).expect("the css");
    let mut settings = Settings::for_tests();
    settings.site_root = site.path().to_string_lossy().into_owned();
    let app = spawn_with(settings).await;

    for (encoding, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let res = new_client()
            .get(format!("{}/pkg/liaison_bg.wasm", app.address))
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("the wasm answers");
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-encoding"], expected, "asked for {encoding}");
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let body = res.bytes().await.expect("a body");
        assert!(
            body.len() < wasm.len() / 4,
            "{encoding}: {} of {} bytes",
            body.len(),
            wasm.len()
        );
    }
    let res = new_client()
        .get(format!("{}/pkg/liaison.css", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("the css answers");
    assert_eq!(res.headers()["content-encoding"], "gzip");

    // Without Accept-Encoding the file comes as it is.
    let res = new_client()
        .get(format!("{}/pkg/liaison_bg.wasm", app.address))
        .send()
        .await
        .expect("the wasm answers");
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.expect("a body").len(), wasm.len());

    // A page is not compressed, whatever the browser accepts.
    let res = app
        .client
        .get(format!("{}/", app.address))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("the overview answers");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().get("content-encoding").is_none());
}
