//! Queries of the register's list pages, parsed from the URL once: what the pages send, the
//! server functions receive and the repositories run. Closed sets, so a URL cannot inject an
//! ORDER BY.
use super::OrgKind;
use serde::{Deserialize, Serialize};

/// How the organisation list is sorted (a closed set: the URL cannot inject an ORDER BY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgSort {
    NameAsc,
    NameDesc,
    KindAsc,
    KindDesc,
}

impl OrgSort {
    pub fn parse(s: &str) -> Self {
        match s {
            "name_desc" => OrgSort::NameDesc,
            "kind" => OrgSort::KindAsc,
            "kind_desc" => OrgSort::KindDesc,
            _ => OrgSort::NameAsc,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            OrgSort::NameAsc => "name",
            OrgSort::NameDesc => "name_desc",
            OrgSort::KindAsc => "kind",
            OrgSort::KindDesc => "kind_desc",
        }
    }
}

pub const PER_PAGE: u32 = 25;

/// Query of a list page, parsed from the URL once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListQuery {
    pub search: String,
    pub kind: Option<OrgKind>,
    pub page: u32,
}

impl ListQuery {
    pub fn new(search: &str, kind: &str, page: &str) -> Self {
        Self {
            search: search.trim().chars().take(100).collect(),
            kind: OrgKind::parse(kind).ok(),
            page: page.parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1),
        }
    }
}

/// How the contact list is sorted (a closed set: the URL cannot inject an ORDER BY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ContactSort {
    #[default]
    Name,
    Organisation,
    /// Highest first, as the stakeholder map reads.
    Influence,
    Interest,
    /// Furthest below target first.
    Gap,
}

impl ContactSort {
    pub const ALL: [ContactSort; 5] = [
        ContactSort::Name,
        ContactSort::Organisation,
        ContactSort::Influence,
        ContactSort::Interest,
        ContactSort::Gap,
    ];

    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|x| x.key() == s).unwrap_or_default()
    }

    pub fn key(self) -> &'static str {
        match self {
            ContactSort::Name => "name",
            ContactSort::Organisation => "organisation",
            ContactSort::Influence => "influence",
            ContactSort::Interest => "interest",
            ContactSort::Gap => "gap",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactSort::Name => "Name",
            ContactSort::Organisation => "Organisation",
            ContactSort::Influence => "Influence (highest first)",
            ContactSort::Interest => "Interest (highest first)",
            ContactSort::Gap => "Engagement gap (furthest below target first)",
        }
    }
}

/// The contact list's filters and sort, parsed from the URL once (every field optional, so a
/// bookmarked or shared view keeps working as filters are added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ContactQuery {
    pub search: String,
    pub kind: Option<OrgKind>,
    /// An organisation's area, exactly as saved.
    pub area: String,
    pub organisation: Option<super::OrgId>,
    pub engagement: Option<super::Engagement>,
    pub quadrant: Option<super::Quadrant>,
    /// Contacts with this tag (normalised as tags are).
    pub tag: String,
    pub subscribed: Option<bool>,
    /// Only contacts whose current engagement is below their target.
    pub below_target: bool,
    /// Only contacts whose address is held (it bounced): undeliverable.
    pub held_only: bool,
    pub sort: ContactSort,
    pub page: u32,
}

impl ContactQuery {
    /// From the URL's query parameters (unknown or invalid values are ignored).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).unwrap_or_default().trim().chars().take(100).collect::<String>();
        Self {
            search: text("q"),
            kind: OrgKind::parse(&text("kind")).ok(),
            area: text("area"),
            organisation: super::OrgId::parse(&text("org")).ok(),
            engagement: super::Engagement::parse(&text("engagement")).ok(),
            quadrant: super::Quadrant::parse(&text("quadrant")),
            tag: super::Tags::parse(&text("tag"))
                .ok()
                .and_then(|t| t.as_slice().first().cloned())
                .unwrap_or_default(),
            subscribed: match text("subscribed").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            below_target: text("below") == "1",
            held_only: text("held") == "1",
            sort: ContactSort::parse(&text("sort")),
            page: text("page").parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// The URL query of this view without its page (for the pages' links and the export).
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.search.clone()),
            ("kind", self.kind.map(|k| k.key().to_string()).unwrap_or_default()),
            ("area", self.area.clone()),
            (
                "org",
                self.organisation.as_ref().map(|o| o.to_string()).unwrap_or_default(),
            ),
            (
                "engagement",
                self.engagement.map(|e| e.key().to_string()).unwrap_or_default(),
            ),
            (
                "quadrant",
                self.quadrant.map(|q| q.key().to_string()).unwrap_or_default(),
            ),
            ("tag", self.tag.clone()),
            (
                "subscribed",
                match self.subscribed {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
            ),
            ("below", if self.below_target { "1".into() } else { String::new() }),
            ("held", if self.held_only { "1".into() } else { String::new() }),
            (
                "sort",
                if self.sort == ContactSort::Name {
                    String::new()
                } else {
                    self.sort.key().to_string()
                },
            ),
        ]
    }

    /// Whether any filter narrows the list (an empty result then means "no match", not "empty
    /// register").
    pub fn is_filtered(&self) -> bool {
        self.to_params().iter().any(|(k, v)| *k != "sort" && !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_contact_view_round_trips_through_its_url_and_ignores_junk() {
        let url: HashMap<&str, &str> = HashMap::from([
            ("q", " zoe "),
            ("kind", "acute_trust"),
            ("area", "Black Country"),
            ("engagement", "neutral"),
            ("quadrant", "keep_satisfied"),
            ("tag", "Course  Lead"),
            ("subscribed", "no"),
            ("below", "1"),
            ("held", "1"),
            ("sort", "gap"),
            ("page", "3"),
        ]);
        let q = ContactQuery::from_params(|k| url.get(k).map(|v| v.to_string()));
        assert_eq!(q.search, "zoe");
        assert_eq!(q.tag, "course lead");
        assert_eq!(q.quadrant, Some(super::super::Quadrant::KeepSatisfied));
        assert!(q.held_only);
        assert_eq!(
            (q.subscribed, q.below_target, q.sort, q.page),
            (Some(false), true, ContactSort::Gap, 3)
        );
        let params: HashMap<&str, String> = q.to_params().into_iter().collect();
        let again = ContactQuery::from_params(|k| params.get(k).cloned().filter(|v| !v.is_empty()));
        assert_eq!(again, ContactQuery { page: 1, ..q });

        let junk: HashMap<&str, &str> = HashMap::from([
            ("kind", "castle"),
            ("sort", "name; DROP"),
            ("page", "-1"),
            ("quadrant", "x"),
        ]);
        let q = ContactQuery::from_params(|k| junk.get(k).map(|v| v.to_string()));
        assert_eq!(
            q,
            ContactQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert!(!q.is_filtered());
    }
}
