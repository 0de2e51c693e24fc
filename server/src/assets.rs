//! How the browser's files (`/pkg/`: WebAssembly, JavaScript, CSS) are sent: compressed with
//! brotli or gzip as the browser accepts, and revalidated rather than trusted from a cache.
//!
//! Pages (HTML) are not compressed here: 14-18 KB a page against the 140 KB of WebAssembly a
//! first visit fetches once (README, "The browser bundle"); compressing every page would spend
//! per request the CPU the page benchmark measures; and a compressed page that shows the
//! register beside text from the URL (a search) would let its length hint at its content. cargo-leptos 0.3.6
//! does not hash file names unless `hash-files` is set, so a cached file could be a previous
//! release's: `no-cache` makes the browser ask, and an unchanged file costs a 304.
use axum::http::{header, HeaderValue, Response};
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

/// The content types worth compressing: what `/pkg/` serves.
#[derive(Clone, Copy, Debug)]
pub struct StaticAssets;

impl Predicate for StaticAssets {
    fn should_compress<B>(&self, response: &Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_static_asset)
    }
}

fn is_static_asset(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    matches!(
        essence,
        "application/wasm" | "text/javascript" | "application/javascript" | "text/css"
    )
}

/// Brotli or gzip for the static assets above 1 KB.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(SizeAbove::new(1024).and(StaticAssets))
}

/// `Cache-Control` for a response to `path`: the browser's files are revalidated on each use.
pub fn cache_control(path: &str) -> Option<HeaderValue> {
    path.starts_with("/pkg/").then(|| HeaderValue::from_static("no-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_browsers_files_are_compressed_and_revalidated() {
        assert!(is_static_asset("application/wasm"));
        assert!(is_static_asset("text/javascript; charset=utf-8"));
        assert!(is_static_asset("text/css"));
        assert!(!is_static_asset("text/html; charset=utf-8"));
        assert!(!is_static_asset("application/json"));
        assert_eq!(
            cache_control("/pkg/liaison.wasm").as_ref().map(|v| v.to_str().ok()),
            Some(Some("no-cache"))
        );
        assert!(cache_control("/contacts").is_none());
    }
}
