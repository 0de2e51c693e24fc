//! What an inbound message is, and which delivery it answers.
//!
//! A delivery status notification (RFC 3464 `multipart/report`, or the free-text forms
//! Exchange, Postfix and Gmail still send) is a bounce, hard or soft; `Auto-Submitted`,
//! `X-Autoreply` or an "Automatic reply" subject make an auto-reply; anything else is a reply.
//! The delivery is found by the VERP envelope recipient (`bounces+<key>@…`), by our Message-ID
//! (`<key>.b@…`, `<key>.r@…`) in `In-Reply-To`/`References`, or, for a bounce, by that
//! Message-ID in the returned headers. Parsing is mail-parser's; this module only reads.
use crate::domain::inbound::InboundKind;
use mail_parser::{MessageParser, MimeHeaders};

/// What identifies mail as ours.
#[derive(Debug, Clone)]
pub struct Ours {
    /// The right-hand side of the Message-IDs we send.
    pub message_id_domain: String,
}

/// What a bounce says about the failed recipient.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BounceDetail {
    /// The enhanced status code (`5.1.1`), when the report gives one.
    pub status: Option<String>,
    /// What the receiving server said, for the contact's history.
    pub diagnostic: String,
}

/// The classification of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub kind: InboundKind,
    /// The delivery key it answers; `None`: unmatched.
    pub delivery: Option<String>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub message_id: Option<String>,
    /// The text without quoted text and signature.
    pub text: String,
    /// The whole text (from the HTML when there is no text part; never the HTML itself).
    pub full_text: String,
    pub bounce: Option<BounceDetail>,
}

const DIAGNOSTIC_MAX: usize = 500;

/// Classifies a message. `envelope_to` holds the SMTP recipients (empty when read from a
/// mailbox). Never fails: what cannot be parsed is an unmatched reply with its bytes as text.
pub fn classify(raw: &[u8], envelope_to: &[String], ours: &Ours) -> Classified {
    let Some(msg) = MessageParser::default().parse(raw) else {
        let text = String::from_utf8_lossy(raw).chars().take(5_000).collect::<String>();
        return Classified {
            kind: InboundKind::Reply,
            delivery: None,
            from_address: None,
            from_name: None,
            subject: String::new(),
            message_id: None,
            text: text.clone(),
            full_text: text,
            bounce: None,
        };
    };
    let subject = msg.subject().unwrap_or_default().trim().to_string();
    let from = msg.from().and_then(|a| a.first());
    let from_address = from.and_then(|a| a.address()).map(|a| a.trim().to_ascii_lowercase());
    let from_name = from.and_then(|a| a.name()).map(|n| n.trim().to_string());
    let full_text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let header_text = |name: &str| msg.header_raw(name).map(|v| v.trim().to_string());

    let dsn = delivery_status(&msg);
    let bounce = match dsn {
        Some(b) => Some(b),
        None if looks_like_bounce(from_address.as_deref(), &subject, &header_text) => {
            Some(free_text_bounce(&full_text))
        }
        None => None,
    };

    // Our key: the VERP recipient first (the envelope, then the headers a mailbox keeps).
    let mut addresses: Vec<String> = envelope_to.to_vec();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To", "To"] {
        if let Some(v) = header_text(name) {
            addresses.push(v);
        }
    }
    let verp = addresses.iter().find_map(|a| verp_key(a));
    let referenced = {
        let mut refs = String::new();
        for name in ["In-Reply-To", "References"] {
            if let Some(v) = header_text(name) {
                refs.push_str(&v);
                refs.push(' ');
            }
        }
        our_ids(&refs, &ours.message_id_domain).pop()
    };
    let delivery = verp.or(referenced).or_else(|| {
        // A bounce returns our headers (or the whole message) in its body.
        bounce
            .as_ref()
            .and_then(|_| our_ids(&String::from_utf8_lossy(raw), &ours.message_id_domain).pop())
    });

    let kind = match &bounce {
        Some(b) if is_hard(b, &full_text) => InboundKind::HardBounce,
        Some(_) => InboundKind::SoftBounce,
        None if is_auto_reply(&subject, &header_text) => InboundKind::AutoReply,
        None => InboundKind::Reply,
    };
    let text = match kind {
        InboundKind::Reply => trim_reply(&full_text),
        _ => full_text.trim().to_string(),
    };
    Classified {
        kind,
        delivery,
        from_address,
        from_name,
        subject,
        message_id: msg.message_id().map(str::to_string),
        text,
        full_text,
        bounce,
    }
}

