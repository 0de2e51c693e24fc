//! The Content-Security-Policy. A page may run this site's scripts, the inline hydration
//! scripts Leptos writes with the response's nonce (a new random one per response, from
//! `leptos_axum`), and compile WebAssembly; nothing else. So text a user wrote that somehow
//! reached a page unescaped still could not run.
//!
//! Styles come from this site's stylesheet; `style` attributes are allowed (`style-src-attr`)
//! because the progress bar sets its width with one: an attribute cannot run script, and a
//! nonce cannot be put on one.

/// The policy of a page rendered with `nonce`.
pub fn for_page(nonce: &str) -> String {
    // `cargo leptos watch` reloads pages over a WebSocket on another port.
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws: wss:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of every other response (the pages a personal email link opens, files, server
/// function answers): no script at all.
pub const WITHOUT_SCRIPTS: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_runs_only_its_own_and_nonced_scripts() {
        let p = for_page("abc123");
        assert!(
            p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"),
            "{p}"
        );
        let scripts = p
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
            "no inline or eval'd script: {scripts}"
        );
        assert!(p.contains("frame-ancestors 'none'") && p.contains("object-src 'none'"));
        assert!(WITHOUT_SCRIPTS.starts_with("default-src 'none'"));
        assert!(!WITHOUT_SCRIPTS.contains("script-src"));
    }
}
