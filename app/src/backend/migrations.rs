//! Versioned schema migrations. Each runs once, in a transaction with the row that records it;
//! they are applied at start-up (and by `liaison migrate`). Never edit a released migration:
//! add a new one.
use super::db::Store;
use super::error::StoreError;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "register: organisations and contacts",
    sql: r#"
DEFINE TABLE organisation SCHEMAFULL;
DEFINE FIELD name ON organisation TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 200;
DEFINE FIELD name_key ON organisation TYPE string;
DEFINE FIELD kind ON organisation TYPE string
    ASSERT $value IN ["hei", "acute_trust", "community_trust", "mental_health_trust", "primary_care", "icb", "other"];
DEFINE FIELD area ON organisation TYPE option<string>;
DEFINE FIELD ods_code ON organisation TYPE option<string>;
DEFINE FIELD ukprn ON organisation TYPE option<string>;
DEFINE FIELD notes ON organisation TYPE option<string>;
DEFINE FIELD created_at ON organisation TYPE datetime DEFAULT time::now();
DEFINE FIELD updated_at ON organisation TYPE datetime DEFAULT time::now();
DEFINE INDEX organisation_name ON organisation FIELDS name_key UNIQUE;
DEFINE INDEX organisation_kind ON organisation FIELDS kind, name_key;

DEFINE TABLE contact SCHEMAFULL;
DEFINE FIELD organisation ON contact TYPE record<organisation>;
DEFINE FIELD name ON contact TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 120;
DEFINE FIELD name_key ON contact TYPE string;
DEFINE FIELD email ON contact TYPE string ASSERT string::is_email($value);
DEFINE FIELD job_title ON contact TYPE option<string>;
DEFINE FIELD influence ON contact TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD interest ON contact TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD engagement_current ON contact TYPE string
    ASSERT $value IN ["unaware", "resistant", "neutral", "supportive", "leading"];
DEFINE FIELD engagement_target ON contact TYPE string
    ASSERT $value IN ["unaware", "resistant", "neutral", "supportive", "leading"];
DEFINE FIELD subscribed ON contact TYPE bool DEFAULT true;
DEFINE FIELD search_text ON contact TYPE string;
DEFINE FIELD created_at ON contact TYPE datetime DEFAULT time::now();
DEFINE FIELD updated_at ON contact TYPE datetime DEFAULT time::now();
DEFINE INDEX contact_email ON contact FIELDS email UNIQUE;
DEFINE INDEX contact_org ON contact FIELDS organisation;
DEFINE INDEX contact_name ON contact FIELDS name_key;
"#,
}];

/// Applies every migration not yet recorded, in order. Safe when several processes start at
/// once: the unique index on `version` lets only one record a migration; the others see it
/// recorded and move on.
pub async fn apply(store: &Store) -> Result<Vec<i64>, StoreError> {
    let db = store.db();
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
         DEFINE INDEX IF NOT EXISTS migration_version ON migration FIELDS version UNIQUE;",
    )
    .await?
    .check()?;
    let mut applied_now = Vec::new();
    for m in MIGRATIONS {
        let mut res = db
            .query("SELECT VALUE version FROM migration WHERE version = $v")
            .bind(("v", m.version))
            .await?;
        let done: Vec<i64> = res.take(0)?;
        if !done.is_empty() {
            continue;
        }
        let sql = format!(
            "BEGIN TRANSACTION;\n{}\nCREATE migration SET version = $v, name = $name, applied_at = time::now();\nCOMMIT TRANSACTION;",
            m.sql
        );
        let outcome = db
            .query(sql)
            .bind(("v", m.version))
            .bind(("name", m.name))
            .await
            .and_then(|r| r.check())
            .map_err(StoreError::from);
        match outcome {
            Ok(_) => applied_now.push(m.version),
            // Another process applied it first.
            Err(StoreError::Duplicate { .. }) => {}
            Err(e) if e.is_retryable() => {}
            Err(e) => return Err(e),
        }
    }
    if !applied_now.is_empty() {
        tracing::info!(versions = ?applied_now, "applied schema migrations");
    }
    Ok(applied_now)
}