/// The per-recipient fields of a `message/delivery-status` part (RFC 3464), for the first
/// recipient that failed or was delayed.
fn delivery_status(msg: &mail_parser::Message<'_>) -> Option<BounceDetail> {
    let part = msg.parts.iter().find(|p| {
        p.is_content_type("message", "delivery-status") || p.is_content_type("message", "global-delivery-status")
    })?;
    let body = String::from_utf8_lossy(part.contents()).replace("\r\n", "\n");
    // Field continuation lines start with white space.
    let unfolded = body.replace("\n ", " ").replace("\n\t", " ");
    let mut found: Option<BounceDetail> = None;
    for block in unfolded.split("\n\n") {
        let field = |name: &str| {
            block.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let Some(action) = field("Action") else { continue };
        let action = action.to_ascii_lowercase();
        if action != "failed" && action != "delayed" {
            continue;
        }
        let mut status = field("Status").and_then(|s| status_code(&s));
        if action == "delayed" && status.as_deref().is_some_and(|s| s.starts_with('5')) {
            status = None;
        }
        let diagnostic = field("Diagnostic-Code")
            .map(|d| d.split_once(';').map(|(_, v)| v.trim().to_string()).unwrap_or(d))
            .unwrap_or_else(|| format!("Delivery {action}"));
        let detail = BounceDetail {
            status: status.or_else(|| (action == "delayed").then(|| "4.0.0".into())),
            diagnostic: bounded(&diagnostic),
        };
        // A failure outranks a delay in a report that holds both.
        if action == "failed" || found.is_none() {
            found = Some(detail);
        }
    }
    found.or_else(|| {
        Some(BounceDetail {
            status: None,
            diagnostic: "Delivery failed (the report names no recipient)".into(),
        })
    })
}

/// A bounce without a delivery-status part: from the mailer daemon or postmaster, or with a
/// subject the common servers use, or Exchange's NDR header.
fn looks_like_bounce(from: Option<&str>, subject: &str, header: &dyn Fn(&str) -> Option<String>) -> bool {
    let local = from.and_then(|f| f.split('@').next()).unwrap_or_default();
    let subject = subject.to_ascii_lowercase();
    local.eq_ignore_ascii_case("mailer-daemon")
        || local.eq_ignore_ascii_case("postmaster")
        || header("X-Failed-Recipients").is_some()
        || header("X-MS-Exchange-Message-Is-Ndr").is_some()
        || [
            "undeliverable",
            "undelivered mail",
            "delivery status notification",
            "mail delivery failed",
            "returned mail",
            "delivery failure",
            "failure notice",
            "delivery has failed",
        ]
        .iter()
        .any(|s| subject.contains(s))
}

/// The status code and the line that carries it, read from a free-text bounce.
fn free_text_bounce(text: &str) -> BounceDetail {
    let line = text
        .lines()
        .find(|l| status_code(l).is_some())
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()));
    BounceDetail {
        status: line.and_then(status_code),
        diagnostic: bounded(line.unwrap_or("Delivery failed").trim()),
    }
}

fn is_hard(b: &BounceDetail, text: &str) -> bool {
    match b.status.as_deref() {
        // 5.2.2 is a full mailbox: it may empty.
        Some("5.2.2") => false,
        Some(s) => s.starts_with('5'),
        None => {
            let t = text.to_ascii_lowercase();
            !["temporar", "delay", "will retry", "will be retried", "incomplete"]
                .iter()
                .any(|w| t.contains(w))
        }
    }
}

fn is_auto_reply(subject: &str, header: &dyn Fn(&str) -> Option<String>) -> bool {
    let auto_submitted = header("Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no"));
    let precedence = header("Precedence").is_some_and(|v| {
        let v = v.to_ascii_lowercase();
        v == "auto_reply" || v == "bulk" || v == "junk"
    });
    let subject = subject.to_ascii_lowercase();
    auto_submitted
        || precedence
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || [
            "automatic reply",
            "auto reply",
            "auto-reply",
            "autoreply",
            "out of office",
            "out of the office",
        ]
        .iter()
        .any(|s| subject.starts_with(s) || subject.starts_with(&format!("auto: {s}")))
        || subject.starts_with("auto:")
}

/// The first `d.d.d` enhanced status code (class 2, 4 or 5) in a text.
fn status_code(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        if !(c == b'2' || c == b'4' || c == b'5')
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'))
        {
            continue;
        }
        let rest = &text[i..];
        let code: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let code = code.trim_end_matches('.');
        let parts: Vec<&str> = code.split('.').collect();
        if parts.len() == 3 && parts[1..].iter().all(|p| (1..=3).contains(&p.len())) && parts[0].len() == 1 {
            return Some(code.to_string());
        }
    }
    None
}

