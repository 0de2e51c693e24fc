//! Contacts in SurrealDB.
use super::audit::Actor;
use super::{audit_vars, checked, diff, fold, listing, new_key, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::backend::error::REFUSAL_MARK;
use crate::domain::query::ListQuery;
use crate::domain::*;
use surrealdb::types::{SurrealValue, Variables};

#[derive(Debug, SurrealValue)]
struct ContactRow {
    id: String,
    name: String,
    email: String,
    job_title: Option<String>,
    organisation: String,
    organisation_name: String,
    organisation_kind: String,
    influence: i64,
    interest: i64,
    engagement_current: String,
    engagement_target: String,
    subscribed: bool,
    tags: Vec<String>,
}

impl ContactRow {
    fn into_domain(self) -> Result<Contact, StoreError> {
        let score =
            |field: &str, v: i64| stored(field, u8::try_from(v).map_err(|e| e.to_string()).and_then(Score::new));
        Ok(Contact {
            id: stored("id", ContactId::parse(&self.id))?,
            name: stored("name", PersonName::parse(&self.name))?,
            email: stored("email", EmailAddress::parse(&self.email))?,
            job_title: self
                .job_title
                .map(|t| stored("job_title", JobTitle::parse(&t)))
                .transpose()?,
            organisation: stored("organisation", OrgId::parse(&self.organisation))?,
            organisation_name: stored("organisation_name", OrgName::parse(&self.organisation_name))?,
            organisation_kind: stored("organisation_kind", OrgKind::parse(&self.organisation_kind))?,
            influence: score("influence", self.influence)?,
            interest: score("interest", self.interest)?,
            engagement_current: stored("engagement_current", Engagement::parse(&self.engagement_current))?,
            engagement_target: stored("engagement_target", Engagement::parse(&self.engagement_target))?,
            subscribed: self.subscribed,
            tags: stored("tags", Tags::from_items(self.tags.iter().map(String::as_str)))?,
        })
    }
}

const PROJECTION: &str = "record::id(id) AS id, name, email, job_title, record::id(organisation) AS organisation, \
     organisation.name AS organisation_name, organisation.kind AS organisation_kind, influence, interest, \
     engagement_current, engagement_target, subscribed, tags";

#[derive(SurrealValue)]
struct Count {
    count: i64,
}

pub struct Contacts<'a> {
    store: &'a Store,
}

