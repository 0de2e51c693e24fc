//! Workstreams and their delivery status: RAG ratings, status updates, milestones, and the
//! rules the overview applies (current status, staleness, overdue milestones).
use super::form::{FormErrors, Validator};
use super::html::escape_html;
use super::ids::WorkstreamId;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Delivery status of a workstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rag {
    NotStarted,
    Red,
    Amber,
    Green,
    Complete,
}

impl Rag {
    pub const ALL: &'static [Rag] = &[Rag::NotStarted, Rag::Red, Rag::Amber, Rag::Green, Rag::Complete];

    pub fn key(self) -> &'static str {
        match self {
            Rag::NotStarted => "not_started",
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
            Rag::Complete => "complete",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::NotStarted => "Not started",
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
            Rag::Complete => "Complete",
        }
    }

    /// What the rating means, for people who cannot rely on colour.
    pub fn meaning(self) -> &'static str {
        match self {
            Rag::NotStarted => "work has not begun",
            Rag::Red => "off track: needs action or escalation",
            Rag::Amber => "at risk: issues being managed",
            Rag::Green => "on track",
            Rag::Complete => "delivered",
        }
    }

    pub fn tag_class(self) -> &'static str {
        match self {
            Rag::NotStarted => "tag tag--grey",
            Rag::Red => "tag tag--red",
            Rag::Amber => "tag tag--amber",
            Rag::Green => "tag tag--green",
            Rag::Complete => "tag tag--complete",
        }
    }

    /// Fill colour in the timeline chart (NHS palette).
    pub fn colour(self) -> &'static str {
        match self {
            Rag::NotStarted => "#768692",
            Rag::Red => "#d5281b",
            Rag::Amber => "#ffb81c",
            Rag::Green => "#007f3b",
            Rag::Complete => "#005eb8",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "not_started" => Ok(Rag::NotStarted),
            "red" => Ok(Rag::Red),
            "amber" => Ok(Rag::Amber),
            "green" => Ok(Rag::Green),
            "complete" => Ok(Rag::Complete),
            "" => Err("Select a RAG status".into()),
            _ => Err("Select a RAG status from the list".into()),
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

pub const SUMMARY_MAX: usize = 1000;
pub const LONG_TEXT_MAX: usize = 4000;
pub const COMMENTARY_MAX: usize = 10_000;
pub const MILESTONE_TITLE_MAX: usize = 200;

pub(crate) fn bounded(raw: &str, max: usize, required: Option<&str>, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        if let Some(msg) = required {
            return Err(msg.to_string());
        }
    }
    if s.chars().count() > max {
        return Err(format!("{what} must be {max} characters or fewer"));
    }
    Ok(s.to_string())
}

/// A valid status update, ready to be written. Never edited once written: a correction is a
/// new update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDraft {
    pub rag: Rag,
    pub summary: String,
    pub risks: String,
    pub issues: String,
    pub next_steps: String,
    /// Markdown; rendered to safe HTML on the server.
    pub commentary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusForm {
    pub rag: String,
    pub summary: String,
    pub risks: String,
    pub issues: String,
    pub next_steps: String,
    pub commentary: String,
}

impl StatusForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("rag".into(), self.rag.clone()),
            ("summary".into(), self.summary.clone()),
            ("risks".into(), self.risks.clone()),
            ("issues".into(), self.issues.clone()),
            ("next_steps".into(), self.next_steps.clone()),
            ("commentary".into(), self.commentary.clone()),
        ])
    }

    pub fn parse(&self) -> Result<StatusDraft, FormErrors> {
        let mut v = Validator::new();
        let rag = v.check("rag", Rag::parse(&self.rag));
        let summary = v.check(
            "summary",
            bounded(
                &self.summary,
                SUMMARY_MAX,
                Some("Enter a summary of progress"),
                "Summary",
            ),
        );
        let risks = v.check("risks", bounded(&self.risks, LONG_TEXT_MAX, None, "Risks"));
        let issues = v.check("issues", bounded(&self.issues, LONG_TEXT_MAX, None, "Issues"));
        let next_steps = v.check(
            "next_steps",
            bounded(&self.next_steps, LONG_TEXT_MAX, None, "Next steps"),
        );
        let commentary = v.check(
            "commentary",
            bounded(&self.commentary, COMMENTARY_MAX, None, "Commentary"),
        );
        match (rag, summary, risks, issues, next_steps, commentary) {
            (Some(rag), Some(summary), Some(risks), Some(issues), Some(next_steps), Some(commentary)) => {
                Ok(StatusDraft {
                    rag,
                    summary,
                    risks,
                    issues,
                    next_steps,
                    commentary,
                })
            }
            _ => Err(v.into_errors(self.values())),
        }
    }
}

