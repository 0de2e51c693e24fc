//! What became of a briefing's deliveries, and what its page shows: the read model the report
//! service builds and the briefing pages render.
use super::briefing::{BriefingForm, BriefingState};
use serde::{Deserialize, Serialize};

/// Deliveries and acknowledgements of one group of recipients (a kind of organisation, or one
/// organisation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub label: String,
    pub delivered: u64,
    pub acknowledged: u64,
}

impl Tally {
    /// Acknowledged of delivered, 0–100.
    pub fn rate(&self) -> u32 {
        (self.acknowledged * 100).checked_div(self.delivered).unwrap_or(0) as u32
    }
}

/// A recipient named in a report, and what it says of them (the relay's error, what became
/// of a retry, their organisation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecipientLine {
    pub name: String,
    pub email: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    /// Not handed to the relay because sending was stopped (sent on resume).
    pub stopped: u64,
    /// Failed deliveries queued again by "Retry failed" (each counted once per retry).
    pub retried: u64,
    /// Of the retried deliveries, the state now: sent, failed again or waiting.
    pub retries: Vec<RecipientLine>,
    pub acknowledged: u64,
    pub reminders_sent: u64,
    /// Failed deliveries, with the error.
    pub failures: Vec<RecipientLine>,
    /// Sent deliveries that bounced afterwards (hard or soft), with what the server said.
    pub bounced: u64,
    pub bounces: Vec<RecipientLine>,
    /// Recipients whose address is held now (no more briefings until it is corrected).
    pub held: u64,
    pub by_kind: Vec<Tally>,
    pub by_organisation: Vec<Tally>,
    /// Recipients who have not acknowledged, with their organisation, by name.
    pub not_acknowledged: Vec<RecipientLine>,
}

/// A briefing as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingRow {
    pub id: String,
    pub subject: String,
    pub audience: String,
    pub state: BriefingState,
    pub when: Option<String>,
    pub recipients: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub recipients: u64,
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    /// Held back by "Stop sending" (sent on resume).
    pub stopped: u64,
    /// Failed deliveries queued again by "Retry failed".
    pub retried: u64,
    pub acknowledged: u64,
    pub state: Option<BriefingState>,
    /// When what waits should go, under the sending rate and window.
    #[serde(default)]
    pub outlook: super::sending::SendOutlook,
}

impl Progress {
    /// A briefing's numbers from its report.
    pub fn of(recipients: u64, state: BriefingState, r: &Report) -> Self {
        Progress {
            recipients,
            queued: r.queued,
            sent: r.sent,
            failed: r.failed,
            stopped: r.stopped,
            retried: r.retried,
            acknowledged: r.acknowledged,
            state: Some(state),
            outlook: Default::default(),
        }
    }

    /// Share of recipients with an outcome (sent or failed), 0–100.
    pub fn percent(&self) -> u32 {
        let done = self.sent + self.failed;
        match (done * 100).checked_div(self.recipients) {
            Some(pct) => pct.min(100) as u32,
            // No recipients: done once sent.
            None if self.state == Some(BriefingState::Sent) => 100,
            None => 0,
        }
    }
}

/// How many of those who have not acknowledged the page names: a regional send has thousands,
/// which no one reads in a page (and which made the page megabytes long).
pub const NOT_ACKNOWLEDGED_SHOWN: usize = 100;

/// A record named on the page by its id and a label (a plan item and its objective, a
/// template and its subject).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labelled {
    pub id: String,
    pub label: String,
}

/// Everything the briefing page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingPage {
    pub row: BriefingRow,
    pub body: String,
    pub ack_required: bool,
    pub ack_deadline: Option<String>,
    pub remind_days_before: Option<u32>,
    pub reminders_sent: u64,
    pub progress: Progress,
    pub failures: Vec<RecipientLine>,
    /// Deliveries that bounced after they were sent, and how many addresses are held now.
    #[serde(default)]
    pub bounces: Vec<RecipientLine>,
    #[serde(default)]
    pub held: u64,
    /// Deliveries "Retry failed" queued again, and what happened since.
    pub retries: Vec<RecipientLine>,
    pub by_kind: Vec<Tally>,
    pub by_organisation: Vec<Tally>,
    /// The first [`NOT_ACKNOWLEDGED_SHOWN`] of them, by name.
    pub not_acknowledged: Vec<RecipientLine>,
    pub not_acknowledged_count: u64,
    pub preview_html: String,
    pub preview_text: String,
    /// A repeating template: the plan item it repeats with, and the instances made so far.
    pub repeats_with: Option<Labelled>,
    pub instances: Vec<BriefingRow>,
    /// An instance: its template.
    pub instance_of: Option<Labelled>,
    /// Email-briefing plan items a draft can repeat with.
    pub repeatable_with: Vec<Labelled>,
}

/// What the edit page of a briefing starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingEdit {
    pub id: String,
    pub version: u32,
    pub state: BriefingState,
    pub form: BriefingForm,
    /// The send time that saving keeps (UK time), for a scheduled briefing.
    pub when: Option<String>,
}

/// The inside of an email's `<body>`, to show it in the page (our own renderer produced it:
/// user text is escaped and Markdown sanitised).
pub fn email_body(html: &str) -> String {
    let start = html
        .find("<body")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    html[start..end.max(start)].to_string()
}
