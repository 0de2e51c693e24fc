//! A segment (a saved audience): the contacts matching every criterion that is set.
use super::register::{Engagement, OrgKind};
use serde::{Deserialize, Serialize};

/// A saved audience: contacts matching every criterion that is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFilter {
    pub kinds: Vec<OrgKind>,
    pub areas: Vec<String>,
    pub engagement: Vec<Engagement>,
    pub influence_min: u8,
    pub interest_min: u8,
    pub subscribed_only: bool,
    /// Contacts with any of these tags (none: any contact).
    pub tags: super::Tags,
    /// Contacts of these organisations (ids; none: any organisation).
    pub organisations: Vec<String>,
    /// Only contacts with a lawful basis on record.
    #[serde(default)]
    pub require_basis: bool,
}

impl SegmentFilter {
    /// Whether the audience takes `c`, whose organisation's area is `area`: the rule of the
    /// database's `MATCH` (backend `repo::segments`), which freezes recipient lists and counts
    /// audiences; this one lists an audience's members from the register view, and a test
    /// checks that the two agree.
    pub fn admits(&self, c: &super::Contact, area: Option<&str>) -> bool {
        c.subscribed
            && c.held.is_none()
            && (!self.require_basis || c.basis.is_some())
            && (self.kinds.is_empty() || self.kinds.contains(&c.organisation_kind))
            && (self.areas.is_empty() || area.is_some_and(|a| self.areas.iter().any(|x| x == a)))
            && (self.engagement.is_empty() || self.engagement.contains(&c.engagement_current))
            && c.influence.get() >= self.influence_min
            && c.interest.get() >= self.interest_min
            && (self.tags.is_empty() || c.tags.as_slice().iter().any(|t| self.tags.as_slice().contains(t)))
            && (self.organisations.is_empty() || self.organisations.iter().any(|o| o == c.organisation.as_str()))
    }
}

/// A contact an audience takes, as its page lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
}

/// An audience's page: the audience and the first of its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentPage<Row> {
    pub segment: Row,
    pub members: Vec<Member>,
}
