//! A briefing email for one recipient: multipart/alternative (text and HTML from the same
//! Markdown), From/Reply-To from configuration, a stable Message-ID, RFC 8058 one-click
//! List-Unsubscribe, and a personal acknowledgement link when one is required.
use crate::backend::markdown;
use crate::domain::html::escape_html;
use crate::domain::workstream::Digest;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// Sender identity and link base, from configuration.
#[derive(Clone, Debug)]
pub struct MailIdentity {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// `https://liaison.example.nhs.uk`: the base of acknowledgement and unsubscribe links.
    pub public_url: String,
    /// Right-hand side of Message-IDs.
    pub message_id_domain: String,
    /// Signs every message when a DKIM key is configured.
    pub dkim: Option<std::sync::Arc<lettre::message::dkim::DkimConfig>>,
    /// `bounces@…`: when set, each briefing's envelope sender is `bounces+<delivery key>@…`
    /// (VERP), so a bounce names its delivery even when it quotes nothing of the message.
    pub bounce_address: Option<String>,
}

impl MailIdentity {
    /// The envelope sender for delivery `key`: the VERP form of the bounce address, or `None`
    /// to use the From address.
    pub fn verp(&self, key: &str) -> Option<lettre::Address> {
        let (local, domain) = self.bounce_address.as_deref()?.rsplit_once('@')?;
        format!("{local}+{key}@{domain}").parse().ok()
    }
}

/// What is the same for every recipient of a briefing.
#[derive(Clone, Debug)]
pub struct BriefingContent {
    pub subject: String,
    pub body_markdown: String,
    /// The body rendered once per briefing (not once per recipient): sanitised HTML and text.
    pub body_html: String,
    pub body_text: String,
    pub digests: Vec<Digest>,
    pub ack_required: bool,
    /// e.g. "Friday 5 December 2026"
    pub ack_deadline: Option<String>,
    /// A reminder repeats the briefing with a line asking for acknowledgement.
    pub reminder: bool,
}

impl BriefingContent {
    pub fn new(
        subject: String,
        body_markdown: String,
        digests: Vec<Digest>,
        ack_required: bool,
        ack_deadline: Option<String>,
    ) -> Self {
        Self {
            body_html: markdown::to_html(&body_markdown),
            body_text: markdown::to_text(&body_markdown),
            subject,
            body_markdown,
            digests,
            ack_required,
            ack_deadline,
            reminder: false,
        }
    }
}

/// What differs per recipient.
#[derive(Clone, Debug)]
pub struct Personal<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Stable per delivery, so a resend after a crash has the same Message-ID.
    pub delivery_key: &'a str,
    pub ack_token: &'a str,
    pub unsubscribe_token: &'a str,
}

pub struct Rendered {
    pub text: String,
    pub html: String,
}

pub fn ack_url(id: &MailIdentity, token: &str) -> String {
    format!("{}/ack/{token}", id.public_url)
}

pub fn unsubscribe_url(id: &MailIdentity, token: &str) -> String {
    format!("{}/unsubscribe/{token}", id.public_url)
}

pub fn render(id: &MailIdentity, c: &BriefingContent, p: &Personal<'_>) -> Rendered {
    let ack = c.ack_required.then(|| ack_url(id, p.ack_token));
    let unsub = unsubscribe_url(id, p.unsubscribe_token);
    let deadline = c
        .ack_deadline
        .as_deref()
        .map(|d| format!(" by {d}"))
        .unwrap_or_default();

    let mut text = String::new();
    if c.reminder {
        text.push_str(&format!(
            "Reminder: please confirm you have read this briefing{deadline}.\n\n"
        ));
    }
    text.push_str(&format!("Dear {},\n\n", p.name));
    text.push_str(&c.body_text);
    text.push_str("\n\n");
    if !c.digests.is_empty() {
        text.push_str("Workstream status\n=================\n\n");
        for d in &c.digests {
            text.push_str(&d.to_text());
            text.push('\n');
        }
    }
    if let Some(url) = &ack {
        text.push_str(&format!(
            "Please confirm you have read this briefing{deadline}:\n{url}\n\n"
        ));
    }
    text.push_str(&format!("You receive these briefings as a partner of the regional advanced clinical practice programme.\nUnsubscribe: {unsub}\n"));

    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#212b32;line-height:1.5;max-width:640px;margin:0 auto;padding:16px\">",
    );
    if c.reminder {
        html.push_str(&format!(
            "<p style=\"border-left:4px solid #ffb81c;padding:8px 12px;background:#fff9c4\"><strong>Reminder:</strong> please confirm you have read this briefing{}.</p>",
            escape_html(&deadline)
        ));
    }
    html.push_str(&format!("<p>Dear {},</p>", escape_html(p.name)));
    html.push_str(&c.body_html);
    if !c.digests.is_empty() {
        html.push_str("<h2 style=\"font-size:20px\">Workstream status</h2>");
        for d in &c.digests {
            html.push_str(&d.to_html());
        }
    }
    if let Some(url) = &ack {
        let url = escape_html(url);
        html.push_str(&format!(
            "<p><a href=\"{url}\" style=\"display:inline-block;background:#007f3b;color:#ffffff;padding:10px 16px;text-decoration:none;font-weight:bold\">I have read this briefing</a></p>\
             <p style=\"font-size:14px\">Please confirm{}. If the button does not work, open {url}</p>",
            escape_html(&deadline)
        ));
    }
    html.push_str(&format!(
        "<hr><p style=\"font-size:14px;color:#4c6272\">You receive these briefings as a partner of the regional advanced clinical practice programme. \
         <a href=\"{}\" style=\"color:#005eb8\">Unsubscribe</a></p></body></html>",
        escape_html(&unsub)
    ));
    Rendered { text, html }
}

