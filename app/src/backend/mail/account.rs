//! Account emails: an invitation to set a password, and a password-reset link. Plain text and
//! HTML, with everything a user typed (names) escaped in the HTML. They are written to the
//! `account_mail` outbox with the change that needs them and sent by `account_mailer`.
use super::render::MailIdentity;
use crate::domain::html::escape_html;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use surrealdb::types::SurrealValue;

/// One account email, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, SurrealValue)]
pub struct AccountMail {
    pub to: String,
    pub name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The Message-ID this answers (`<…>`), for threading; empty when it answers nothing.
    pub in_reply_to: String,
}

/// How long an invitation link works.
pub const INVITATION_HOURS: i64 = 72;
/// How long a password-reset link works.
pub const RESET_MINUTES: i64 = 60;

pub fn invitation(
    identity: &MailIdentity,
    to: &str,
    name: &str,
    inviter: &str,
    role_label: &str,
    token: &str,
) -> AccountMail {
    let link = format!("{}/invitation/{token}", identity.public_url);
    let text = format!(
        "Dear {name},\n\n{inviter} has invited you to Liaison, the regional advanced clinical practice programme's \
         stakeholder communication tracker, as a {role}.\n\nChoose your password here (the link works once, for \
         {INVITATION_HOURS} hours):\n\n{link}\n\nIf you were not expecting this, ignore this email: no account is \
         made until you choose a password.\n",
        role = role_label.to_lowercase()
    );
    let html = format!(
        "<p>Dear {name},</p><p>{inviter} has invited you to Liaison, the regional advanced clinical practice \
         programme's stakeholder communication tracker, as a {role}.</p><p><a href=\"{link}\">Choose your \
         password</a> (the link works once, for {INVITATION_HOURS} hours).</p><p>If you were not expecting this, \
         ignore this email: no account is made until you choose a password.</p>",
        name = escape_html(name),
        inviter = escape_html(inviter),
        role = escape_html(&role_label.to_lowercase()),
        link = escape_html(&link)
    );
    AccountMail {
        to: to.to_string(),
        name: name.to_string(),
        subject: "You are invited to Liaison".into(),
        text,
        html,
        in_reply_to: String::new(),
    }
}

pub fn password_reset(identity: &MailIdentity, to: &str, name: &str, token: &str) -> AccountMail {
    let link = format!("{}/reset-password/{token}", identity.public_url);
    let text = format!(
        "Dear {name},\n\nSomeone (we hope you) asked to reset your Liaison password. Choose a new one here (the \
         link works once, for {RESET_MINUTES} minutes):\n\n{link}\n\nIf it was not you, ignore this email: your \
         password has not changed.\n"
    );
    let html = format!(
        "<p>Dear {name},</p><p>Someone (we hope you) asked to reset your Liaison password. <a href=\"{link}\">Choose \
         a new password</a> (the link works once, for {RESET_MINUTES} minutes).</p><p>If it was not you, ignore \
         this email: your password has not changed.</p>",
        name = escape_html(name),
        link = escape_html(&link)
    );
    AccountMail {
        to: to.to_string(),
        name: name.to_string(),
        subject: "Reset your Liaison password".into(),
        text,
        html,
        in_reply_to: String::new(),
    }
}

/// A lead's reminder that their workstream's status is stale, with the link to post one.
pub fn stale_nudge(
    identity: &MailIdentity,
    to: &str,
    name: &str,
    workstream: &str,
    workstream_id: &str,
    stale_days: u32,
) -> AccountMail {
    let link = format!("{}/workstreams/{workstream_id}", identity.public_url);
    let text = format!(
        "Dear {name},\n\nThe status of the workstream \"{workstream}\" has not been updated for more than \
         {stale_days} days, so the programme overview and the next briefings show it as stale.\n\nPost an \
         update (RAG, summary, risks) here:\n\n{link}\n\nYou are sent this as a lead of the workstream; a \
         programme manager can turn these reminders off.\n"
    );
    let html = format!(
        "<p>Dear {name},</p><p>The status of the workstream <strong>{workstream}</strong> has not been updated for \
         more than {stale_days} days, so the programme overview and the next briefings show it as stale.</p>\
         <p><a href=\"{link}\">Post an update</a> (RAG, summary, risks).</p><p>You are sent this as a lead of \
         the workstream; a programme manager can turn these reminders off.</p>",
        name = escape_html(name),
        workstream = escape_html(workstream),
        link = escape_html(&link)
    );
    AccountMail {
        to: to.to_string(),
        name: name.to_string(),
        subject: format!("Please update the status of {workstream}"),
        text,
        html,
        in_reply_to: String::new(),
    }
}

