//! Mail that comes back: bounces, auto-replies, replies to briefings, and questions asked from
//! the acknowledgement page. Each is kept whole and classified; what needs action waits in the
//! inbox until someone answers it or marks it handled.
use super::closed_enum::closed_enum;
use serde::{Deserialize, Serialize};

closed_enum!(
    /// What an inbound message is.
    InboundKind, "a kind of inbound message" {
        HardBounce => "hard_bounce", "Bounce (permanent)";
        SoftBounce => "soft_bounce", "Bounce (temporary)";
        AutoReply => "auto_reply", "Automatic reply";
        Reply => "reply", "Reply";
        Question => "question", "Question";
    }
);

impl InboundKind {
    /// Whether a person should read it: replies and questions; bounces act by themselves and
    /// auto-replies are kept but not flagged.
    pub fn needs_reading(self) -> bool {
        matches!(self, InboundKind::Reply | InboundKind::Question)
    }
}

/// Soft bounces within [`SOFT_BOUNCE_DAYS`] that hold an address.
pub const SOFT_BOUNCES_TO_HOLD: usize = 3;
pub const SOFT_BOUNCE_DAYS: i64 = 30;

/// The longest question a stakeholder can send from the acknowledgement page.
pub const QUESTION_MAX: usize = 2_000;
/// The longest answer a programme manager can send.
pub const ANSWER_MAX: usize = 10_000;

/// Why Liaison no longer emails an address: shown on the contact, cleared by editing the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Held {
    pub since: chrono::DateTime<chrono::Utc>,
    pub reason: String,
}

/// A question as the stakeholder typed it: trimmed, not empty, bounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question(String);

impl Question {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("Write your question".into());
        }
        if t.chars().count() > QUESTION_MAX {
            return Err(format!("Keep your question under {QUESTION_MAX} characters"));
        }
        Ok(Question(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An answer as the programme manager typed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer(String);

impl Answer {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("Write your answer".into());
        }
        if t.chars().count() > ANSWER_MAX {
            return Err(format!("Keep the answer under {ANSWER_MAX} characters"));
        }
        Ok(Answer(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A record an inbound message is attached to, with the name to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linked {
    pub id: String,
    pub name: String,
}

/// One message in the inbox, as its page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: String,
    pub kind: InboundKind,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub from: String,
    pub subject: String,
    /// The message without quoted text and signature (plain text; escaped when shown).
    pub text: String,
    pub contact: Option<Linked>,
    pub briefing: Option<Linked>,
    pub handled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub answer: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_trimmed_and_bounded() {
        assert_eq!(Question::parse("  Why?  ").unwrap().as_str(), "Why?");
        assert!(Question::parse("   ").is_err());
        assert!(Question::parse(&"x".repeat(QUESTION_MAX + 1)).is_err());
        assert!(
            Question::parse(&"é".repeat(QUESTION_MAX)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn only_replies_and_questions_ask_for_a_reader() {
        assert!(InboundKind::Reply.needs_reading());
        assert!(InboundKind::Question.needs_reading());
        assert!(!InboundKind::AutoReply.needs_reading());
        assert!(!InboundKind::HardBounce.needs_reading());
    }
}
