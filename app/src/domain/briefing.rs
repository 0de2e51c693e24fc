//! A briefing: its life cycle, the compose form, and when its reminder falls due.
use super::closed_enum::closed_enum;
use super::form::{FormErrors, Validator};
use super::time::{london_to_utc, parse_time};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

closed_enum!(
    /// Life cycle of a briefing.
    BriefingState, "a briefing state" {
        Draft => "draft", "Draft";
        Scheduled => "scheduled", "Scheduled";
        Sending => "sending", "Sending";
        Sent => "sent", "Sent";
        Cancelled => "cancelled", "Cancelled";
        // A template that repeats with an email-briefing plan item: never sent itself; each
        // occurrence of the plan item becomes its own briefing (an instance).
        Recurring => "recurring", "Repeating";
        // Sending was stopped by a programme manager: what was not yet handed to the relay
        // waits until the briefing is resumed.
        Stopped => "stopped", "Stopped";
    }
);

impl BriefingState {
    /// The keys of the states `transition` starts from: bound into the repositories' queries,
    /// so that the check in the transaction is the domain's rule, not a copy of it.
    pub fn keys_from(transition: fn(Self) -> Result<Self, String>) -> Vec<String> {
        Self::ALL
            .iter()
            .filter(|s| transition(**s).is_ok())
            .map(|s| s.key().to_string())
            .collect()
    }

    /// Only drafts and scheduled briefings can be edited.
    pub fn edit(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft | BriefingState::Scheduled => Ok(self),
            other => Err(format!("This briefing is {} and can no longer be edited", other.key())),
        }
    }

    /// Only drafts and scheduled briefings can be (re)scheduled or sent now.
    pub fn schedule(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft | BriefingState::Scheduled => Ok(BriefingState::Scheduled),
            other => Err(format!(
                "A {} briefing cannot be scheduled again",
                other.label().to_lowercase()
            )),
        }
    }

    /// Only a draft can become a repeating template.
    pub fn repeat(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft => Ok(BriefingState::Recurring),
            other => Err(format!(
                "Only a draft can repeat with a plan item; this briefing is {}",
                other.label().to_lowercase()
            )),
        }
    }

    /// Only a briefing that is sending can be stopped.
    pub fn stop(self) -> Result<Self, String> {
        self.only_from(
            &[BriefingState::Sending],
            BriefingState::Stopped,
            "Only a briefing that is sending can be stopped",
        )
    }

    /// A stopped briefing resumes sending, to those it has not reached yet.
    pub fn resume(self) -> Result<Self, String> {
        self.only_from(
            &[BriefingState::Stopped],
            BriefingState::Sending,
            "Only a stopped briefing can be resumed",
        )
    }

    /// Failed deliveries can be tried again once the briefing has been sent (or while it sends).
    pub fn retry_failed(self) -> Result<Self, String> {
        self.only_from(
            &[BriefingState::Sending, BriefingState::Sent],
            BriefingState::Sending,
            "Only a sent briefing has failed deliveries to retry",
        )
    }

    /// `to` from any of `from`; otherwise `rule`, and the state it is in.
    fn only_from(self, from: &[BriefingState], to: BriefingState, rule: &str) -> Result<Self, String> {
        if from.contains(&self) {
            Ok(to)
        } else {
            Err(format!("{rule}; this one is {}", self.label().to_lowercase()))
        }
    }

    /// Cancelling a repeating template stops further instances; instances already made stay.
    pub fn cancel(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft | BriefingState::Scheduled | BriefingState::Recurring => Ok(BriefingState::Cancelled),
            other => Err(format!(
                "A {} briefing can no longer be cancelled",
                other.label().to_lowercase()
            )),
        }
    }
}

/// A briefing as composed: validated subject, body, audience and acknowledgement policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingDraft {
    pub subject: String,
    pub body: String,
    pub segment: String,
    pub workstreams: Vec<String>,
    pub ack_required: bool,
    pub ack_deadline: Option<NaiveDate>,
    /// Remind non-acknowledgers this many days before the deadline (once).
    pub remind_days_before: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BriefingForm {
    pub subject: String,
    pub body: String,
    pub segment: String,
    pub workstreams: Vec<String>,
    pub ack_required: Option<String>,
    pub ack_deadline: String,
    pub remind_days_before: String,
}

