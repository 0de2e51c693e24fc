//! The communication plan: channels, frequencies and when each item falls due; segments
//! (saved audiences); briefings and their life cycle; wall-clock scheduling in UK time.
use super::form::{FormErrors, Validator};
use super::register::{Engagement, OrgKind};
use chrono::{DateTime, Datelike, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

macro_rules! keyed {
    ($(#[$m:meta])* $name:ident, $what:literal { $($v:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str { match self { $($name::$v => $key),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $label),+ } }
            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim() {
                    $($key => Ok($name::$v),)+
                    "" => Err(format!("Select {}", $what)),
                    _ => Err(format!("Select {} from the list", $what)),
                }
            }
        }
    };
}

keyed!(
    /// How a plan item reaches its audience.
    Channel, "a channel" {
        EmailBriefing => "email_briefing", "Email briefing";
        Workshop => "workshop", "Workshop";
        Meeting => "meeting", "Meeting";
        Newsletter => "newsletter", "Newsletter";
        Web => "web", "Web";
    }
);

keyed!(
    /// How often a plan item recurs.
    Frequency, "a frequency" {
        Once => "once", "Once";
        Weekly => "weekly", "Weekly";
        Fortnightly => "fortnightly", "Fortnightly";
        Monthly => "monthly", "Monthly";
        Quarterly => "quarterly", "Quarterly";
    }
);

impl Frequency {
    /// The `n`th occurrence counted from `start` (n = 0 is `start`). Monthly and quarterly
    /// keep the day of the month, clamped to the month's last day (31 Jan → 28 Feb → 31 Mar:
    /// counted from the start each time, so a short month does not shift later ones).
    pub fn nth(self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        match self {
            Frequency::Once => (n == 0).then_some(start),
            Frequency::Weekly => start.checked_add_signed(Duration::weeks(n as i64)),
            Frequency::Fortnightly => start.checked_add_signed(Duration::weeks(2 * n as i64)),
            Frequency::Monthly => start.checked_add_months(Months::new(n)),
            Frequency::Quarterly => start.checked_add_months(Months::new(3 * n)),
        }
    }

    /// Occurrence dates within `[from, to]`, not after `end` when it is set.
    pub fn occurrences(self, start: NaiveDate, end: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for n in 0..10_000 {
            let Some(d) = self.nth(start, n) else { break };
            if d > to || end.is_some_and(|e| d > e) {
                break;
            }
            if d >= from {
                out.push(d);
            }
        }
        out
    }
}

/// A wall-clock date and time in the UK turned into an instant. A time that does not exist
/// (the hour skipped when clocks go forward) is an error the user must correct; a time that
/// happens twice (when clocks go back) means the first of the two, the BST one.
pub fn london_to_utc(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, String> {
    match London.from_local_datetime(&NaiveDateTime::new(date, time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{} does not exist on {} in the UK (the clocks go forward). Choose another time.",
            time.format("%H:%M"),
            date.format("%-d %B %Y")
        )),
    }
}

pub fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| "Enter a time like 09:30".to_string())
}

/// A saved audience: contacts matching every criterion that is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFilter {
    pub kinds: Vec<OrgKind>,
    pub areas: Vec<String>,
    pub engagement: Vec<Engagement>,
    pub influence_min: u8,
    pub interest_min: u8,
    pub subscribed_only: bool,
}

/// Life cycle of a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BriefingState {
    Draft,
    Scheduled,
    Sending,
    Sent,
    Cancelled,
}

impl BriefingState {
    pub fn key(self) -> &'static str {
        match self {
            BriefingState::Draft => "draft",
            BriefingState::Scheduled => "scheduled",
            BriefingState::Sending => "sending",
            BriefingState::Sent => "sent",
            BriefingState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(match s {
            "draft" => BriefingState::Draft,
            "scheduled" => BriefingState::Scheduled,
            "sending" => BriefingState::Sending,
            "sent" => BriefingState::Sent,
            "cancelled" => BriefingState::Cancelled,
            other => return Err(format!("unknown briefing state {other:?}")),
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            BriefingState::Draft => "Draft",
            BriefingState::Scheduled => "Scheduled",
            BriefingState::Sending => "Sending",
            BriefingState::Sent => "Sent",
            BriefingState::Cancelled => "Cancelled",
        }
    }

    /// Only drafts and scheduled briefings can be (re)scheduled or sent now.
    pub fn schedule(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft | BriefingState::Scheduled => Ok(BriefingState::Scheduled),
            other => Err(format!("A {} briefing cannot be scheduled again", other.label().to_lowercase())),
        }
    }

