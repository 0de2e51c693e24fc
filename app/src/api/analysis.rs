//! Stakeholder analysis over the register: the influence × interest map (with how contacts
//! moved since a date), a contact's engagement history, the overview's engagement panel and
//! the programme board's quarterly report.
use crate::domain::board::{BoardReport, EngagementPanel};
use crate::domain::query::ContactQuery;
use crate::domain::stakeholder_map::{self, StakeholderMap};
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

/// The map of the contacts a register query selects, and the date moves are shown from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    pub map: StakeholderMap,
    /// The date (YYYY-MM-DD) the arrows start from, when one was given and understood.
    pub since: Option<String>,
    /// The cell whose people are listed (and drawn one by one, to be moved), when one is chosen.
    pub chosen: Option<ChosenCell>,
    /// Whether the person looking may move people on the map (edit the register).
    pub may_move: bool,
    /// The move just made, to say what it did: after a move the map is loaded with
    /// `moved=<contact>&from=<cell>`, and the contact's name and cell now are read here.
    pub moved: Option<Placed>,
}

/// The people of one cell of the map, for moving them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenCell {
    pub cell: stakeholder_map::Cell,
    /// The first [`CHOSEN_AT_MOST`], in the register's order.
    pub people: Vec<MapPerson>,
    /// How many stand in the cell in all.
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPerson {
    pub id: String,
    pub name: String,
    pub organisation: String,
}

/// How many people of a chosen cell the page lists (a longer list is a job for the filters).
pub const CHOSEN_AT_MOST: usize = 100;

/// `since`: a date (YYYY-MM-DD); each contact's standing at the end of that day (UK time) is
/// compared with now. Anything else shows no arrows. `cell`: "influence-interest" ("4-3") to
/// list the people of that cell; anything else lists nobody.
#[server(endpoint = "analysis/map")]
pub async fn map_of_contacts(
    query: ContactQuery,
    since: String,
    #[server(default)] cell: String,
    #[server(default)] moved: String,
    #[server(default)] from: String,
) -> Result<MapView, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let moved = match (ContactId::parse(&moved), stakeholder_map::parse_cell(&from)) {
        (Ok(id), Some(from)) => ctx.store.contacts().get(&id).await.ok().map(|c| Placed {
            name: c.name.to_string(),
            from,
            to: (c.influence.get(), c.interest.get()),
        }),
        _ => None,
    };
    let since = chrono::NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d").ok();
    let then = match since {
        Some(d) => {
            let end_of_day = chrono::NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
            let at =
                crate::domain::time::london_to_utc(d, end_of_day).unwrap_or_else(|_| d.and_time(end_of_day).and_utc());
            Some(finish(ctx.store.contacts().cells_at(at).await)?)
        }
        None => None,
    };
    let map = finish(ctx.store.contacts().map(&query, then.as_ref()).await)?;
    let chosen = match stakeholder_map::parse_cell(&cell) {
        Some(cell) => {
            let (people, total) = finish(ctx.store.contacts().in_cell(&query, cell, CHOSEN_AT_MOST).await)?;
            Some(ChosenCell {
                cell,
                people: people
                    .into_iter()
                    .map(|c| MapPerson {
                        id: c.id.to_string(),
                        name: c.name.to_string(),
                        organisation: c.organisation_name.to_string(),
                    })
                    .collect(),
                total: u32::try_from(total).unwrap_or(u32::MAX),
            })
        }
        None => None,
    };
    Ok(MapView {
        map,
        since: since.map(|d| d.format("%Y-%m-%d").to_string()),
        chosen,
        may_move: crate::domain::policy::allows(&ctx.user, &Action::EditRegister),
        moved,
    })
}

/// What a move on the map did, for the page to say so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub name: String,
    pub from: stakeholder_map::Cell,
    pub to: stakeholder_map::Cell,
}

/// The map again after a move, saying what moved: `back` (the map's address with its view and
/// chosen cell) with `moved=<contact>&from=<cell>`, which `map_of_contacts` reads.
pub fn moved_href(back: &str, contact: &str, from: stakeholder_map::Cell) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    format!(
        "{back}{sep}{}",
        crate::components::url::query_string(&[("moved", contact), ("from", &stakeholder_map::cell_key(from))])
    )
}

/// Moves a contact to another cell of the influence × interest map: dragging a point (with
/// JavaScript) or the form beside each person of a chosen cell (without). Audited, and kept in
/// the contact's engagement history. A form sends `next`, the map it came from: it is loaded
/// again saying what moved (see [`moved_href`]).
#[server(endpoint = "analysis/place")]
pub async fn place_on_map(
    id: String,
    influence: String,
    interest: String,
    #[server(default)] next: String,
) -> Result<Placed, AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(ContactId::parse(&id))?;
    let mut v = crate::domain::form::Validator::new();
    let new_influence = v.check("influence", Score::parse(&influence));
    let new_interest = v.check("interest", Score::parse(&interest));
    let (Some(new_influence), Some(new_interest)) = (new_influence, new_interest) else {
        let values = [("influence", influence), ("interest", interest)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        return finish(Err(AppError::Invalid(v.into_errors(values))));
    };
    let before = finish(
        ctx.store
            .contacts()
            .place(&ctx.actor(), &id, new_influence, new_interest)
            .await,
    )?;
    let placed = Placed {
        name: before.name.to_string(),
        from: (before.influence.get(), before.interest.get()),
        to: (new_influence.get(), new_interest.get()),
    };
    if !next.is_empty() {
        leptos_axum::redirect(&crate::api::auth::safe_next(&moved_href(
            &next,
            id.as_str(),
            placed.from,
        )));
    }
    Ok(placed)
}

/// One line of a contact's engagement history: when (UK time), who, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub by: String,
    pub changes: Vec<String>,
}

/// A contact's engagement history, newest first.
#[server(endpoint = "analysis/engagement-history")]
pub async fn engagement_history(id: String) -> Result<Vec<HistoryLine>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let id = finish(ContactId::parse(&id))?;
    let changes = finish(ctx.store.contacts().engagement_history(&id).await)?;
    let mut lines: Vec<HistoryLine> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| HistoryLine {
            at: crate::domain::time::format_london(c.at),
            by: c.by.clone(),
            changes: c.describe(i.checked_sub(1).and_then(|p| changes.get(p))),
        })
        .collect();
    lines.reverse();
    Ok(lines)
}

/// The overview's engagement panel: reach and acknowledgements of the last 90 days, and who
/// is below target, by sector.
#[server(endpoint = "analysis/engagement-panel")]
pub async fn overview_engagement() -> Result<EngagementPanel, AppError> {
    let ctx = authorized(Action::ViewEngagementReport)?;
    finish(crate::backend::services::engagement::panel(&ctx.store, chrono::Utc::now()).await)
}

/// The quarterly engagement report for the programme board. `quarter`: `2026-27-Q3` (an NHS
/// financial-year quarter); blank means the quarter under way.
#[server(endpoint = "analysis/board-report")]
pub async fn quarterly_board_report(#[server(default)] quarter: String) -> Result<BoardReport, AppError> {
    use crate::domain::board::Quarter;
    let ctx = authorized(Action::ViewEngagementReport)?;
    let now = chrono::Utc::now();
    let quarter = if quarter.trim().is_empty() {
        Quarter::containing(crate::domain::time::london_date(now))
    } else {
        finish(Quarter::parse(&quarter).map_err(AppError::NotFound))?
    };
    finish(crate::backend::services::engagement::board_report(&ctx.store, quarter, now).await)
}
