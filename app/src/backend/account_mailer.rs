//! Sends account emails (invitations, password resets) from the `account_mail` outbox: leased
//! rows, one SMTP connection, retries with the outbox's backoff. Small and separate from the
//! briefing dispatcher, whose blocks and batching are built for sends to thousands.
use super::mail::account::{message, AccountMail};
use super::mail::render::MailIdentity;
use super::mail::transport::{SendError, SmtpClient, SmtpConfig};
use super::outbox::backoff;
use super::Store;
use chrono::Utc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AccountMailer {
    pub store: Store,
    pub smtp: SmtpConfig,
    pub identity: MailIdentity,
    /// Names this process's leases.
    pub owner: String,
    pub max_attempts: i64,
    pub poll: Duration,
}

impl AccountMailer {
    /// Runs until `shutdown` becomes true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut client = SmtpClient::new(self.smtp.clone());
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = Utc::now();
            let claimed = self
                .store
                .accounts()
                .claim_mail(&self.owner, now, now + chrono::Duration::seconds(60), 10)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "claiming account mail failed");
                    Vec::new()
                });
            if claimed.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            for m in claimed {
                let mail = AccountMail {
                    to: m.to.clone(),
                    name: m.name.clone(),
                    subject: m.subject.clone(),
                    text: m.text.clone(),
                    html: m.html.clone(),
                    in_reply_to: m.in_reply_to.clone(),
                };
                let attempts = m.attempts + 1;
                let now = Utc::now();
                let (state, due, attempts, error) = match message(&self.identity, &mail, &m.id) {
                    Err(e) => ("failed", now, attempts, Some(e)),
                    Ok(msg) => match client.send(msg.envelope(), &msg.formatted()).await {
                        Ok(_) => ("sent", now, attempts, None),
                        Err(SendError::Permanent(e)) => ("failed", now, attempts, Some(e)),
                        Err(SendError::Unavailable(e)) => {
                            ("queued", now + chrono::Duration::seconds(5), m.attempts, Some(e))
                        }
                        Err(SendError::Transient(e)) if attempts < self.max_attempts => {
                            ("queued", now + backoff(attempts as u32), attempts, Some(e))
                        }
                        Err(SendError::Transient(e)) => ("failed", now, attempts, Some(e)),
                    },
                };
                if let Err(e) = self
                    .store
                    .accounts()
                    .record_mail(&self.owner, &m.id, state, due, attempts, error)
                    .await
                {
                    // The lease lapses and the mail is sent again: a duplicate invitation is
                    // harmless (the newest link is the one stored).
                    tracing::error!(error = %e, "recording an account mail failed");
                }
            }
        }
        client.close().await;
    }
}
