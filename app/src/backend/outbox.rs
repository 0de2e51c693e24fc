//! The dispatcher: claims due deliveries with a lease, sends them over N SMTP connections (one
//! per worker, `TCP_NODELAY`), and records outcomes in batches. Transient failures are retried
//! with exponential backoff and jitter; permanent ones (5xx) are not; an unreachable relay
//! pauses sending without using up attempts. Runs inside the server process; several processes
//! on one remote database share the work without sending a row twice.
//!
//! Crashes: what a `kill -9` can send twice is what was sent and not yet recorded, and outcomes
//! are recorded at least every [`FLUSH_EVERY`] (as well as per batch), so at most that much
//! sending is repeated. A dispatcher writes a heartbeat every [`DispatchConfig::heartbeat`];
//! another one takes over the leases of a dispatcher silent for [`DispatchConfig::silence`]
//! (before its long lease would lapse). At a clean stop, what was handed out and not sent is
//! dropped and handed back at once.
use super::mail::render::{self, BriefingContent, MailIdentity, Personal};
use super::mail::transport::{RateLimiter, SendError, SmtpClient, SmtpConfig};
use super::repo::deliveries::{Claimed, Outcome};
use super::tokens::{Purpose, TokenKey};
use super::Store;
use crate::domain::delivery::{DeliveryKind, DeliveryState};
use chrono::{Duration as ChronoDuration, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Mutex};

#[derive(Clone, Debug)]
pub struct DispatchConfig {
    /// Identifies this process's leases.
    pub owner: String,
    pub batch: u32,
    pub lease: Duration,
    /// Attempts before a delivery is marked failed (transient errors only).
    pub max_attempts: u32,
    /// Pause between polls when nothing is due.
    pub poll: Duration,
    /// How often this dispatcher says it is alive, and looks for dead dispatchers' leases.
    pub heartbeat: Duration,
    /// A dispatcher not heard from for this long is taken for dead and its leases taken over.
    /// Several heartbeats long, so that a slow database write does not make a live one "dead".
    pub silence: Duration,
    /// Hours (UK time) in which deliveries are handed to the relay; `None` for any time.
    pub window: Option<crate::domain::sending::SendWindow>,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            owner: format!("dispatcher-{:08x}", rand::random::<u32>()),
            batch: 200,
            lease: Duration::from_secs(120),
            max_attempts: 8,
            poll: Duration::from_millis(250),
            heartbeat: Duration::from_secs(3),
            silence: Duration::from_secs(12),
            window: None,
        }
    }
}

/// The longest an outcome waits to be recorded. A crash repeats at most this much sending (plus
/// one write), at any sending rate: at 250 messages a second, about 40 messages.
pub const FLUSH_EVERY: Duration = Duration::from_millis(150);

/// Backoff before attempt `attempts + 1`: 2^attempts seconds (capped at 15 minutes), with up to
/// 50 % jitter so that retries from many deliveries do not arrive together.
pub fn backoff(attempts: u32) -> ChronoDuration {
    let base = 2u64.saturating_pow(attempts.min(10)).min(900);
    let jitter = rand::random::<u64>() % (base * 500 + 1);
    ChronoDuration::milliseconds((base * 1000 + jitter) as i64)
}

/// What a briefing's emails are made of, loaded once per dispatcher and briefing.
pub type ContentCache = Arc<Mutex<HashMap<String, Arc<BriefingContent>>>>;

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Store,
    pub smtp: SmtpConfig,
    pub identity: MailIdentity,
    pub key: TokenKey,
    pub config: DispatchConfig,
    /// Where the dispatcher's database time goes (read by the benchmark).
    pub timings: Arc<DispatchTimings>,
}

/// Time spent in the dispatcher's database transactions, in microseconds, and how many.
#[derive(Debug, Default)]
pub struct DispatchTimings {
    pub claim_us: AtomicU64,
    pub claims: AtomicU64,
    pub record_us: AtomicU64,
    pub records: AtomicU64,
}

impl DispatchTimings {
    fn add(total: &AtomicU64, count: &AtomicU64, since: std::time::Instant) {
        total.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
        count.fetch_add(1, Ordering::Relaxed);
    }
}

struct Job {
    claimed: Claimed,
    content: Arc<BriefingContent>,
}