impl<'a> Contacts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Search matches name, email or organisation name (case-insensitive, substring).
    pub async fn list(&self, q: &ListQuery, per_page: u32) -> Result<Page<Contact>, StoreError> {
        // The organisation's name is read through the record link, so a renamed organisation is
        // found by its new name without rewriting its contacts.
        let filter = "($search = '' OR string::contains(search_text, $search) OR string::contains(organisation.name_key, $search)) AND ($kind = NONE OR organisation.kind = $kind)";
        let sql = format!(
            "SELECT {PROJECTION}, name_key FROM contact WHERE {filter} ORDER BY name_key LIMIT $limit START $start;
             SELECT count() FROM contact WHERE {filter} GROUP ALL;"
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
        let rows: Vec<ContactRow> = res.take(0)?;
        let count: Option<Count> = res.take(1)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(ContactRow::into_domain)
                .collect::<Result<_, _>>()?,
            total: count.map(|c| c.count.max(0) as u64).unwrap_or(0),
            page: q.page,
            per_page,
        })
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let mut res = self.store.db().query("SELECT count() FROM contact GROUP ALL").await?;
        let count: Option<Count> = res.take(0)?;
        Ok(count.map(|c| c.count.max(0) as u64).unwrap_or(0))
    }

    pub async fn for_organisation(&self, org: &OrgId) -> Result<Vec<Contact>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {PROJECTION}, name_key FROM contact WHERE organisation = type::record('organisation', $org) ORDER BY name_key"
            ))
            .bind(("org", org.as_str().to_string()))
            .await?;
        let rows: Vec<ContactRow> = res.take(0)?;
        rows.into_iter().map(ContactRow::into_domain).collect()
    }

    pub async fn get(&self, id: &ContactId) -> Result<Contact, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {PROJECTION} FROM ONLY type::record('contact', $id)"))
            .bind(("id", id.as_str().to_string()))
            .await?;
        let row: Option<ContactRow> = res.take(0)?;
        row.ok_or(StoreError::NotFound("contact"))?.into_domain()
    }

    pub async fn create(&self, actor: &Actor, d: &ContactDraft) -> Result<ContactId, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $org = type::record('organisation', $organisation);
                 IF !record::exists($org) {{ THROW '{MISSING_ORG}' }};
                 CREATE type::record('contact', $key) SET organisation = $org, name = $name, name_key = $name_key,
                    email = $email, job_title = $job_title, influence = $influence, interest = $interest,
                    engagement_current = $engagement_current, engagement_target = $engagement_target,
                    subscribed = $subscribed, tags = $tags, search_text = $search_text;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(fields(d))
            .bind(("key", key.clone()))
            .bind(audit_vars(
                actor,
                "create",
                format!("contact:{key} ({})", d.name),
                listing(&summary(d)),
            ))
            .await?;
        checked(res)?;
        stored("id", ContactId::parse(&key))
    }

    pub async fn update(&self, actor: &Actor, id: &ContactId, d: &ContactDraft) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let before = ContactForm::from_contact(&before)
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
                 LET $org = type::record('organisation', $organisation);
                 IF !record::exists($org) {{ THROW '{MISSING_ORG}' }};
                 LET $c = type::record('contact', $id);
                 IF !record::exists($c) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $c SET organisation = $org, name = $name, name_key = $name_key,
                    email = $email, job_title = $job_title, influence = $influence, interest = $interest,
                    engagement_current = $engagement_current, engagement_target = $engagement_target,
                    subscribed = $subscribed, tags = $tags, search_text = $search_text, updated_at = time::now();
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(fields(d))
            .bind(("id", id.as_str().to_string()))
            .bind(audit_vars(
                actor,
                "update",
                format!("contact:{id} ({})", d.name),
                changes,
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        Ok(())
    }

    pub async fn delete(&self, actor: &Actor, id: &ContactId) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 IF !record::exists($c) {{ THROW '{REFUSAL_MARK}not-found' }};
                 DELETE $c;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(audit_vars(
                actor,
                "delete",
                format!("contact:{id} ({})", before.name),
                "deleted".into(),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        Ok(())
    }
}

const MISSING_ORG: &str = "liaison-refused:The selected organisation no longer exists. Choose another.";

/// The fields the audit log names, in a fixed order (the email is personal data, but the
/// register already holds it and the audit log is readable by programme managers only).
fn summary(d: &ContactDraft) -> Vec<(&'static str, String)> {
    vec![
        ("name", d.name.to_string()),
        ("email", d.email.to_string()),
        (
            "job_title",
            d.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("organisation", d.organisation.to_string()),
        ("influence", d.influence.get().to_string()),
        ("interest", d.interest.get().to_string()),
        ("engagement_current", d.engagement_current.key().to_string()),
        ("engagement_target", d.engagement_target.key().to_string()),
        ("subscribed", d.subscribed.to_string()),
        ("tags", d.tags.to_string()),
    ]
}

fn fields(d: &ContactDraft) -> Variables {
    let mut v = Variables::new();
    v.insert("organisation", d.organisation.as_str().to_string());
    v.insert("name", d.name.as_str().to_string());
    v.insert("name_key", fold(d.name.as_str()));
    v.insert("email", d.email.as_str().to_string());
    v.insert("job_title", d.job_title.as_ref().map(|t| t.to_string()));
    v.insert("influence", d.influence.get() as i64);
    v.insert("interest", d.interest.get() as i64);
    v.insert("engagement_current", d.engagement_current.key().to_string());
    v.insert("engagement_target", d.engagement_target.key().to_string());
    v.insert("subscribed", d.subscribed);
    v.insert("tags", d.tags.as_slice().to_vec());
    v.insert("search_text", format!("{} {}", fold(d.name.as_str()), d.email.as_str()));
    v
}
