//! Organisations in SurrealDB.
use super::audit::Actor;
use super::{audit_vars, checked, diff, fold, listing, new_key, stored, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::query::{ListQuery, OrgSort};
use crate::domain::*;
use surrealdb::types::SurrealValue;

#[derive(Debug, SurrealValue)]
struct OrgRow {
    id: String,
    name: String,
    kind: String,
    area: Option<String>,
    ods_code: Option<String>,
    ukprn: Option<String>,
    notes: Option<String>,
    contact_count: i64,
}

impl OrgRow {
    fn into_domain(self) -> Result<Organisation, StoreError> {
        Ok(Organisation {
            id: stored("id", OrgId::parse(&self.id))?,
            name: stored("name", OrgName::parse(&self.name))?,
            kind: stored("kind", OrgKind::parse(&self.kind))?,
            area: self.area.map(|a| stored("area", Area::parse(&a))).transpose()?,
            ods_code: self
                .ods_code
                .map(|c| stored("ods_code", OdsCode::parse(&c)))
                .transpose()?,
            ukprn: self.ukprn.map(|c| stored("ukprn", Ukprn::parse(&c))).transpose()?,
            notes: self.notes.map(|n| stored("notes", Notes::parse(&n))).transpose()?,
            contact_count: self.contact_count.max(0) as u32,
        })
    }
}

/// `contact_count` is kept by an event on `contact` (migration 13), not counted per row.
const PROJECTION: &str =
    "record::id(id) AS id, name, kind, area, ods_code, ukprn, notes, contact_count ?? 0 AS contact_count";

#[derive(SurrealValue)]
struct Count {
    count: i64,
}

pub struct Organisations<'a> {
    store: &'a Store,
}

impl<'a> Organisations<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn list(&self, q: &ListQuery, sort: OrgSort, per_page: u32) -> Result<Page<Organisation>, StoreError> {
        // ORDER BY takes identifiers, so the sort is a closed set mapped to fixed text.
        let order = match sort {
            OrgSort::NameAsc => "name_key ASC",
            OrgSort::NameDesc => "name_key DESC",
            OrgSort::KindAsc => "kind ASC, name_key ASC",
            OrgSort::KindDesc => "kind DESC, name_key ASC",
        };
        // A name matches anywhere in it; an ODS code or UKPRN, as people type codes, exactly.
        let filter =
            "($search = '' OR string::contains(name_key, $search) OR string::lowercase(ods_code ?? '') = $search
            OR (ukprn ?? '') = $search) AND ($kind = NONE OR kind = $kind)";
        let sql = format!(
            "SELECT {PROJECTION}, name_key FROM organisation WHERE {filter} ORDER BY {order} LIMIT $limit START $start;
             SELECT count() FROM organisation WHERE {filter} GROUP ALL;"
        );
        let mut res = self
            .store
            .db()
            .query(sql)
            .bind(("search", fold(&q.search)))
            .bind(("kind", q.kind.map(|k| k.key().to_string())))
            .bind(("limit", per_page as i64))
            .bind(("start", (q.page.saturating_sub(1) * per_page) as i64))
            .await?;
        let rows: Vec<OrgRow> = res.take(0)?;
        let count: Option<Count> = res.take(1)?;
        Ok(Page {
            items: rows.into_iter().map(OrgRow::into_domain).collect::<Result<_, _>>()?,
            total: count.map(|c| c.count.max(0) as u64).unwrap_or(0),
            page: q.page,
            per_page,
        })
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT count() FROM organisation GROUP ALL")
            .await?;
        let count: Option<Count> = res.take(0)?;
        Ok(count.map(|c| c.count.max(0) as u64).unwrap_or(0))
    }

    pub async fn get(&self, id: &OrgId) -> Result<Organisation, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {PROJECTION} FROM ONLY type::record('organisation', $id)"
            ))
            .bind(("id", id.as_str().to_string()))
            .await?;
        let row: Option<OrgRow> = res.take(0)?;
        row.ok_or(StoreError::NotFound("organisation"))?.into_domain()
    }

    pub async fn options(&self) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct Opt {
            id: String,
            name: String,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT record::id(id) AS id, name, name_key FROM organisation ORDER BY name_key")
            .await?;
        let rows: Vec<Opt> = res.take(0)?;
        Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
    }

    /// Every organisation's (id, name, kind): what an import matches organisation names against.
    pub async fn names(&self) -> Result<Vec<(OrgId, String, OrgKind)>, StoreError> {
        #[derive(SurrealValue)]
        struct N {
            id: String,
            name: String,
            kind: String,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT record::id(id) AS id, name, kind FROM organisation")
            .await?;
        let rows: Vec<N> = res.take(0)?;
        rows.into_iter()
            .map(|n| {
                Ok((
                    stored("id", OrgId::parse(&n.id))?,
                    n.name,
                    stored("kind", OrgKind::parse(&n.kind))?,
                ))
            })
            .collect()
    }

    pub async fn create(&self, actor: &Actor, d: &OrganisationDraft) -> Result<OrgId, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 CREATE type::record('organisation', $o.key) SET {ORGANISATION_SET};
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("o", OrganisationRecord::of(&key, d)))
            .bind(audit_vars(
                actor,
                "create",
                format!("organisation:{key} ({})", d.name),
                listing(&summary(d)),
            ))
            .await?;
        checked(res)?;
        stored("id", OrgId::parse(&key))
    }

    pub async fn update(&self, actor: &Actor, id: &OrgId, d: &OrganisationDraft) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let before = OrganisationForm::from_organisation(&before)
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
        let changes = diff(
            &summary(&before)
                .into_iter()
                .zip(summary(d))
                .map(|((f, a), (_, b))| (f, a, b))
                .collect::<Vec<_>>(),
        );
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $org = type::record('organisation', $o.key);
                 IF !record::exists($org) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $org SET {ORGANISATION_SET}, updated_at = time::now();
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("o", OrganisationRecord::of(id.as_str(), d)))
            .bind(audit_vars(
                actor,
                "update",
                format!("organisation:{id} ({})", d.name),
                changes,
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("organisation"))?;
        Ok(())
    }

    /// Refused while the organisation still has contacts: the check and the delete run in one
    /// transaction, so a contact added meanwhile cannot be orphaned.
    pub async fn delete(&self, actor: &Actor, id: &OrgId) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let key = id.as_str().to_string();
        retry_conflicts(|| {
            let key = key.clone();
            let audit = audit_vars(actor, "delete", format!("organisation:{key} ({})", before.name), "deleted".into());
            async move {
                let res = self
                    .store
                    .db()
                    .query(format!(
                        "BEGIN TRANSACTION;
                         LET $org = type::record('organisation', $id);
                         IF !record::exists($org) {{ THROW '{REFUSAL_MARK}not-found' }};
                         LET $n = array::len((SELECT VALUE id FROM contact WHERE organisation = $org));
                         IF $n > 0 {{ THROW '{REFUSAL_MARK}This organisation still has ' + <string>$n + ' contact(s). Move or delete them first, then delete the organisation.' }};
                         DELETE $org;
                         {AUDIT_SQL}
                         COMMIT TRANSACTION;"
                    ))
                    .bind(("id", key))
                    .bind(audit)
                    .await?;
                checked(res).map(|_| ())
            }
        })
        .await
        .map_err(StoreError::not_found_as("organisation"))
    }
}

