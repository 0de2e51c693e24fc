//! User accounts and their sessions.
use super::audit::Actor;
use super::{audit_vars, checked, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::audit::AuditAction;
use crate::domain::policy::{CurrentUser, Role};
use crate::domain::{EmailAddress, UserId, WorkstreamId};
use chrono::{DateTime, Duration, Utc};
use surrealdb::types::SurrealValue;

/// How long a session lives without use; each use pushes the expiry out again.
pub const SESSION_IDLE: Duration = Duration::hours(8);
/// However much it is used, a session ends this long after sign-in.
pub const SESSION_ABSOLUTE: Duration = Duration::days(7);
/// The expiry is only rewritten when it moved by at least this much, to spare a write per request.
const SESSION_SLIDE_STEP: Duration = Duration::minutes(5);

#[derive(Debug, SurrealValue)]
struct UserRow {
    id: String,
    name: String,
    email: String,
    role: String,
    active: bool,
    created_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
}

/// A user as the users page and the command line list them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl UserRow {
    fn into_summary(self) -> Result<UserSummary, StoreError> {
        Ok(UserSummary {
            id: stored("id", UserId::parse(&self.id))?,
            name: self.name,
            email: stored("email", EmailAddress::parse(&self.email))?,
            role: stored("role", Role::parse(&self.role))?,
            active: self.active,
            created_at: self.created_at,
            last_sign_in_at: self.last_sign_in_at,
        })
    }
}

const USER_FIELDS: &str = "record::id(id) AS id, name, email, role, active, created_at, last_sign_in_at";

/// What sign-in needs: the account (if any) and its password hash.
pub struct Credentials {
    pub user: UserSummary,
    pub password_hash: String,
}

pub struct Users<'a> {
    store: &'a Store,
}

