//! The stakeholder register's vocabulary: organisation kinds, engagement levels, scores.
use super::closed_enum::closed_enum;
use serde::{Deserialize, Serialize};

/// The six integrated care system areas of the West Midlands, the programme's default areas:
/// offered by the audience editor, and used by the demo data.
pub const WEST_MIDLANDS_ICS_AREAS: &[&str] = &[
    "Birmingham and Solihull",
    "Black Country",
    "Coventry and Warwickshire",
    "Herefordshire and Worcestershire",
    "Shropshire, Telford and Wrekin",
    "Staffordshire and Stoke-on-Trent",
];

closed_enum!(
    /// What kind of partner an organisation is.
    OrgKind, "the kind of organisation" {
        Hei => "hei", "Higher education institution";
        AcuteTrust => "acute_trust", "Acute trust";
        CommunityTrust => "community_trust", "Community trust";
        MentalHealthTrust => "mental_health_trust", "Mental health trust";
        PrimaryCare => "primary_care", "Primary care provider";
        Icb => "icb", "Integrated care board";
        Other => "other", "Other";
    }
);

closed_enum!(
    /// Where a stakeholder stands towards the programme, in increasing order of engagement.
    Engagement, "an engagement level" {
        Unaware => "unaware", "Unaware";
        Resistant => "resistant", "Resistant";
        Neutral => "neutral", "Neutral";
        Supportive => "supportive", "Supportive";
        Leading => "leading", "Leading";
    }
);

/// An influence or interest score, 1 (low) to 5 (high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(v: u8) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&v) {
            Ok(Self(v))
        } else {
            Err(format!("Must be a whole number from {} to {}", Self::MIN, Self::MAX))
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<u8>()
            .map_err(|_| format!("Must be a whole number from {} to {}", Self::MIN, Self::MAX))
            .and_then(Self::new)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Self::new(v)
    }
}
impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

/// The power/interest grid quadrant (Mendelow): how a stakeholder should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quadrant {
    ManageClosely,
    KeepSatisfied,
    KeepInformed,
    Monitor,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [
        Quadrant::ManageClosely,
        Quadrant::KeepSatisfied,
        Quadrant::KeepInformed,
        Quadrant::Monitor,
    ];

    /// A score of this or more counts as high influence or high interest.
    pub const HIGH: u8 = 3;

    pub fn of(influence: Score, interest: Score) -> Self {
        match (influence.get() >= Self::HIGH, interest.get() >= Self::HIGH) {
            (true, true) => Quadrant::ManageClosely,
            (true, false) => Quadrant::KeepSatisfied,
            (false, true) => Quadrant::KeepInformed,
            (false, false) => Quadrant::Monitor,
        }
    }

    /// (high influence, high interest): what the quadrant means for the scores.
    pub fn highs(self) -> (bool, bool) {
        match self {
            Quadrant::ManageClosely => (true, true),
            Quadrant::KeepSatisfied => (true, false),
            Quadrant::KeepInformed => (false, true),
            Quadrant::Monitor => (false, false),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => "manage_closely",
            Quadrant::KeepSatisfied => "keep_satisfied",
            Quadrant::KeepInformed => "keep_informed",
            Quadrant::Monitor => "monitor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => "Manage closely",
            Quadrant::KeepSatisfied => "Keep satisfied",
            Quadrant::KeepInformed => "Keep informed",
            Quadrant::Monitor => "Monitor",
        }
    }
}

/// One sector's engagement: of its contacts, how many are below their target, and how many
/// are resistant now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorSummary {
    pub kind: OrgKind,
    pub contacts: u64,
    pub below_target: u64,
    pub resistant: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_keys() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.key()).unwrap(), *k);
        }
        assert_eq!(OrgKind::parse("").unwrap_err(), "Select the kind of organisation");
        assert!(OrgKind::parse("hospital").is_err());
    }

    #[test]
    fn engagement_is_ordered() {
        assert!(Engagement::Unaware < Engagement::Resistant);
        assert!(Engagement::Supportive < Engagement::Leading);
        assert_eq!(Engagement::parse("supportive").unwrap(), Engagement::Supportive);
    }

    #[test]
    fn scores_are_bounded() {
        assert!(Score::new(0).is_err());
        assert!(Score::new(6).is_err());
        assert_eq!(Score::parse(" 3 ").unwrap().get(), 3);
        assert!(Score::parse("three").is_err());
        assert!(Score::parse("-1").is_err());
        assert!(serde_json::from_str::<Score>("9").is_err());
    }

    #[test]
    fn quadrants() {
        let s = |v| Score::new(v).unwrap();
        assert_eq!(Quadrant::of(s(5), s(5)), Quadrant::ManageClosely);
        assert_eq!(Quadrant::of(s(5), s(1)), Quadrant::KeepSatisfied);
        assert_eq!(Quadrant::of(s(1), s(5)), Quadrant::KeepInformed);
        assert_eq!(Quadrant::of(s(2), s(2)), Quadrant::Monitor);
    }
}
