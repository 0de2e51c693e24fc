//! The register as the list pages read it: every organisation and contact, held in memory by
//! each process and replaced whole when the register changes.
//!
//! Why: a region's register (1,000 organisations, 10,000 contacts) is a few megabytes, and the
//! pages filter, sort, search and count it on every request. SurrealDB answered those from full
//! table scans (45–670 ms a page); here they take well under a millisecond, and every filter,
//! sort and search combination is equally fast, which no set of indexes gives.
//!
//! Staying live: see [`super::freshness`]. A stale view is rebuilt by the next request that
//! reads it, one rebuild at a time.
use super::db::Store;
use super::error::StoreError;
use super::freshness::Freshness;
use super::search::{self, Rank, SearchText};
use crate::domain::query::{ContactQuery, ContactSort, ListQuery, OrgSort};
use crate::domain::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// A contact with what the list pages compare it by, worked out once per rebuild.
pub struct ContactEntry {
    pub contact: Contact,
    /// The organisation's area, as saved.
    pub area: Option<String>,
    name_key: String,
    org_key: String,
    name_whole: String,
    name_words: Vec<String>,
    /// Name, email, job title and organisation name.
    words: Vec<String>,
}

pub struct OrgEntry {
    pub org: Organisation,
    name_key: String,
    name_whole: String,
    words: Vec<String>,
    /// ODS code (folded) and UKPRN: found when typed exactly.
    codes: Vec<String>,
}

/// One consistent read of the register.
pub struct Snapshot {
    generation: u64,
    started: Instant,
    /// In name order.
    contacts: Vec<ContactEntry>,
    /// In name order.
    orgs: Vec<OrgEntry>,
    /// Contact positions for each sort but name (which is the order of `contacts`).
    orders: HashMap<ContactSort, Vec<usize>>,
    /// Contact positions per organisation id, in name order.
    by_org: HashMap<String, Vec<usize>>,
    /// Audience counts worked out against this snapshot, by (audience id, version).
    audience_counts: Mutex<HashMap<(String, u32), u64>>,
    /// SEAM movement over a period worked out against this snapshot, by period: the
    /// engagement history only changes with a contact, which makes a new snapshot.
    movements: Mutex<HashMap<String, Arc<Moved>>>,
}

/// A period's SEAM movement, and who is below target at its end, by kind.
pub type Moved = (crate::domain::board::Movement, std::collections::BTreeMap<OrgKind, u64>);

impl Snapshot {
    pub fn build(
        generation: u64,
        started: Instant,
        rows: Vec<(Contact, Option<String>)>,
        orgs: Vec<Organisation>,
    ) -> Self {
        let mut contacts: Vec<ContactEntry> = rows
            .into_iter()
            .map(|(c, area)| {
                let name_words = search::words(c.name.as_str());
                let mut words = name_words.clone();
                words.extend(search::words(c.email.as_str()));
                if let Some(t) = &c.job_title {
                    words.extend(search::words(t.as_str()));
                }
                words.extend(search::words(c.organisation_name.as_str()));
                ContactEntry {
                    name_key: search::fold(c.name.as_str()),
                    org_key: search::fold(c.organisation_name.as_str()),
                    name_whole: search::whole(c.name.as_str()),
                    name_words,
                    words,
                    area,
                    contact: c,
                }
            })
            .collect();
        contacts.sort_by(|a, b| (&a.name_key, a.contact.id.as_str()).cmp(&(&b.name_key, b.contact.id.as_str())));
        let mut orders = HashMap::new();
        for sort in [
            ContactSort::Organisation,
            ContactSort::Influence,
            ContactSort::Interest,
            ContactSort::Gap,
        ] {
            let mut order: Vec<usize> = (0..contacts.len()).collect();
            // Stable: ties keep name order.
            order.sort_by(|&a, &b| {
                let (a, b) = (&contacts[a], &contacts[b]);
                match sort {
                    ContactSort::Organisation => a.org_key.cmp(&b.org_key),
                    ContactSort::Influence => b.contact.influence.cmp(&a.contact.influence),
                    ContactSort::Interest => b.contact.interest.cmp(&a.contact.interest),
                    ContactSort::Gap => b.contact.engagement_gap().cmp(&a.contact.engagement_gap()),
                    ContactSort::Name => std::cmp::Ordering::Equal,
                }
            });
            orders.insert(sort, order);
        }
        let mut by_org: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in contacts.iter().enumerate() {
            by_org
                .entry(c.contact.organisation.as_str().to_string())
                .or_default()
                .push(i);
        }
        let mut orgs: Vec<OrgEntry> = orgs
            .into_iter()
            .map(|mut o| {
                o.contact_count = by_org.get(o.id.as_str()).map_or(0, |v| v.len() as u32);
                OrgEntry {
                    name_key: search::fold(o.name.as_str()),
                    name_whole: search::whole(o.name.as_str()),
                    words: search::words(o.name.as_str()),
                    codes: o
                        .ods_code
                        .iter()
                        .map(|c| search::fold(c.as_str()))
                        .chain(o.ukprn.iter().map(|u| u.as_str().to_string()))
                        .collect(),
                    org: o,
                }
            })
            .collect();
        orgs.sort_by(|a, b| (&a.name_key, a.org.id.as_str()).cmp(&(&b.name_key, b.org.id.as_str())));
        Self {
            generation,
            started,
            contacts,
            orgs,
            orders,
            by_org,
            audience_counts: Mutex::new(HashMap::new()),
            movements: Mutex::new(HashMap::new()),
        }
    }