impl<'a> Users<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create(
        &self,
        email: &EmailAddress,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<UserId, StoreError> {
        let mut res = self
            .store
            .db()
            .query("CREATE user SET email = $email, name = $name, role = $role, password_hash = $hash, active = true RETURN VALUE record::id(id)")
            .bind(("email", email.as_str().to_string()))
            .bind(("name", name.trim().to_string()))
            .bind(("role", role.key().to_string()))
            .bind(("hash", password_hash.to_string()))
            .await?;
        let id: Option<String> = res.take(0)?;
        stored("id", UserId::parse(&id.ok_or(StoreError::NotFound("user"))?))
    }

    pub async fn list(&self) -> Result<Vec<UserSummary>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {USER_FIELDS} FROM user ORDER BY email"))
            .await?;
        let rows: Vec<UserRow> = res.take(0)?;
        rows.into_iter().map(UserRow::into_summary).collect()
    }

    /// Every account, active or not.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let mut res = self.store.db().query("SELECT count() FROM user GROUP ALL").await?;
        let n: Option<i64> = res.take((0, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    pub async fn count_active_managers(&self) -> Result<u64, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT count() FROM user WHERE active = true AND role = 'programme-manager' GROUP ALL")
            .await?;
        let n: Option<i64> = res.take((0, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    pub async fn credentials(&self, email: &EmailAddress) -> Result<Option<Credentials>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            id: String,
            name: String,
            email: String,
            role: String,
            active: bool,
            created_at: DateTime<Utc>,
            last_sign_in_at: Option<DateTime<Utc>>,
            password_hash: String,
        }
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {USER_FIELDS}, password_hash FROM user WHERE email = $email LIMIT 1"
            ))
            .bind(("email", email.as_str().to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let user = UserRow {
            id: r.id,
            name: r.name,
            email: r.email,
            role: r.role,
            active: r.active,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
        }
        .into_summary()?;
        Ok(Some(Credentials {
            user,
            password_hash: r.password_hash,
        }))
    }

    /// A new password ends every session of the account, in the same transaction: whoever knew
    /// the old password (or held a session opened with it) is signed out.
    pub async fn set_password(&self, email: &EmailAddress, password_hash: &str) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 LET $u = (SELECT VALUE id FROM user WHERE email = $email LIMIT 1)[0];
                 IF $u = NONE { THROW 'liaison-refused:not-found' };
                 UPDATE $u SET password_hash = $hash;
                 DELETE session WHERE user = $u;
                 COMMIT TRANSACTION;",
            )
            .bind(("email", email.as_str().to_string()))
            .bind(("hash", password_hash.to_string()))
            .await?;
        checked(res).map_err(StoreError::not_found_as("user"))?;
        Ok(())
    }

    /// Enables or disables an account, with its audit entry in the same transaction; disabling
    /// also ends every session the user has. The one place both the users page and
    /// `liaison user enable/disable` go through.
    pub async fn set_active(&self, actor: &Actor, email: &EmailAddress, active: bool) -> Result<UserId, StoreError> {
        let action = if active {
            AuditAction::EnableUser
        } else {
            AuditAction::DisableUser
        };
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $u = (SELECT VALUE id FROM user WHERE email = $email LIMIT 1)[0];
                 IF $u = NONE {{ THROW 'liaison-refused:not-found' }};
                 UPDATE $u SET active = $active;
                 IF !$active {{ DELETE session WHERE user = $u }};
                 LET $audit_record = 'user:' + record::id($u) + ' (' + $email + ')';
                 {AUDIT_SQL}
                 RETURN record::id($u);
                 COMMIT TRANSACTION;"
            ))
            .bind(("email", email.as_str().to_string()))
            .bind(("active", active))
            .bind(audit_vars(actor, action, String::new(), format!("active: {active}")))
            .await?;
        let mut res = checked(res).map_err(StoreError::not_found_as("user"))?;
        let id = super::returned::<String>(&mut res);
        stored("id", UserId::parse(&id.ok_or(StoreError::NotFound("user"))?))
    }

    /// Changes an account's role, with its audit entry in the same transaction.
    pub async fn set_role(&self, actor: &Actor, id: &UserId, role: Role) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $u = type::record('user', $id);
                 IF !record::exists($u) {{ THROW 'liaison-refused:not-found' }};
                 UPDATE $u SET role = $role;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("role", role.key().to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::RoleChange,
                format!("user:{id}"),
                format!("role → {}", role.key()),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("user"))?;
        Ok(())
    }

    pub async fn record_sign_in(&self, id: &UserId) -> Result<(), StoreError> {
        self.store
            .db()
            .query("UPDATE type::record('user', $id) SET last_sign_in_at = time::now()")
            .bind(("id", id.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn start_session(&self, id: &UserId, token_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.store
            .db()
            .query("CREATE session SET token_hash = $hash, user = type::record('user', $id), created_at = $now, expires_at = $expires")
            .bind(("hash", token_hash.to_string()))
            .bind(("id", id.as_str().to_string()))
            .bind(("now", now))
            .bind(("expires", now + SESSION_IDLE))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.store
            .db()
            .query("DELETE session WHERE token_hash = $hash")
            .bind(("hash", token_hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The user behind a live session of an active account, sliding the session's expiry.
    pub async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<CurrentUser>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            session: String,
            created_at: DateTime<Utc>,
            expires_at: DateTime<Utc>,
            id: String,
            name: String,
            email: String,
            role: String,
            active: bool,
            leads: Vec<String>,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS session, created_at, expires_at, record::id(user) AS id, user.name AS name,
                        user.email AS email, user.role AS role, user.active AS active,
                        (SELECT VALUE record::id(id) FROM workstream WHERE leads CONTAINS $parent.user AND archived_at = NONE) AS leads
                 FROM session WHERE token_hash = $hash LIMIT 1",
            )
            .bind(("hash", token_hash.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        if r.expires_at <= now || r.created_at + SESSION_ABSOLUTE <= now || !r.active {
            self.end_session(token_hash).await?;
            return Ok(None);
        }
        let new_expiry = now + SESSION_IDLE;
        if new_expiry - r.expires_at >= SESSION_SLIDE_STEP {
            self.store
                .db()
                .query("UPDATE type::record('session', $s) SET expires_at = $e")
                .bind(("s", r.session))
                .bind(("e", new_expiry))
                .await?
                .check()?;
        }
        Ok(Some(CurrentUser {
            id: stored("id", UserId::parse(&r.id))?,
            name: r.name,
            email: stored("email", EmailAddress::parse(&r.email))?,
            role: stored("role", Role::parse(&r.role))?,
            leads: r
                .leads
                .iter()
                .map(|l| stored("leads", WorkstreamId::parse(l)))
                .collect::<Result<_, _>>()?,
        }))
    }
}