/// The key in a VERP address `anything+<key>@domain` (with or without a display name).
fn verp_key(address: &str) -> Option<String> {
    let addr = address
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>'))
        .unwrap_or(address)
        .trim();
    let (local, _domain) = addr.split_once('@')?;
    let (_, tag) = local.split_once('+')?;
    is_key(tag).then(|| tag.to_string())
}

/// Delivery keys in our Message-IDs (`<key>.b@domain` for a briefing, `.r` for a reminder)
/// found in a text, in order.
fn our_ids(text: &str, domain: &str) -> Vec<String> {
    let needle = format!("@{}>", domain.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let end = from + pos;
        if let Some(open) = text[..end].rfind('<') {
            let id = &text[open + 1..end];
            if let Some((key, suffix)) = id.rsplit_once('.') {
                if matches!(suffix, "b" | "r") && is_key(key) {
                    out.push(key.to_string());
                }
            }
        }
        from = end + needle.len();
    }
    out
}

/// Delivery keys are random ASCII letters and digits.
fn is_key(s: &str) -> bool {
    (8..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn bounded(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= DIAGNOSTIC_MAX {
        s
    } else {
        s.chars().take(DIAGNOSTIC_MAX).collect::<String>() + "…"
    }
}

/// A reply without what it quotes and without its signature: stops at the first quoted line,
/// "On … wrote:", Outlook's header block or separator, or the `-- ` signature delimiter. The
/// whole text is kept beside it, so cutting too much loses nothing.
pub fn trim_reply(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut keep = lines.len();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        let t = line.trim_start();
        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        let outlook_block = (t.starts_with("From:") || t.starts_with("*From:*"))
            && lines[i + 1..]
                .iter()
                .take(4)
                .any(|l| l.trim_start().starts_with("Sent:") || l.trim_start().starts_with("Date:"));
        let ends = t.starts_with('>')
            || (t.starts_with("On ") && (t.ends_with("wrote:") || next.ends_with("wrote:")))
            || t.starts_with("-----Original Message")
            || (t.len() >= 10 && t.chars().all(|c| c == '_'))
            || line == "--"
            || line == "-- "
            || *raw == "-- "
            || t.starts_with("Sent from my ")
            || outlook_block;
        if ends {
            keep = i;
            break;
        }
    }
    let kept = lines[..keep].join("\n");
    let kept = kept.trim();
    if kept.is_empty() {
        text.trim().to_string()
    } else {
        kept.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours() -> Ours {
        Ours {
            message_id_domain: "liaison.example.org".into(),
        }
    }

    fn fixture(name: &str) -> Classified {
        let path = format!("{}/src/backend/inbound/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        classify(&raw, &[], &ours())
    }

    const KEY: &str = "AbCdEfGhIjKlMnOpQrSt";
    const OTHER: &str = "ZyXwVuTsRqPoNmLkJiHg";

    #[test]
    fn a_postfix_permanent_failure_is_a_hard_bounce_of_the_verp_delivery() {
        let c = fixture("postfix_permanent.eml");
        assert_eq!(c.kind, InboundKind::HardBounce);
        assert_eq!(c.delivery.as_deref(), Some(KEY));
        let b = c.bounce.unwrap();
        assert_eq!(b.status.as_deref(), Some("5.1.1"));
        assert!(b.diagnostic.contains("User unknown"), "{}", b.diagnostic);
    }

    #[test]
    fn a_postfix_delay_is_a_soft_bounce() {
        let c = fixture("postfix_delayed.eml");
        assert_eq!(c.kind, InboundKind::SoftBounce);
        assert_eq!(c.bounce.unwrap().status.as_deref(), Some("4.4.1"));
        assert_eq!(c.delivery.as_deref(), Some(KEY));
    }

    #[test]
    fn an_exchange_ndr_in_free_text_is_a_hard_bounce() {
        let c = fixture("exchange_permanent.eml");
        assert_eq!(c.kind, InboundKind::HardBounce);
        assert_eq!(c.delivery.as_deref(), Some(KEY), "from the VERP To: header");
        let b = c.bounce.unwrap();
        assert_eq!(b.status.as_deref(), Some("5.1.10"));
        assert!(b.diagnostic.contains("RecipientNotFound"), "{}", b.diagnostic);
    }

    #[test]
    fn gmail_bounces_without_verp_match_by_the_returned_message_id() {
        let fail = fixture("gmail_permanent.eml");
        assert_eq!(fail.kind, InboundKind::HardBounce);
        assert_eq!(fail.delivery.as_deref(), Some(OTHER));
        assert_eq!(fail.bounce.unwrap().status.as_deref(), Some("5.1.1"));
        let delay = fixture("gmail_delayed.eml");
        assert_eq!(delay.kind, InboundKind::SoftBounce);
        assert_eq!(delay.delivery.as_deref(), Some(OTHER));
        assert_eq!(delay.bounce.unwrap().status.as_deref(), Some("4.4.2"));
    }

    #[test]
    fn an_out_of_office_is_an_auto_reply_to_its_briefing() {
        let c = fixture("out_of_office.eml");
        assert_eq!(c.kind, InboundKind::AutoReply);
        assert_eq!(c.delivery.as_deref(), Some(KEY));
        assert!(c.bounce.is_none());
    }

    #[test]
    fn a_reply_loses_its_quote_and_signature_but_keeps_them_in_full() {
        let c = fixture("reply_quoted.eml");
        assert_eq!(c.kind, InboundKind::Reply);
        assert_eq!(c.delivery.as_deref(), Some(KEY));
        assert_eq!(c.from_address.as_deref(), Some("zoe.hughes@example.nhs.uk"));
        assert_eq!(c.from_name.as_deref(), Some("Zoë Hughes"));
        assert!(c.text.starts_with("Thanks for this."), "{}", c.text);
        assert!(c.text.ends_with("Zoë"), "{}", c.text);
        assert!(!c.text.contains("wrote:") && !c.text.contains("Lead for Advanced Practice"));
        assert!(c.full_text.contains("> The December briefing"));
    }

    #[test]
    fn an_html_only_reply_is_read_as_text_and_matched_through_references() {
        let c = fixture("reply_html_only.eml");
        assert_eq!(c.kind, InboundKind::Reply);
        assert_eq!(c.delivery.as_deref(), Some(OTHER), "the reminder's id in References");
        assert!(c.text.contains("placement lead"), "{}", c.text);
        assert!(!c.text.contains('<'), "no markup: {}", c.text);
        assert!(
            !c.text.contains("Sent:"),
            "Outlook's quoted header block is cut: {}",
            c.text
        );
    }

    #[test]
    fn a_malformed_message_is_an_unmatched_reply() {
        let c = fixture("malformed.eml");
        assert_eq!(c.kind, InboundKind::Reply);
        assert_eq!(c.delivery, None);
    }

    #[test]
    fn an_oversized_message_is_classified_without_reading_it_all_into_text() {
        // The listener refuses what is over its limit; what a mailbox hands over is still read.
        let mut raw = b"From: a@example.org\r\nSubject: Re: big\r\nIn-Reply-To: <AbCdEfGhIjKlMnOpQrSt.b@liaison.example.org>\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 12 * 1024 * 1024));
        let c = classify(&raw, &[], &ours());
        assert_eq!(c.kind, InboundKind::Reply);
        assert_eq!(c.delivery.as_deref(), Some(KEY));
    }

    #[test]
    fn verp_keys_and_message_ids_are_read_strictly() {
        assert_eq!(verp_key("bounces+AbCdEfGhIjKlMnOpQrSt@x.org").as_deref(), Some(KEY));
        assert_eq!(
            verp_key("Team <bounces+AbCdEfGhIjKlMnOpQrSt@x.org>").as_deref(),
            Some(KEY)
        );
        assert_eq!(verp_key("bounces@x.org"), None);
        assert_eq!(verp_key("bounces+a b@x.org"), None);
        assert_eq!(
            our_ids(
                "<a@b> <AbCdEfGhIjKlMnOpQrSt.r@LIAISON.example.org>",
                "liaison.example.org"
            ),
            vec![KEY.to_string()]
        );
        assert!(our_ids("<AbCdEfGhIjKlMnOpQrSt.b@elsewhere.org>", "liaison.example.org").is_empty());
        assert_eq!(status_code("said: 550 5.1.1 <x>"), Some("5.1.1".into()));
        assert_eq!(status_code("version 15.20.1234.5"), None);
    }

    #[test]
    fn trimming_stops_at_the_usual_markers_and_never_leaves_nothing() {
        assert_eq!(trim_reply("Yes.\n\n-----Original Message-----\nFrom: x"), "Yes.");
        assert_eq!(trim_reply("Yes.\nSent from my iPhone"), "Yes.");
        assert_eq!(
            trim_reply("Fine.\nOn Wed, 2 Dec 2026, Programme Team <p@x.org>\nwrote:\n> hi"),
            "Fine."
        );
        assert_eq!(trim_reply("> only a quote"), "> only a quote");
    }
}
