//! The programme board's quarterly engagement report, and the overview's engagement panel:
//! the reporting period (an NHS financial-year quarter), what the briefings reached, how
//! stakeholders moved on the engagement scale, how the workstreams' RAG status went, what was
//! logged, and which follow-ups are overdue. Built from live data on the day it is asked for.
use super::interaction::InteractionKind;
use super::register::{Engagement, OrgKind};
use super::time::london_to_utc;
use super::workstream::{Rag, StatusUpdate};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A quarter of the NHS financial year (April to March), which is how NHS programme boards
/// report: Q1 is April to June, Q4 is January to March of the following calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    /// The calendar year the financial year starts in (2026 for 2026/27).
    year: i32,
    /// 1 to 4.
    number: u8,
}

impl Quarter {
    /// From its key, `2026-27-Q3` (the financial year, then the quarter), case-insensitively.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("\"{}\" is not a quarter: write it as 2026-27-Q3", raw.trim());
        let upper = raw.trim().to_ascii_uppercase();
        let mut parts = upper.split('-');
        let (Some(y), Some(next), Some(q), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        let next: i32 = next.parse().map_err(|_| bad())?;
        let number: u8 = q.strip_prefix('Q').and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        if !(2000..=2100).contains(&year) || next != (year + 1) % 100 || !(1..=4).contains(&number) {
            return Err(bad());
        }
        Ok(Self { year, number })
    }

    /// The quarter a day falls in.
    pub fn containing(day: NaiveDate) -> Self {
        let month = day.month();
        let (year, number) = if month >= 4 {
            (day.year(), ((month - 4) / 3 + 1) as u8)
        } else {
            (day.year() - 1, 4)
        };
        Self { year, number }
    }

    pub fn key(self) -> String {
        format!("{}-{:02}-Q{}", self.year, (self.year + 1) % 100, self.number)
    }

    /// "Q3 2026/27 (October to December 2026)".
    pub fn label(self) -> String {
        let (first, last) = (self.first_day(), self.last_day());
        format!(
            "Q{} {}/{:02} ({} to {})",
            self.number,
            self.year,
            (self.year + 1) % 100,
            first.format("%B"),
            last.format("%B %Y")
        )
    }

    pub fn first_day(self) -> NaiveDate {
        let (year, month) = match self.number {
            4 => (self.year + 1, 1),
            n => (self.year, 4 + 3 * (u32::from(n) - 1)),
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Self {
        match self.number {
            4 => Self {
                year: self.year + 1,
                number: 1,
            },
            n => Self {
                year: self.year,
                number: n + 1,
            },
        }
    }

    pub fn previous(self) -> Self {
        match self.number {
            1 => Self {
                year: self.year - 1,
                number: 4,
            },
            n => Self {
                year: self.year,
                number: n - 1,
            },
        }
    }

    /// The instants the quarter covers, `[start, end)`, from midnight UK time.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (midnight(self.first_day()), midnight(self.next().first_day()))
    }
}

/// Midnight UK time at the start of `day`, as UTC.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    london_to_utc(day, NaiveTime::MIN).unwrap_or_else(|_| day.and_time(NaiveTime::MIN).and_utc())
}

/// One briefing sent in the period, and how it was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingReach {
    pub id: String,
    pub subject: String,
    /// The day it was sent (YYYY-MM-DD, UK time).
    pub sent_on: String,
    pub delivered: u64,
    pub acknowledged: u64,
    /// Acknowledgement asked for: only then does its rate count.
    pub ack_required: bool,
}

impl BriefingReach {
    pub fn rate(&self) -> Option<u32> {
        rate(self.acknowledged, self.delivered).filter(|_| self.ack_required)
    }
}

/// One sector's figures for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SectorReach {
    pub kind: Option<OrgKind>,
    /// Contacts in the register now.
    pub contacts: u64,
    /// Distinct contacts who were sent at least one briefing in the period.
    pub reached: u64,
    /// Deliveries of briefings that asked for an acknowledgement, and how many were.
    pub asked: u64,
    pub acknowledged: u64,
    /// Contacts below their target engagement (at the end of the period).
    pub below_target: u64,
}

