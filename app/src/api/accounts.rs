//! Bringing people in from the browser: invitations a programme manager sends, the page where
//! an invited person chooses their password, and "Forgot your password?". No password ever
//! passes through anyone else's hands: links carry single-use random tokens.
use crate::domain::account::{InvitationSummary, InvitationView};
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish, request_info, state};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

/// The invitations part of the users page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationsPage {
    pub invitations: Vec<InvitationSummary>,
    /// (id, name) of the workstreams a lead can be given.
    pub workstreams: Vec<(String, String)>,
}

#[server(endpoint = "admin/invitations")]
pub async fn list_invitations() -> Result<InvitationsPage, AppError> {
    let ctx = authorized(Action::ManageUsers)?;
    let invitations = finish(ctx.store.accounts().list(chrono::Utc::now()).await)?;
    let workstreams = finish(ctx.store.workstreams().list().await)?;
    Ok(InvitationsPage {
        invitations,
        workstreams: workstreams.into_iter().map(|w| (w.id.to_string(), w.name)).collect(),
    })
}

#[server(endpoint = "admin/invite")]
pub async fn invite(
    email: String,
    name: String,
    #[server(default)] role: String,
    #[server(default)] workstreams: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::backend::auth::new_token;
    use crate::backend::mail::account::{invitation, INVITATION_HOURS};
    use crate::domain::account::InviteForm;
    let ctx = authorized(Action::ManageUsers)?;
    let form = InviteForm {
        email,
        name,
        role,
        workstreams: workstreams.unwrap_or_default(),
    };
    let draft = finish(form.parse())?;
    let (token, hash) = new_token();
    let mail = invitation(
        &ctx.state.web.identity,
        draft.email.as_str(),
        draft.name.as_str(),
        &ctx.user.name,
        draft.role.label(),
        &token,
    );
    let expires = chrono::Utc::now() + chrono::Duration::hours(INVITATION_HOURS);
    let values = form.values();
    finish(
        ctx.store
            .accounts()
            .invite(&ctx.actor(), &draft, &hash, expires, &mail)
            .await
            .map_err(|e| match e {
                crate::backend::StoreError::Refused(r) => {
                    AppError::Invalid(FormErrors::single("email", r).with_values(values.clone()))
                }
                other => other.into(),
            }),
    )?;
    leptos_axum::redirect("/users?invited=1");
    Ok(())
}

/// Sends an invitation again, with a new link (the old one stops working).
#[server(endpoint = "admin/invitation-resend")]
pub async fn resend_invitation(id: String) -> Result<(), AppError> {
    use crate::backend::auth::new_token;
    use crate::backend::mail::account::{invitation, INVITATION_HOURS};
    let ctx = authorized(Action::ManageUsers)?;
    let id = finish(InvitationId::parse(&id))?;
    let current = finish(ctx.store.accounts().get(&id).await)?;
    let (token, hash) = new_token();
    let identity = ctx.state.web.identity.clone();
    let inviter = ctx.user.name.clone();
    let expires = chrono::Utc::now() + chrono::Duration::hours(INVITATION_HOURS);
    finish(
        ctx.store
            .accounts()
            .resend(&ctx.actor(), &id, &hash, expires, |email, name| {
                invitation(&identity, email, name, &inviter, current.role.label(), &token)
            })
            .await,
    )?;
    leptos_axum::redirect("/users?resent=1");
    Ok(())
}

#[server(endpoint = "admin/invitation-revoke")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ManageUsers)?;
    let id = finish(InvitationId::parse(&id))?;
    finish(ctx.store.accounts().revoke(&ctx.actor(), &id).await)?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// The invitation a link opens. Anyone holding the link may ask; a link that no longer works
/// is "not found".
#[server(endpoint = "auth/invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::backend::auth::{looks_like_token, token_hash};
    let state = state()?;
    let gone = || {
        AppError::NotFound("This invitation link has expired or has already been used. Ask the programme manager to send you a new one.".into())
    };
    if !looks_like_token(&token) {
        return finish(Err(gone()));
    }
    let found = finish(
        state
            .store
            .accounts()
            .by_token(&token_hash(&token), chrono::Utc::now())
            .await,
    )?;
    finish(found.ok_or_else(gone))
}

