//! Why Liaison may email a person (UK GDPR Article 6): the lawful basis for briefings, where it
//! came from and when it was recorded; and the history of their subscription.
use super::closed_enum::closed_enum;
use super::form::{FormErrors, Validator};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

closed_enum!(
    /// The lawful basis for sending someone briefings.
    LawfulBasis, "the lawful basis" {
        PublicTask => "public_task", "Public task";
        LegitimateInterests => "legitimate_interests", "Legitimate interests";
        Consent => "consent", "Consent";
    }
);

closed_enum!(
    /// Where the basis was given or established.
    BasisSource, "where it was recorded" {
        Form => "form", "A form (in Liaison or on paper)";
        Import => "import", "A spreadsheet import";
        Event => "event", "An event (a workshop or meeting)";
    }
);

/// The basis on record for a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    pub basis: LawfulBasis,
    pub source: BasisSource,
    pub recorded_on: NaiveDate,
    /// Who recorded it in Liaison.
    pub recorded_by: String,
}

/// A valid basis to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisDraft {
    pub basis: LawfulBasis,
    pub source: BasisSource,
    pub recorded_on: NaiveDate,
}

/// The basis form as posted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BasisForm {
    pub basis: String,
    pub source: String,
    pub recorded_on: String,
}

impl BasisForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("basis".into(), self.basis.clone()),
            ("source".into(), self.source.clone()),
            ("recorded_on".into(), self.recorded_on.clone()),
        ])
    }

    /// `today` bounds the date: a basis is recorded once it was given.
    pub fn parse(&self, today: NaiveDate) -> Result<BasisDraft, FormErrors> {
        let mut v = Validator::new();
        let basis = v.check("basis", LawfulBasis::parse(&self.basis));
        let source = v.check("source", BasisSource::parse(&self.source));
        let recorded_on = v.check(
            "recorded_on",
            super::workstream::parse_date(&self.recorded_on, "date").and_then(|d| {
                if d > today {
                    Err("The date cannot be in the future".to_string())
                } else {
                    Ok(d)
                }
            }),
        );
        match (basis, source, recorded_on) {
            (Some(basis), Some(source), Some(recorded_on)) if v.is_ok() => Ok(BasisDraft {
                basis,
                source,
                recorded_on,
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

/// One change of whether a contact receives briefings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionChange {
    pub at: DateTime<Utc>,
    /// "Subscribed", "Unsubscribed", "Address held", "Address released".
    pub change: String,
    /// How: the edit form, an import, a personal link, one-click, a bounce…
    pub via: String,
    /// Who or what made it.
    pub by: String,
}

/// A contact listed for the retention review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silent {
    pub id: String,
    pub name: String,
    pub organisation: String,
    /// The latest of: added to the register, last briefing sent, last interaction.
    pub last: DateTime<Utc>,
    /// Whether anything was ever sent to or logged with them.
    pub ever_contacted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_basis_needs_all_three_and_no_future_date() {
        let ok = BasisForm {
            basis: "public_task".into(),
            source: "event".into(),
            recorded_on: "2026-11-30".into(),
        };
        let d = ok.parse(day("2026-12-01")).unwrap();
        assert_eq!(d.basis, LawfulBasis::PublicTask);
        assert_eq!(d.source, BasisSource::Event);
        let bad = BasisForm {
            basis: String::new(),
            source: "fax".into(),
            recorded_on: "2026-12-02".into(),
        };
        let e = bad.parse(day("2026-12-01")).unwrap_err();
        assert!(e.message_for("basis").is_some());
        assert!(e.message_for("source").is_some());
        assert_eq!(e.message_for("recorded_on"), Some("The date cannot be in the future"));
        assert_eq!(e.value_of("source"), Some("fax"), "what was typed comes back");
    }
}
