//! Rendered pages kept for the person who asked for them, so that a page asked for again
//! before anything changed is sent without rendering it again.
//!
//! Why: rendering a page with Leptos on the server costs 2–8 ms of a core whatever it reads
//! (a page that reads nothing still costs about 1.5 ms), so at 32 connections on two cores no
//! page came near a p99 of 20 ms (README, Benchmark). A kept page costs a lookup and a copy.
//!
//! What keeps it right:
//! - **Per session.** The key is the session (its token's hash) and the path with its query:
//!   nobody is ever sent a page rendered for someone else. Pages for visitors who are not
//!   signed in, server functions, files and personal links are never kept.
//! - **Before the session lookup.** The session guard asks here first ([`PageCache::kept`]), so
//!   a kept page costs no database read at all. That is safe because the page was rendered for
//!   that session, after the guard had checked it, at most [`FOR_AT_MOST`] ago, and everything
//!   that ends a session or changes its person (signing out, disabling, a role) is a
//!   state-changing request, which empties the cache. The one thing not counted is a session
//!   reaching its expiry: it may still be sent a page kept in its last second.
//! - **Any change empties it.** A page is served only while nothing it may show has changed
//!   since it was rendered: every state-changing request this process answers (each form post
//!   and server function call), every change to the register or the sending tables (counted by
//!   [`app::backend::freshness`], from this process's writes and from live queries), and
//!   [`FOR_AT_MOST`] whatever happens, which bounds what the background workers change (the
//!   scheduler starting a send, a bounce arriving) and what a page says of the time.
//! - **One process only.** On a shared (remote) database other processes' writes are not all
//!   counted here, so no page is kept there: a person saving on one process and shown a page by
//!   another must see their change.
//! - **A nonce per response.** A page's inline scripts carry the nonce its Content-Security-Policy
//!   names; a kept page is sent with a new one, in the body and the header alike, so a nonce is
//!   never used twice.
use app::backend::freshness::ChangeCounts;
use app::backend::state::RequestInfo;
use app::backend::Store;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The longest a kept page is served, even when nothing counted says it changed.
pub const FOR_AT_MOST: Duration = Duration::from_secs(1);
/// Pages bigger than this are not kept (an audit log page of long entries is about 200 KB).
const LARGEST_PAGE: usize = 1024 * 1024;
/// What all kept pages may take together; past it the cache starts again empty.
const BUDGET: usize = 32 * 1024 * 1024;
/// The longest a request waits for another one rendering the same page before rendering it too.
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    /// The session token's hash (never the token).
    session: String,
    path_and_query: String,
}

/// The counts a kept page was rendered at: it is current while none has moved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Generation {
    writes: u64,
    tables: ChangeCounts,
}

struct Page {
    generation: Generation,
    rendered: Instant,
    headers: HeaderMap,
    /// The body cut at each place its nonce stood, so that a send puts a new nonce between the
    /// pieces without searching or copying the page (a list of 200 contacts is over 100 KB).
    pieces: Vec<Bytes>,
    len: usize,
}

