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

keyed!(
    /// What the recurring instances of an email-briefing plan item become.
    InstanceMode, "what each instance becomes" {
        Draft => "draft", "A draft to review and send";
        Scheduled => "scheduled", "Scheduled to send automatically";
    }
);

impl InstanceMode {
    /// How the plan page and the repeat form describe it: "each instance sent automatically".
    pub fn each(self) -> &'static str {
        match self {
            InstanceMode::Draft => "each instance a draft to review",
            InstanceMode::Scheduled => "each instance sent automatically",
        }
    }
}

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
    pub fn occurrences(
        self,
        start: NaiveDate,
        end: Option<NaiveDate>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<NaiveDate> {
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

/// The time of day recurring instances send. UK clocks change between 01:00 and 02:00, so a
/// time in that hour would not exist (or happen twice) on some dates: it is refused once here
/// rather than misfiring twice a year.
pub fn parse_send_time(raw: &str) -> Result<NaiveTime, String> {
    let t = parse_time(raw)?;
    if (NaiveTime::from_hms_opt(1, 0, 0)..NaiveTime::from_hms_opt(2, 0, 0)).contains(&Some(t)) {
        return Err("UK clocks change between 01:00 and 02:00: choose a time outside that hour".into());
    }
    Ok(t)
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
    /// Contacts with any of these tags (none: any contact).
    pub tags: super::Tags,
    /// Contacts of these organisations (ids; none: any organisation).
    pub organisations: Vec<String>,
}

impl SegmentFilter {
    /// Whether the audience takes `c`, whose organisation's area is `area`: the rule of the
    /// database's `MATCH` (backend `repo::segments`), which freezes recipient lists and counts
    /// audiences; this one lists an audience's members from the register view, and a test
    /// checks that the two agree.
    pub fn admits(&self, c: &super::Contact, area: Option<&str>) -> bool {
        c.subscribed
            && (self.kinds.is_empty() || self.kinds.contains(&c.organisation_kind))
            && (self.areas.is_empty() || area.is_some_and(|a| self.areas.iter().any(|x| x == a)))
            && (self.engagement.is_empty() || self.engagement.contains(&c.engagement_current))
            && c.influence.get() >= self.influence_min
            && c.interest.get() >= self.interest_min
            && (self.tags.is_empty() || c.tags.as_slice().iter().any(|t| self.tags.as_slice().contains(t)))
            && (self.organisations.is_empty() || self.organisations.iter().any(|o| o == c.organisation.as_str()))
    }
}

/// Life cycle of a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BriefingState {
    Draft,
    Scheduled,
    Sending,
    Sent,
    Cancelled,
    /// A template that repeats with an email-briefing plan item: never sent itself; each
    /// occurrence of the plan item becomes its own briefing (an instance).
    Recurring,
    /// Sending was stopped by a programme manager: what was not yet handed to the relay waits
    /// until the briefing is resumed.
    Stopped,
}

impl BriefingState {
    pub fn key(self) -> &'static str {
        match self {
            BriefingState::Draft => "draft",
            BriefingState::Scheduled => "scheduled",
            BriefingState::Sending => "sending",
            BriefingState::Sent => "sent",
            BriefingState::Cancelled => "cancelled",
            BriefingState::Recurring => "recurring",
            BriefingState::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(match s {
            "draft" => BriefingState::Draft,
            "scheduled" => BriefingState::Scheduled,
            "sending" => BriefingState::Sending,
            "sent" => BriefingState::Sent,
            "cancelled" => BriefingState::Cancelled,
            "recurring" => BriefingState::Recurring,
            "stopped" => BriefingState::Stopped,
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
            BriefingState::Recurring => "Repeating",
            BriefingState::Stopped => "Stopped",
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

    /// The states the database holds, as the migration's assertion lists them.
    pub const ALL: [BriefingState; 7] = [
        BriefingState::Draft,
        BriefingState::Scheduled,
        BriefingState::Sending,
        BriefingState::Sent,
        BriefingState::Cancelled,
        BriefingState::Recurring,
        BriefingState::Stopped,
    ];

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
    /// For email briefings: the UK time of day instances send, and what each becomes.
    pub send_time: NaiveTime,
    pub instances: InstanceMode,
    /// Ids of the linked workstreams (`workstreams` holds their names), for the edit form.
    pub workstream_ids: Vec<String>,
    /// Incremented by every edit: a save that names an older version is refused.
    pub version: u32,
    /// Removed from the plan after it had produced briefings: kept, paused, for their history.
    pub archived: bool,
}

impl PlanDraft {
    /// Whether saving this over `before` moves when its occurrences fall (or whether it makes
    /// email briefings at all): the instances made ahead for future dates must then be made
    /// again under the new timing. Past and sent ones never change.
    pub fn moves_occurrences(&self, before: &PlanItem) -> bool {
        self.channel != before.channel
            || self.frequency != before.frequency
            || self.start != before.start
            || self.end != before.end
            || self.send_time != before.send_time
            || self.instances != before.instances
    }
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
    pub send_time: NaiveTime,
    pub instances: InstanceMode,
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
    /// Email briefings only; blank means 09:00 and drafts.
    pub send_time: String,
    pub instances: String,
}

impl PlanForm {
    /// The form filled in from a saved item (the edit page).
    pub fn of(i: &PlanItem) -> Self {
        PlanForm {
            segment: i.segment.clone(),
            objective: i.objective.clone(),
            key_message: i.key_message.clone(),
            channel: i.channel.key().to_string(),
            frequency: i.frequency.key().to_string(),
            owner: i.owner.clone(),
            start: i.start.format("%Y-%m-%d").to_string(),
            end: i.end.map(|e| e.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            workstreams: i.workstream_ids.clone(),
            feedback: i.feedback.clone(),
            send_time: i.send_time.format("%H:%M").to_string(),
            instances: i.instances.key().to_string(),
        }
    }

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
            ("send_time".into(), self.send_time.clone()),
            ("instances".into(), self.instances.clone()),
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
        let end = if self.end.trim().is_empty() {
            Some(None)
        } else {
            v.check("end", super::workstream::parse_date(&self.end, "end date").map(Some))
        };
        let send_time = if self.send_time.trim().is_empty() {
            NaiveTime::from_hms_opt(9, 0, 0)
        } else {
            v.check("send_time", parse_send_time(&self.send_time))
        };
        let instances = if self.instances.trim().is_empty() {
            Some(InstanceMode::Draft)
        } else {
            v.check("instances", InstanceMode::parse(&self.instances))
        };
        if let (Some(s), Some(Some(e))) = (start, end) {
            if e < s {
                v.fail("end", "The end date must be on or after the start date");
            }
        }
        match (channel, frequency, start, end, send_time, instances) {
            (Some(channel), Some(frequency), Some(start), Some(end), Some(send_time), Some(instances)) if v.is_ok() => {
                Ok(PlanDraft {
                    segment: self.segment.trim().to_string(),
                    objective,
                    key_message,
                    channel,
                    frequency,
                    owner,
                    start,
                    end,
                    workstreams: self
                        .workstreams
                        .iter()
                        .filter(|w| !w.trim().is_empty())
                        .cloned()
                        .collect(),
                    feedback,
                    send_time,
                    instances,
                })
            }
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
        .flat_map(|(n, i)| {
            i.frequency
                .occurrences(i.start, i.end, from, to)
                .into_iter()
                .map(move |d| (d, n))
        })
        .collect();
    out.sort();
    out
}

/// How far ahead the recurring instances of a plan item are made, so that drafts can be
/// reviewed and scheduled sends seen (and cancelled one by one) before they go.
pub const INSTANCE_LOOKAHEAD_DAYS: i64 = 14;

/// One occurrence of a repeating briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub occurrence: NaiveDate,
    pub send_at: DateTime<Utc>,
    pub ack_deadline: Option<NaiveDate>,
}

/// The instances of a briefing repeating with `item` that should exist at `now`: occurrences
/// from today (UK) up to the lookahead, none sending before the briefing started repeating
/// (`since`), none once the item is paused. Each keeps the template's time to acknowledge.
pub fn instances_due(
    item: &PlanItem,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    ack_within_days: Option<u32>,
) -> Vec<Instance> {
    if !item.active || item.channel != Channel::EmailBriefing {
        return Vec::new();
    }
    let today = super::workstream::today_in_london(now);
    let to = today + Duration::days(INSTANCE_LOOKAHEAD_DAYS);
    item.frequency
        .occurrences(item.start, item.end, today, to)
        .into_iter()
        .filter_map(|occurrence| {
            // parse_send_time keeps the send time out of the hour the clocks change in.
            let send_at = london_to_utc(occurrence, item.send_time).ok()?;
            (send_at >= since).then(|| Instance {
                occurrence,
                send_at,
                ack_deadline: ack_within_days.map(|d| occurrence + Duration::days(d as i64)),
            })
        })
        .collect()
}

/// Days from the plan item's next occurrence to the template's deadline: each instance gets
/// the same time to acknowledge (at least a day).
pub fn ack_within_days(item: &PlanItem, deadline: Option<NaiveDate>, today: NaiveDate) -> Option<u32> {
    let deadline = deadline?;
    let next = item
        .frequency
        .occurrences(item.start, item.end, today, today + Duration::days(3700))
        .into_iter()
        .next()
        .unwrap_or(today);
    Some((deadline - next).num_days().clamp(1, 365) as u32)
}

/// "Programme briefing – 2 December 2026", cut to the 200 characters a subject may have.
pub fn instance_subject(subject: &str, occurrence: NaiveDate) -> String {
    let suffix = format!(" – {}", occurrence.format("%-d %B %Y"));
    let keep = 200usize.saturating_sub(suffix.chars().count());
    format!("{}{suffix}", subject.chars().take(keep).collect::<String>().trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            Frequency::Fortnightly.occurrences(d(2026, 11, 2), None, d(2026, 11, 10), d(2026, 12, 1)),
            vec![d(2026, 11, 16), d(2026, 11, 30)]
        );
        assert_eq!(
            Frequency::Once.occurrences(d(2026, 5, 1), None, d(2026, 1, 1), d(2026, 12, 31)),
            vec![d(2026, 5, 1)]
        );
        assert_eq!(
            Frequency::Weekly
                .occurrences(d(2026, 5, 1), Some(d(2026, 5, 10)), d(2026, 1, 1), d(2026, 12, 31))
                .len(),
            2
        );
        assert_eq!(
            Frequency::Quarterly
                .occurrences(d(2026, 1, 15), None, d(2026, 1, 1), d(2026, 12, 31))
                .len(),
            4
        );
    }

    #[test]
    fn wall_clock_times_convert_across_clock_changes() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        // Winter (GMT): 09:00 is 09:00 UTC; summer (BST): 08:00 UTC.
        assert_eq!(
            london_to_utc(d(2027, 3, 27), nine).unwrap().to_rfc3339(),
            "2027-03-27T09:00:00+00:00"
        );
        assert_eq!(
            london_to_utc(d(2027, 3, 28), nine).unwrap().to_rfc3339(),
            "2027-03-28T08:00:00+00:00"
        );
        assert_eq!(
            london_to_utc(d(2026, 10, 25), nine).unwrap().to_rfc3339(),
            "2026-10-25T09:00:00+00:00"
        );
        // 01:30 on 28 March 2027 does not exist; on 25 October 2026 it happens twice.
        let half_one = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert!(london_to_utc(d(2027, 3, 28), half_one)
            .unwrap_err()
            .contains("does not exist"));
        assert_eq!(
            london_to_utc(d(2026, 10, 25), half_one).unwrap().to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }

    #[test]
    fn plan_forms_and_calendar() {
        let e = PlanForm {
            channel: "pigeon".into(),
            start: "2026-13-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(
            e.message_for("channel").is_some()
                && e.message_for("start").is_some()
                && e.message_for("segment").is_some()
        );
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
            send_time: ok.send_time,
            instances: ok.instances,
            workstream_ids: vec![],
            version: 1,
            archived: false,
        };
        assert_eq!(
            (item.send_time, item.instances),
            (NaiveTime::from_hms_opt(9, 0, 0).unwrap(), InstanceMode::Draft)
        );
        assert_eq!(
            calendar(&[item], d(2026, 11, 20), d(2027, 1, 10)),
            vec![(d(2026, 12, 2), 0), (d(2027, 1, 2), 0)]
        );
        let e = PlanForm {
            send_time: "01:30".into(),
            instances: "sometimes".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(e.message_for("send_time").unwrap().contains("clocks change"));
        assert!(e.message_for("instances").is_some());
    }

    fn weekly_item(start: NaiveDate) -> PlanItem {
        PlanItem {
            id: "p".into(),
            segment: "s".into(),
            audience: "All".into(),
            objective: "o".into(),
            key_message: "k".into(),
            channel: Channel::EmailBriefing,
            frequency: Frequency::Weekly,
            owner: "PM".into(),
            start,
            end: None,
            workstreams: vec![],
            feedback: String::new(),
            active: true,
            send_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            instances: InstanceMode::Scheduled,
            workstream_ids: vec![],
            version: 1,
            archived: false,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn instances_cover_the_lookahead_at_uk_wall_clock_time() {
        // Weekly on Thursdays from 19 March 2027; clocks go forward on Sunday 28 March.
        let item = weekly_item(d(2027, 3, 18));
        let now = at("2027-03-18T10:00:00Z");
        let got = instances_due(&item, now, now, Some(7));
        // 18 March 09:00 GMT is before the briefing started repeating: not made.
        let dates: Vec<_> = got
            .iter()
            .map(|i| (i.occurrence, i.send_at.to_rfc3339(), i.ack_deadline))
            .collect();
        assert_eq!(
            dates,
            vec![
                (
                    d(2027, 3, 25),
                    "2027-03-25T09:00:00+00:00".to_string(),
                    Some(d(2027, 4, 1))
                ),
                (
                    d(2027, 4, 1),
                    "2027-04-01T08:00:00+00:00".to_string(),
                    Some(d(2027, 4, 8))
                ),
            ]
        );
        // Paused items and other channels make nothing; an end date stops them.
        assert!(instances_due(
            &PlanItem {
                active: false,
                ..item.clone()
            },
            now,
            now,
            None
        )
        .is_empty());
        assert!(instances_due(
            &PlanItem {
                channel: Channel::Meeting,
                ..item.clone()
            },
            now,
            now,
            None
        )
        .is_empty());
        assert_eq!(
            instances_due(
                &PlanItem {
                    end: Some(d(2027, 3, 30)),
                    ..item.clone()
                },
                now,
                now,
                None
            )
            .len(),
            1
        );
    }

    #[test]
    fn instances_keep_the_time_to_acknowledge_and_a_dated_subject() {
        let item = weekly_item(d(2027, 3, 18));
        assert_eq!(ack_within_days(&item, Some(d(2027, 3, 29)), d(2027, 3, 19)), Some(4));
        assert_eq!(ack_within_days(&item, Some(d(2027, 3, 19)), d(2027, 3, 19)), Some(1));
        assert_eq!(ack_within_days(&item, None, d(2027, 3, 19)), None);
        assert_eq!(
            instance_subject("Programme briefing", d(2026, 12, 2)),
            "Programme briefing – 2 December 2026"
        );
        assert_eq!(instance_subject(&"x".repeat(200), d(2026, 12, 2)).chars().count(), 200);
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
}