    fn admits(q: &ContactQuery, e: &ContactEntry) -> bool {
        let c = &e.contact;
        q.kind.is_none_or(|k| c.organisation_kind == k)
            && (q.area.is_empty() || e.area.as_deref() == Some(q.area.as_str()))
            && q.organisation.as_ref().is_none_or(|o| c.organisation == *o)
            && q.engagement.is_none_or(|x| c.engagement_current == x)
            && q.quadrant.is_none_or(|x| c.quadrant() == x)
            && (q.tag.is_empty() || c.tags.as_slice().contains(&q.tag))
            && q.subscribed.is_none_or(|s| c.subscribed == s)
            && (!q.below_target || c.engagement_gap() > 0)
            && (!q.held_only || c.held.is_some())
    }

    /// The contacts the query selects, in its order (best search matches first).
    fn select(&self, q: &ContactQuery) -> Vec<&ContactEntry> {
        let text = SearchText::parse(&q.search);
        let order: Box<dyn Iterator<Item = &ContactEntry>> = match self.orders.get(&q.sort) {
            Some(o) => Box::new(o.iter().map(|&i| &self.contacts[i])),
            None => Box::new(self.contacts.iter()),
        };
        if text.is_empty() {
            return order.filter(|e| Self::admits(q, e)).collect();
        }
        let mut ranked: Vec<(Rank, &ContactEntry)> = order
            .filter(|e| Self::admits(q, e))
            .filter_map(|e| text.rank(&e.name_whole, &e.name_words, &e.words).map(|r| (r, e)))
            .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranked.into_iter().map(|(_, e)| e).collect()
    }

    pub fn contacts_page(&self, q: &ContactQuery, per_page: u32) -> Page<Contact> {
        let all = self.select(q);
        page_of(all.len(), q.page, per_page, |skip, take| {
            all.iter().skip(skip).take(take).map(|e| e.contact.clone()).collect()
        })
    }

    /// The influence × interest map of the contacts the query selects; `then`: each contact's
    /// cell at the date moves are shown from. Counts in place, copying no contact.
    pub fn map(
        &self,
        q: &ContactQuery,
        then: Option<&std::collections::HashMap<String, crate::domain::stakeholder_map::Cell>>,
    ) -> crate::domain::stakeholder_map::StakeholderMap {
        crate::domain::stakeholder_map::StakeholderMap::build(self.select(q).into_iter().map(|e| {
            let c = &e.contact;
            let now = (c.influence.get(), c.interest.get());
            (now, then.and_then(|t| t.get(c.id.as_str()).copied()))
        }))
    }