/// The fields the audit log names, in a fixed order.
fn summary(d: &OrganisationDraft) -> Vec<(&'static str, String)> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    vec![
        ("name", d.name.to_string()),
        ("kind", d.kind.label().to_string()),
        ("area", opt(d.area.as_ref().map(|a| a.to_string()))),
        ("ods_code", opt(d.ods_code.as_ref().map(|c| c.as_str().to_string()))),
        ("ukprn", opt(d.ukprn.as_ref().map(|c| c.as_str().to_string()))),
        ("notes", opt(d.notes.as_ref().map(|n| n.to_string()))),
    ]
}

/// An organisation as written (by the form or an import), bound as `$o` for
/// [`ORGANISATION_SET`].
#[derive(Debug, Clone, SurrealValue)]
pub(crate) struct OrganisationRecord {
    pub key: String,
    name: String,
    name_key: String,
    kind: String,
    area: Option<String>,
    ods_code: Option<String>,
    ukprn: Option<String>,
    notes: Option<String>,
}

impl OrganisationRecord {
    pub(crate) fn of(key: &str, d: &OrganisationDraft) -> Self {
        OrganisationRecord {
            key: key.to_string(),
            name: d.name.as_str().to_string(),
            name_key: fold(d.name.as_str()),
            kind: d.kind.key().to_string(),
            area: d.area.as_ref().map(|a| a.to_string()),
            ods_code: d.ods_code.as_ref().map(|c| c.as_str().to_string()),
            ukprn: d.ukprn.as_ref().map(|c| c.as_str().to_string()),
            notes: d.notes.as_ref().map(|n| n.to_string()),
        }
    }
}

/// The fields of an organisation written from `$o` (an [`OrganisationRecord`]).
pub(crate) const ORGANISATION_SET: &str = "name = $o.name, name_key = $o.name_key, kind = $o.kind, area = $o.area,
    ods_code = $o.ods_code, ukprn = $o.ukprn, notes = $o.notes";
