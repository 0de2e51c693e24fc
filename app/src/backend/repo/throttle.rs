//! Sign-in throttling, kept in the database so that every server process sees the same counts.
//!
//! Each attempt is *reserved* before its password is checked: one transaction reads the counters
//! of its keys and, if none is at its limit, increments them all. Parallel attempts write the
//! same counter records, so SurrealKV's optimistic transactions let one commit and make the
//! others run again with the new count: P parallel guesses cannot all read "no failures yet".
//! A successful sign-in clears its account's counters; a failed one leaves its reservation
//! counted.
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::StoreError;
use chrono::{DateTime, Duration, Utc};

/// Attempts are counted over this window, which starts at the first attempt after a quiet one.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures for one account from one address: an attacker at one address runs out here,
/// long before the account's own limit, so they cannot lock its owner out.
pub const ACCOUNT_ADDRESS_LIMIT: u64 = 5;
/// Failures for one account from anywhere: bounds guessing spread over many addresses.
pub const ACCOUNT_LIMIT: u64 = 50;
/// Failures from one address over all accounts.
pub const ADDRESS_LIMIT: u64 = 100;

/// The throttle keys of one attempt. Keys are bounded in length by the caller (an email is at
/// most 254 characters), so nothing unbounded is ever stored.
pub struct AttemptKeys {
    pub account: String,
    pub account_address: String,
    pub address: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Reservation {
    /// Under every limit: the attempt is counted and may be checked.
    Granted,
    /// A limit is reached. `first` is true for the first refusal of this account in this
    /// window, the only one worth an audit entry.
    Refused { first: bool },
}

pub struct Throttle<'a> {
    store: &'a Store,
}

impl<'a> Throttle<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Counts the attempt against all three keys, or refuses it if any is at its limit.
    pub async fn reserve(&self, keys: &AttemptKeys, now: DateTime<Utc>) -> Result<Reservation, StoreError> {
        // The refusal record's key names the window the refusal falls in.
        let bucket = now.timestamp().div_euclid(WINDOW.num_seconds());
        let outcome: Option<String> = retry_conflicts(|| async move {
            let res = self
                .store
                .db()
                .query(
                    "BEGIN TRANSACTION;
                     LET $r0 = type::record('login_throttle', $k0);
                     LET $r1 = type::record('login_throttle', $k1);
                     LET $r2 = type::record('login_throttle', $k2);
                     LET $c0 = IF $r0.since > $since { $r0.count } ELSE { 0 };
                     LET $c1 = IF $r1.since > $since { $r1.count } ELSE { 0 };
                     LET $c2 = IF $r2.since > $since { $r2.count } ELSE { 0 };
                     LET $over = $c0 >= $l0 OR $c1 >= $l1 OR $c2 >= $l2;
                     LET $prev = IF $over {
                         (UPSERT type::record('login_refusal', [$k0, $bucket]) SET at = $now RETURN BEFORE)[0]
                     } ELSE { 'granted' };
                     IF !$over {
                         UPSERT $r0 SET since = IF $c0 = 0 { $now } ELSE { $r0.since }, count = $c0 + 1;
                         UPSERT $r1 SET since = IF $c1 = 0 { $now } ELSE { $r1.since }, count = $c1 + 1;
                         UPSERT $r2 SET since = IF $c2 = 0 { $now } ELSE { $r2.since }, count = $c2 + 1;
                     };
                     RETURN IF !$over { 'granted' } ELSE IF $prev = NONE { 'first-refusal' } ELSE { 'refused' };
                     COMMIT TRANSACTION;",
                )
                .bind(("k0", keys.account.clone()))
                .bind(("k1", keys.account_address.clone()))
                .bind(("k2", keys.address.clone()))
                .bind(("l0", ACCOUNT_LIMIT as i64))
                .bind(("l1", ACCOUNT_ADDRESS_LIMIT as i64))
                .bind(("l2", ADDRESS_LIMIT as i64))
                .bind(("since", now - WINDOW))
                .bind(("now", now))
                .bind(("bucket", bucket))
                .await?;
            let mut res = super::checked(res)?;
            // The outcome is the RETURN's result: the last statement that produced a string.
            let outcome = super::returned::<String>(&mut res);
            Ok(outcome)
        })
        .await?;
        Ok(match outcome.as_deref() {
            Some("granted") => Reservation::Granted,
            Some("first-refusal") => Reservation::Refused { first: true },
            _ => Reservation::Refused { first: false },
        })
    }

    /// After a successful sign-in: the account's failures are forgiven, and the attempt itself
    /// no longer counts against the address (its earlier failures still do).
    pub async fn clear(&self, keys: &AttemptKeys) -> Result<(), StoreError> {
        self.store
            .db()
            .query(
                "DELETE type::record('login_throttle', $k0); DELETE type::record('login_throttle', $k1);
                 UPDATE type::record('login_throttle', $k2) SET count = math::max([count - 1, 0]) WHERE count > 0;",
            )
            .bind(("k0", keys.account.clone()))
            .bind(("k1", keys.account_address.clone()))
            .bind(("k2", keys.address.clone()))
            .await?
            .check()?;
        Ok(())
    }
}
