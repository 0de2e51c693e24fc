//! The only parts of Liaison that run in the browser. Pages are HTML from the server and work
//! without JavaScript (forms are plain posts); an island adds what needs a script, and only the
//! code reachable from these components is compiled to WebAssembly (Leptos's islands mode, see
//! `hydrate` in lib.rs). Their props cross from the server as JSON, so they are wire types.
pub mod map_drag;
pub mod print;
pub mod progress;

/// Whether the page at `path` has an island, so needs the WebAssembly: only those pages load it
/// (`shell` in lib.rs), and every other page is plain HTML and CSS. A page that renders an
/// island must be listed here, or its island stays inert (each island has a browser test).
pub fn on_page(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        // The map's drag; the board report's print button.
        ["map"] | ["reports", "board"] => true,
        // A briefing's page: its sending progress (not "new", nor its edit page).
        ["briefings", id] => *id != "new",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::on_page;

    #[test]
    fn only_the_pages_with_an_island_load_the_webassembly() {
        for path in ["/map", "/reports/board", "/briefings/abc123", "/briefings/abc123/"] {
            assert!(on_page(path), "{path}");
        }
        for path in [
            "/",
            "/contacts",
            "/briefings",
            "/briefings/new",
            "/briefings/abc123/edit",
            "/mapping",
        ] {
            assert!(!on_page(path), "{path}");
        }
    }
}