impl BriefingForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("subject".into(), self.subject.clone()),
            ("body".into(), self.body.clone()),
            ("segment".into(), self.segment.clone()),
            ("ack_required".into(), self.ack_required.clone().unwrap_or_default()),
            ("ack_deadline".into(), self.ack_deadline.clone()),
            ("remind_days_before".into(), self.remind_days_before.clone()),
        ])
    }

    pub fn parse(&self, today: NaiveDate) -> Result<BriefingDraft, FormErrors> {
        let mut v = Validator::new();
        let subject = self.subject.trim();
        if subject.is_empty() {
            v.fail("subject", "Enter a subject");
        } else if subject.chars().count() > 200 {
            v.fail("subject", "Subject must be 200 characters or fewer");
        } else if subject.contains(['\r', '\n']) {
            v.fail("subject", "Subject must be one line");
        }
        let body = self.body.trim();
        if body.is_empty() {
            v.fail("body", "Enter the briefing text");
        } else if body.chars().count() > 50_000 {
            v.fail("body", "The briefing must be 50,000 characters or fewer");
        }
        if self.segment.trim().is_empty() {
            v.fail("segment", "Select an audience");
        }
        let ack_required = self.ack_required.is_some();
        let deadline = if self.ack_deadline.trim().is_empty() {
            if ack_required {
                v.fail("ack_deadline", "Enter the date by which recipients should acknowledge");
            }
            None
        } else {
            v.check(
                "ack_deadline",
                super::workstream::parse_date(&self.ack_deadline, "acknowledgement deadline").and_then(|d| {
                    if d < today {
                        Err("The acknowledgement deadline must be today or later".into())
                    } else {
                        Ok(d)
                    }
                }),
            )
        };
        let remind = if self.remind_days_before.trim().is_empty() {
            None
        } else {
            v.check(
                "remind_days_before",
                self.remind_days_before
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=60).contains(d))
                    .ok_or_else(|| "Reminder must be 1 to 60 days before the deadline".to_string()),
            )
        };
        if !v.is_ok() {
            return Err(v.into_errors(self.values()));
        }
        Ok(BriefingDraft {
            subject: subject.to_string(),
            body: body.to_string(),
            segment: self.segment.trim().to_string(),
            workstreams: self
                .workstreams
                .iter()
                .filter(|w| !w.trim().is_empty())
                .cloned()
                .collect(),
            ack_required,
            ack_deadline: if ack_required { deadline } else { None },
            remind_days_before: if ack_required { remind } else { None },
        })
    }
}

/// When a reminder for a briefing with this deadline is due (09:00 UK time, N days before).
pub fn reminder_due(deadline: NaiveDate, days_before: u32) -> Option<DateTime<Utc>> {
    let day = deadline.checked_sub_signed(Duration::days(days_before as i64))?;
    london_to_utc(day, NaiveTime::from_hms_opt(9, 0, 0)?).ok()
}

closed_enum!(
    /// When "Send" sends a briefing.
    SendWhen, "when to send" {
        Now => "now", "Now";
        Later => "later", "At a date and time";
    }
);

