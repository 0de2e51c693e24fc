//! The interaction log: what people logged with a contact or an organisation, and the
//! follow-ups they owe.
use super::audit::Actor;
use super::{audit_vars, checked, diff, listing, stale_check, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::interaction::{Interaction, InteractionDraft, InteractionKind};
use chrono::{NaiveDate, NaiveTime};
use surrealdb::types::SurrealValue;

/// Whom an interaction is with.
#[derive(Debug, Clone, PartialEq)]
pub enum With {
    Contact(String),
    Organisation(String),
}

#[derive(SurrealValue)]
struct Row {
    id: String,
    kind: String,
    date: Option<String>,
    participants: Option<String>,
    note: String,
    follow_up_on: Option<String>,
    follow_up_owner: Option<String>,
    follow_up_owner_name: Option<String>,
    follow_up_done: bool,
    author: Option<String>,
    author_name: Option<String>,
    with_link: String,
    with_name: Option<String>,
    version: Option<i64>,
}

const FIELDS: &str = "record::id(id) AS id, kind, date, participants, note, follow_up_on,
    (IF follow_up_owner != NONE { record::id(follow_up_owner) }) AS follow_up_owner,
    follow_up_owner.name AS follow_up_owner_name, follow_up_done != NONE AS follow_up_done,
    (IF author != NONE { record::id(author) }) AS author, author_name,
    (IF contact != NONE { '/contacts/' + record::id(contact) } ELSE { '/organisations/' + record::id(organisation) }) AS with_link,
    (IF contact != NONE { contact.name } ELSE { organisation.name }) AS with_name, version";

fn day(field: &str, s: &str) -> Result<NaiveDate, StoreError> {
    stored(field, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

impl Row {
    fn into_domain(self) -> Result<Interaction, StoreError> {
        Ok(Interaction {
            kind: stored("kind", InteractionKind::parse(&self.kind))?,
            date: day("date", self.date.as_deref().unwrap_or_default())?,
            follow_up_on: self
                .follow_up_on
                .as_deref()
                .map(|d| day("follow_up_on", d))
                .transpose()?,
            id: self.id,
            participants: self.participants.unwrap_or_default(),
            summary: self.note,
            follow_up_owner: self.follow_up_owner,
            follow_up_owner_name: self.follow_up_owner_name,
            follow_up_done: self.follow_up_done,
            author: self.author,
            author_name: self.author_name.unwrap_or_default(),
            with: (self.with_link, self.with_name.unwrap_or_default()),
            version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
        })
    }
}

fn summary(d: &InteractionDraft) -> Vec<(&'static str, String)> {
    vec![
        ("kind", d.kind.key().to_string()),
        ("date", d.date.to_string()),
        ("participants", d.participants.clone()),
        ("summary", d.summary.clone()),
        (
            "follow up on",
            d.follow_up_on.map(|x| x.to_string()).unwrap_or_default(),
        ),
        ("follow up by", d.follow_up_owner.clone().unwrap_or_default()),
    ]
}

pub struct Interactions<'a> {
    store: &'a Store,
}

/// The variables every write binds: `$owner` is the follow-up's owner (the author when the
/// form names nobody), NONE without a follow-up.
fn bind_draft(d: &InteractionDraft, author: &str) -> surrealdb::types::Variables {
    let mut v = surrealdb::types::Variables::new();
    v.insert("kind", d.kind.key().to_string());
    v.insert("date", d.date.format("%Y-%m-%d").to_string());
    // Midday UTC: the timeline orders by it, and no UK date moves across midnight.
    v.insert(
        "at",
        d.date
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
            .and_utc(),
    );
    v.insert("participants", d.participants.clone());
    v.insert("summary", d.summary.clone());
    v.insert("follow_up_on", d.follow_up_on.map(|x| x.format("%Y-%m-%d").to_string()));
    v.insert(
        "owner",
        d.follow_up_on
            .map(|_| d.follow_up_owner.clone().unwrap_or_else(|| author.to_string())),
    );
    v
}

const OWNER_CHECK: &str = "IF $owner != NONE AND !record::exists(type::record('user', $owner)) {
        THROW 'liaison-refused:The person chosen to follow up no longer has an account: choose another.'
    };";

impl<'a> Interactions<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Logs an interaction by `author` (a user id, named `author_name`).
    pub async fn create(
        &self,
        actor: &Actor,
        author: &str,
        author_name: &str,
        with: &With,
        d: &InteractionDraft,
    ) -> Result<String, StoreError> {
        let key = super::new_key();
        let (contact, organisation) = match with {
            With::Contact(c) => (Some(c.clone()), None),
            With::Organisation(o) => (None, Some(o.clone())),
        };
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = IF $contact = NONE {{ NONE }} ELSE {{ type::record('contact', $contact) }};
                 LET $o = IF $organisation = NONE {{ NONE }} ELSE {{ type::record('organisation', $organisation) }};
                 IF ($c != NONE AND !record::exists($c)) OR ($o != NONE AND !record::exists($o)) {{ THROW '{REFUSAL_MARK}not-found' }};
                 {OWNER_CHECK}
                 CREATE type::record('interaction', $key) SET contact = $c, organisation = $o, logged = true,
                    kind = $kind, date = $date, at = $at, participants = $participants, note = $summary,
                    follow_up_on = $follow_up_on,
                    follow_up_owner = IF $owner = NONE {{ NONE }} ELSE {{ type::record('user', $owner) }},
                    author = type::record('user', $author), author_name = $author_name, version = 1 RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(bind_draft(d, author))
            .bind(("key", key.clone()))
            .bind(("contact", contact))
            .bind(("organisation", organisation))
            .bind(("author", author.to_string()))
            .bind(("author_name", author_name.to_string()))
            .bind(audit_vars(actor, "create", format!("interaction:{key}"), listing(&summary(d))))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact or organisation"))?;
        Ok(key)
    }

    pub async fn get(&self, id: &str) -> Result<Interaction, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE id = type::record('interaction', $id) AND logged = true"
            ))
            .bind(("id", id.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("interaction"))?
            .into_domain()
    }

    /// Saves an edit if `editor` may (its author, or a manager: `manager`) and nobody saved it
    /// since `version`.
    pub async fn update(
        &self,
        actor: &Actor,
        editor: &str,
        manager: bool,
        id: &str,
        d: &InteractionDraft,
        version: u32,
    ) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let author = before.author.clone().unwrap_or_default();
        let changes = diff(
            &summary(&before_draft(&before))
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
                 LET $i = type::record('interaction', $id);
                 IF !record::exists($i) OR $i.logged != true {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF !$manager AND $i.author != type::record('user', $editor) {{
                     THROW '{REFUSAL_MARK}Only the person who logged this interaction, or a programme manager, may change it.'
                 }};
                 {STALE}
                 {OWNER_CHECK}
                 UPDATE $i SET kind = $kind, date = $date, at = $at, participants = $participants, note = $summary,
                    follow_up_on = $follow_up_on,
                    follow_up_owner = IF $owner = NONE {{ NONE }} ELSE {{ type::record('user', $owner) }},
                    version = (version ?? 1) + 1, updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = stale_check("$i", "interaction")
            ))
            .bind(bind_draft(d, &author))
            .bind(("id", id.to_string()))
            .bind(("editor", editor.to_string()))
            .bind(("manager", manager))
            .bind(("version", i64::from(version)))
            .bind(audit_vars(actor, "update", format!("interaction:{id}"), changes))
            .await?;
        checked(res).map_err(StoreError::not_found_as("interaction"))?;
        Ok(())
    }

    /// The logged interactions with a contact or an organisation, newest first.
    pub async fn with(&self, with: &With) -> Result<Vec<Interaction>, StoreError> {
        let (field, table, key) = match with {
            With::Contact(c) => ("contact", "contact", c),
            With::Organisation(o) => ("organisation", "organisation", o),
        };
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS}, at FROM interaction WHERE {field} = type::record($table, $key) AND logged = true ORDER BY at DESC"
            ))
            .bind(("table", table.to_string()))
            .bind(("key", key.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// The open follow-ups `owner` (a user id) owes, soonest first.
    pub async fn follow_ups(&self, owner: &str) -> Result<Vec<Interaction>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE follow_up_owner = type::record('user', $owner)
                    AND follow_up_done = NONE AND follow_up_on != NONE ORDER BY follow_up_on"
            ))
            .bind(("owner", owner.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// Marks a follow-up done: by its owner, or a manager.
    pub async fn complete(&self, actor: &Actor, user: &str, manager: bool, id: &str) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('interaction', $id);
                 IF !record::exists($i) OR $i.follow_up_on = NONE {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF !$manager AND $i.follow_up_owner != type::record('user', $user) {{
                     THROW '{REFUSAL_MARK}Only the person who owns this follow-up, or a programme manager, may mark it done.'
                 }};
                 UPDATE $i SET follow_up_done = time::now() RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("user", user.to_string()))
            .bind(("manager", manager))
            .bind(audit_vars(actor, "update", format!("interaction:{id}"), "follow-up done".into()))
            .await?;
        checked(res).map_err(StoreError::not_found_as("follow-up"))?;
        Ok(())
    }
}

fn before_draft(i: &Interaction) -> InteractionDraft {
    InteractionDraft {
        kind: i.kind,
        date: i.date,
        participants: i.participants.clone(),
        summary: i.summary.clone(),
        follow_up_on: i.follow_up_on,
        follow_up_owner: i.follow_up_owner.clone(),
    }
}
