//! People brought in from the browser (issue 13): invitations with single-use links that
//! expire, resend and revoke, and "Forgot your password?" that never says whether an address
//! has an account. Links are read from the real SMTP server the application sends to.
use crate::endpoints::*;
use crate::helpers::*;
use app::domain::policy::Role;

const INVITEE: &str = "new.lead@test.example.org";

impl TestApp {
    /// The newest email to `to` that the SMTP server received, once it has arrived.
    async fn mail_to(&self, to: &str, subject: &str, count: usize) -> String {
        let mail = self.mail.clone();
        let arrived = wait_for(20, || {
            let mail = mail.clone();
            async move {
                mail.messages()
                    .iter()
                    .filter(|m| m.to.iter().any(|t| t == to) && m.data.contains(subject))
                    .count()
                    >= count
            }
        })
        .await;
        assert!(arrived, "no email {subject:?} to {to}");
        self.mail
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t == to) && m.data.contains(subject))
            .map(|m| m.data)
            .unwrap_or_default()
    }

    /// An attempt to accept an invitation that is expected to be refused (see
    /// `accept_invitation` for one that succeeds).
    async fn try_accept(&self, token: &str, password: &str) -> reqwest::Response {
        self.call_as(
            &new_client(),
            "auth/accept-invitation",
            &[
                ("token", token.to_string()),
                ("password", password.to_string()),
                ("confirm", password.to_string()),
            ],
        )
        .await
    }
}

fn invite_form(email: &str, role: &str, workstreams: &[&str]) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("email", email.to_string()),
        ("name", "Nia Newlead".to_string()),
        ("role", role.to_string()),
    ];
    for w in workstreams {
        form.push(("workstreams[]", w.to_string()));
    }
    form
}