    pub fn cancel(self) -> Result<Self, String> {
        match self {
            BriefingState::Draft | BriefingState::Scheduled => Ok(BriefingState::Cancelled),
            other => Err(format!("A {} briefing can no longer be cancelled", other.label().to_lowercase())),
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
            v.check("ack_deadline", super::workstream::parse_date(&self.ack_deadline, "acknowledgement deadline").and_then(|d| {
                if d < today { Err("The acknowledgement deadline must be today or later".into()) } else { Ok(d) }
            }))
        };
        let remind = if self.remind_days_before.trim().is_empty() {
            None
        } else {
            v.check(
                "remind_days_before",
                self.remind_days_before.trim().parse::<u32>().ok().filter(|d| (1..=60).contains(d)).ok_or_else(|| "Reminder must be 1 to 60 days before the deadline".to_string()),
            )
        };
        if !v.is_ok() {
            return Err(v.into_errors(self.values()));
        }
        Ok(BriefingDraft {
            subject: subject.to_string(),
            body: body.to_string(),
            segment: self.segment.trim().to_string(),
            workstreams: self.workstreams.iter().filter(|w| !w.trim().is_empty()).cloned().collect(),
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

/// Day of week helper for calendars ("Mon 7 Dec").
pub fn short_date(d: NaiveDate) -> String {
    format!("{} {}", d.weekday(), d.format("%-d %b"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: String,
    pub segment: String,
    pub audience: String,
    pub objective: String,
    pub key_message: String,
    pub channel: Channel,
    pub frequency: Frequency,
    pub owner: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub workstreams: Vec<String>,
    pub feedback: String,
    pub active: bool,
}

/// A valid new plan item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDraft {
    pub segment: String,
    pub objective: String,
    pub key_message: String,
    pub channel: Channel,
    pub frequency: Frequency,
    pub owner: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub workstreams: Vec<String>,
    pub feedback: String,
}


#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanForm {
    pub segment: String,
    pub objective: String,
    pub key_message: String,
    pub channel: String,
    pub frequency: String,
    pub owner: String,
    pub start: String,
    pub end: String,
    pub workstreams: Vec<String>,
    pub feedback: String,
}

impl PlanForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("segment".into(), self.segment.clone()),
            ("objective".into(), self.objective.clone()),
            ("key_message".into(), self.key_message.clone()),
            ("channel".into(), self.channel.clone()),
            ("frequency".into(), self.frequency.clone()),
            ("owner".into(), self.owner.clone()),
            ("start".into(), self.start.clone()),
            ("end".into(), self.end.clone()),
            ("feedback".into(), self.feedback.clone()),
        ])
    }