/// A milestone to add: a title and a calendar due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneDraft {
    pub title: String,
    pub due: NaiveDate,
}

/// Parses an ISO calendar date (what `<input type="date">` sends).
pub fn parse_date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("The {what} must be a real date, like 2027-09-30"))
}

pub fn parse_milestone(title: &str, due: &str) -> Result<MilestoneDraft, FormErrors> {
    let mut v = Validator::new();
    let t = v.check(
        "title",
        bounded(title, MILESTONE_TITLE_MAX, Some("Enter the milestone"), "Milestone"),
    );
    let d = v.check("due", parse_date(due, "due date"));
    match (t, d) {
        (Some(title), Some(due)) => Ok(MilestoneDraft { title, due }),
        _ => Err(v.into_errors(BTreeMap::from([
            ("title".into(), title.into()),
            ("due".into(), due.into()),
        ]))),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
    /// Incremented by every edit: a save that names an older version is refused.
    #[serde(default)]
    pub version: u32,
}

impl Milestone {
    /// The done date an edit saves for `status` ("done" or "open"): a milestone already done
    /// keeps the day it was done; one newly marked done is done today (UK).
    pub fn done_after_edit(&self, status: &str, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
        match status {
            "done" => Ok(Some(self.done.unwrap_or(today))),
            "open" => Ok(None),
            _ => Err("Choose whether the milestone is done".into()),
        }
    }

    /// Overdue: not done, and its due date has passed in the programme's calendar (UK time,
    /// so just after midnight BST on the 25th, a milestone due on the 24th is overdue even
    /// though it is still the 24th in UTC).
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.done.is_none() && self.due < today_in_london(now)
    }
}

pub fn today_in_london(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&London).date_naive()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub id: String,
    pub rag: Rag,
    pub summary: String,
    pub risks: String,
    pub issues: String,
    pub next_steps: String,
    pub commentary: String,
    /// `commentary` rendered to sanitised HTML by the server.
    pub commentary_html: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// The current status is the latest update (ties broken by id so the answer is stable).
pub fn current(updates: &[StatusUpdate]) -> Option<&StatusUpdate> {
    updates
        .iter()
        .max_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)))
}

/// Stale: no update at all, or the latest is older than `stale_days` whole days.
pub fn is_stale(last_update: Option<DateTime<Utc>>, now: DateTime<Utc>, stale_days: u32) -> bool {
    match last_update {
        None => true,
        Some(t) => now - t > chrono::Duration::days(stale_days as i64),
    }
}

/// Whether a workstream's leads are due an email nudge: nothing was posted for more than
/// `stale_days` (`last`: the newest update, or when the workstream was set up if it has none),
/// and they were not nudged since that update, nor within the last `stale_days`. So a silent
/// workstream nudges once per stale period, and an update resets it.
pub fn nudge_due(last: DateTime<Utc>, nudged_at: Option<DateTime<Utc>>, now: DateTime<Utc>, stale_days: u32) -> bool {
    let period = chrono::Duration::days(stale_days as i64);
    now - last > period && nudged_at.is_none_or(|n| n < last || now - n >= period)
}

/// Who was last nudged about a stale workstream, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nudged {
    pub at: DateTime<Utc>,
    /// The leads emailed, by name.
    pub to: String,
}

/// Milestones not yet done, earliest first.
pub fn upcoming(milestones: &[Milestone]) -> Vec<&Milestone> {
    let mut open: Vec<&Milestone> = milestones.iter().filter(|m| m.done.is_none()).collect();
    open.sort_by_key(|m| m.due);
    open
}

/// Everything the overview and a workstream's page show about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamView {
    pub id: WorkstreamId,
    pub name: String,
    pub aim: String,
    pub lead_name: Option<String>,
    pub milestones: Vec<Milestone>,
    /// The newest [`UPDATES_SHOWN`], newest first.
    pub updates: Vec<StatusUpdate>,
    /// How many updates were ever posted (the history is kept whole; pages show the newest).
    pub update_count: u64,
    /// The last email nudge to its leads about a stale status.
    #[serde(default)]
    pub nudged: Option<Nudged>,
}

/// Status updates read per workstream for its page, the overview and the briefings: a
/// workstream posts about one a fortnight, so this is more than a year of history, and a page
/// never renders the Markdown of every update ever posted.
pub const UPDATES_SHOWN: u32 = 30;

