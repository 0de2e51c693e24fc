//! Passwords and session tokens.
//!
//! Passwords: argon2id at OWASP's recommended minimum or above (19 MiB memory, 2 iterations,
//! 1 lane), hashed off the async executor. Tokens: 256 random bits from the OS, sent to the
//! browser (or in an email link) once; only their SHA-256 is stored, so a leaked database
//! holds no usable token.
use crate::domain::audit::AuditAction;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

fn hasher() -> Argon2<'static> {
    // The parameters are constants inside argon2's valid ranges.
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A password a user chose: long enough to resist guessing. Parsed before hashing.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("Password must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("Password must be {MAX_PASSWORD_CHARS} characters or fewer"));
    }
    Ok(())
}

/// argon2 takes 19 MiB and a core for tens of milliseconds per run. Hashing runs on at most as
/// many threads as there are cores: unbounded, 512 parallel sign-ins would need about 9.5 GiB.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS
        .get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

/// How long a sign-in waits for a hashing slot before it is told to try again.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// All hashing slots stayed busy for [`HASHING_WAIT`].
#[derive(Debug)]
pub struct Busy;

pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let _permit = hashing_permits().acquire().await?;
    tokio::task::spawn_blocking(move || {
        let mut salt_bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt_bytes);
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Verifies against a stored hash; with `None` (no such user) it verifies against a dummy hash
/// so that the time taken does not reveal whether the account exists.
pub async fn verify_password(stored: Option<String>, password: String) -> Result<bool, Busy> {
    let _permit = match tokio::time::timeout(HASHING_WAIT, hashing_permits().acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(Busy),
    };
    Ok(tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        hasher().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .unwrap_or(false))
}

/// A hash of the string "dummy" with the production parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0hZ9G5ZV4s4Gx8dJ0S3qXg0lq3hT9mJjJQ5c2l8H0Yk";

/// A fresh random token and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tokens are exactly 43 URL-safe base64 characters; anything else is refused before any lookup.
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_at_owasp_parameters() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password(Some(h.clone()), "correct horse battery".into())
            .await
            .unwrap());
        assert!(!verify_password(Some(h), "wrong horse battery".into()).await.unwrap());
        assert!(!verify_password(None, "dummy".into()).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(looks_like_token(&a));
        assert_eq!(ha, token_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!looks_like_token("short"));
    }

    #[test]
    fn new_passwords_have_a_minimum_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("a long enough passphrase").is_ok());
    }
}

/// Why a sign-in did not succeed. `Refused` covers both "no such account" and "wrong
/// password" so the answer never reveals whether an email is registered.
#[derive(Debug)]
pub enum SignInError {
    Refused,
    Throttled,
    /// Every password-hashing slot is taken: try again in a moment.
    Busy,
    Store(super::StoreError),
}

impl From<super::StoreError> for SignInError {
    fn from(e: super::StoreError) -> Self {
        SignInError::Store(e)
    }
}

/// RFC 5321's limit on an address. Longer input is cut before it is used as a throttle key or
/// written to the audit log, so anonymous requests cannot store megabytes.
pub const MAX_EMAIL_CHARS: usize = 254;

/// Checks the credentials and starts a session, with throttling per account, per account and
/// address, and per address (`repo::throttle`). The attempt is counted *before* the password is
/// checked, atomically, so parallel guesses cannot slip past the limit. Returns the new session
/// token (the only time it exists outside the browser).
pub async fn sign_in(
    store: &super::Store,
    email_raw: &str,
    password: String,
    client: Option<std::net::IpAddr>,
) -> Result<String, SignInError> {
    use super::repo::audit::Actor;
    use super::repo::throttle::{AttemptKeys, Reservation};
    let now = chrono::Utc::now();
    let email_raw: String = email_raw.trim().chars().take(MAX_EMAIL_CHARS).collect();
    let email = crate::domain::EmailAddress::parse(&email_raw).ok();
    // Unparseable input still counts, keyed by what was typed (bounded above).
    let account = email
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_else(|| email_raw.to_lowercase());
    let address = client.map(|c| c.to_string()).unwrap_or_else(|| "unknown".into());
    let keys = AttemptKeys {
        account_address: format!("account-address:{account} {address}"),
        account: format!("account:{account}"),
        address: format!("address:{address}"),
    };
    let masked = email
        .as_ref()
        .map(|e| e.masked())
        .unwrap_or_else(|| "(not an email)".into());

    match store.throttle().reserve(&keys, now).await {
        Ok(Reservation::Granted) => {}
        Ok(Reservation::Refused { first }) => {
            if first {
                store
                    .audit()
                    .append(
                        &Actor::Other(masked),
                        AuditAction::FailedSignIn,
                        "session",
                        "refused: too many recent failures",
                    )
                    .await?;
            }
            return Err(SignInError::Throttled);
        }
        // Still conflicting after the retries: so many attempts at once that refusing is right.
        Err(e) if e.is_retryable() => return Err(SignInError::Throttled),
        Err(e) => return Err(e.into()),
    }

    let credentials = match &email {
        Some(e) => store.users().credentials(e).await?,
        None => None,
    };
    let active = credentials.as_ref().is_some_and(|c| c.user.active);
    let hash = credentials
        .as_ref()
        .filter(|c| c.user.active)
        .map(|c| c.password_hash.clone());
    let verified = verify_password(hash, password)
        .await
        .map_err(|Busy| SignInError::Busy)?;
    let user = match credentials {
        Some(c) if verified && active => c.user,
        _ => {
            store
                .audit()
                .append(
                    &Actor::Other(masked),
                    AuditAction::FailedSignIn,
                    "session",
                    "wrong email or password, or account disabled",
                )
                .await?;
            return Err(SignInError::Refused);
        }
    };
    let (token, token_hash) = new_token();
    store.users().start_session(&user.id, &token_hash, now).await?;
    store.users().record_sign_in(&user.id).await?;
    store.throttle().clear(&keys).await?;
    let actor = Actor::User {
        id: user.id.clone(),
        label: format!("{} <{}>", user.name, user.email),
    };
    store
        .audit()
        .append(&actor, AuditAction::SignIn, &format!("user:{}", user.id), "")
        .await?;
    Ok(token)
}
