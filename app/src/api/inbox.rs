//! The inbox: replies to briefings and questions from acknowledgement pages, for programme
//! managers to answer (by email, threaded), mark handled, or, when nothing matched them, attach
//! to a contact or discard.
use crate::domain::inbound::InboxItem;
use crate::domain::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

/// Which messages the inbox lists.
pub const VIEWS: [(&str, &str); 3] = [("open", "Waiting"), ("unmatched", "Unmatched"), ("all", "Everything")];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxPage {
    /// `open`, `unmatched` or `all`.
    pub view: String,
    pub items: Vec<InboxItem>,
    /// Replies and questions still waiting.
    pub open: u64,
}

/// The most messages one view lists.
pub const INBOX_LIMIT: u32 = 200;

#[server(endpoint = "inbox/list")]
pub async fn inbox_messages(#[server(default)] view: String) -> Result<InboxPage, AppError> {
    use crate::backend::repo::inbound::InboxFilter;
    let ctx = authorized(Action::HandleInbox)?;
    let (filter, view) = match view.as_str() {
        "unmatched" => (InboxFilter::Unmatched, "unmatched"),
        "all" => (InboxFilter::All, "all"),
        _ => (InboxFilter::Open, "open"),
    };
    Ok(InboxPage {
        view: view.into(),
        items: finish(ctx.store.inbound().list(filter, INBOX_LIMIT).await)?,
        open: finish(ctx.store.inbound().open_count().await)?,
    })
}

#[server(endpoint = "inbox/answer")]
pub async fn answer_message(id: String, answer: String) -> Result<(), AppError> {
    use crate::domain::inbound::Answer;
    use crate::domain::FormErrors;
    let ctx = authorized(Action::HandleInbox)?;
    let answer = finish(Answer::parse(&answer).map_err(|e| AppError::Invalid(FormErrors::single("answer", e))))?;
    let done =
        crate::backend::services::inbound::answer(&ctx.store, &ctx.state.web.identity, &ctx.user, &id, &answer).await;
    finish(done.map_err(|e| match e {
        crate::backend::StoreError::Refused(r) if r == "answered" => {
            AppError::Conflict("Someone has answered this message already: it is no longer waiting.".into())
        }
        other => other.into(),
    }))
}

#[server(endpoint = "inbox/handled")]
pub async fn mark_message_handled(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::HandleInbox)?;
    finish(
        ctx.store
            .inbound()
            .mark_handled(&ctx.actor(), &id, chrono::Utc::now())
            .await,
    )
}

/// Attaches an unmatched message to the contact with this email address.
#[server(endpoint = "inbox/attach")]
pub async fn attach_message(id: String, email: String) -> Result<(), AppError> {
    use crate::domain::{EmailAddress, FormErrors};
    let ctx = authorized(Action::HandleInbox)?;
    let invalid = |m: &str| AppError::Invalid(FormErrors::single("email", m));
    let email = finish(EmailAddress::parse(&email).map_err(&invalid))?;
    let contact = finish(ctx.store.contacts().id_by_email(&email).await)?;
    let Some(contact) = contact else {
        return finish(Err(invalid(
            "No contact has that email address: add them to the register first, or check the address",
        )));
    };
    finish(
        ctx.store
            .inbound()
            .attach(&ctx.actor(), &id, contact.as_str(), chrono::Utc::now())
            .await,
    )
}

#[server(endpoint = "inbox/discard")]
pub async fn discard_message(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::HandleInbox)?;
    finish(ctx.store.inbound().discard(&ctx.actor(), &id, chrono::Utc::now()).await)
}