/// A workstream's short status, for the overview and for email briefings: one source, two
/// renderings (plain text and HTML), with user text escaped in the HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub name: String,
    pub rag: Option<Rag>,
    pub updated: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub next_milestones: Vec<(String, NaiveDate)>,
    pub overdue: Vec<(String, NaiveDate)>,
}

impl Digest {
    pub fn of(w: &WorkstreamView, now: DateTime<Utc>) -> Self {
        let cur = current(&w.updates);
        let open = upcoming(&w.milestones);
        Digest {
            name: w.name.clone(),
            rag: cur.map(|u| u.rag),
            updated: cur.map(|u| u.at),
            summary: cur.map(|u| u.summary.clone()),
            next_milestones: open
                .iter()
                .filter(|m| !m.is_overdue(now))
                .take(2)
                .map(|m| (m.title.clone(), m.due))
                .collect(),
            overdue: open
                .iter()
                .filter(|m| m.is_overdue(now))
                .map(|m| (m.title.clone(), m.due))
                .collect(),
        }
    }

    fn lines(&self) -> (String, Vec<(String, String)>) {
        let status = match self.rag {
            Some(r) => format!("{} ({})", r.label(), r.meaning()),
            None => "No status reported yet".to_string(),
        };
        let mut rows = vec![("Status".to_string(), status)];
        if let Some(t) = self.updated {
            rows.push(("Updated".into(), super::time::format_london(t)));
        }
        if let Some(s) = &self.summary {
            rows.push(("Summary".into(), s.clone()));
        }
        for (title, due) in &self.next_milestones {
            rows.push((
                "Next milestone".into(),
                format!("{title}, due {}", due.format("%-d %b %Y")),
            ));
        }
        for (title, due) in &self.overdue {
            rows.push((
                "Overdue".into(),
                format!("{title}, was due {}", due.format("%-d %b %Y")),
            ));
        }
        (self.name.clone(), rows)
    }

    pub fn to_text(&self) -> String {
        let (name, rows) = self.lines();
        let mut out = format!("{name}\n{}\n", "-".repeat(name.chars().count()));
        for (k, v) in rows {
            out.push_str(&format!("{k}: {v}\n"));
        }
        out
    }