impl Page {
    /// `nonce`: the one the body's scripts and the policy header carry, replaced on every send.
    fn new(generation: Generation, rendered: Instant, headers: HeaderMap, body: Bytes, nonce: Option<&str>) -> Self {
        let mut pieces = Vec::new();
        match nonce {
            Some(nonce) => {
                let mut rest = body.clone();
                while let Some(at) = find(&rest, nonce.as_bytes()) {
                    pieces.push(rest.slice(..at));
                    rest = rest.slice(at + nonce.len()..);
                }
                pieces.push(rest);
            }
            None => pieces.push(body.clone()),
        }
        Self {
            generation,
            rendered,
            headers,
            pieces,
            len: body.len(),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Who renders a page that several requests of one session want at once (the first; the others
/// wait for it rather than render it too: at 32 connections a page of 300 ms, rendered 32
/// times together each time its second is up, held every request for seconds).
enum Turn {
    Lead(Leading),
    Wait(watch::Receiver<()>),
}

/// Held while rendering; on drop (done, failed, or the client gone) the waiters are let go.
struct Leading {
    cache: Arc<PageCache>,
    key: Key,
    _done: watch::Sender<()>,
}

impl Drop for Leading {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(&self.key);
        }
    }
}

pub struct PageCache {
    store: Store,
    /// State-changing requests answered by this process.
    writes: AtomicU64,
    pages: Mutex<(HashMap<Key, Arc<Page>>, usize)>,
    /// Pages being rendered, by key: a request for one waits for it (see [`Turn`]).
    rendering: Mutex<HashMap<Key, watch::Receiver<()>>>,
}

impl PageCache {
    /// `None` where pages cannot be kept safely: a shared database (see the module's notes).
    pub fn new(store: Store, enabled: bool) -> Option<Arc<Self>> {
        (enabled && !store.is_remote()).then(|| {
            Arc::new(Self {
                store,
                writes: AtomicU64::new(0),
                pages: Mutex::new((HashMap::new(), 0)),
                rendering: Mutex::new(HashMap::new()),
            })
        })
    }

    fn generation(&self) -> Generation {
        Generation {
            writes: self.writes.load(Ordering::SeqCst),
            tables: self.store.change_counts(),
        }
    }

    /// The kept page for this request of this session, ready to send, if there is one: called by
    /// the session guard before it reads the session.
    pub fn kept(&self, session: &str, req: &Request) -> Option<Response> {
        let key = key_of(req, session)?;
        self.get(&key).map(|page| send(&page, "kept"))
    }

    fn get(&self, key: &Key) -> Option<Arc<Page>> {
        let now = self.generation();
        let pages = self.pages.lock().ok()?;
        pages
            .0
            .get(key)
            .filter(|p| p.generation == now && p.rendered.elapsed() < FOR_AT_MOST)
            .cloned()
    }

    fn keep(&self, key: Key, page: Page) {
        let Ok(mut pages) = self.pages.lock() else {
            return;
        };
        let (map, bytes) = &mut *pages;
        if *bytes + page.len > BUDGET {
            map.clear();
            *bytes = 0;
        }
        *bytes += page.len;
        if let Some(old) = map.insert(key, Arc::new(page)) {
            *bytes -= old.len;
        }
    }

    fn turn(self: &Arc<Self>, key: &Key) -> Option<Turn> {
        let mut rendering = self.rendering.lock().ok()?;
        if let Some(waiting) = rendering.get(key) {
            return Some(Turn::Wait(waiting.clone()));
        }
        let (done, waiting) = watch::channel(());
        rendering.insert(key.clone(), waiting);
        Some(Turn::Lead(Leading {
            cache: self.clone(),
            key: key.clone(),
            _done: done,
        }))
    }
}

/// The middleware (inside the session guard, which has put [`RequestInfo`] on the request).
pub async fn serve(State(cache): State<Option<Arc<PageCache>>>, req: Request, next: Next) -> Response {
    let Some(cache) = cache else {
        return next.run(req).await;
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        // Counted when answered: a page rendered while this change was being made, from what
        // was there before it, was rendered at the count before and is not served again.
        let res = next.run(req).await;
        cache.writes.fetch_add(1, Ordering::SeqCst);
        return res;
    }
    // Only for a signed-in session (the guard has checked it): the guard has already asked
    // for a kept page of it.
    let info = req.extensions().get::<RequestInfo>();
    let session = info.filter(|i| i.user.is_some()).and_then(|i| i.session.clone());
    let Some(key) = session.and_then(|s| key_of(&req, &s)) else {
        return next.run(req).await;
    };
    // Another request of this session is rendering this page: wait for it, then send what it
    // kept. If it kept nothing (not a keepable page, or a change meanwhile), render here.
    let leading = match cache.turn(&key) {
        Some(Turn::Wait(mut waiting)) => {
            let _ = tokio::time::timeout(WAIT_AT_MOST, waiting.changed()).await;
            if let Some(page) = cache.get(&key) {
                return send(&page, "kept");
            }
            None
        }
        Some(Turn::Lead(leading)) => Some(leading),
        None => None,
    };
    // Kept since the guard looked (while it read the session)?
    if let Some(page) = cache.get(&key) {
        return send(&page, "kept");
    }
    // Read before rendering: a change committed meanwhile moves the count past it.
    let generation = cache.generation();
    let started = Instant::now();
    let res = next.run(req).await;
    if !keepable(&res) {
        return res;
    }
    let (parts, body) = res.into_parts();
    // A page rendered with `SsrMode::Async` is complete before its first byte is sent: reading
    // it whole here costs no time to first byte.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a page's body failed");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from("This page could not be sent. Try again."))
                .unwrap_or_default();
        }
    };
    if bytes.len() > LARGEST_PAGE {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let nonce = parts
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(nonce_in);
    let page = Page::new(
        generation,
        // Its data was read from here on: the second it may be served starts now.
        started,
        parts.headers.clone(),
        bytes.clone(),
        nonce,
    );
    let mut res = Response::from_parts(parts, Body::from(bytes));
    server_timing(res.headers_mut(), "rendered", Some(started.elapsed()));
    cache.keep(key, page);
    // Kept before the waiters are let go.
    drop(leading);
    res
}

/// Page requests of a session: not server functions (`/api/`), files, or personal links
/// (which a session may open too, but which act on their token).
fn key_of(req: &Request, session: &str) -> Option<Key> {
    if req.method() != Method::GET {
        return None;
    }
    let path = req.uri().path();
    let never = [
        "/api/",
        "/pkg/",
        "/ack/",
        "/unsubscribe/",
        "/invitation/",
        "/reset-password/",
    ];
    if path == "/health" || never.iter().any(|p| path.starts_with(p)) {
        return None;
    }
    Some(Key {
        session: session.to_string(),
        path_and_query: req.uri().path_and_query()?.as_str().to_string(),
    })
}

/// A complete page: 200, HTML, setting no cookie.
fn keepable(res: &Response) -> bool {
    res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"))
}

fn send(page: &Page, how: &str) -> Response {
    let mut headers = page.headers.clone();
    let new = Bytes::from(new_nonce());
    if let Some(policy) = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|p| Some((p, nonce_in(p)?)))
        .and_then(|(p, old)| HeaderValue::from_str(&p.replace(old, &String::from_utf8_lossy(&new))).ok())
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    // The pieces with the new nonce between them, none of them copied.
    let (first, rest) = page
        .pieces
        .split_first()
        .map_or((Bytes::new(), &[][..]), |(f, r)| (f.clone(), r));
    let mut chunks = Vec::with_capacity(page.pieces.len() * 2);
    chunks.push(first);
    let mut len = chunks[0].len();
    for piece in rest {
        len += new.len() + piece.len();
        chunks.push(new.clone());
        chunks.push(piece.clone());
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let body = Body::from_stream(futures::stream::iter(
        chunks.into_iter().map(Ok::<_, std::convert::Infallible>),
    ));
    let mut res = Response::new(body);
    *res.headers_mut() = headers;
    server_timing(res.headers_mut(), how, None);
    res
}

/// `Server-Timing: page;desc="kept"` or `page;desc="rendered";dur=…`: how the page was made,
/// for the browser's developer tools and the tests.
fn server_timing(headers: &mut HeaderMap, how: &str, took: Option<Duration>) {
    let value = match took {
        Some(d) => format!("page;desc=\"{how}\";dur={:.1}", d.as_secs_f64() * 1000.0),
        None => format!("page;desc=\"{how}\""),
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert("server-timing", v);
    }
}

/// The nonce a page policy names (`'nonce-…'`).
fn nonce_in(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    (len >= 16).then(|| &policy[start..start + len])
}

/// 128 random bits, hex (CSP nonces are base64 characters; hex is a subset).
fn new_nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_read_from_the_page_policy() {
        let policy = app::backend::csp::for_page("AbCdEfGhIjKlMnOpQrStUv");
        assert_eq!(nonce_in(&policy), Some("AbCdEfGhIjKlMnOpQrStUv"));
        assert_eq!(nonce_in(app::backend::csp::WITHOUT_SCRIPTS), None);
        // Too short to be one (and to be replaced safely in a page).
        assert_eq!(nonce_in("script-src 'nonce-abc'"), None);
    }

    #[tokio::test]
    async fn a_kept_page_is_sent_with_a_new_nonce_in_body_and_policy() {
        let old = "AbCdEfGhIjKlMnOpQrStUv";
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&app::backend::csp::for_page(old)).unwrap(),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let generation = Generation {
            writes: 0,
            tables: ChangeCounts {
                register: 0,
                sending: 0,
            },
        };
        let body = format!("<script nonce=\"{old}\">a</script><script nonce=\"{old}\">b</script>");
        let page = Page::new(generation, Instant::now(), headers, Bytes::from(body), Some(old));
        let (a, b) = (send(&page, "kept"), send(&page, "kept"));
        let policy = |r: &Response| {
            r.headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        let (pa, pb) = (policy(&a), policy(&b));
        let (na, nb) = (nonce_in(&pa).unwrap().to_string(), nonce_in(&pb).unwrap().to_string());
        assert_ne!(na, old);
        assert_ne!(na, nb, "a nonce is never sent twice");
        assert_eq!(a.headers().get("server-timing").unwrap(), "page;desc=\"kept\"");
        let body = axum::body::to_bytes(a.into_body(), usize::MAX).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(body.matches(&na).count(), 2, "{body}");
        assert!(!body.contains(old));
    }
}