/// The whole message for one recipient.
pub fn message(id: &MailIdentity, c: &BriefingContent, p: &Personal<'_>) -> Result<Message, String> {
    let Rendered { text, html } = render(id, c, p);
    let to: Mailbox = format!("{} <{}>", p.name.replace(['"', '<', '>', '\r', '\n'], ""), p.email)
        .parse()
        .or_else(|_| p.email.parse())
        .map_err(|e| format!("recipient address: {e}"))?;
    let subject = if c.reminder {
        format!("Reminder: {}", c.subject)
    } else {
        c.subject.clone()
    };
    let mut builder = Message::builder()
        .from(id.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!(
            "<{}.{}@{}>",
            p.delivery_key,
            if c.reminder { "r" } else { "b" },
            id.message_id_domain
        )))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", unsubscribe_url(id, p.unsubscribe_token)),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ));
    if let Some(r) = &id.reply_to {
        builder = builder.reply_to(r.clone());
    }
    let mut message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )
        .map_err(|e| format!("building the message: {e}"))?;
    if let Some(dkim) = &id.dkim {
        message.sign(dkim);
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> MailIdentity {
        MailIdentity {
            from: "Programme Team <programme@liaison.example.org>".parse().unwrap(),
            reply_to: Some("replies@liaison.example.org".parse().unwrap()),
            public_url: "https://liaison.example.org".into(),
            message_id_domain: "liaison.example.org".into(),
            dkim: None,
            bounce_address: None,
        }
    }

    #[test]
    fn user_text_is_escaped_and_links_are_personal() {
        let content = BriefingContent::new(
            "Update".into(),
            "Hello <script>x</script> **team**".into(),
            vec![],
            true,
            Some("5 December 2026".into()),
        );
        let p = Personal {
            name: "Ann <b>",
            email: "ann@x.test",
            delivery_key: "k1",
            ack_token: "ACK",
            unsubscribe_token: "UNS",
        };
        let r = render(&identity(), &content, &p);
        assert!(!r.html.contains("<script>") && r.html.contains("&lt;script&gt;"));
        assert!(r.html.contains("Dear Ann &lt;b&gt;"));
        assert!(
            r.html.contains("https://liaison.example.org/ack/ACK")
                && r.text.contains("https://liaison.example.org/ack/ACK")
        );
        assert!(r
            .text
            .contains("Unsubscribe: https://liaison.example.org/unsubscribe/UNS"));
        let m = message(&identity(), &content, &p).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <https://liaison.example.org/unsubscribe/UNS>"),
            "{raw}"
        );
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("Message-ID: <k1.b@liaison.example.org>"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Reply-To: replies@liaison.example.org"));
    }

    #[test]
    fn messages_are_dkim_signed_when_a_key_is_configured() {
        use base64::Engine;
        use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
        let seed = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let key = DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519).unwrap();
        let id = MailIdentity {
            dkim: Some(std::sync::Arc::new(DkimConfig::default_config(
                "sel1".into(),
                "liaison.example.org".into(),
                key,
            ))),
            ..identity()
        };
        let content = BriefingContent::new("Update".into(), "Hello".into(), vec![], false, None);
        let p = Personal {
            name: "Ann",
            email: "ann@x.test",
            delivery_key: "k1",
            ack_token: "ACK",
            unsubscribe_token: "UNS",
        };
        let raw = String::from_utf8(message(&id, &content, &p).unwrap().formatted()).unwrap();
        assert!(raw.contains("\r\nDKIM-Signature: v=1; a=ed25519-sha256;"), "{raw}");
        assert!(raw.contains("d=liaison.example.org") && raw.contains("s=sel1"));
        assert!(
            !String::from_utf8(message(&identity(), &content, &p).unwrap().formatted())
                .unwrap()
                .contains("DKIM-Signature")
        );
    }
}
