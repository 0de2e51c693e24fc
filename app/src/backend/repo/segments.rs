//! Segments: saved audiences, and the contacts that match them now.
use super::audit::Actor;
use super::{audit_vars, checked, fold, new_key, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::plan::SegmentFilter;
use crate::domain::{Engagement, OrgKind};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub id: String,
    pub name: String,
    pub filter: SegmentFilter,
    pub count: u64,
}

#[derive(SurrealValue)]
struct Row {
    id: String,
    name: String,
    kinds: Vec<String>,
    areas: Vec<String>,
    engagement: Vec<String>,
    influence_min: i64,
    interest_min: i64,
    tags: Vec<String>,
    organisations: Vec<String>,
    count: i64,
}

impl Row {
    fn into_domain(self) -> Result<Segment, StoreError> {
        Ok(Segment {
            id: self.id,
            name: self.name,
            filter: SegmentFilter {
                kinds: self
                    .kinds
                    .iter()
                    .map(|k| stored("kinds", OrgKind::parse(k)))
                    .collect::<Result<_, _>>()?,
                areas: self.areas,
                engagement: self
                    .engagement
                    .iter()
                    .map(|e| stored("engagement", Engagement::parse(e)))
                    .collect::<Result<_, _>>()?,
                influence_min: self.influence_min.clamp(1, 5) as u8,
                interest_min: self.interest_min.clamp(1, 5) as u8,
                subscribed_only: true,
                tags: stored(
                    "tags",
                    crate::domain::Tags::from_items(self.tags.iter().map(String::as_str)),
                )?,
                organisations: self.organisations,
            },
            count: self.count.max(0) as u64,
        })
    }
}

/// The SurrealQL that reads segment `record` (an expression giving its record id) as a plain
/// object, to bind as `$s` for [`MATCH`]. Bound as a record link instead, every `$s.field` in
/// the rule would fetch the segment again, for every contact it is tried on.
pub(crate) fn load_segment(record: &str) -> String {
    format!("(SELECT * FROM ONLY {record})")
}

/// Which contacts a segment `$s` matches: the one rule used for counts, member lists and the
/// recipient list the outbox freezes.
pub(crate) const MATCH: &str = "subscribed = true
    AND (array::len($s.kinds) = 0 OR organisation.kind IN $s.kinds)
    AND (array::len($s.areas) = 0 OR organisation.area IN $s.areas)
    AND (array::len($s.engagement) = 0 OR engagement_current IN $s.engagement)
    AND influence >= $s.influence_min AND interest >= $s.interest_min
    AND (array::len($s.tags) = 0 OR array::len(array::intersect(tags, $s.tags)) > 0)
    AND (array::len($s.organisations) = 0 OR organisation IN $s.organisations)";

pub struct Segments<'a> {
    store: &'a Store,
}

impl<'a> Segments<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create(&self, actor: &Actor, name: &str, f: &SegmentFilter) -> Result<String, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 CREATE type::record('segment', $key) SET name = $name, name_key = $name_key, kinds = $kinds,
                    areas = $areas, engagement = $engagement, influence_min = $imin, interest_min = $tmin,
                    tags = $tags, organisations = $organisations.map(|$o| type::record('organisation', $o));
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("key", key.clone()))
            .bind(("name", name.trim().to_string()))
            .bind(("name_key", fold(name)))
            .bind(("kinds", f.kinds.iter().map(|k| k.key().to_string()).collect::<Vec<_>>()))
            .bind(("areas", f.areas.clone()))
            .bind((
                "engagement",
                f.engagement.iter().map(|e| e.key().to_string()).collect::<Vec<_>>(),
            ))
            .bind(("imin", f.influence_min.clamp(1, 5) as i64))
            .bind(("tmin", f.interest_min.clamp(1, 5) as i64))
            .bind(("tags", f.tags.as_slice().to_vec()))
            .bind(("organisations", f.organisations.clone()))
            .bind(audit_vars(
                actor,
                "create",
                format!("segment:{key} ({})", name.trim()),
                format!("{f:?}"),
            ))
            .await?;
        checked(res)?;
        Ok(key)
    }

    pub async fn list(&self) -> Result<Vec<Segment>, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT record::id(id) AS id, name, name_key, kinds, areas, engagement, influence_min, interest_min,
                    tags, organisations.map(|$o| record::id($o)) AS organisations, 0 AS count FROM segment ORDER BY name_key")
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut seg = row.into_domain()?;
            seg.count = self.count(&seg.id).await?;
            out.push(seg);
        }
        Ok(out)
    }

    /// How many contacts the segment matches now (subscribed only).
    pub async fn count(&self, id: &str) -> Result<u64, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "LET $s = {}; SELECT count() FROM contact WHERE {MATCH} GROUP ALL;",
                load_segment("type::record('segment', $id)")
            ))
            .bind(("id", id.to_string()))
            .await?;
        let n: Option<i64> = res.take((1, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    pub async fn get(&self, id: &str) -> Result<Segment, StoreError> {
        self.list()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(StoreError::NotFound("segment"))
    }

    /// Matching contacts (id, name, email, organisation), first `limit` by name.
    pub async fn members(&self, id: &str, limit: u32) -> Result<Vec<(String, String, String, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct M {
            id: String,
            name: String,
            email: String,
            org: String,
        }
        let mut res = self
            .store
            .db()
            .query(format!(
                "LET $s = {SEGMENT};
                 SELECT record::id(id) AS id, name, email, organisation.name AS org, name_key FROM contact
                    WHERE {MATCH} ORDER BY name_key LIMIT $limit;",
                SEGMENT = load_segment("type::record('segment', $id)")
            ))
            .bind(("id", id.to_string()))
            .bind(("limit", limit as i64))
            .await?;
        let rows: Vec<M> = res.take(1)?;
        Ok(rows.into_iter().map(|m| (m.id, m.name, m.email, m.org)).collect())
    }
}
