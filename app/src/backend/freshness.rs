//! Knowing when what a process keeps in memory is out of date. Each [`Freshness`] counts the
//! changes to a set of tables: a repository write bumps it as it commits, and [`watch`] bumps
//! it on every live-query notification, so that a change made by another Liaison process on a
//! shared database server, or by a statement that bypasses the repositories, counts too. A
//! value kept with the count it was read at is current while the count has not moved.
//!
//! Where the database is shared (a remote server) and no live query is running, nothing kept
//! can be trusted: [`Freshness::trusted`] is false and readers read again. While one runs, trust
//! is still bounded: a notification lost on the way (the server restarted between a write and
//! its notification, a connection re-established underneath the live query) must not leave a
//! process serving an old register for good, so a shared database's tables also count as
//! changed when it answers again after an outage, and at least every [`TRUST_FOR`].
use super::db::Store;
use crate::domain::board::Reach;
use crate::domain::report::Report;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The change counts of the register and the sending tables at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeCounts {
    pub register: u64,
    pub sending: u64,
}

pub struct Freshness {
    generation: AtomicU64,
    /// A live query follows the tables.
    watched: AtomicBool,
    /// The database may be written by other processes.
    shared: bool,
}

impl Freshness {
    pub fn new(shared: bool) -> Self {
        Self {
            generation: AtomicU64::new(0),
            watched: AtomicBool::new(false),
            shared,
        }
    }

    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The count now: read it before reading the data it guards, so that a change committed
    /// meanwhile moves it past what was kept.
    pub fn current(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether every change is counted (this process is the only writer, or a live query runs).
    pub fn trusted(&self) -> bool {
        !self.shared || self.watched.load(Ordering::SeqCst)
    }
}

/// Values worked out from the sending tables (each briefing's report; what a period's
/// briefings reached), each kept with the count of sending changes it was read at (see
/// [`crate::backend::freshness`]): a finished 10,000-recipient send is read once per change,
/// not on every view of its page.
pub struct ReportCache {
    freshness: Arc<Freshness>,
    reports: Kept<Report>,
    reach: Kept<Reach>,
    /// Periods whose reach is being worked out again in the background.
    refreshing: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl ReportCache {
    pub fn new(shared: bool) -> Self {
        Self {
            freshness: Arc::new(Freshness::new(shared)),
            reports: Kept::default(),
            reach: Kept::default(),
            refreshing: Default::default(),
        }
    }

    pub fn freshness_arc(&self) -> Arc<Freshness> {
        self.freshness.clone()
    }

    pub fn get(&self, id: &str) -> Option<Arc<Report>> {
        self.reports.get(id, &self.freshness)
    }

    pub fn keep(&self, id: &str, generation: u64, report: Arc<Report>) {
        self.reports.keep(id, generation, report, &self.freshness)
    }

    /// What the briefings of a period reached (keyed by the period), as last worked out, and
    /// whether it is current. Unlike reports, older values are kept: counting a quarter's
    /// deliveries takes seconds at region scale, so a stale value is served while a fresh one
    /// is worked out (see `services::engagement::reach`).
    pub fn get_reach(&self, period: &str) -> Option<(Arc<Reach>, bool)> {
        let values = self.reach.values.lock().ok()?;
        let (g, v) = values.get(period)?;
        Some((v.clone(), self.freshness.trusted() && *g == self.freshness.current()))
    }

    pub fn keep_reach(&self, period: &str, generation: u64, reach: Arc<Reach>) {
        if let Ok(mut values) = self.reach.values.lock() {
            // A few periods are asked for (the overview's window, quarters): bound them anyway.
            if values.len() >= 32 && !values.contains_key(period) {
                values.clear();
            }
            values.insert(period.to_string(), (generation, reach));
        }
        self.end_refresh(period);
    }

    /// Claims the background refresh of a period's reach; false if one is already running.
    pub fn start_refresh(&self, period: &str) -> bool {
        self.refreshing
            .lock()
            .map(|mut b| b.insert(period.to_string()))
            .unwrap_or(false)
    }

    pub fn end_refresh(&self, period: &str) {
        if let Ok(mut busy) = self.refreshing.lock() {
            busy.remove(period);
        }
    }
}

/// Values by key, each with the count it was read at; only current ones are served or kept.
struct Kept<T> {
    values: std::sync::Mutex<std::collections::HashMap<String, (u64, Arc<T>)>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self {
            values: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl<T> Kept<T> {
    fn get(&self, key: &str, freshness: &Freshness) -> Option<Arc<T>> {
        if !freshness.trusted() {
            return None;
        }
        let now = freshness.current();
        let values = self.values.lock().ok()?;
        values.get(key).filter(|(g, _)| *g == now).map(|(_, v)| v.clone())
    }

    fn keep(&self, key: &str, generation: u64, value: Arc<T>, freshness: &Freshness) {
        if let Ok(mut values) = self.values.lock() {
            let now = freshness.current();
            values.retain(|_, (g, _)| *g == now);
            values.insert(key.to_string(), (generation, value));
        }
    }
}

/// Counts a sending change when dropped: made at the start of each repository write to
/// deliveries, so the change is counted once the write has finished, on every return path.
pub struct SendingChange(Arc<Freshness>);

impl SendingChange {
    pub fn of(store: &Store) -> Self {
        Self(store.report_cache_arc().freshness_arc())
    }
}

impl Drop for SendingChange {
    fn drop(&mut self) {
        self.0.changed();
    }
}

/// The longest a value kept from a shared database is served without reading it again, even
/// when no notification said it changed. A region's register view is rebuilt in well under a
/// second, so once a minute costs every process little.
pub const TRUST_FOR: Duration = Duration::from_secs(60);

/// The tables each kept value depends on.
const REGISTER: &[&str] = &["contact", "organisation"];
const SENDING: &[&str] = &["delivery_block", "briefing"];

/// Follows the register and sending tables with live queries until `stop`; subscribes again
/// after an error, counting a change each time, since some may have been missed.
///
/// `delivery` itself is not followed: a send writes a row per recipient, and on an embedded
/// database each one made a notification, which cost 10-15 % of the dispatch rate (bench,
/// 2026-12-04, README "Benchmark"). Only this process writes an embedded database, and every repository function
/// that writes a delivery row counts a sending change itself ([`SendingChange`]); a statement
/// that bypasses them and changes only `delivery` rows is not seen until the next change.
pub async fn watch(store: Store, stop: tokio::sync::watch::Receiver<bool>) {
    let register = store.register_cache_arc();
    let reports = store.report_cache_arc();
    if store.is_remote() {
        // A send writes a row per recipient, and a SurrealDB server sends a live query one
        // notification per row: during a 10,000-recipient send the server closed the connection
        // ("client stopped reading its notifications", measured 2026-12-03, debug build), failing
        // every query in flight. On a shared database the sending tables are therefore not
        // followed: reports are not trusted and are read again (see `ReportCache`), which is
        // correct and costs a read per view. The register is followed (it changes by the person,
        // or by an import: see docs/scale.md).
        follow(store.clone(), REGISTER, register.freshness_arc(), stop).await;
        return;
    }
    tokio::join!(
        follow(store.clone(), REGISTER, register.freshness_arc(), stop.clone()),
        follow(store.clone(), SENDING, reports.freshness_arc(), stop),
    );
}

async fn follow(
    store: Store,
    tables: &'static [&'static str],
    freshness: Arc<Freshness>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use futures::StreamExt;
    let mut pause = Duration::from_millis(250);
    loop {
        let subscribed = async {
            let mut streams = Vec::new();
            for table in tables {
                let s = store.db().select::<Vec<surrealdb::types::Value>>(*table).live().await?;
                streams.push(s.map(|_| ()));
            }
            Ok::<_, surrealdb::Error>(futures::stream::select_all(streams))
        }
        .await;
        match subscribed {
            Ok(mut changes) => {
                freshness.watched.store(true, Ordering::SeqCst);
                // Whatever changed before the subscription began.
                freshness.changed();
                pause = Duration::from_millis(250);
                let shared = store.is_remote();
                let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + TRUST_FOR, TRUST_FOR);
                loop {
                    tokio::select! {
                        next = changes.next() => match next {
                            Some(()) => freshness.changed(),
                            None => break,
                        },
                        _ = store.reachability().regained(), if shared => {
                            tracing::info!(?tables, "the database is back: what was kept is read again");
                            freshness.changed();
                        }
                        _ = recheck.tick(), if shared => freshness.changed(),
                        _ = stop.changed() => {
                            freshness.watched.store(false, Ordering::SeqCst);
                            return;
                        }
                    }
                }
                tracing::warn!(?tables, "a live query ended; subscribing again");
            }
            Err(e) => tracing::warn!(error = %e, ?tables, "cannot follow with a live query; retrying"),
        }
        freshness.watched.store(false, Ordering::SeqCst);
        freshness.changed();
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}
