//! Hearing what comes back: the listener's store, and the loop that classifies what was stored
//! and records what it means. Classification happens after the message is safe in the database,
//! so a crash between the two loses nothing: the next pass (or the next process) finds it.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::backend::inbound::classify::{classify, Ours};
use crate::backend::inbound::listener::{Accepted, Sink};
use crate::domain::inbound::{Answer, InboundKind};
use crate::domain::policy::CurrentUser;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// The listener's sink: the `inbound` table.
pub struct StoreSink(pub Store);

impl Sink for StoreSink {
    async fn store(&self, m: Accepted) -> Result<(), String> {
        self.0
            .inbound()
            .store_raw(m.via, &m.envelope_from, &m.envelope_to, &m.raw, Utc::now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Classifies and records every stored message not yet classified; returns how many.
pub async fn process_pending(store: &Store, ours: &Ours) -> Result<usize, StoreError> {
    use base64::Engine;
    let mut done = 0;
    loop {
        let batch = store.inbound().pending(50).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let mut register_moved = false;
        for p in batch {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(p.raw.as_bytes())
                .unwrap_or_else(|_| p.raw.clone().into_bytes());
            let c = classify(&raw, &p.envelope_to, ours);
            register_moved |= matches!(c.kind, InboundKind::HardBounce | InboundKind::SoftBounce);
            store.inbound().record(&p.id, &c, Utc::now()).await?;
            done += 1;
        }
        if register_moved {
            store.register_changed();
        }
    }
}

/// Processes stored messages when the listener wakes it, and every `every` in case another
/// process stored them, until stopped.
pub async fn run(store: Store, ours: Ours, wake: Arc<Notify>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(e) = process_pending(&store, &ours).await {
            tracing::error!(error = %e, "classifying inbound mail failed; trying again");
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Answers a reply or question by email, threaded under it.
pub async fn answer(
    store: &Store,
    identity: &crate::backend::mail::render::MailIdentity,
    user: &CurrentUser,
    id: &str,
    answer: &Answer,
) -> Result<(), StoreError> {
    let t = store.inbound().answer_target(id).await?;
    // Threaded under their message, or under the briefing a question was asked about.
    let in_reply_to = if !t.message_id.is_empty() {
        format!("<{}>", t.message_id)
    } else if !t.delivery_key.is_empty() {
        format!("<{}.b@{}>", t.delivery_key, identity.message_id_domain)
    } else {
        String::new()
    };
    let mail = crate::backend::mail::account::answer(identity, &t, answer.as_str(), in_reply_to);
    store
        .inbound()
        .answer(
            &crate::backend::repo::audit::Actor::user(user),
            id,
            answer.as_str(),
            mail,
            Utc::now(),
        )
        .await
}
