//! Engagement analysis across the register, the sending and the workstreams: the overview's
//! engagement panel and the programme board's quarterly report. What the briefings of a
//! period reached is kept per sending change (see [`crate::backend::freshness`]), so the
//! overview does not count a quarter's deliveries on every visit.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::board::*;
use crate::domain::interaction::InteractionKind;
use crate::domain::time::{format_london, london_date};
use crate::domain::OrgKind;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// What the briefings sent within `[from, to)` reached: each briefing, and each sector's
/// distinct contacts and acknowledgements (the register's side is not filled in).
///
/// Counting a quarter of region-sized sends (200,000 deliveries) takes seconds, and every
/// sending change (each recorded batch, each acknowledgement) makes the kept figures stale; so
/// a stale value is served at once while one background task works out the new one, and the
/// figures follow within seconds. Only the very first request for a period waits.
pub async fn reach(store: &Store, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Arc<Reach>, StoreError> {
    let cache = store.report_cache_arc();
    let period = period_key(from, to);
    match cache.get_reach(&period) {
        Some((r, true)) => return Ok(r),
        Some((r, false)) => {
            if cache.start_refresh(&period) {
                let (store, cache) = (store.clone(), cache.clone());
                tokio::spawn(async move {
                    let generation = cache.freshness_arc().current();
                    match reach_now(&store, from, to).await {
                        Ok(fresh) => cache.keep_reach(&period, generation, Arc::new(fresh)),
                        Err(e) => {
                            tracing::error!(error = %e, "working out what a period's briefings reached failed");
                            cache.end_refresh(&period);
                        }
                    }
                });
            }
            return Ok(r);
        }
        None => {}
    }
    let generation = cache.freshness_arc().current();
    let reach = Arc::new(reach_now(store, from, to).await?);
    cache.keep_reach(&period, generation, reach.clone());
    Ok(reach)
}

async fn reach_now(store: &Store, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Reach, StoreError> {
    let started = std::time::Instant::now();
    let sent = store.briefings().sent_between(from, to).await?;
    let ids: Vec<String> = sent.iter().map(|b| b.id.clone()).collect();
    // Finished sends are read from what was kept of them (repo/tallies.rs), kept here first for
    // any finished before that was (an upgrade, a missed completion); sends still going are
    // counted from their deliveries.
    let mut tallies = store.tallies().of(&ids).await?;
    let kept: HashSet<&str> = tallies.iter().map(|t| t.briefing.as_str()).collect();
    let missing: Vec<String> = sent
        .iter()
        .filter(|b| b.finished && !kept.contains(b.id.as_str()))
        .map(|b| b.id.clone())
        .collect();
    if !missing.is_empty() {
        for id in &missing {
            // One that cannot be kept now is counted from its deliveries below.
            if let Err(e) = store.tallies().keep(id).await {
                tracing::warn!(error = %e, briefing = %id, "keeping what a briefing reached failed");
            }
        }
        tallies.extend(store.tallies().of(&missing).await?);
    }
    let kept: HashSet<String> = tallies.iter().map(|t| t.briefing.clone()).collect();
    let live: Vec<String> = ids.iter().filter(|id| !kept.contains(*id)).cloned().collect();
    let rows = if live.is_empty() {
        Vec::new()
    } else {
        store.deliveries().sent_of(&live).await?
    };
    let acks = if kept.is_empty() {
        Vec::new()
    } else {
        store
            .tallies()
            .acks_of(&kept.iter().cloned().collect::<Vec<_>>())
            .await?
    };
    let tallied = started.elapsed();
    // Per briefing: delivered and acknowledged; per sector: what was asked and acknowledged
    // (briefings that asked for it) and the distinct contacts reached.
    let asks: HashMap<&str, bool> = sent.iter().map(|b| (b.id.as_str(), b.ack_required)).collect();
    let asked = |briefing: &str| asks.get(briefing).copied().unwrap_or(false);
    let mut per_briefing: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut by_kind: BTreeMap<Option<OrgKind>, SectorReach> = BTreeMap::new();
    let mut reached: HashSet<(&str, &str)> = HashSet::new();
    for r in &rows {
        let t = per_briefing.entry(r.briefing.as_str()).or_default();
        t.0 += 1;
        t.1 += u64::from(r.acknowledged);
        let kind = OrgKind::parse(&r.org_kind).ok();
        if asked(&r.briefing) {
            let s = sector(&mut by_kind, kind);
            s.asked += 1;
            s.acknowledged += u64::from(r.acknowledged);
        }
        if let Some(contact) = &r.contact {
            if reached.insert((r.org_kind.as_str(), contact.as_str())) {
                sector(&mut by_kind, kind).reached += 1;
            }
        }
    }
    // (A send with nothing delivered has one empty tally: nothing to add.)
    for t in tallies.iter().filter(|t| t.delivered > 0) {
        let delivered = u64::try_from(t.delivered).unwrap_or(0);
        per_briefing.entry(t.briefing.as_str()).or_default().0 += delivered;
        let kind = OrgKind::parse(&t.org_kind).ok();
        if asked(&t.briefing) {
            sector(&mut by_kind, kind).asked += delivered;
        }
        for contact in t.contacts.split(',').filter(|c| !c.is_empty()) {
            if reached.insert((t.org_kind.as_str(), contact)) {
                sector(&mut by_kind, kind).reached += 1;
            }
        }
    }
    for a in &acks {
        let n = u64::try_from(a.n).unwrap_or(0);
        per_briefing.entry(a.briefing.as_str()).or_default().1 += n;
        if asked(&a.briefing) {
            sector(&mut by_kind, OrgKind::parse(&a.org_kind).ok()).acknowledged += n;
        }
    }
    let briefings = sent
        .iter()
        .map(|b| {
            let (delivered, acknowledged) = per_briefing.get(b.id.as_str()).copied().unwrap_or_default();
            BriefingReach {
                id: b.id.clone(),
                subject: b.subject.clone(),
                sent_on: london_date(b.at).to_string(),
                delivered,
                acknowledged,
                ack_required: b.ack_required,
            }
        })
        .collect();
    tracing::info!(
        briefings = sent.len(),
        tallied_ms = tallied.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "worked out what a period's briefings reached"
    );
    Ok(Reach {
        briefings,
        sectors: by_kind.into_values().collect(),
    })
}

/// What a period's kept figures are filed under.
fn period_key(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!("{}..{}", from.to_rfc3339(), to.to_rfc3339())
}

fn sector(map: &mut BTreeMap<Option<OrgKind>, SectorReach>, kind: Option<OrgKind>) -> &mut SectorReach {
    map.entry(kind).or_insert_with(|| SectorReach {
        kind,
        ..Default::default()
    })
}

/// The overview's panel: reach over the last [`PANEL_DAYS`] whole days (to the end of today,
/// so the figures are kept all day), the latest briefings that asked for acknowledgement, and
/// each sector's contacts below target now.
pub async fn panel(store: &Store, now: DateTime<Utc>) -> Result<EngagementPanel, StoreError> {
    let today = london_date(now);
    let from = midnight(today - Duration::days(i64::from(PANEL_DAYS) - 1));
    let to = midnight(today + Duration::days(1));
    let reach = reach(store, from, to).await?;
    let register = store.register_view().await?.sector_summary();
    let reach = Reach::clone(&reach).with_register(register.iter().map(|s| (s.kind, s.contacts, s.below_target)));
    let latest = reach
        .briefings
        .iter()
        .rev()
        .filter(|b| b.ack_required)
        .take(LATEST_SHOWN)
        .cloned()
        .collect();
    Ok(EngagementPanel {
        days: PANEL_DAYS,
        reach,
        latest,
    })
}

/// The programme board's report for `quarter`, as the data stands at `now`. A quarter under
/// way runs to now; one in the future is empty.
pub async fn board_report(store: &Store, quarter: Quarter, now: DateTime<Utc>) -> Result<BoardReport, StoreError> {
    let (start, end) = quarter.bounds();
    let until = end.min(now).max(start);
    let reach = reach(store, start, end).await?;
    let register = store.register_view().await?;
    let summary = register.sector_summary();
    // Standings before the quarter's end: for a quarter under way that is every change so
    // far, so the period (and what is kept for it) does not move with the clock.
    let period = period_key(start, end);
    let moved = match register.movement(&period) {
        Some(m) => m,
        None => {
            let history = store.contacts().standings_before(end).await?;
            let m = Arc::new(movement(&history, start, end, &register.people()));
            register.remember_movement(&period, m.clone());
            m
        }
    };
    drop(register);
    let (movement, below) = (moved.0.clone(), &moved.1);
    let reach = Reach::clone(&reach).with_register(
        summary
            .iter()
            .map(|s| (s.kind, s.contacts, below.get(&s.kind).copied().unwrap_or(0))),
    );
    let workstreams = store.workstreams().rag_between(start, until).await?;
    let logged = store
        .interactions()
        .logged_between(None, quarter.first_day(), london_date(until).min(quarter.last_day()))
        .await?;
    let interactions = InteractionKind::ALL
        .iter()
        .map(|k| (*k, logged.iter().filter(|i| i.kind == *k).count() as u64))
        .collect();
    let overdue = store
        .interactions()
        .overdue(london_date(now))
        .await?
        .into_iter()
        .map(|i| Overdue {
            href: i.with.0.clone(),
            with: i.with.1.clone(),
            owner: i.follow_up_owner_name.clone().unwrap_or_else(|| i.author_name.clone()),
            due: i.follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            summary: i.summary,
        })
        .collect();
    Ok(BoardReport {
        quarter,
        until,
        in_progress: now < end,
        generated: format_london(now),
        reach,
        movement,
        workstreams,
        interactions,
        overdue,
    })
}
