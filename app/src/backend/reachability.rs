//! Whether the database answers. An embedded database always does; a remote SurrealDB server
//! can restart or drop off the network. The SDK then reconnects by itself (once a second) and
//! holds every query until it has, so without this a page would hang for as long as the server
//! is away. A probe asks the server a trivial question every second; while it gets no answer
//! the web guard answers 503 with a clear message at once, and a request that failed meanwhile
//! is reported the same way (see `server::web`).
use super::db::Store;
use std::time::{Duration, Instant};

/// How often the server is asked, and how long an answer may take before it counts as away.
const EVERY: Duration = Duration::from_secs(1);
const PATIENCE: Duration = Duration::from_secs(2);

pub struct Reachability {
    reachable: tokio::sync::watch::Sender<bool>,
    /// When the database last became reachable (or the store was opened).
    since: std::sync::Mutex<Instant>,
}

impl Default for Reachability {
    fn default() -> Self {
        Self {
            reachable: tokio::sync::watch::Sender::new(true),
            since: std::sync::Mutex::new(Instant::now()),
        }
    }
}

impl Reachability {
    pub fn reachable(&self) -> bool {
        *self.reachable.borrow()
    }

    /// Completes when the database stops answering (at once if it does not now). A request
    /// waits on this beside its own work, so one caught by an outage ends when the probe sees
    /// it rather than when the server is back.
    pub async fn lost(&self) {
        let mut rx = self.reachable.subscribe();
        let _ = rx.wait_for(|reachable| !reachable).await;
    }

    /// Completes when the database answers again after an outage (one under way now, or the
    /// next one). What a live query would have said meanwhile is lost (see `freshness`).
    pub async fn regained(&self) {
        let mut rx = self.reachable.subscribe();
        if rx.wait_for(|reachable| !reachable).await.is_ok() {
            let _ = rx.wait_for(|reachable| *reachable).await;
        }
    }

    /// How long the database has answered without a break (zero while it does not). After an
    /// outage every process's dispatcher heartbeat is old: a dispatcher takes over no one's
    /// leases until it has seen the database steady for longer than a heartbeat may be silent,
    /// so the others have written theirs again (see `outbox`).
    pub fn steady_for(&self) -> Duration {
        if !self.reachable() {
            return Duration::ZERO;
        }
        self.since.lock().map(|t| t.elapsed()).unwrap_or_default()
    }

    /// Records an answer (or its absence); true when this changed what was known.
    fn set(&self, reachable: bool) -> bool {
        let changed = self
            .reachable
            .send_if_modified(|now| std::mem::replace(now, reachable) != reachable);
        if changed && reachable {
            if let Ok(mut t) = self.since.lock() {
                *t = Instant::now();
            }
        }
        changed
    }
}

/// Probes a remote database until `stop`; returns at once for an embedded one.
pub async fn probe(store: Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    if !store.is_remote() {
        return;
    }
    loop {
        let answered = tokio::time::timeout(PATIENCE, async {
            store
                .db()
                .query("RETURN 1")
                .await
                .and_then(|mut r| r.take::<Option<i64>>(0))
        })
        .await;
        let ok = matches!(answered, Ok(Ok(Some(1))));
        if store.reachability().set(ok) {
            if ok {
                tracing::warn!("the database answers again");
            } else {
                let why = match answered {
                    Err(_) => "no answer within 2 s".to_string(),
                    Ok(Err(e)) => e.to_string(),
                    Ok(Ok(_)) => "an unexpected answer".to_string(),
                };
                tracing::error!(%why, "the database does not answer; pages answer 503 until it does");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
