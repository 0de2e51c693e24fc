//! The plan against what happened: each plan item's past occurrences with the briefings sent
//! and interactions logged for them (reach and acknowledgement from the briefings' kept
//! reports), and which were missed.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::plan::PlanItem;
use crate::domain::plan_outcome::{outcomes, Happened, OccurrenceOutcome};
use chrono::NaiveDate;
use std::collections::HashMap;

/// For each of `items` (in order), its latest past occurrences and what happened for each.
pub async fn plan_outcomes(
    store: &Store,
    items: &[PlanItem],
    today: NaiveDate,
) -> Result<Vec<Vec<OccurrenceOutcome>>, StoreError> {
    let (briefings, interactions) = store.plan().evidence().await?;
    let mut by_item: HashMap<String, Vec<Happened>> = HashMap::new();
    for b in briefings {
        let Some(at) = b.at else { continue };
        let report = super::reports::report(store, &b.id).await?;
        // The board report's percentage, so one briefing shows one rate everywhere.
        let ack_rate = crate::domain::board::rate(report.acknowledged, report.sent).filter(|_| b.ack_required);
        by_item.entry(b.plan_item).or_default().push(Happened::Briefing {
            id: b.id,
            subject: b.subject,
            occurrence: b
                .occurrence
                .as_deref()
                .and_then(|o| NaiveDate::parse_from_str(o, "%Y-%m-%d").ok()),
            sent_on: crate::domain::workstream::today_in_london(at),
            reached: report.sent,
            ack_rate,
        });
    }
    for i in interactions {
        let Some(date) = i
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            continue;
        };
        let kind = crate::domain::interaction::InteractionKind::parse(&i.kind)
            .map(|k| k.label().to_string())
            .unwrap_or(i.kind);
        by_item.entry(i.plan_item).or_default().push(Happened::Logged {
            date,
            kind,
            summary: i.summary,
            with_link: i.with_link,
            with_name: i.with_name,
        });
    }
    Ok(items
        .iter()
        .map(|item| outcomes(item, by_item.get(&item.id).map(Vec::as_slice).unwrap_or(&[]), today))
        .collect())
}
