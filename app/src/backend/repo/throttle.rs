//! Failed sign-in attempts, per account and per address, kept in the database so that every
//! server process sees the same counts.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use chrono::{DateTime, Duration, Utc};

/// Attempts are counted over this window, and a refusal lasts until enough of them age out.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures per account within the window before further attempts are refused.
pub const ACCOUNT_LIMIT: u64 = 5;
/// Failures per client address within the window (several accounts) before refusal.
pub const ADDRESS_LIMIT: u64 = 20;

pub struct Throttle<'a> {
    store: &'a Store,
}

impl<'a> Throttle<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Recent failures for the account key and the address key.
    pub async fn failures(&self, account: &str, address: &str, now: DateTime<Utc>) -> Result<(u64, u64), StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT count() FROM login_failure WHERE key = $account AND at > $since GROUP ALL;
                 SELECT count() FROM login_failure WHERE key = $address AND at > $since GROUP ALL;",
            )
            .bind(("account", account.to_string()))
            .bind(("address", address.to_string()))
            .bind(("since", now - WINDOW))
            .await?;
        let a: Option<i64> = res.take((0, "count"))?;
        let b: Option<i64> = res.take((1, "count"))?;
        Ok((a.unwrap_or(0).max(0) as u64, b.unwrap_or(0).max(0) as u64))
    }

    pub async fn record_failure(&self, account: &str, address: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.store
            .db()
            .query(
                "CREATE login_failure SET key = $account, at = $now;
                 CREATE login_failure SET key = $address, at = $now;
                 DELETE login_failure WHERE at < $old;",
            )
            .bind(("account", account.to_string()))
            .bind(("address", address.to_string()))
            .bind(("now", now))
            .bind(("old", now - WINDOW * 4))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn clear(&self, account: &str) -> Result<(), StoreError> {
        self.store
            .db()
            .query("DELETE login_failure WHERE key = $account")
            .bind(("account", account.to_string()))
            .await?
            .check()?;
        Ok(())
    }
}
