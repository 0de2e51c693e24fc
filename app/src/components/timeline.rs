//! A workstream's RAG history as an inline SVG bar, rendered on the server (it reads without
//! JavaScript), with the same history as text for screen readers.
use crate::domain::time::format_london;
use crate::domain::workstream::{Rag, StatusUpdate};
use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 28.0;

/// Segments `(from, to, rag)` covering `[start, now]`; the time before the first update has
/// the status `initial` (the one in force at `start`, if known).
pub fn segments(
    updates: &[StatusUpdate],
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    initial: Option<Rag>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, Option<Rag>)> {
    let mut ups: Vec<&StatusUpdate> = updates.iter().filter(|u| u.at <= now).collect();
    ups.sort_by_key(|u| u.at);
    let mut out = Vec::new();
    let mut cursor = start;
    let mut rag: Option<Rag> = initial;
    for u in ups {
        if u.at > cursor {
            out.push((cursor, u.at, rag));
            cursor = u.at;
        }
        rag = Some(u.rag);
    }
    if now > cursor {
        out.push((cursor, now, rag));
    }
    out
}

#[component]
pub fn RagTimeline(
    updates: Vec<StatusUpdate>,
    now: DateTime<Utc>,
    #[prop(into)] label: String,
    /// Where the bar starts (by default: the first update or 90 days back, whichever is earlier).
    #[prop(optional)]
    from: Option<DateTime<Utc>>,
    /// The right-hand end's label (by default "today").
    #[prop(optional, into)]
    end_label: Option<String>,
    /// The status in force where the bar starts (an update posted before it).
    #[prop(default = None)]
    initial: Option<Rag>,
) -> impl IntoView {
    let earliest = updates.iter().map(|u| u.at).min().unwrap_or(now);
    let start = from.unwrap_or_else(|| earliest.min(now - Duration::days(90)) - Duration::days(1));
    let end_label = end_label.unwrap_or_else(|| "today".into());
    let span = (now - start).num_seconds().max(1) as f64;
    let x = move |t: DateTime<Utc>| ((t - start).num_seconds() as f64 / span) * WIDTH;
    let segs = segments(&updates, start, now, initial);
    let mut history: Vec<(Rag, DateTime<Utc>)> = updates.iter().map(|u| (u.rag, u.at)).collect();
    history.extend(initial.map(|rag| (rag, start)));
    history.sort_by_key(|(_, at)| *at);
    let description = if history.is_empty() {
        format!("{label}: no status reported yet.")
    } else {
        let parts: Vec<String> = history
            .iter()
            .map(|(rag, at)| format!("{} from {}", rag.label(), format_london(*at)))
            .collect();
        format!("{label}: {}.", parts.join("; "))
    };
    // The day in the UK: a quarter starting at midnight BST is 23:00 the day before in UTC.
    let start_label = crate::domain::time::london_date(start).format("%-d %b %Y").to_string();
    view! {
        <figure class="rag-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 18.0)
                width="100%"
                role="img"
                aria-label=description.clone()
                xmlns="http://www.w3.org/2000/svg"
            >
                {segs
                    .into_iter()
                    .map(|(from, to, rag)| {
                        let (x0, x1) = (x(from), x(to));
                        let fill = rag.map(|r| r.colour()).unwrap_or("#d8dde0");
                        view! {
                            <rect
                                x=format!("{x0:.1}")
                                y="0"
                                width=format!("{:.1}", (x1 - x0).max(0.5))
                                height=HEIGHT
                                fill=fill
                            />
                        }
                    })
                    .collect_view()}
                <text x="0" y=HEIGHT + 14.0 font-size="11">
                    {start_label}
                </text>
                <text x=WIDTH y=HEIGHT + 14.0 font-size="11" text-anchor="end">
                    {end_label}
                </text>
            </svg>
            <figcaption class="visually-hidden">{description}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn up(rag: Rag, day: u32) -> StatusUpdate {
        StatusUpdate {
            id: day.to_string(),
            rag,
            summary: String::new(),
            risks: String::new(),
            issues: String::new(),
            next_steps: String::new(),
            commentary: String::new(),
            commentary_html: String::new(),
            author: String::new(),
            at: Utc.with_ymd_and_hms(2026, 6, day, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn segments_cover_the_whole_range_in_order() {
        let start = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap();
        let s = segments(&[up(Rag::Amber, 20), up(Rag::Green, 10)], start, now, None);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].2, None);
        assert_eq!(s[1].2, Some(Rag::Green));
        assert_eq!(s[2].2, Some(Rag::Amber));
        assert_eq!(s[0].0, start);
        assert_eq!(s[2].1, now);
    }
}