impl SectorReach {
    pub fn label(&self) -> &'static str {
        self.kind.map(OrgKind::label).unwrap_or("Unknown kind")
    }

    pub fn rate(&self) -> Option<u32> {
        rate(self.acknowledged, self.asked)
    }
}

/// Percent, or `None` when there is nothing to divide by.
pub fn rate(part: u64, whole: u64) -> Option<u32> {
    (part * 100).checked_div(whole).map(|r| r as u32)
}

/// What the briefings of a period reached: each briefing, and each sector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub briefings: Vec<BriefingReach>,
    /// In `OrgKind::ALL` order, every kind present in the register or reached.
    pub sectors: Vec<SectorReach>,
}

impl Reach {
    pub fn reached(&self) -> u64 {
        self.sectors.iter().map(|s| s.reached).sum()
    }

    pub fn overall_rate(&self) -> Option<u32> {
        let (a, d) = self
            .sectors
            .iter()
            .fold((0, 0), |(a, d), s| (a + s.acknowledged, d + s.asked));
        rate(a, d)
    }
}

impl Reach {
    /// Adds the register's side of each sector: `(kind, contacts now, below target)`. Every
    /// sector with contacts or reach is listed, in `OrgKind::ALL` order.
    pub fn with_register(mut self, register: impl IntoIterator<Item = (OrgKind, u64, u64)>) -> Self {
        for (kind, contacts, below) in register {
            match self.sectors.iter_mut().find(|s| s.kind == Some(kind)) {
                Some(s) => {
                    s.contacts = contacts;
                    s.below_target = below;
                }
                None => self.sectors.push(SectorReach {
                    kind: Some(kind),
                    contacts,
                    below_target: below,
                    ..Default::default()
                }),
            }
        }
        let order = |k: Option<OrgKind>| {
            k.and_then(|k| OrgKind::ALL.iter().position(|x| *x == k))
                .unwrap_or(usize::MAX)
        };
        self.sectors.sort_by_key(|s| order(s.kind));
        self.sectors.retain(|s| s.contacts > 0 || s.reached > 0 || s.asked > 0);
        self
    }
}

/// A contact's engagement at one moment: current and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub current: Engagement,
    pub target: Engagement,
}

impl Standing {
    pub fn below_target(self) -> bool {
        self.current < self.target
    }
}

/// A contact whose current engagement moved during the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub contact: String,
    pub name: String,
    pub organisation: String,
    pub from: Engagement,
    pub to: Engagement,
    pub target: Engagement,
}

/// SEAM movement over a period: who moved on the engagement scale, who joined the register,
/// and who is still below target at its end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    /// Improvements first, then by name.
    pub moves: Vec<Move>,
    pub added: u64,
    pub below_target: u64,
}

impl Movement {
    pub fn improved(&self) -> usize {
        self.moves.iter().filter(|m| m.to > m.from).count()
    }

    pub fn worsened(&self) -> usize {
        self.moves.iter().filter(|m| m.to < m.from).count()
    }
}

/// Who a contact is, as the report names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub name: String,
    pub organisation: String,
    pub kind: OrgKind,
}