impl Dispatcher {
    /// Runs until `shutdown` becomes true. Messages being handed to the relay finish and are
    /// recorded; those handed out and not yet sent are dropped and their leases given back.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        // Alive before the first claim: a lease held by a dispatcher with no heartbeat is
        // taken over by the others.
        if !self.first_heartbeat(shutdown.clone()).await {
            return;
        }
        let (job_tx, job_rx) = mpsc::channel::<Job>(self.config.batch as usize * 2);
        let (out_tx, out_rx) = mpsc::channel::<Outcome>(self.config.batch as usize * 4);
        let open_blocks: OpenBlocks = Arc::default();
        let stopped: StoppedBriefings = Arc::default();
        let workers = self.spawn_workers(job_rx, out_tx, stopped.clone(), shutdown.clone());
        let recorder = self.spawn_recorder(out_rx, open_blocks.clone());
        // Workers and recorder end with this future: a dispatcher dropped mid-send (its
        // process's runtime going down) leaves nothing running that still sends.
        let _tasks = AbortOnDrop(
            workers
                .iter()
                .chain(std::iter::once(&recorder))
                .map(|t| t.abort_handle())
                .collect(),
        );
        let drained = async {
            // The claim loop owns the job sender: when it ends, the workers drain and stop,
            // and the recorder records what they sent.
            self.claim_loop(job_tx, open_blocks, shutdown).await;
            for w in workers {
                let _ = w.await;
            }
            let _ = recorder.await;
        };
        // Leases are renewed while this dispatcher lives: a rate limit or a slow relay can make
        // a block take longer to send than one lease, and an expired lease would let the rows
        // be taken back and sent again. A dispatcher that dies stops renewing (this future is
        // dropped with it), so its leases still expire and are reclaimed.
        tokio::select! {
            _ = drained => {}
            _ = self.renew_leases() => {}
            _ = self.beat() => {}
            _ = self.watch_stopped(stopped) => {}
        }
        // A clean stop: what was dropped goes back at once, not after the lease.
        if let Err(e) = self.store.deliveries().release(&self.config.owner).await {
            tracing::error!(error = %e, "handing back delivery leases at stop failed; they are taken over when they lapse");
        }
    }

    /// Writes the first heartbeat, waiting out a database failure; false if stopped meanwhile.
    async fn first_heartbeat(&self, mut shutdown: watch::Receiver<bool>) -> bool {
        loop {
            if *shutdown.borrow() {
                return false;
            }
            match self.store.deliveries().heartbeat(&self.config.owner).await {
                Ok(()) => return true,
                Err(e) => tracing::error!(error = %e, "dispatcher heartbeat failed; trying again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Says this dispatcher is alive, every heartbeat (every second after a failure, so that a
    /// database outage leaves it silent as briefly as possible). Never returns.
    async fn beat(&self) {
        let mut wait = self.config.heartbeat;
        loop {
            tokio::time::sleep(wait).await;
            wait = match self.store.deliveries().heartbeat(&self.config.owner).await {
                Ok(()) => self.config.heartbeat,
                Err(e) => {
                    tracing::error!(error = %e, "dispatcher heartbeat failed");
                    self.config.heartbeat.min(Duration::from_secs(1))
                }
            };
        }
    }

    /// Keeps the set of stopped briefings fresh (every [`STOP_POLL`]), so workers hand nothing
    /// more of a stopped briefing to the relay. Never returns.
    async fn watch_stopped(&self, stopped: StoppedBriefings) {
        loop {
            match self.store.send_control().stopped_briefings().await {
                Ok(ids) => {
                    if let Ok(mut s) = stopped.write() {
                        *s = ids.into_iter().collect();
                    }
                }
                Err(e) => tracing::error!(error = %e, "reading stopped briefings failed"),
            }
            tokio::time::sleep(STOP_POLL).await;
        }
    }

    fn lease_until(&self, now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
        now + ChronoDuration::from_std(self.config.lease).unwrap_or(ChronoDuration::minutes(2))
    }

    /// One worker per SMTP connection; they take turns on one job receiver.
    fn spawn_workers(
        &self,
        job_rx: mpsc::Receiver<Job>,
        out_tx: mpsc::Sender<Outcome>,
        stopped: StoppedBriefings,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let job_rx = Arc::new(Mutex::new(job_rx));
        let limiter = Arc::new(RateLimiter::new(self.smtp.rate));
        let window = self.config.window;
        let max_attempts = self.config.max_attempts as i64;
        (0..self.smtp.connections.max(1))
            .map(|_| {
                let rx = job_rx.clone();
                let tx = out_tx.clone();
                let smtp = self.smtp.clone();
                let identity = self.identity.clone();
                let key = self.key.clone();
                let limiter = limiter.clone();
                let stopped = stopped.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move {
                    let mut client = SmtpClient::new(smtp);
                    loop {
                        let job = { rx.lock().await.recv().await };
                        let Some(job) = job else { break };
                        // At stop, what is not yet with the relay is dropped (its lease is handed
                        // back): sent later, it could outlive the grace period unrecorded.
                        let stopping = || *shutdown.borrow();
                        if stopping() {
                            continue;
                        }
                        let is_stopped = |job: &Job| stopped.read().is_ok_and(|s| s.contains(&job.claimed.briefing));
                        let outcome = if is_stopped(&job) {
                            stopped_outcome(&job.claimed)
                        } else {
                            // A job claimed just before the sending window closed waits for it to
                            // open again (its lease is renewed meanwhile).
                            if let Some(w) = window {
                                sleep_until_open(w, &mut shutdown.clone()).await;
                            }
                            limiter.wait().await;
                            if stopping() {
                                continue;
                            }
                            // The wait may be long under a rate limit: look again.
                            if is_stopped(&job) {
                                stopped_outcome(&job.claimed)
                            } else {
                                send_one(&mut client, &identity, &key, &job, max_attempts).await
                            }
                        };
                        if tx.send(outcome).await.is_err() {
                            break;
                        }
                    }
                    client.close().await;
                })
            })
            .collect()
    }

    /// The recorder: outcomes are written in batches (one commit per batch, not per message), and
    /// none waits longer than [`FLUSH_EVERY`].
    /// `open_blocks` counts, per leased block, the rows handed out and not yet recorded: a block
    /// is marked done in the transaction that records its last outcome.
    fn spawn_recorder(
        &self,
        mut out_rx: mpsc::Receiver<Outcome>,
        open_blocks: OpenBlocks,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let owner = self.config.owner.clone();
        let timings = self.timings.clone();
        let flush_at = self.config.batch.max(1) as usize;
        tokio::spawn(async move {
            let mut pending = Pending::default();
            loop {
                // Quiet for 50 ms, or the oldest outcome is due: record what there is.
                let wait = pending.due_in().min(Duration::from_millis(50));
                let more = tokio::time::timeout(wait, out_rx.recv()).await;
                match more {
                    Ok(Some(o)) => {
                        pending.add(o, &open_blocks);
                        if pending.outcomes.len() < flush_at && !pending.due_in().is_zero() {
                            continue;
                        }
                    }
                    Ok(None) => {
                        pending.flush(&store, &owner, &timings).await;
                        break;
                    }
                    Err(_) => {}
                }
                if !pending.flush(&store, &owner, &timings).await {
                    // Kept for the next try; meanwhile the workers wait on the full channel.
                    // Nobody sends these rows again while this dispatcher's leases are renewed;
                    // if the renewals fail too (the database is down) and the leases lapse,
                    // another process may (this one never reclaims its own), and then these
                    // outcomes are not written over its results (see `Deliveries::record`).
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        })
    }

    /// Claims due deliveries and hands them to the workers until `shutdown`.
    async fn claim_loop(
        &self,
        job_tx: mpsc::Sender<Job>,
        open_blocks: OpenBlocks,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let cache: ContentCache = Arc::default();
        // A dead dispatcher's leases are looked for at start and then every heartbeat: a dead
        // one's rows wait about its silence, and not every claim reads every row being sent.
        let reclaim_every = self.config.heartbeat;
        let mut last_reclaim: Option<std::time::Instant> = None;
        loop {
            if *shutdown.borrow() {
                break;
            }
            // Outside the sending window nothing is claimed: what is due waits in the outbox.
            if let Some(w) = self.config.window {
                if !w.contains(Utc::now()) {
                    sleep_until_open(w, &mut shutdown).await;
                    continue;
                }
            }
            let now = Utc::now();
            let reclaim = last_reclaim.is_none_or(|t| t.elapsed() >= reclaim_every);
            if reclaim {
                last_reclaim = Some(std::time::Instant::now());
            }
            // After a database outage everyone's heartbeat is old: wait until the others have
            // had time to write theirs again before taking anyone's leases for dead.
            let steady = self.store.reachability().steady_for() >= self.config.silence;
            let reclaim = (reclaim && steady).then_some(self.config.silence);
            let started = std::time::Instant::now();
            let claimed = self
                .store
                .deliveries()
                .claim(
                    &self.config.owner,
                    now,
                    self.lease_until(now),
                    self.config.batch,
                    reclaim,
                )
                .await;
            DispatchTimings::add(&self.timings.claim_us, &self.timings.claims, started);
            let claimed = match claimed {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "claiming deliveries failed");
                    Vec::new()
                }
            };
            // A look that found work may have found one of several blocks a dead dispatcher
            // held (one per claim): look again on the next claim rather than a heartbeat later.
            if reclaim.is_some() && !claimed.is_empty() {
                last_reclaim = None;
            }
            if claimed.is_empty() {
                match self.store.deliveries().complete_briefings().await {
                    // What a finished send reached is kept now, so that no report has to count it.
                    Ok(done) => {
                        for id in done {
                            if let Err(e) = self.store.tallies().keep(&id).await {
                                tracing::error!(error = %e, briefing = %id, "keeping what a briefing reached failed");
                            }
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "completing briefings failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            if let Ok(mut open) = open_blocks.lock() {
                for b in claimed.iter().filter_map(|c| c.block.clone()) {
                    *open.entry(b).or_insert(0) += 1;
                }
            }
            for c in claimed {
                // Every claimed delivery is handed to a worker: one skipped would keep its
                // block open, and leased by this live dispatcher, for ever. The content comes
                // from the database, so a failure is waited out; at shutdown the leases lapse
                // and another process takes the rows.
                let content = loop {
                    match content_for(&self.store, &cache, &c.briefing).await {
                        Ok(content) => break content,
                        Err(e) => {
                            tracing::error!(error = %e, briefing = %c.briefing, "cannot load briefing content; trying again")
                        }
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = shutdown.changed() => return,
                    }
                };
                if job_tx.send(Job { claimed: c, content }).await.is_err() {
                    return;
                }
            }
        }
    }

    /// Every third of a lease, extends the leases this dispatcher holds. Never returns.
    async fn renew_leases(&self) {
        loop {
            tokio::time::sleep(self.config.lease / 3).await;
            if let Err(e) = self
                .store
                .deliveries()
                .renew(&self.config.owner, self.lease_until(Utc::now()))
                .await
            {
                tracing::error!(error = %e, "renewing delivery leases failed");
            }
        }
    }
}

/// Aborts tasks when dropped (a finished task is left as it is).
struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// Briefings stopped by a programme manager: their rows are recorded as stopped, not sent.
type StoppedBriefings = Arc<std::sync::RwLock<std::collections::HashSet<String>>>;

/// How often a dispatcher reads which briefings are stopped: the most a stop waits before
/// nothing more of the briefing is handed to the relay.
const STOP_POLL: Duration = Duration::from_millis(250);

/// A claimed delivery of a stopped briefing: recorded as `stopped`, unsent, attempts untouched,
/// so resuming queues it again.
fn stopped_outcome(c: &Claimed) -> Outcome {
    Outcome {
        delivery: c.clone(),
        state: DeliveryState::Stopped.key().into(),
        due: Utc::now(),
        sent_at: None,
        response: None,
        error: None,
        attempts: c.attempts,
    }
}

/// Per leased block, how many of the rows handed out have no recorded outcome yet.
type OpenBlocks = Arc<std::sync::Mutex<HashMap<String, usize>>>;

/// Outcomes not recorded yet, and the blocks they finish (every row handed out from them is
/// among these outcomes or recorded before).
#[derive(Default)]
struct Pending {
    outcomes: Vec<Outcome>,
    finished: Vec<String>,
    /// When the oldest outcome not yet recorded came in.
    since: Option<std::time::Instant>,
}

impl Pending {
    /// How long until the oldest outcome must be recorded (a long time when there is none).
    fn due_in(&self) -> Duration {
        self.since
            .map_or(Duration::from_secs(3600), |t| FLUSH_EVERY.saturating_sub(t.elapsed()))
    }

    fn add(&mut self, o: Outcome, blocks: &OpenBlocks) {
        if let (Some(b), Ok(mut open)) = (o.delivery.block.as_ref(), blocks.lock()) {
            if let Some(n) = open.get_mut(b) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(b);
                    self.finished.push(b.clone());
                }
            }
        }
        self.since.get_or_insert_with(std::time::Instant::now);
        self.outcomes.push(o);
    }

    /// Records what is pending. A failed write keeps it all for the next call (returns false):
    /// dropping it would leave its rows leased, and renewed, by this live dispatcher for ever.
    async fn flush(&mut self, store: &Store, owner: &str, timings: &DispatchTimings) -> bool {
        if self.outcomes.is_empty() {
            return true;
        }
        let started = std::time::Instant::now();
        let recorded = store.deliveries().record(owner, &self.outcomes, &self.finished).await;
        DispatchTimings::add(&timings.record_us, &timings.records, started);
        match recorded {
            Ok(()) => {
                self.outcomes.clear();
                self.finished.clear();
                self.since = None;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, outcomes = self.outcomes.len(), "recording delivery outcomes failed; trying again");
                false
            }
        }
    }
}

async fn content_for(
    store: &Store,
    cache: &ContentCache,
    briefing: &str,
) -> Result<Arc<BriefingContent>, super::StoreError> {
    if let Some(c) = cache.lock().await.get(briefing) {
        return Ok(c.clone());
    }
    let content = Arc::new(crate::backend::services::briefings::content(store, briefing, Utc::now()).await?);
    cache.lock().await.insert(briefing.to_string(), content.clone());
    Ok(content)
}

async fn send_one(
    client: &mut SmtpClient,
    identity: &MailIdentity,
    key: &TokenKey,
    job: &Job,
    max_attempts: i64,
) -> Outcome {
    let c = &job.claimed;
    let now = Utc::now();
    // A reminder repeats the links of the delivery it reminds about.
    let link_key = c.parent.clone().unwrap_or_else(|| c.key.clone());
    let ack = key.sign(Purpose::Acknowledge, &link_key);
    let unsub = key.sign(Purpose::Unsubscribe, &link_key);
    let mut content = (*job.content).clone();
    content.reminder = DeliveryKind::parse(&c.kind) == Ok(DeliveryKind::Reminder);
    let personal = Personal {
        name: &c.name,
        email: &c.email,
        delivery_key: &c.key,
        ack_token: &ack,
        unsubscribe_token: &unsub,
    };
    let attempts = c.attempts + 1;
    let outcome = |state: DeliveryState, due, response, error, attempts| Outcome {
        delivery: c.clone(),
        state: state.key().into(),
        due,
        sent_at: (state == DeliveryState::Sent).then_some(now),
        response,
        error,
        attempts,
    };
    let failed = |error: String, attempts: i64| outcome(DeliveryState::Failed, now, None, Some(error), attempts);
    let message = match render::message(identity, &content, &personal) {
        Ok(m) => m,
        Err(e) => return failed(e, attempts),
    };
    let mut envelope = message.envelope().clone();
    if let Some(sender) = identity.verp(&c.key) {
        if let Ok(e) = lettre::address::Envelope::new(Some(sender), envelope.to().to_vec()) {
            envelope = e;
        }
    }
    match client.send(&envelope, &message.formatted()).await {
        Ok(response) => outcome(DeliveryState::Sent, now, Some(response), None, attempts),
        Err(SendError::Permanent(e)) => failed(e, attempts),
        // The relay is down: wait and try again, without using up an attempt.
        Err(SendError::Unavailable(e)) => outcome(
            DeliveryState::Queued,
            now + ChronoDuration::seconds(2),
            None,
            Some(e),
            c.attempts,
        ),
        Err(SendError::Transient(e)) if attempts < max_attempts => outcome(
            DeliveryState::Queued,
            now + backoff(attempts as u32),
            None,
            Some(e),
            attempts,
        ),
        Err(SendError::Transient(e)) => failed(format!("gave up after {attempts} attempts: {e}"), attempts),
    }
}

/// Sleeps until the sending window is open or a stop is asked for, looking at the clock at
/// least every minute (it may be changed).
async fn sleep_until_open(window: crate::domain::sending::SendWindow, shutdown: &mut watch::Receiver<bool>) {
    loop {
        let now = Utc::now();
        let open = window.next_open(now);
        if open <= now {
            return;
        }
        let wait = (open - now).to_std().unwrap_or(Duration::from_secs(1));
        tokio::select! {
            _ = tokio::time::sleep(wait.min(Duration::from_secs(60))) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_from_two_seconds_with_at_most_half_again_of_jitter_and_a_cap() {
        for attempts in 0..20u32 {
            let base = 2i64.pow(attempts.min(10)).min(900) * 1000;
            for _ in 0..50 {
                let ms = backoff(attempts).num_milliseconds();
                assert!((base..=base + base / 2).contains(&ms), "attempt {attempts}: {ms} ms");
            }
        }
        assert!(
            backoff(30).num_seconds() <= 900 + 450,
            "capped at 15 minutes plus jitter"
        );
    }
}