/// The 43-character token after `path` (`/invitation/`, `/reset-password/`) in an email.
fn token_of(mail: &str, path: &str) -> String {
    let text = unfolded(mail);
    let token: String = text
        .find(path)
        .map(|i| {
            text[i + path.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(token.len(), 43, "a token after {path} in {mail}");
    token
}

#[tokio::test]
async fn an_invited_lead_chooses_a_password_once_and_leads_their_workstream() {
    let app = spawn_app().await;
    let ws = app.create_workstream("Creation of baseline", 1, &[]).await;
    let other = app.create_workstream("HEI workshops", 2, &[]).await;
    app.invite(&invite_form(INVITEE, "workstream-lead", &[ws.as_str()]))
        .await;

    let mail = app.mail_to(INVITEE, "You are invited to Liaison", 1).await;
    assert!(mail.contains("Test User has invited you"), "{mail}");
    let token = token_of(&mail, "/invitation/");

    let (status, html) = app.get_html(&format!("/invitation/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Choose your password") && html.contains("Nia Newlead"));
    // The users page shows it waiting.
    let (_, users) = app.get_html("/users").await;
    assert!(users.contains(INVITEE) && users.contains("Waiting for them"));

    // A short password is refused and nothing is made.
    let res = app.try_accept(&token, "short").await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app.accept_invitation(&token, PASSWORD).await;
    assert_eq!(redirect_target(&res), "/sign-in?welcome=1");

    // The link works once.
    let res = app.try_accept(&token, "another long password").await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("already been used"));
    let (status, _) = app.get_html(&format!("/invitation/{token}")).await;
    assert_eq!(status, 404);

    // They sign in with their own password and lead only their workstream.
    let lead = app.signed_in(INVITEE).await;
    app.post_status_as(&lead, &status_form(ws.as_str(), "Started")).await;
    let res = app
        .call_as(&lead, "workstreams/status", &status_form(other.as_str(), "Started"))
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let (_, users) = app.get_html("/users").await;
    assert!(users.contains("Accepted"));
}

#[tokio::test]
async fn an_expired_resent_or_revoked_invitation_link_is_refused() {
    let app = spawn_app().await;
    app.invite(&invite_form(INVITEE, "workstream-lead", &[])).await;
    let first = token_of(&app.mail_to(INVITEE, "You are invited", 1).await, "/invitation/");
    let id = app.store.accounts().list(chrono::Utc::now()).await.expect("list")[0]
        .id
        .clone();

    // Resent: a new link, the old one stops working.
    app.resend_invitation(&id).await;
    let mail = app.mail_to(INVITEE, "You are invited", 2).await;
    let second = token_of(&mail, "/invitation/");
    assert_ne!(first, second);
    assert_eq!(app.try_accept(&first, PASSWORD).await.status().as_u16(), 422);

    // Expired: no endpoint ages an invitation; move its expiry into the past.
    app.store
        .db()
        .query("UPDATE invitation SET expires_at = time::now() - 1h")
        .await
        .expect("aged")
        .check()
        .expect("aged");
    assert_eq!(app.try_accept(&second, PASSWORD).await.status().as_u16(), 422);
    let (_, users) = app.get_html("/users").await;
    assert!(users.contains("Expired"));

    // Resent after expiry, then revoked: refused too, and no account was ever made.
    app.resend_invitation(&id).await;
    let third = token_of(&app.mail_to(INVITEE, "You are invited", 3).await, "/invitation/");
    app.revoke_invitation(&id).await;
    assert_eq!(app.try_accept(&third, PASSWORD).await.status().as_u16(), 422);
    let email = app::domain::EmailAddress::parse(INVITEE).expect("email");
    assert!(app.store.users().credentials(&email).await.expect("lookup").is_none());

    // An address that already has an account cannot be invited.
    let res = app
        .call("admin/invite", &invite_form(MANAGER, "programme-manager", &[]))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap_or_default().contains("already has an account"));
}

#[tokio::test]
async fn a_password_reset_link_works_once_ends_other_sessions_and_never_reveals_an_account() {
    let app = spawn_app().await;
    app.add_user("lead@test.example.org", Role::WorkstreamLead).await;
    let elsewhere = app.signed_in("lead@test.example.org").await;
    // Unknown address: the same answer, and no email.
    let unknown = app.forgot_password_as(&new_client(), "nobody@test.example.org").await;
    assert_eq!(redirect_target(&unknown), "/forgot-password?sent=1");
    let known = app.forgot_password_as(&new_client(), "lead@test.example.org").await;
    assert_eq!(redirect_target(&known), "/forgot-password?sent=1");
    let mail = app
        .mail_to("lead@test.example.org", "Reset your Liaison password", 1)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(
        !app.mail
            .messages()
            .iter()
            .any(|m| m.to.iter().any(|t| t == "nobody@test.example.org")),
        "no email to an address without an account"
    );

    let token = token_of(&mail, "/reset-password/");
    let (status, html) = app.get_html(&format!("/reset-password/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Save my new password"));
    let reset_form = |password: &str| {
        vec![
            ("token", token.clone()),
            ("password", password.to_string()),
            ("confirm", password.to_string()),
        ]
    };
    let res = app
        .reset_password_as(&new_client(), &reset_form("my brand new passphrase"))
        .await;
    assert_eq!(redirect_target(&res), "/sign-in?reset=1");
    assert_eq!(
        app.call_as(&elsewhere, "organisations/options", &[])
            .await
            .status()
            .as_u16(),
        401,
        "the other session ended"
    );
    assert_eq!(
        app.sign_in_with(&new_client(), "lead@test.example.org", "my brand new passphrase")
            .await
            .status()
            .as_u16(),
        200
    );
    // Once only.
    let again = app
        .call_as(
            &new_client(),
            "auth/reset-password",
            &reset_form("yet another passphrase"),
        )
        .await;
    assert_eq!(again.status().as_u16(), 422);
    // The link's text is gone from the outbox once sent.
    let mut r = app
        .store
        .db()
        .query("SELECT VALUE text FROM account_mail WHERE state = 'sent'")
        .await
        .expect("query");
    let texts: Vec<String> = r.take(0).expect("texts");
    assert!(texts.iter().all(|t| t.is_empty()), "sent account mail keeps no link");
}

#[tokio::test]
async fn password_reset_requests_are_throttled() {
    let app = spawn_app().await;
    let client = new_client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            app.call_as(&client, "auth/forgot-password", &[("email", MANAGER.to_string())])
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert_eq!(&statuses[5..], &[429, 429]);
}
