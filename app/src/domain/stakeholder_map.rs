//! The influence × interest map: how many contacts stand in each of the 25 cells, and how they
//! moved since a date (from the engagement history), counted per pair of cells so that a
//! crowded map shows numbers, not a pile of points.
use super::register::{Engagement, Quadrant, Score};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A cell of the grid: (influence, interest), each 1–5.
pub type Cell = (u8, u8);

/// The map's content for a set of contacts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StakeholderMap {
    /// Contacts per cell (only cells with someone in them).
    pub cells: BTreeMap<String, u32>,
    /// Contacts who moved since the chosen date: (from, to, how many), largest first.
    pub moves: Vec<(Cell, Cell, u32)>,
    pub total: u32,
}

impl StakeholderMap {
    /// `now`: each contact's cell; `then`: its cell at the chosen date, for those that had one.
    pub fn build(now: impl IntoIterator<Item = (Cell, Option<Cell>)>) -> Self {
        let mut cells: BTreeMap<String, u32> = BTreeMap::new();
        let mut moves: BTreeMap<(Cell, Cell), u32> = BTreeMap::new();
        let mut total = 0;
        for (cell, then) in now {
            total += 1;
            *cells.entry(cell_key(cell)).or_insert(0) += 1;
            if let Some(from) = then.filter(|from| *from != cell) {
                *moves.entry((from, cell)).or_insert(0) += 1;
            }
        }
        let mut moves: Vec<(Cell, Cell, u32)> = moves.into_iter().map(|((f, t), n)| (f, t, n)).collect();
        moves.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        Self { cells, moves, total }
    }

    pub fn count(&self, cell: Cell) -> u32 {
        self.cells.get(&cell_key(cell)).copied().unwrap_or(0)
    }

    /// Contacts per quadrant, in `Quadrant::ALL` order.
    pub fn by_quadrant(&self) -> Vec<(Quadrant, u32)> {
        Quadrant::ALL
            .iter()
            .map(|q| {
                let n = all_cells().filter(|c| quadrant(*c) == *q).map(|c| self.count(c)).sum();
                (*q, n)
            })
            .collect()
    }
}

/// Every cell, influence then interest, 1–5 each.
pub fn all_cells() -> impl Iterator<Item = Cell> {
    (Score::MIN..=Score::MAX).flat_map(|i| (Score::MIN..=Score::MAX).map(move |n| (i, n)))
}

/// The quadrant a cell lies in (a value outside 1–5 counts as the nearest score).
pub fn quadrant((influence, interest): Cell) -> Quadrant {
    let score = |v: u8| {
        Score::new(v.clamp(Score::MIN, Score::MAX)).unwrap_or_else(|_| unreachable!("clamped to the score range"))
    };
    Quadrant::of(score(influence), score(interest))
}

/// JSON object keys must be strings: "influence-interest". Also the map's `cell` parameter.
pub fn cell_key((i, n): Cell) -> String {
    format!("{i}-{n}")
}

/// A cell from its key ("4-3": influence 4, interest 3); anything else, or a score outside
/// 1–5, is no cell.
pub fn parse_cell(key: &str) -> Option<Cell> {
    let (i, n) = key.trim().split_once('-')?;
    let score = |v: &str| v.parse::<u8>().ok().filter(|v| (Score::MIN..=Score::MAX).contains(v));
    Some((score(i)?, score(n)?))
}

/// One recorded change of a contact's standing: the values after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementChange {
    pub at: DateTime<Utc>,
    pub by: String,
    pub influence: Score,
    pub interest: Score,
    pub current: Engagement,
    pub target: Engagement,
}

impl EngagementChange {
    /// What this change changed, against the one before it ("current: neutral → supportive");
    /// for the first, where the contact started.
    pub fn describe(&self, before: Option<&EngagementChange>) -> Vec<String> {
        let Some(b) = before else {
            return vec![format!(
                "influence {}, interest {}, {} (target {})",
                self.influence.get(),
                self.interest.get(),
                self.current.label().to_lowercase(),
                self.target.label().to_lowercase()
            )];
        };
        let mut out = Vec::new();
        if b.influence != self.influence {
            out.push(format!("influence: {} → {}", b.influence.get(), self.influence.get()));
        }
        if b.interest != self.interest {
            out.push(format!("interest: {} → {}", b.interest.get(), self.interest.get()));
        }
        if b.current != self.current {
            out.push(format!(
                "current: {} → {}",
                b.current.label().to_lowercase(),
                self.current.label().to_lowercase()
            ));
        }
        if b.target != self.target {
            out.push(format!(
                "target: {} → {}",
                b.target.label().to_lowercase(),
                self.target.label().to_lowercase()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_counted_and_moves_grouped_by_pair_of_cells() {
        let m = StakeholderMap::build(vec![
            ((5, 5), Some((3, 3))),
            ((5, 5), Some((3, 3))),
            ((5, 5), None),
            ((1, 2), Some((1, 2))),
            ((2, 2), Some((1, 1))),
        ]);
        assert_eq!(m.total, 5);
        assert_eq!((m.count((5, 5)), m.count((1, 2)), m.count((4, 4))), (3, 1, 0));
        assert_eq!(
            m.moves,
            vec![((3, 3), (5, 5), 2), ((1, 1), (2, 2), 1)],
            "staying put is no move"
        );
        let q: Vec<u32> = m.by_quadrant().into_iter().map(|(_, n)| n).collect();
        assert_eq!(
            q,
            vec![3, 0, 0, 2],
            "manage closely, keep satisfied, keep informed, monitor"
        );
        assert_eq!(all_cells().count(), 25);
    }

    #[test]
    fn a_cell_is_read_back_from_its_key_and_nothing_else_is_a_cell() {
        for cell in all_cells() {
            assert_eq!(parse_cell(&cell_key(cell)), Some(cell));
        }
        for bad in ["", "3", "3-", "-3", "0-3", "3-6", "a-b", "3-3-3", "33"] {
            assert_eq!(parse_cell(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_change_is_described_against_the_one_before() {
        let s = |v| Score::new(v).unwrap();
        let first = EngagementChange {
            at: Utc::now(),
            by: "Fern".into(),
            influence: s(3),
            interest: s(2),
            current: Engagement::Neutral,
            target: Engagement::Supportive,
        };
        let second = EngagementChange {
            influence: s(4),
            current: Engagement::Supportive,
            ..first.clone()
        };
        assert_eq!(
            second.describe(Some(&first)),
            vec!["influence: 3 → 4", "current: neutral → supportive"]
        );
        assert_eq!(
            first.describe(None),
            vec!["influence 3, interest 2, neutral (target supportive)"]
        );
    }
}
