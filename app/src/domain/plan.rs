//! The communication plan: channels, frequencies, plan items and when each falls due, and the
//! recurring instances of a repeating briefing.
use super::closed_enum::closed_enum;
use super::form::{FormErrors, Validator};
use super::time::{london_to_utc, parse_send_time};
use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

closed_enum!(
    /// How a plan item reaches its audience.
    Channel, "a channel" {
        EmailBriefing => "email_briefing", "Email briefing";
        Workshop => "workshop", "Workshop";
        Meeting => "meeting", "Meeting";
        Newsletter => "newsletter", "Newsletter";
        Web => "web", "Web";
    }
);

closed_enum!(
    /// How often a plan item recurs.
    Frequency, "a frequency" {
        Once => "once", "Once";
        Weekly => "weekly", "Weekly";
        Fortnightly => "fortnightly", "Fortnightly";
        Monthly => "monthly", "Monthly";
        Quarterly => "quarterly", "Quarterly";
    }
);

closed_enum!(
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
}
