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
