//! Programme-manager administration: users and the audit log.
use crate::domain::ids::UserId;
use crate::domain::policy::Role;
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

/// A user as the users page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: UserId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub active: bool,
    pub last_sign_in: Option<String>,
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    let ctx = authorized(Action::ManageUsers)?;
    let users = finish(ctx.store.users().list().await)?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
            active: u.active,
            last_sign_in: u.last_sign_in_at.map(crate::domain::time::format_london),
        })
        .collect())
}

/// Enables or disables an account; disabling ends its sessions at once.
#[server(endpoint = "admin/users/set-active")]
pub async fn set_user_active(email: String, active: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ManageUsers)?;
    let email = finish(EmailAddress::parse(&email).map_err(|m| AppError::Invalid(FormErrors::single("email", m))))?;
    let active = finish(crate::domain::form::parse_flag("active", &active))?;
    if !active && email == ctx.user.email {
        return finish(Err(AppError::Conflict("You cannot disable your own account.".into())));
    }
    finish(ctx.store.users().set_active(&ctx.actor(), &email, active).await)?;
    leptos_axum::redirect("/users");
    Ok(())
}

#[server(endpoint = "admin/users/set-role")]
pub async fn set_user_role(id: String, role: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ManageUsers)?;
    let id = finish(UserId::parse(&id))?;
    let role = finish(Role::parse(&role).map_err(|m| AppError::Invalid(FormErrors::single("role", m))))?;
    if id == ctx.user.id && role != Role::ProgrammeManager {
        return finish(Err(AppError::Conflict(
            "You cannot remove your own programme manager role.".into(),
        )));
    }
    finish(ctx.store.users().set_role(&ctx.actor(), &id, role).await)?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub changes: String,
}

/// A page of the audit log and the cursors of the pages either side (`None`: nothing there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPageData {
    pub items: Vec<AuditRow>,
    pub older: Option<String>,
    pub newer: Option<String>,
}

/// `before`/`after`: a cursor from the page's "Older"/"Newer" link (an unreadable one shows the
/// newest entries).
#[server(endpoint = "admin/audit")]
pub async fn list_audit(
    actor: String,
    action: String,
    record: String,
    before: String,
    after: String,
) -> Result<AuditPageData, AppError> {
    use crate::backend::repo::audit::{AuditCursor, AuditFilter, AuditFrom};
    let ctx = authorized(Action::ViewAudit)?;
    let from = match (AuditCursor::parse(&before), AuditCursor::parse(&after)) {
        (Some(c), _) => AuditFrom::Before(c),
        (None, Some(c)) => AuditFrom::After(c),
        (None, None) => AuditFrom::Newest,
    };
    let filter = AuditFilter {
        actor,
        action,
        record,
        from,
    };
    let slice = finish(ctx.store.audit().list(&filter, 50).await)?;
    Ok(AuditPageData {
        items: slice
            .items
            .into_iter()
            .map(|e| AuditRow {
                at: crate::domain::time::format_london(e.at),
                actor: e.actor,
                action: e.action,
                record: e.record,
                changes: e.changes,
            })
            .collect(),
        older: slice.older.map(|c| c.encode()),
        newer: slice.newer.map(|c| c.encode()),
    })
}