    pub fn to_html(&self) -> String {
        let (name, rows) = self.lines();
        let mut out = format!("<h3>{}</h3>\n<dl>\n", escape_html(&name));
        for (k, v) in rows {
            out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape_html(&k), escape_html(&v)));
        }
        out.push_str("</dl>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn update(id: &str, rag: Rag, at: DateTime<Utc>) -> StatusUpdate {
        StatusUpdate {
            id: id.into(),
            rag,
            summary: format!("summary {id}"),
            risks: String::new(),
            issues: String::new(),
            next_steps: String::new(),
            commentary: String::new(),
            commentary_html: String::new(),
            author: "A".into(),
            at,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn ms(due: NaiveDate, done: Option<NaiveDate>) -> Milestone {
        Milestone {
            id: "m".into(),
            title: "M".into(),
            due,
            done,
            version: 1,
        }
    }

    #[test]
    fn the_current_status_is_the_latest_update() {
        let ups = vec![
            update("a", Rag::Green, utc(2026, 1, 1, 9, 0)),
            update("b", Rag::Amber, utc(2026, 2, 1, 9, 0)),
            update("c", Rag::Red, utc(2026, 1, 15, 9, 0)),
        ];
        assert_eq!(current(&ups).unwrap().rag, Rag::Amber);
        assert!(current(&[]).is_none());
    }

    #[test]
    fn a_silent_workstream_nudges_once_per_stale_period_and_an_update_resets_it() {
        let last = utc(2026, 3, 1, 9, 0);
        assert!(!nudge_due(last, None, utc(2026, 3, 15, 9, 0), 14), "not yet stale");
        assert!(nudge_due(last, None, utc(2026, 3, 15, 10, 0), 14));
        let nudged = Some(utc(2026, 3, 15, 10, 0));
        assert!(!nudge_due(last, nudged, utc(2026, 3, 20, 10, 0), 14), "once per period");
        assert!(
            nudge_due(last, nudged, utc(2026, 3, 29, 10, 0), 14),
            "again a period later"
        );
        // An update after the nudge, itself stale now: nudged again at once.
        assert!(nudge_due(utc(2026, 3, 16, 9, 0), nudged, utc(2026, 3, 31, 9, 0), 14));
    }

    #[test]
    fn staleness_counts_whole_days() {
        let now = utc(2026, 3, 20, 12, 0);
        assert!(is_stale(None, now, 14));
        assert!(
            !is_stale(Some(utc(2026, 3, 6, 12, 0)), now, 14),
            "exactly 14 days is not stale"
        );
        assert!(is_stale(Some(utc(2026, 3, 6, 11, 59)), now, 14));
    }

    #[test]
    fn overdue_uses_the_uk_calendar_across_clock_changes() {
        let due = NaiveDate::from_ymd_opt(2026, 10, 24).unwrap();
        // 24 Oct 2026 23:30 UTC is 00:30 BST on the 25th: the due date has passed in the UK.
        assert!(ms(due, None).is_overdue(utc(2026, 10, 24, 23, 30)));
        assert!(
            !ms(due, None).is_overdue(utc(2026, 10, 24, 22, 30)),
            "23:30 BST on the 24th"
        );
        // After the clock goes back (GMT), 23:30 UTC on the 25th is still the 25th.
        let due = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert!(!ms(due, None).is_overdue(utc(2026, 10, 25, 23, 30)));
        // Spring forward (28 Mar 2027, 01:00 UTC): before it, 00:30 UTC is 00:30 GMT on the
        // 28th; after it, 23:30 UTC is already 00:30 BST on the 29th.
        let due = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        assert!(!ms(due, None).is_overdue(utc(2027, 3, 28, 0, 30)));
        assert!(ms(due, None).is_overdue(utc(2027, 3, 28, 23, 30)));
    }

    #[test]
    fn done_milestones_are_never_overdue() {
        let due = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(!ms(due, Some(due)).is_overdue(utc(2026, 6, 1, 0, 0)));
    }

    #[test]
    fn forms_name_bad_fields() {
        let e = StatusForm {
            rag: "purple".into(),
            summary: " ".into(),
            risks: "x".repeat(LONG_TEXT_MAX + 1),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.message_for("rag"), Some("Select a RAG status from the list"));
        assert_eq!(e.message_for("summary"), Some("Enter a summary of progress"));
        assert_eq!(e.message_for("risks"), Some("Risks must be 4000 characters or fewer"));
        let ok = StatusForm {
            rag: "amber".into(),
            summary: "On the way".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.rag, Rag::Amber);
        assert!(parse_milestone("Intake ready", "2027-02-30")
            .unwrap_err()
            .message_for("due")
            .unwrap()
            .contains("real date"));
        assert!(parse_milestone("Intake ready", "next week").is_err());
        assert_eq!(
            parse_milestone("Intake ready", "2027-09-01").unwrap().due,
            NaiveDate::from_ymd_opt(2027, 9, 1).unwrap()
        );
    }

    #[test]
    fn the_digest_renders_text_and_escaped_html_from_one_source() {
        let w = WorkstreamView {
            id: WorkstreamId::parse("w1").unwrap(),
            name: "HEI workshops".into(),
            aim: String::new(),
            lead_name: None,
            update_count: 0,
            milestones: vec![
                Milestone {
                    id: "1".into(),
                    title: "PgCert <outcomes> agreed".into(),
                    due: NaiveDate::from_ymd_opt(2027, 1, 10).unwrap(),
                    done: None,
                    version: 1,
                },
                Milestone {
                    id: "2".into(),
                    title: "Old".into(),
                    due: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
                    done: None,
                    version: 1,
                },
            ],
            updates: vec![update("a", Rag::Amber, utc(2026, 11, 20, 10, 0))],
            nudged: None,
        };
        let d = Digest::of(&w, utc(2026, 11, 25, 10, 0));
        let text = d.to_text();
        assert!(text.contains("Status: Amber (at risk: issues being managed)"), "{text}");
        assert!(
            text.contains("Next milestone: PgCert <outcomes> agreed, due 10 Jan 2027"),
            "{text}"
        );
        assert!(text.contains("Overdue: Old, was due 10 Jan 2026"), "{text}");
        let html = d.to_html();
        assert!(html.contains("PgCert &lt;outcomes&gt; agreed"), "{html}");
        assert!(!html.contains("<outcomes>"));
    }

    #[test]
    fn an_edit_keeps_the_day_a_milestone_was_done() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let earlier = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            ms(earlier, Some(earlier)).done_after_edit("done", today),
            Ok(Some(earlier))
        );
        assert_eq!(ms(earlier, None).done_after_edit("done", today), Ok(Some(today)));
        assert_eq!(ms(earlier, Some(earlier)).done_after_edit("open", today), Ok(None));
        assert!(ms(earlier, None).done_after_edit("maybe", today).is_err());
    }
}