/// When the schedule form sends: now (the default), or at a future UK date and time.
pub fn parse_send_at(when: &str, date: &str, time: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FormErrors> {
    if SendWhen::parse(when) != Ok(SendWhen::Later) {
        return Ok(now);
    }
    let mut v = Validator::new();
    let values = BTreeMap::from([
        ("date".to_string(), date.to_string()),
        ("time".to_string(), time.to_string()),
        ("when".to_string(), when.to_string()),
    ]);
    let d = v.check("date", super::workstream::parse_date(date, "date to send"));
    let t = v.check("time", parse_time(time));
    let at = match (d, t) {
        (Some(d), Some(t)) => v.check(
            "time",
            london_to_utc(d, t).and_then(|at| {
                if at <= now {
                    Err("Choose a time in the future".into())
                } else {
                    Ok(at)
                }
            }),
        ),
        _ => None,
    };
    match at {
        Some(at) if v.is_ok() => Ok(at),
        _ => Err(v.into_errors(values)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn only_a_sending_briefing_stops_only_a_stopped_one_resumes_and_only_a_sent_one_retries() {
        use BriefingState::*;
        assert_eq!(Sending.stop(), Ok(Stopped));
        assert!(Sent.stop().is_err() && Draft.stop().is_err());
        assert_eq!(Stopped.resume(), Ok(Sending));
        assert!(Sending.resume().unwrap_err().contains("this one is sending"));
        assert_eq!(Sent.retry_failed(), Ok(Sending));
        assert_eq!(Sending.retry_failed(), Ok(Sending));
        assert!(Draft.retry_failed().is_err() && Stopped.retry_failed().is_err());
    }
    #[test]
    fn the_states_a_transition_starts_from_are_named_by_their_keys() {
        assert_eq!(
            BriefingState::keys_from(BriefingState::schedule),
            ["draft", "scheduled"]
        );
        assert_eq!(BriefingState::keys_from(BriefingState::edit), ["draft", "scheduled"]);
        assert_eq!(
            BriefingState::keys_from(BriefingState::cancel),
            ["draft", "scheduled", "recurring"]
        );
        assert_eq!(
            BriefingState::keys_from(BriefingState::retry_failed),
            ["sending", "sent"]
        );
    }

    #[test]
    fn briefing_states_only_move_forward() {
        assert_eq!(BriefingState::Draft.schedule().unwrap(), BriefingState::Scheduled);
        assert!(BriefingState::Sent.schedule().is_err());
        assert!(BriefingState::Sending.cancel().is_err());
        assert_eq!(BriefingState::Scheduled.cancel().unwrap(), BriefingState::Cancelled);
        assert_eq!(BriefingState::Draft.repeat().unwrap(), BriefingState::Recurring);
        assert!(BriefingState::Scheduled.repeat().is_err());
        assert!(BriefingState::Recurring.schedule().is_err());
        assert_eq!(BriefingState::Recurring.cancel().unwrap(), BriefingState::Cancelled);
    }

    #[test]
    fn briefing_forms_name_bad_fields() {
        let today = d(2026, 11, 25);
        let e = BriefingForm {
            subject: "A\nB".into(),
            ack_required: Some("on".into()),
            ..Default::default()
        }
        .parse(today)
        .unwrap_err();
        assert_eq!(e.message_for("subject"), Some("Subject must be one line"));
        assert_eq!(e.message_for("body"), Some("Enter the briefing text"));
        assert_eq!(e.message_for("segment"), Some("Select an audience"));
        assert!(e.message_for("ack_deadline").is_some());
        let ok = BriefingForm {
            subject: "Programme update".into(),
            body: "Hello".into(),
            segment: "s1".into(),
            ack_required: Some("on".into()),
            ack_deadline: "2026-12-05".into(),
            remind_days_before: "2".into(),
            ..Default::default()
        }
        .parse(today)
        .unwrap();
        assert_eq!(ok.remind_days_before, Some(2));
        assert_eq!(
            reminder_due(d(2026, 12, 5), 2).unwrap().to_rfc3339(),
            "2026-12-03T09:00:00+00:00"
        );
    }

    #[test]
    fn send_at_is_now_unless_a_future_uk_time_is_given() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        assert_eq!(parse_send_at("now", "", "", now), Ok(now));
        assert_eq!(
            parse_send_at("later", "2026-12-03", "09:30", now).unwrap().to_rfc3339(),
            "2026-12-03T09:30:00+00:00"
        );
        let e = parse_send_at("later", "2026-12-01", "09:30", now).unwrap_err();
        assert_eq!(e.message_for("time"), Some("Choose a time in the future"));
        let e = parse_send_at("later", "", "9.30", now).unwrap_err();
        assert!(e.message_for("date").is_some() && e.message_for("time").is_some());
    }
}
