//! The plan against what happened: each past occurrence of a plan item with what carried it out
//! (briefings sent, for email items; interactions logged against the item, for the others), and
//! the occurrences with nothing against them a week after their date: missed.
use super::plan::PlanItem;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Days after its date an occurrence with nothing against it counts as missed.
pub const MISSED_AFTER_DAYS: i64 = 7;
/// Past occurrences shown per plan item, newest first.
pub const OCCURRENCES_SHOWN: usize = 6;

/// Something that carried out a plan item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Happened {
    /// A briefing sent for the item: when, how many it reached, and the acknowledgement rate
    /// (percent) when it asked for acknowledgement.
    Briefing {
        id: String,
        subject: String,
        /// The occurrence it was made for, when it is one of the item's instances.
        occurrence: Option<NaiveDate>,
        sent_on: NaiveDate,
        reached: u64,
        ack_rate: Option<u32>,
    },
    /// An interaction logged against the item.
    Logged {
        date: NaiveDate,
        kind: String,
        summary: String,
        /// Link and name of whom it was with.
        with_link: String,
        with_name: String,
    },
}

impl Happened {
    fn date(&self) -> NaiveDate {
        match self {
            Happened::Briefing {
                occurrence, sent_on, ..
            } => occurrence.unwrap_or(*sent_on),
            Happened::Logged { date, .. } => *date,
        }
    }
}

/// One past occurrence of a plan item and what happened for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OccurrenceOutcome {
    pub date: NaiveDate,
    pub happened: Vec<Happened>,
    /// Nothing against it, a week or more after its date.
    pub missed: bool,
}

/// The past occurrences of `item` up to `today` (newest first, at most [`OCCURRENCES_SHOWN`]),
/// each with what of `evidence` (all of it for this item) falls within it: from its date to
/// the day before the next occurrence (the last one runs on). A briefing made for an occurrence
/// counts there whenever it was sent.
pub fn outcomes(item: &PlanItem, evidence: &[Happened], today: NaiveDate) -> Vec<OccurrenceOutcome> {
    if !item.active {
        // A paused item's dates are not commitments.
        return Vec::new();
    }
    let dates = item.frequency.occurrences(item.start, item.end, item.start, today);
    let mut out: Vec<OccurrenceOutcome> = dates
        .iter()
        .enumerate()
        .map(|(i, &date)| {
            let next = dates.get(i + 1).copied();
            let happened: Vec<Happened> = evidence
                .iter()
                .filter(|h| {
                    let d = h.date();
                    match h {
                        Happened::Briefing {
                            occurrence: Some(o), ..
                        } => *o == date,
                        _ => d >= date && next.is_none_or(|n| d < n),
                    }
                })
                .cloned()
                .collect();
            let missed = happened.is_empty() && date + Duration::days(MISSED_AFTER_DAYS) <= today;
            OccurrenceOutcome { date, happened, missed }
        })
        .collect();
    out.reverse();
    out.truncate(OCCURRENCES_SHOWN);
    out
}

/// How many of these occurrences were missed.
pub fn missed(outcomes: &[OccurrenceOutcome]) -> usize {
    outcomes.iter().filter(|o| o.missed).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::{Channel, Frequency, InstanceMode};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn item(channel: Channel, frequency: Frequency, start: NaiveDate) -> PlanItem {
        PlanItem {
            id: "p1".into(),
            segment: "s".into(),
            audience: "HEIs".into(),
            objective: "Inform".into(),
            key_message: "News".into(),
            channel,
            frequency,
            owner: "PM".into(),
            start,
            end: None,
            workstreams: vec![],
            feedback: String::new(),
            active: true,
            send_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            instances: InstanceMode::Draft,
            workstream_ids: vec![],
            version: 1,
            archived: false,
        }
    }

    fn logged(date: NaiveDate) -> Happened {
        Happened::Logged {
            date,
            kind: "Workshop".into(),
            summary: "Held".into(),
            with_link: "/organisations/o".into(),
            with_name: "Keele".into(),
        }
    }

    #[test]
    fn an_occurrence_with_nothing_a_week_on_is_missed_and_not_before() {
        let i = item(Channel::Workshop, Frequency::Monthly, d(2026, 9, 1));
        let out = outcomes(&i, &[logged(d(2026, 10, 3))], d(2026, 11, 7));
        let dates: Vec<_> = out.iter().map(|o| (o.date, o.missed, o.happened.len())).collect();
        assert_eq!(
            dates,
            vec![
                (d(2026, 11, 1), false, 0), // six days ago: not yet missed
                (d(2026, 10, 1), false, 1), // held two days late, within its month
                (d(2026, 9, 1), true, 0),
            ]
        );
        assert_eq!(missed(&out), 1);
        let out = outcomes(&i, &[logged(d(2026, 10, 3))], d(2026, 11, 8));
        assert!(out[0].missed, "seven days on, it is");
    }

    #[test]
    fn a_briefing_counts_for_the_occurrence_it_was_made_for_whenever_it_went() {
        let i = item(Channel::EmailBriefing, Frequency::Weekly, d(2026, 11, 2));
        let late = Happened::Briefing {
            id: "b".into(),
            subject: "Weekly".into(),
            occurrence: Some(d(2026, 11, 2)),
            sent_on: d(2026, 11, 12),
            reached: 40,
            ack_rate: Some(50),
        };
        let out = outcomes(&i, &[late], d(2026, 11, 20));
        let by_date: Vec<_> = out.iter().map(|o| (o.date, o.happened.len(), o.missed)).collect();
        assert_eq!(
            by_date,
            vec![
                (d(2026, 11, 16), 0, false),
                (d(2026, 11, 9), 0, true),
                (d(2026, 11, 2), 1, false)
            ]
        );
    }

    #[test]
    fn only_the_latest_occurrences_are_shown_and_a_future_start_has_none() {
        let i = item(Channel::Meeting, Frequency::Weekly, d(2026, 1, 5));
        assert_eq!(outcomes(&i, &[], d(2026, 12, 1)).len(), OCCURRENCES_SHOWN);
        let future = item(Channel::Meeting, Frequency::Once, d(2027, 1, 5));
        assert!(outcomes(&future, &[], d(2026, 12, 1)).is_empty());
    }

    #[test]
    fn a_paused_item_makes_no_promises() {
        let mut i = item(Channel::Workshop, Frequency::Monthly, d(2026, 1, 1));
        i.active = false;
        assert!(outcomes(&i, &[], d(2026, 12, 1)).is_empty());
    }
}