/// The invited person chooses their password: the account is made, and they sign in.
#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let state = state()?;
    let (hash, password_hash) = finish(new_password_through_link(&token, &password, &confirm).await)?;
    finish(
        state
            .store
            .accounts()
            .accept(&hash, &password_hash, chrono::Utc::now())
            .await
            .map_err(refused_as_password_error),
    )?;
    leptos_axum::redirect("/sign-in?welcome=1");
    Ok(())
}

/// What the invitation and reset pages share: the password, checked and hashed, and the
/// link's token, checked and hashed as it is stored.
#[cfg(feature = "ssr")]
async fn new_password_through_link(token: &str, password: &str, confirm: &str) -> Result<(String, String), AppError> {
    use crate::backend::auth::{hash_password, looks_like_token, token_hash};
    use crate::domain::account::parse_new_password;
    let password = parse_new_password(password, confirm)?;
    if !looks_like_token(token) {
        return Err(AppError::NotFound(
            "This link is not valid. Check that the whole link was copied.".into(),
        ));
    }
    let hash = hash_password(password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal("hashing".into())
    })?;
    Ok((token_hash(token), hash))
}

/// A link that no longer works is explained beside the password field, where the person is.
#[cfg(feature = "ssr")]
fn refused_as_password_error(e: crate::backend::StoreError) -> AppError {
    match e {
        crate::backend::StoreError::Refused(r) => AppError::Invalid(FormErrors::single("password", r)),
        other => other.into(),
    }
}

/// "Forgot your password?": the same answer whether or not the address has an account, a
/// reset link by email when it has, and throttled like sign-in.
#[server(endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::backend::auth::{new_token, MAX_EMAIL_CHARS};
    use crate::backend::mail::account::{password_reset, RESET_MINUTES};
    use crate::backend::repo::throttle::{AttemptKeys, Reservation};
    let state = state()?;
    let now = chrono::Utc::now();
    let raw: String = email.trim().chars().take(MAX_EMAIL_CHARS).collect();
    let address = request_info()
        .client
        .map(|c| c.to_string())
        .unwrap_or_else(|| "unknown".into());
    let keys = AttemptKeys {
        account: format!("reset:{}", raw.to_lowercase()),
        account_address: format!("reset:{} {address}", raw.to_lowercase()),
        address: format!("reset-address:{address}"),
    };
    match finish(state.store.throttle().reserve(&keys, now).await)? {
        Reservation::Granted => {}
        Reservation::Refused { .. } => {
            return finish(Err(AppError::TooManyRequests(
                "too many password reset requests. Wait 15 minutes, then try again.".into(),
            )))
        }
    }
    if let Ok(email) = EmailAddress::parse(&raw) {
        let (token, hash) = new_token();
        let identity = state.web.identity.clone();
        let expires = now + chrono::Duration::minutes(RESET_MINUTES);
        finish(
            state
                .store
                .accounts()
                .request_reset(&email, &hash, expires, |name| {
                    password_reset(&identity, email.as_str(), name, &token)
                })
                .await,
        )?;
    }
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Whether a reset link still works (its page says so before asking for a password).
#[server(endpoint = "auth/reset-link")]
pub async fn reset_link_open(token: String) -> Result<bool, AppError> {
    use crate::backend::auth::{looks_like_token, token_hash};
    let state = state()?;
    if !looks_like_token(&token) {
        return Ok(false);
    }
    finish(
        state
            .store
            .accounts()
            .reset_is_open(&token_hash(&token), chrono::Utc::now())
            .await,
    )
}

#[server(endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let state = state()?;
    let (hash, password_hash) = finish(new_password_through_link(&token, &password, &confirm).await)?;
    finish(
        state
            .store
            .accounts()
            .reset_password(&hash, &password_hash, chrono::Utc::now())
            .await
            .map_err(refused_as_password_error),
    )?;
    leptos_axum::redirect("/sign-in?reset=1");
    Ok(())
}