/// Each contact's standing at the start and end of a period, from the engagement history
/// (`(contact, at, standing)`, oldest first): the last change before each bound. Only contacts
/// in `people` (the register now) count; also returns those below target at the end, by kind.
pub fn movement(
    history: &[(String, DateTime<Utc>, Standing)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    people: &HashMap<String, Named>,
) -> (Movement, BTreeMap<OrgKind, u64>) {
    let mut at_start: HashMap<&str, Standing> = HashMap::new();
    let mut at_end: HashMap<&str, Standing> = HashMap::new();
    for (contact, at, standing) in history {
        if *at < start {
            at_start.insert(contact, *standing);
        }
        if *at < end {
            at_end.insert(contact, *standing);
        }
    }
    let mut out = Movement::default();
    let mut below: BTreeMap<OrgKind, u64> = BTreeMap::new();
    for (contact, end_standing) in &at_end {
        let Some(person) = people.get(*contact) else { continue };
        if end_standing.below_target() {
            out.below_target += 1;
            *below.entry(person.kind).or_insert(0) += 1;
        }
        match at_start.get(contact) {
            None => out.added += 1,
            Some(s) if s.current != end_standing.current => out.moves.push(Move {
                contact: contact.to_string(),
                name: person.name.clone(),
                organisation: person.organisation.clone(),
                from: s.current,
                to: end_standing.current,
                target: end_standing.target,
            }),
            Some(_) => {}
        }
    }
    out.moves
        .sort_by(|a, b| (b.to > b.from).cmp(&(a.to > a.from)).then(a.name.cmp(&b.name)));
    (out, below)
}

/// A workstream's RAG status over the period: where it stood as the period began, and each
/// update within it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamQuarter {
    pub id: String,
    pub name: String,
    pub at_start: Option<Rag>,
    pub updates: Vec<StatusUpdate>,
}

impl WorkstreamQuarter {
    pub fn at_end(&self) -> Option<Rag> {
        self.updates
            .iter()
            .max_by_key(|u| u.at)
            .map(|u| u.rag)
            .or(self.at_start)
    }
}

/// A follow-up past its date and not done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overdue {
    /// Who it is with, and the page (a contact's or an organisation's) it is on.
    pub with: String,
    pub href: String,
    pub owner: String,
    /// YYYY-MM-DD.
    pub due: String,
    pub summary: String,
}

/// The quarterly engagement report for the programme board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardReport {
    pub quarter: Quarter,
    /// The period runs to this instant: the quarter's end, or now while it is under way.
    pub until: DateTime<Utc>,
    pub in_progress: bool,
    /// When it was put together (UK time, for the printed page).
    pub generated: String,
    pub reach: Reach,
    pub movement: Movement,
    pub workstreams: Vec<WorkstreamQuarter>,
    /// Logged interactions dated in the quarter, by kind (every kind, zero included).
    pub interactions: Vec<(InteractionKind, u64)>,
    pub overdue: Vec<Overdue>,
}

/// The overview's engagement panel: the last 90 days' reach and the latest briefings' rates,
/// and contacts below target now, by sector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementPanel {
    pub days: u32,
    pub reach: Reach,
    /// The latest briefings that asked for an acknowledgement, newest first.
    pub latest: Vec<BriefingReach>,
}

