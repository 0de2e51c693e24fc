//! The interaction log: meetings, calls, emails, workshops and notes with a contact or an
//! organisation, each with an optional follow-up that someone owns.
use super::form::{FormErrors, Validator};
use super::workstream::{bounded, parse_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of interaction a person logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InteractionKind {
    Meeting,
    Call,
    Email,
    Workshop,
    Note,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 5] = [
        InteractionKind::Meeting,
        InteractionKind::Call,
        InteractionKind::Email,
        InteractionKind::Workshop,
        InteractionKind::Note,
    ];

    pub fn key(self) -> &'static str {
        match self {
            InteractionKind::Meeting => "meeting",
            InteractionKind::Call => "call",
            InteractionKind::Email => "email",
            InteractionKind::Workshop => "workshop",
            InteractionKind::Note => "note",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InteractionKind::Meeting => "Meeting",
            InteractionKind::Call => "Call",
            InteractionKind::Email => "Email",
            InteractionKind::Workshop => "Workshop",
            InteractionKind::Note => "Note",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == raw.trim())
            .ok_or_else(|| "Select what kind of interaction it was".to_string())
    }
}

pub const SUMMARY_MAX: usize = 2000;
pub const PARTICIPANTS_MAX: usize = 300;

/// The form as posted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InteractionForm {
    pub kind: String,
    pub date: String,
    pub participants: String,
    pub summary: String,
    /// Optional: a date, and who follows up (a user id; blank means the author).
    pub follow_up_on: String,
    pub follow_up_owner: String,
    /// Optional: the plan item (not an email briefing) it carried out.
    #[serde(default)]
    pub plan_item: String,
}

/// A valid interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionDraft {
    pub kind: InteractionKind,
    pub date: NaiveDate,
    pub participants: String,
    pub summary: String,
    pub follow_up_on: Option<NaiveDate>,
    /// A user id; `None` with a follow-up date means the author owns it.
    pub follow_up_owner: Option<String>,
    /// The plan item it carried out (an id), shown against that item's occurrence.
    pub plan_item: Option<String>,
}

impl InteractionForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("kind".into(), self.kind.clone()),
            ("date".into(), self.date.clone()),
            ("participants".into(), self.participants.clone()),
            ("summary".into(), self.summary.clone()),
            ("follow_up_on".into(), self.follow_up_on.clone()),
            ("follow_up_owner".into(), self.follow_up_owner.clone()),
            ("plan_item".into(), self.plan_item.clone()),
        ])
    }

    /// `today` bounds the date: an interaction is logged after it happened.
    pub fn parse(&self, today: NaiveDate) -> Result<InteractionDraft, FormErrors> {
        let mut v = Validator::new();
        let kind = v.check("kind", InteractionKind::parse(&self.kind));
        let date = v.check(
            "date",
            parse_date(&self.date, "date").and_then(|d| {
                if d > today {
                    Err("The date cannot be in the future: log an interaction once it has happened".into())
                } else {
                    Ok(d)
                }
            }),
        );
        let participants = v.check(
            "participants",
            bounded(&self.participants, PARTICIPANTS_MAX, None, "Participants"),
        );
        let summary = v.check(
            "summary",
            bounded(
                &self.summary,
                SUMMARY_MAX,
                Some("Enter what was discussed or agreed"),
                "Summary",
            ),
        );
        let follow_up_on = if self.follow_up_on.trim().is_empty() {
            Some(None)
        } else {
            v.check(
                "follow_up_on",
                parse_date(&self.follow_up_on, "follow-up date").map(Some),
            )
        };
        let owner = self.follow_up_owner.trim();
        if !owner.is_empty() && follow_up_on == Some(None) {
            v.fail(
                "follow_up_on",
                "Enter the follow-up date, or leave who follows up blank",
            );
        }
        let follow_up_owner = (!owner.is_empty()).then(|| owner.to_string());
        let plan_item = Some(self.plan_item.trim())
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        match (kind, date, participants, summary, follow_up_on) {
            (Some(kind), Some(date), Some(participants), Some(summary), Some(follow_up_on)) if v.is_ok() => {
                Ok(InteractionDraft {
                    kind,
                    date,
                    participants,
                    summary,
                    follow_up_on,
                    follow_up_owner,
                    plan_item,
                })
            }
            _ => Err(v.into_errors(self.values())),
        }
    }
}

/// A logged interaction as the pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: String,
    pub kind: InteractionKind,
    pub date: NaiveDate,
    pub participants: String,
    pub summary: String,
    pub follow_up_on: Option<NaiveDate>,
    pub follow_up_owner: Option<String>,
    pub follow_up_owner_name: Option<String>,
    pub follow_up_done: bool,
    pub author: Option<String>,
    pub author_name: String,
    /// Whom it was with: (link, name) of the contact or organisation.
    pub with: (String, String),
    pub version: u32,
    /// The plan item it carried out, if any (an id).
    #[serde(default)]
    pub plan_item: Option<String>,
}

impl Interaction {
    /// The form filled in from this interaction (the edit page).
    pub fn form(&self) -> InteractionForm {
        InteractionForm {
            kind: self.kind.key().into(),
            date: self.date.to_string(),
            participants: self.participants.clone(),
            summary: self.summary.clone(),
            follow_up_on: self.follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            follow_up_owner: self.follow_up_owner.clone().unwrap_or_default(),
            plan_item: self.plan_item.clone().unwrap_or_default(),
        }
    }

    /// An open follow-up whose date has come.
    pub fn follow_up_due(&self, today: NaiveDate) -> bool {
        !self.follow_up_done && self.follow_up_on.is_some_and(|d| d <= today)
    }
}

/// One line of a contact's history as their page shows it (UK time).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub what: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_meeting_with_a_follow_up_parses_and_bad_input_is_reported_per_field() {
        let f = InteractionForm {
            kind: "meeting".into(),
            date: "2026-12-01".into(),
            participants: "Zoë Ashworth, Sam Patel".into(),
            summary: "  Agreed the PgCert outcomes  ".into(),
            follow_up_on: "2026-12-15".into(),
            follow_up_owner: String::new(),
            plan_item: " p1 ".into(),
        };
        let d = f.parse(day("2026-12-02")).unwrap();
        assert_eq!(d.plan_item.as_deref(), Some("p1"));
        assert_eq!(d.kind, InteractionKind::Meeting);
        assert_eq!(d.summary, "Agreed the PgCert outcomes");
        assert_eq!(d.follow_up_on, Some(day("2026-12-15")));

        let e = InteractionForm {
            kind: "lunch".into(),
            date: "2027-01-01".into(),
            summary: " ".into(),
            follow_up_on: String::new(),
            follow_up_owner: "someone".into(),
            ..f
        }
        .parse(day("2026-12-02"))
        .unwrap_err();
        for field in ["kind", "date", "summary", "follow_up_on"] {
            assert!(e.message_for(field).is_some(), "{field}: {e:?}");
        }
        assert_eq!(e.value_of("kind"), Some("lunch"));
    }
}