    /// The contacts the query selects that stand in `cell` (at most `limit`, in the query's
    /// order), and how many stand there in all.
    pub fn in_cell(
        &self,
        q: &ContactQuery,
        cell: crate::domain::stakeholder_map::Cell,
        limit: usize,
    ) -> (Vec<Contact>, usize) {
        let there: Vec<&ContactEntry> = self
            .select(q)
            .into_iter()
            .filter(|e| (e.contact.influence.get(), e.contact.interest.get()) == cell)
            .collect();
        let people = there.iter().take(limit).map(|e| e.contact.clone()).collect();
        (people, there.len())
    }

    /// Every contact the query selects, with its organisation's area (the export).
    pub fn contacts_all(&self, q: &ContactQuery) -> Vec<(Contact, Option<String>)> {
        self.select(q)
            .into_iter()
            .map(|e| (e.contact.clone(), e.area.clone()))
            .collect()
    }

    pub fn organisations_page(&self, q: &ListQuery, sort: OrgSort, per_page: u32) -> Page<Organisation> {
        let text = SearchText::parse(&q.search);
        let code = search::fold(q.search.trim());
        let mut hits: Vec<(Rank, &OrgEntry)> = self
            .orgs
            .iter()
            .filter(|o| q.kind.is_none_or(|k| o.org.kind == k))
            .filter_map(|o| {
                if text.is_empty() {
                    Some((Rank::Words, o))
                } else if o.codes.contains(&code) {
                    Some((Rank::WholeName, o))
                } else {
                    text.rank(&o.name_whole, &o.words, &o.words).map(|r| (r, o))
                }
            })
            .collect();
        match sort {
            OrgSort::NameAsc => {}
            OrgSort::NameDesc => hits.reverse(),
            OrgSort::KindAsc => hits.sort_by(|a, b| a.1.org.kind.key().cmp(b.1.org.kind.key())),
            OrgSort::KindDesc => hits.sort_by(|a, b| b.1.org.kind.key().cmp(a.1.org.kind.key())),
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        page_of(hits.len(), q.page, per_page, |skip, take| {
            hits.iter().skip(skip).take(take).map(|(_, o)| o.org.clone()).collect()
        })
    }

    /// How many contacts an organisation has.
    pub fn contact_count_of(&self, org: &OrgId) -> u32 {
        self.by_org
            .get(org.as_str())
            .map_or(0, |v| u32::try_from(v.len()).unwrap_or(u32::MAX))
    }

    /// An organisation's contacts, in name order.
    pub fn contacts_of(&self, org: &OrgId) -> Vec<Contact> {
        self.by_org
            .get(org.as_str())
            .map(|ix| ix.iter().map(|&i| self.contacts[i].contact.clone()).collect())
            .unwrap_or_default()
    }

    /// The first `limit` contacts, by name, that an audience takes now: (id, name, email,
    /// organisation).
    pub fn members(
        &self,
        filter: &crate::domain::segment::SegmentFilter,
        limit: usize,
    ) -> Vec<crate::domain::segment::Member> {
        self.contacts
            .iter()
            .filter(|e| filter.admits(&e.contact, e.area.as_deref()))
            .take(limit)
            .map(|e| {
                let c = &e.contact;
                crate::domain::segment::Member {
                    id: c.id.as_str().to_string(),
                    name: c.name.as_str().to_string(),
                    email: c.email.as_str().to_string(),
                    organisation: c.organisation_name.as_str().to_string(),
                }
            })
            .collect()
    }

    /// (id, name) of every organisation, in name order: the organisation pickers.
    pub fn organisation_options(&self) -> Vec<(String, String)> {
        self.orgs
            .iter()
            .map(|o| (o.org.id.as_str().to_string(), o.org.name.as_str().to_string()))
            .collect()
    }

    pub fn contact_count(&self) -> u64 {
        self.contacts.len() as u64
    }

    pub fn organisation_count(&self) -> u64 {
        self.orgs.len() as u64
    }

    /// Every contact by id: name, organisation and its kind (what the board report names).
    pub fn people(&self) -> std::collections::HashMap<String, crate::domain::board::Named> {
        self.contacts
            .iter()
            .map(|e| {
                let c = &e.contact;
                (
                    c.id.to_string(),
                    crate::domain::board::Named {
                        name: c.name.to_string(),
                        organisation: c.organisation_name.to_string(),
                        kind: c.organisation_kind,
                    },
                )
            })
            .collect()
    }

    /// Each kind of organisation with contacts, and how its contacts stand.
    pub fn sector_summary(&self) -> Vec<crate::domain::register::SectorSummary> {
        let mut out: Vec<_> = OrgKind::ALL
            .iter()
            .map(|&kind| crate::domain::register::SectorSummary {
                kind,
                contacts: 0,
                below_target: 0,
                resistant: 0,
            })
            .collect();
        for e in &self.contacts {
            if let Some(row) = out.iter_mut().find(|x| x.kind == e.contact.organisation_kind) {
                row.contacts += 1;
                row.below_target += u64::from(e.contact.engagement_gap() > 0);
                row.resistant += u64::from(e.contact.engagement_current == Engagement::Resistant);
            }
        }
        out.retain(|r| r.contacts > 0);
        out
    }

    /// A period's movement against this snapshot, if it was worked out.
    pub(crate) fn movement(&self, period: &str) -> Option<Arc<Moved>> {
        self.movements.lock().ok().and_then(|m| m.get(period).cloned())
    }

    pub(crate) fn remember_movement(&self, period: &str, moved: Arc<Moved>) {
        if let Ok(mut m) = self.movements.lock() {
            m.insert(period.to_string(), moved);
        }
    }

    /// An audience's count against this snapshot, if one was worked out.
    pub(crate) fn audience_count(&self, id: &str, version: u32) -> Option<u64> {
        self.audience_counts
            .lock()
            .ok()
            .and_then(|m| m.get(&(id.to_string(), version)).copied())
    }

    pub(crate) fn remember_audience_count(&self, id: &str, version: u32, count: u64) {
        if let Ok(mut m) = self.audience_counts.lock() {
            m.insert((id.to_string(), version), count);
        }
    }
}

fn page_of<T>(total: usize, page: u32, per_page: u32, take: impl FnOnce(usize, usize) -> Vec<T>) -> Page<T> {
    let skip = (page.saturating_sub(1) as usize).saturating_mul(per_page as usize);
    Page {
        items: take(skip, per_page as usize),
        total: total as u64,
        page,
        per_page,
    }
}

/// The per-process holder of the current [`Snapshot`], shared by every clone of a [`Store`].
pub struct RegisterCache {
    freshness: Arc<Freshness>,
    current: RwLock<Option<Arc<Snapshot>>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl RegisterCache {
    pub fn new(shared: bool) -> Self {
        Self {
            freshness: Arc::new(Freshness::new(shared)),
            current: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    pub fn freshness_arc(&self) -> Arc<Freshness> {
        self.freshness.clone()
    }

    /// The current snapshot if it is still valid for a read that began at `asked`.
    fn valid(&self, asked: Instant) -> Option<Arc<Snapshot>> {
        let current = self.current.read().ok()?.clone()?;
        let fresh = current.generation == self.freshness.current();
        // Untrusted (shared database, no live query): only a rebuild begun after the read
        // was asked for can hold every change made before it.
        (fresh && (self.freshness.trusted() || current.started >= asked)).then_some(current)
    }
}

impl Store {
    /// Marks the register view stale: called by every repository write to contacts or
    /// organisations once its transaction has committed.
    pub(crate) fn register_changed(&self) {
        self.register_cache().freshness.changed();
    }

    /// The register as it is now (rebuilt first if it changed since the last read).
    pub async fn register_view(&self) -> Result<Arc<Snapshot>, StoreError> {
        let cache = self.register_cache();
        let asked = Instant::now();
        if let Some(s) = cache.valid(asked) {
            return Ok(s);
        }
        let _one_at_a_time = cache.rebuilding.lock().await;
        if let Some(s) = cache.valid(asked) {
            return Ok(s);
        }
        let generation = cache.freshness.current();
        let started = Instant::now();
        let (rows, orgs) = self.contacts().all_for_view().await?;
        let snapshot = Arc::new(Snapshot::build(generation, started, rows, orgs));
        if let Ok(mut current) = cache.current.write() {
            *current = Some(snapshot.clone());
        }
        Ok(snapshot)
    }
}