/// The message for the relay: multipart, from the programme's address, its own Message-ID.
/// An answer to a stakeholder's reply or question, quoting what they wrote.
pub fn answer(
    identity: &MailIdentity,
    t: &crate::backend::repo::inbound::AnswerTarget,
    answer: &str,
    in_reply_to: String,
) -> AccountMail {
    let subject = if t.subject.to_ascii_lowercase().starts_with("re:") {
        t.subject.clone()
    } else {
        format!("Re: {}", t.subject)
    };
    let quoted: String = t.text.lines().map(|l| format!("> {l}\n")).collect();
    let text = format!(
        "{answer}\n\n{} wrote:\n{quoted}",
        if t.name.is_empty() { "You" } else { &t.name }
    );
    let paragraphs: String = answer
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#212b32;line-height:1.5;max-width:640px\">{paragraphs}\
         <blockquote style=\"border-left:4px solid #d8dde0;margin:0;padding-left:12px;color:#4c6272\">{}</blockquote>\
         <p style=\"font-size:14px;color:#4c6272\">{}</p></body></html>",
        escape_html(&t.text).replace('\n', "<br>"),
        escape_html(&identity.public_url),
    );
    AccountMail {
        to: t.to.clone(),
        name: t.name.clone(),
        subject,
        text,
        html,
        in_reply_to,
    }
}

pub fn message(identity: &MailIdentity, mail: &AccountMail, key: &str) -> Result<Message, String> {
    let to: Mailbox = format!("{} <{}>", mail.name.replace(['"', '<', '>', '\r', '\n'], ""), mail.to)
        .parse()
        .or_else(|_| mail.to.parse())
        .map_err(|e| format!("recipient address: {e}"))?;
    let mut builder = Message::builder()
        .from(identity.from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{key}.a@{}>", identity.message_id_domain)));
    if !mail.in_reply_to.is_empty() {
        builder = builder
            .in_reply_to(mail.in_reply_to.clone())
            .references(mail.in_reply_to.clone());
    }
    let mut message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(mail.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(mail.html.clone()),
                ),
        )
        .map_err(|e| format!("building the message: {e}"))?;
    if let Some(dkim) = &identity.dkim {
        message.sign(dkim);
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> MailIdentity {
        MailIdentity {
            from: "Programme Team <programme@liaison.example.org>".parse().expect("from"),
            reply_to: None,
            public_url: "https://liaison.example.org".into(),
            message_id_domain: "liaison.example.org".into(),
            dkim: None,
            bounce_address: None,
        }
    }

    #[test]
    fn names_are_escaped_and_the_link_is_in_both_parts() {
        let m = invitation(&identity(), "a@b.org", "<Zoë>", "Pat & Co", "Workstream lead", "TOKEN");
        assert!(m.html.contains("&lt;Zoë&gt;") && m.html.contains("Pat &amp; Co"));
        assert!(!m.html.contains("<Zoë>"));
        assert!(m.text.contains("https://liaison.example.org/invitation/TOKEN"));
        assert!(m.html.contains("https://liaison.example.org/invitation/TOKEN"));
        let built = message(&identity(), &m, "k1").expect("message");
        let raw = String::from_utf8(built.formatted()).expect("utf-8");
        assert!(raw.contains("Message-ID: <k1.a@liaison.example.org>"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
    }
}