    pub fn parse(&self) -> Result<PlanDraft, FormErrors> {
        let mut v = Validator::new();
        let text = |v: &mut Validator, field: &str, raw: &str, max: usize, required: &str| -> String {
            let s = raw.trim();
            if s.is_empty() && !required.is_empty() {
                v.fail(field, required);
            } else if s.chars().count() > max {
                v.fail(field, format!("Must be {max} characters or fewer"));
            }
            s.to_string()
        };
        if self.segment.trim().is_empty() {
            v.fail("segment", "Select an audience");
        }
        let objective = text(&mut v, "objective", &self.objective, 500, "Enter the objective");
        let key_message = text(&mut v, "key_message", &self.key_message, 1000, "Enter the key message");
        let owner = text(&mut v, "owner", &self.owner, 120, "Enter who owns this communication");
        let feedback = text(&mut v, "feedback", &self.feedback, 500, "");
        let channel = v.check("channel", Channel::parse(&self.channel));
        let frequency = v.check("frequency", Frequency::parse(&self.frequency));
        let start = v.check("start", super::workstream::parse_date(&self.start, "start date"));
        let end = if self.end.trim().is_empty() { Some(None) } else { v.check("end", super::workstream::parse_date(&self.end, "end date").map(Some)) };
        if let (Some(s), Some(Some(e))) = (start, end) {
            if e < s {
                v.fail("end", "The end date must be on or after the start date");
            }
        }
        match (channel, frequency, start, end) {
            (Some(channel), Some(frequency), Some(start), Some(end)) if v.is_ok() => Ok(PlanDraft {
                segment: self.segment.trim().to_string(),
                objective,
                key_message,
                channel,
                frequency,
                owner,
                start,
                end,
                workstreams: self.workstreams.iter().filter(|w| !w.trim().is_empty()).cloned().collect(),
                feedback,
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

/// What is due in `[from, to]`: (date, plan item index), in date order.
pub fn calendar(items: &[PlanItem], from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, usize)> {
    let mut out: Vec<(NaiveDate, usize)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.active)
        .flat_map(|(n, i)| i.frequency.occurrences(i.start, i.end, from, to).into_iter().map(move |d| (d, n)))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn occurrences_follow_the_frequency() {
        let s = d(2026, 1, 31);
        assert_eq!(
            Frequency::Monthly.occurrences(s, None, s, d(2026, 4, 30)),
            vec![d(2026, 1, 31), d(2026, 2, 28), d(2026, 3, 31), d(2026, 4, 30)]
        );
        assert_eq!(Frequency::Fortnightly.occurrences(d(2026, 11, 2), None, d(2026, 11, 10), d(2026, 12, 1)), vec![d(2026, 11, 16), d(2026, 11, 30)]);
        assert_eq!(Frequency::Once.occurrences(d(2026, 5, 1), None, d(2026, 1, 1), d(2026, 12, 31)), vec![d(2026, 5, 1)]);
        assert_eq!(Frequency::Weekly.occurrences(d(2026, 5, 1), Some(d(2026, 5, 10)), d(2026, 1, 1), d(2026, 12, 31)).len(), 2);
        assert_eq!(Frequency::Quarterly.occurrences(d(2026, 1, 15), None, d(2026, 1, 1), d(2026, 12, 31)).len(), 4);
    }

    #[test]
    fn wall_clock_times_convert_across_clock_changes() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        // Winter (GMT): 09:00 is 09:00 UTC; summer (BST): 08:00 UTC.
        assert_eq!(london_to_utc(d(2027, 3, 27), nine).unwrap().to_rfc3339(), "2027-03-27T09:00:00+00:00");
        assert_eq!(london_to_utc(d(2027, 3, 28), nine).unwrap().to_rfc3339(), "2027-03-28T08:00:00+00:00");
        assert_eq!(london_to_utc(d(2026, 10, 25), nine).unwrap().to_rfc3339(), "2026-10-25T09:00:00+00:00");
        // 01:30 on 28 March 2027 does not exist; on 25 October 2026 it happens twice.
        let half_one = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert!(london_to_utc(d(2027, 3, 28), half_one).unwrap_err().contains("does not exist"));
        assert_eq!(london_to_utc(d(2026, 10, 25), half_one).unwrap().to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }

    #[test]
    fn plan_forms_and_calendar() {
        let e = PlanForm { channel: "pigeon".into(), start: "2026-13-01".into(), ..Default::default() }.parse().unwrap_err();
        assert!(e.message_for("channel").is_some() && e.message_for("start").is_some() && e.message_for("segment").is_some());
        let ok = PlanForm {
            segment: "s".into(),
            objective: "Keep partners informed".into(),
            key_message: "Progress".into(),
            channel: "email_briefing".into(),
            frequency: "monthly".into(),
            owner: "Programme manager".into(),
            start: "2026-11-02".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let item = PlanItem {
            id: "p".into(),
            segment: ok.segment.clone(),
            audience: "All".into(),
            objective: ok.objective.clone(),
            key_message: ok.key_message.clone(),
            channel: ok.channel,
            frequency: ok.frequency,
            owner: ok.owner.clone(),
            start: ok.start,
            end: None,
            workstreams: vec![],
            feedback: String::new(),
            active: true,
        };
        assert_eq!(calendar(&[item], d(2026, 11, 20), d(2027, 1, 10)), vec![(d(2026, 12, 2), 0), (d(2027, 1, 2), 0)]);
    }

    #[test]
    fn briefing_states_only_move_forward() {
        assert_eq!(BriefingState::Draft.schedule().unwrap(), BriefingState::Scheduled);
        assert!(BriefingState::Sent.schedule().is_err());
        assert!(BriefingState::Sending.cancel().is_err());
        assert_eq!(BriefingState::Scheduled.cancel().unwrap(), BriefingState::Cancelled);
    }

    #[test]
    fn briefing_forms_name_bad_fields() {
        let today = d(2026, 11, 25);
        let e = BriefingForm { subject: "A\nB".into(), ack_required: Some("on".into()), ..Default::default() }.parse(today).unwrap_err();
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
        assert_eq!(reminder_due(d(2026, 12, 5), 2).unwrap().to_rfc3339(), "2026-12-03T09:00:00+00:00");
    }
}