/// How many briefings the overview lists.
pub const LATEST_SHOWN: usize = 5;
/// The overview's reach window.
pub const PANEL_DAYS: u32 = 90;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarters_follow_the_nhs_financial_year() {
        let q = Quarter::containing(d(2026, 12, 2));
        assert_eq!(q.key(), "2026-27-Q3");
        assert_eq!(q.first_day(), d(2026, 10, 1));
        assert_eq!(q.last_day(), d(2026, 12, 31));
        assert_eq!(q.label(), "Q3 2026/27 (October to December 2026)");
        let q4 = Quarter::containing(d(2027, 2, 14));
        assert_eq!(q4.key(), "2026-27-Q4");
        assert_eq!(q4.first_day(), d(2027, 1, 1));
        assert_eq!(q4.last_day(), d(2027, 3, 31));
        assert_eq!(q4.next().key(), "2027-28-Q1");
        assert_eq!(q4.next().first_day(), d(2027, 4, 1));
        assert_eq!(
            Quarter::containing(d(2026, 4, 1)).previous(),
            q4.previous().previous().previous().previous()
        );
        assert_eq!(Quarter::containing(d(2026, 3, 31)).key(), "2025-26-Q4");
    }

    #[test]
    fn quarter_keys_round_trip_and_nonsense_is_refused() {
        let q = Quarter::parse("2026-27-q2").unwrap();
        assert_eq!(q.key(), "2026-27-Q2");
        assert_eq!(Quarter::parse(&q.key()).unwrap(), q);
        assert_eq!(Quarter::parse("2099-00-Q4").unwrap().next().key(), "2100-01-Q1");
        for bad in [
            "",
            "2026-Q3",
            "2026-28-Q3",
            "2026-27-Q5",
            "2026-27-Q0",
            "x-y-z",
            "2026-27-Q3-1",
            "1999-00-Q1",
        ] {
            let e = Quarter::parse(bad).unwrap_err();
            assert!(e.contains("2026-27-Q3"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_quarter_starts_at_uk_midnight() {
        // 1 July is in British Summer Time: midnight there is 23:00 UTC the day before.
        let (start, end) = Quarter::parse("2026-27-Q2").unwrap().bounds();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 9, 30, 23, 0, 0).unwrap());
        let (start, _) = Quarter::parse("2026-27-Q4").unwrap().bounds();
        assert_eq!(start, Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
    }

    fn at(m: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, day, 12, 0, 0).unwrap()
    }

    fn standing(current: Engagement, target: Engagement) -> Standing {
        Standing { current, target }
    }

    #[test]
    fn movement_compares_the_last_standing_before_each_bound() {
        use Engagement::*;
        let people: HashMap<String, Named> = ["ann", "bob", "cat", "dan"]
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    Named {
                        name: k.to_uppercase(),
                        organisation: "Org".into(),
                        kind: OrgKind::AcuteTrust,
                    },
                )
            })
            .collect();
        let history = vec![
            ("ann".to_string(), at(1, 5), standing(Neutral, Supportive)),
            ("bob".to_string(), at(2, 5), standing(Supportive, Supportive)),
            ("gone".to_string(), at(2, 6), standing(Unaware, Leading)),
            ("ann".to_string(), at(8, 1), standing(Supportive, Supportive)),
            ("bob".to_string(), at(8, 2), standing(Resistant, Supportive)),
            ("cat".to_string(), at(8, 3), standing(Unaware, Neutral)),
            // Changed within the quarter and back: no move.
            ("dan".to_string(), at(3, 1), standing(Neutral, Neutral)),
            ("dan".to_string(), at(8, 4), standing(Leading, Neutral)),
            ("dan".to_string(), at(8, 5), standing(Neutral, Neutral)),
            // After the quarter: not counted.
            ("ann".to_string(), at(11, 1), standing(Resistant, Supportive)),
        ];
        let (m, below) = movement(&history, at(7, 1), at(10, 1), &people);
        assert_eq!(m.added, 1, "cat joined in the quarter");
        assert_eq!(m.moves.len(), 2);
        assert_eq!(m.moves[0].name, "ANN", "improvements first");
        assert_eq!((m.moves[0].from, m.moves[0].to), (Neutral, Supportive));
        assert_eq!((m.moves[1].from, m.moves[1].to), (Supportive, Resistant));
        assert_eq!((m.improved(), m.worsened()), (1, 1));
        assert_eq!(m.below_target, 2, "bob and cat; the deleted contact is not counted");
        assert_eq!(below.get(&OrgKind::AcuteTrust), Some(&2));
    }

    #[test]
    fn rates_need_something_to_divide_by() {
        assert_eq!(rate(1, 3), Some(33));
        assert_eq!(rate(0, 0), None);
        let b = BriefingReach {
            id: "b".into(),
            subject: "s".into(),
            sent_on: "2026-10-01".into(),
            delivered: 4,
            acknowledged: 3,
            ack_required: false,
        };
        assert_eq!(b.rate(), None, "no acknowledgement was asked for");
        assert_eq!(
            BriefingReach {
                ack_required: true,
                ..b
            }
            .rate(),
            Some(75)
        );
    }
}
