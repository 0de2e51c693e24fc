//! A data subject's rights over what Liaison holds about them: everything about a contact in
//! one export (JSON, or CSV for a spreadsheet). Erasure is `repo::contacts::Contacts::erase`.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::backend::repo::interactions::With;
use crate::domain::consent::SubscriptionChange;
use crate::domain::inbound::InboxItem;
use crate::domain::interaction::Interaction;
use crate::domain::stakeholder_map::EngagementChange;
use crate::domain::{Contact, ContactId};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Everything Liaison holds about one person.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAccess {
    pub generated_at: DateTime<Utc>,
    pub contact: Contact,
    /// Each change of influence, interest and engagement, oldest first.
    pub engagement_history: Vec<EngagementChange>,
    /// Each change of whether they are emailed, newest first.
    pub subscription_history: Vec<SubscriptionChange>,
    /// Briefings and reminders sent to them, acknowledgements, and notes, newest first.
    pub history: Vec<Line>,
    /// Meetings, calls and other interactions people logged with them.
    pub interactions: Vec<Interaction>,
    /// Replies, questions, automatic replies and bounces from them.
    pub messages: Vec<InboxItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub at: DateTime<Utc>,
    pub what: String,
    pub detail: String,
}

pub async fn gather(store: &Store, id: &ContactId) -> Result<SubjectAccess, StoreError> {
    let contact = store.contacts().get(id).await?;
    Ok(SubjectAccess {
        generated_at: Utc::now(),
        engagement_history: store.contacts().engagement_history(id).await?,
        subscription_history: store.contacts().subscription_history(id).await?,
        history: store
            .interactions()
            .history(id.as_str())
            .await?
            .into_iter()
            .map(|h| Line {
                at: h.at,
                what: h.what,
                detail: h.detail,
            })
            .collect(),
        interactions: store
            .interactions()
            .with(&With::Contact(id.as_str().to_string()))
            .await?,
        messages: store.inbound().for_contact(id.as_str(), 10_000).await?,
        contact,
    })
}

/// The export as one CSV table (section, when, what, detail), UTF-8 with a byte-order mark and
/// CRLF for Excel, cells guarded against formula injection like the register export.
pub fn to_csv(s: &SubjectAccess) -> Vec<u8> {
    let c = &s.contact;
    let london = crate::domain::time::format_london;
    let mut rows: Vec<[String; 4]> = vec![
        ["Contact".into(), String::new(), "Name".into(), c.name.to_string()],
        ["Contact".into(), String::new(), "Email".into(), c.email.to_string()],
        [
            "Contact".into(),
            String::new(),
            "Job title".into(),
            c.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Organisation".into(),
            c.organisation_name.to_string(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Influence".into(),
            c.influence.get().to_string(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Interest".into(),
            c.interest.get().to_string(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Engagement now".into(),
            c.engagement_current.label().into(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Engagement target".into(),
            c.engagement_target.label().into(),
        ],
        [
            "Contact".into(),
            String::new(),
            "Subscribed".into(),
            if c.subscribed { "Yes" } else { "No" }.into(),
        ],
        ["Contact".into(), String::new(), "Tags".into(), c.tags.to_string()],
        [
            "Contact".into(),
            String::new(),
            "Lawful basis".into(),
            c.basis
                .as_ref()
                .map(|b| format!("{} ({}, {})", b.basis.label(), b.source.label(), b.recorded_on))
                .unwrap_or_else(|| "Not recorded".into()),
        ],
    ];
    for e in &s.engagement_history {
        rows.push([
            "Engagement".into(),
            london(e.at),
            e.by.clone(),
            format!(
                "influence {}, interest {}, now {}, target {}",
                e.influence.get(),
                e.interest.get(),
                e.current.label(),
                e.target.label()
            ),
        ]);
    }
    for x in &s.subscription_history {
        rows.push([
            "Subscription".into(),
            london(x.at),
            x.change.clone(),
            format!("{} ({})", x.via, x.by),
        ]);
    }
    for h in &s.history {
        rows.push(["History".into(), london(h.at), h.what.clone(), h.detail.clone()]);
    }
    for i in &s.interactions {
        rows.push([
            "Interaction".into(),
            i.date.to_string(),
            i.kind.label().into(),
            format!("{} (logged by {})", i.summary, i.author_name),
        ]);
    }
    for m in &s.messages {
        rows.push([
            "Message".into(),
            london(m.received_at),
            format!("{}: {}", m.kind.label(), m.subject),
            m.text.clone(),
        ]);
    }
    crate::backend::csv_io::write(&["Section", "When", "What", "Detail"], rows)
}
