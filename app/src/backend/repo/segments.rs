//! Segments: saved audiences, and the contacts that match them now.
use super::audit::Actor;
use super::{audit_vars, checked, diff, fold, new_key, stale_check, stored, AUDIT_SQL, REMOVAL_AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audience::SegmentDraft;
use crate::domain::audit::AuditAction;
use crate::domain::segment::SegmentFilter;
use crate::domain::{Engagement, OrgKind};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub id: String,
    pub name: String,
    pub filter: SegmentFilter,
    pub count: u64,
    /// Incremented by every edit: a save that names an older version is refused.
    pub version: u32,
    /// Archived audiences keep the briefings and plan items that used them, but are offered
    /// for nothing new.
    pub archived: bool,
}

/// What removing an audience did: one that nothing used is deleted, one that a briefing or a
/// plan item used is archived so their history stays whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    Archived,
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
    require_basis: Option<bool>,
    count: i64,
    version: Option<i64>,
    archived: Option<bool>,
}

const FIELDS: &str = "record::id(id) AS id, name, name_key, kinds, areas, engagement, influence_min, interest_min,
    tags, organisations.map(|$o| record::id($o)) AS organisations, require_basis, 0 AS count, version, archived";

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
                require_basis: self.require_basis.unwrap_or(false),
            },
            count: self.count.max(0) as u64,
            version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
            archived: self.archived.unwrap_or(false),
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
pub(crate) const MATCH: &str = "subscribed = true AND held_since = NONE
    AND (array::len($s.kinds) = 0 OR organisation.kind IN $s.kinds)
    AND (array::len($s.areas) = 0 OR organisation.area IN $s.areas)
    AND (array::len($s.engagement) = 0 OR engagement_current IN $s.engagement)
    AND influence >= $s.influence_min AND interest >= $s.interest_min
    AND (array::len($s.tags) = 0 OR array::len(array::intersect(tags, $s.tags)) > 0)
    AND (array::len($s.organisations) = 0 OR organisation IN $s.organisations)
    AND ($s.require_basis != true OR lawful_basis != NONE)";

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
                    tags = $tags, organisations = $organisations.map(|$o| type::record('organisation', $o)),
                    require_basis = $require_basis;
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
            .bind(("require_basis", f.require_basis))
            .bind(audit_vars(
                actor,
                AuditAction::Create,
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
            .query(format!("SELECT {FIELDS} FROM segment ORDER BY name_key"))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut seg = row.into_domain()?;
            seg.count = self.live_count(&seg).await?;
            out.push(seg);
        }
        Ok(out)
    }

    /// How many contacts the audience matches now: counted by [`MATCH`] once per version of
    /// the audience and of the register (see `register_view`), so it is never stale and a
    /// page listing many audiences does not scan the contacts for each of them.
    async fn live_count(&self, seg: &Segment) -> Result<u64, StoreError> {
        let view = self.store.register_view().await?;
        if let Some(n) = view.audience_count(&seg.id, seg.version) {
            return Ok(n);
        }
        let n = self.count(&seg.id).await?;
        view.remember_audience_count(&seg.id, seg.version, n);
        Ok(n)
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
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {FIELDS} FROM ONLY type::record('segment', $id)"))
            .bind(("id", id.to_string()))
            .await?;
        let row: Option<Row> = res.take(0)?;
        let mut seg = row.ok_or(StoreError::NotFound("audience"))?.into_domain()?;
        seg.count = self.live_count(&seg).await?;
        Ok(seg)
    }

    /// Saves an edited audience if nobody saved it since `version` was read; the audit entry
    /// names the fields that changed.
    pub async fn update(&self, actor: &Actor, id: &str, d: &SegmentDraft, version: u32) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let keys = |v: &[String]| v.join(", ");
        let (a, b) = (&before.filter, &d.filter);
        let changes = diff(&[
            ("name", before.name.clone(), d.name.clone()),
            (
                "kinds",
                keys(&a.kinds.iter().map(|k| k.key().to_string()).collect::<Vec<_>>()),
                keys(&b.kinds.iter().map(|k| k.key().to_string()).collect::<Vec<_>>()),
            ),
            ("areas", keys(&a.areas), keys(&b.areas)),
            (
                "engagement",
                keys(&a.engagement.iter().map(|e| e.key().to_string()).collect::<Vec<_>>()),
                keys(&b.engagement.iter().map(|e| e.key().to_string()).collect::<Vec<_>>()),
            ),
            ("influence", a.influence_min.to_string(), b.influence_min.to_string()),
            ("interest", a.interest_min.to_string(), b.interest_min.to_string()),
            ("tags", keys(a.tags.as_slice()), keys(b.tags.as_slice())),
            ("organisations", keys(&a.organisations), keys(&b.organisations)),
            (
                "lawful basis required",
                a.require_basis.to_string(),
                b.require_basis.to_string(),
            ),
        ]);
        let f = &d.filter;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $s = type::record('segment', $id);
                 IF !record::exists($s) {{ THROW '{REFUSAL_MARK}not-found' }};
                 {STALE}
                 UPDATE $s SET name = $name, name_key = $name_key, kinds = $kinds, areas = $areas, engagement = $engagement,
                    influence_min = $imin, interest_min = $tmin, tags = $tags, require_basis = $require_basis,
                    organisations = $organisations.map(|$o| type::record('organisation', $o)),
                    version = (version ?? 1) + 1, updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = stale_check("$s", "audience")
            ))
            .bind(("id", id.to_string()))
            .bind(("version", i64::from(version)))
            .bind(("name", d.name.clone()))
            .bind(("name_key", fold(&d.name)))
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
            .bind(("require_basis", f.require_basis))
            .bind(audit_vars(actor, AuditAction::Update, format!("segment:{id} ({})", d.name), changes))
            .await?;
        checked(res).map_err(StoreError::not_found_as("audience"))?;
        Ok(())
    }

    /// Deletes an audience nothing uses; archives one a briefing or plan item used (decided in
    /// the transaction, so a briefing made meanwhile is never left without its audience).
    pub async fn remove(&self, actor: &Actor, id: &str) -> Result<Removal, StoreError> {
        let before = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $s = type::record('segment', $id);
                 IF !record::exists($s) {{ THROW '{REFUSAL_MARK}not-found' }};
                 LET $used = array::len((SELECT VALUE id FROM briefing WHERE segment = $s LIMIT 1))
                    + array::len((SELECT VALUE id FROM plan_item WHERE segment = $s LIMIT 1)) > 0;
                 IF $used {{
                    UPDATE $s SET archived = true, version = (version ?? 1) + 1, updated_at = time::now(),
                        updated_by = $audit_label RETURN NONE;
                 }} ELSE {{
                    DELETE $s;
                 }};
                 {REMOVAL_AUDIT_SQL}
                 RETURN $used;
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Remove,
                format!("segment:{id} ({})", before.name),
                super::listing(&[("name", before.name.clone())]),
            ))
            .await?;
        let mut res = checked(res).map_err(StoreError::not_found_as("audience"))?;
        let used = super::returned::<bool>(&mut res).unwrap_or(false);
        Ok(if used { Removal::Archived } else { Removal::Deleted })
    }

    /// Offers an archived audience for new briefings and plan items again.
    pub async fn restore(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $s = type::record('segment', $id);
                 IF !record::exists($s) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $s SET archived = false, version = (version ?? 1) + 1, updated_at = time::now(),
                    updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("segment:{id} ({})", before.name),
                "archived: true → false".into(),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("audience"))?;
        Ok(())
    }

    /// Matching contacts (id, name, email, organisation), first `limit` by name.
    /// The first `limit` members by name, from the register view (the rule is
    /// `SegmentFilter::admits`, which a test holds to [`MATCH`]).
    pub async fn members(&self, id: &str, limit: u32) -> Result<Vec<crate::domain::segment::Member>, StoreError> {
        let seg = self.get(id).await?;
        Ok(self.store.register_view().await?.members(&seg.filter, limit as usize))
    }
}
