//! What each finished briefing reached, kept so that a period's reach (the board report, the
//! overview's panel) reads a few records per briefing instead of counting its deliveries: a
//! quarter of region-sized sends is 200,000 deliveries, which took 2.4 s to read.
//!
//! - `briefing_tally` (per briefing and sector): how many deliveries were sent and the keys of
//!   the contacts they went to. Written when a briefing's send is finished (the dispatcher's
//!   completion pass, or the first report that finds one missing); final while the briefing
//!   stays `sent`, since a sent delivery's state never changes again. "Retry failed" re-opens
//!   the send and removes them in its transaction (`send_control`), and the next completion
//!   writes them again.
//! - `briefing_acks` (per briefing and sector): acknowledgements of sent deliveries, counted by
//!   the acknowledgement's own transaction (`Deliveries::acknowledge`), and counted again from
//!   the deliveries whenever the tallies are kept; migration 28 counted the earlier ones.
use super::checked;
use super::deliveries::SentDelivery;
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::StoreError;
use std::collections::BTreeMap;
use surrealdb::types::SurrealValue;

/// One sector's share of a finished briefing.
#[derive(Debug, Clone, SurrealValue)]
pub struct Tally {
    pub briefing: String,
    pub org_kind: String,
    pub delivered: i64,
    /// The contacts' keys, comma-separated: one string reads far faster than 10,000 values.
    pub contacts: String,
}

/// Acknowledgements of one briefing within one sector.
#[derive(Debug, Clone, SurrealValue)]
pub struct Acks {
    pub briefing: String,
    pub org_kind: String,
    pub n: i64,
}

pub struct Tallies<'a> {
    store: &'a Store,
}

impl<'a> Tallies<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Works out and keeps what a briefing reached, if its send is finished (a briefing still
    /// sending is left alone), and counts its acknowledgements again from its deliveries (one
    /// given while a delivery was still being retried counts from here on). Replaces what was
    /// kept before.
    ///
    /// The rows are added up here, outside the transaction, so the transaction checks that the
    /// send it writes for is the one they were read from: still `sent`, and finished at the same
    /// time (a "Retry failed" and a new finish in between change `sent_at`; that finish keeps
    /// its own). Each sector's tally has a fixed id, so two keeps at once write the same records
    /// and one of them is retried instead of both adding rows. A send with nothing delivered
    /// keeps one empty tally, so that it is not worked out again on every report.
    pub async fn keep(&self, briefing: &str) -> Result<(), StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE sent_at FROM ONLY type::record('briefing', $id)")
            .bind(("id", briefing.to_string()))
            .await?;
        let Some(finished_at) = res.take::<Option<chrono::DateTime<chrono::Utc>>>(0)? else {
            return Ok(());
        };
        let rows = self.store.deliveries().sent_of(&[briefing.to_string()]).await?;
        let tallies = tally(briefing, &rows);
        retry_conflicts(|| {
            let tallies = tallies.clone();
            async move {
                let res = self
                    .store
                    .db()
                    .query(
                        "BEGIN TRANSACTION;
                         LET $b = type::record('briefing', $id);
                         IF $b.state = 'sent' AND $b.sent_at = $finished_at {
                            DELETE briefing_tally WHERE briefing = $b AND org_kind NOTINSIDE $tallies.org_kind;
                            FOR $t IN $tallies {
                                UPSERT type::record('briefing_tally', [record::id($b), $t.org_kind]) SET briefing = $b,
                                    org_kind = $t.org_kind, delivered = $t.delivered, contacts = $t.contacts;
                            };
                            FOR $g IN (SELECT org_kind, count() AS n FROM delivery WHERE briefing = $b
                                    AND kind = 'briefing' AND state = 'sent' AND acknowledged_at != NONE GROUP BY org_kind) {
                                UPSERT type::record('briefing_acks', [record::id($b), $g.org_kind])
                                    SET briefing = $b, org_kind = $g.org_kind, n = $g.n;
                            };
                         };
                         COMMIT TRANSACTION;",
                    )
                    .bind(("id", briefing.to_string()))
                    .bind(("finished_at", finished_at))
                    .bind(("tallies", tallies))
                    .await?;
                checked(res).map(|_| ())
            }
        })
        .await
    }

    /// The kept tallies of those briefings that are finished (`sent`).
    pub async fn of(&self, briefings: &[String]) -> Result<Vec<Tally>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "LET $ids = $keys.map(|$k| type::record('briefing', $k));
                 SELECT record::id(briefing) AS briefing, org_kind, delivered, contacts FROM briefing_tally
                    WHERE briefing IN $ids AND briefing.state = 'sent';",
            )
            .bind(("keys", briefings.to_vec()))
            .await?;
        Ok(res.take(1)?)
    }

    /// The acknowledgements counted for those briefings, per sector.
    pub async fn acks_of(&self, briefings: &[String]) -> Result<Vec<Acks>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "LET $ids = $keys.map(|$k| type::record('briefing', $k));
                 SELECT record::id(briefing) AS briefing, org_kind, n FROM briefing_acks WHERE briefing IN $ids;",
            )
            .bind(("keys", briefings.to_vec()))
            .await?;
        Ok(res.take(1)?)
    }
}

/// A briefing's sent deliveries added up per sector.
fn tally(briefing: &str, rows: &[SentDelivery]) -> Vec<Tally> {
    let mut by_kind: BTreeMap<&str, (i64, Vec<&str>)> = BTreeMap::new();
    for r in rows {
        let t = by_kind.entry(r.org_kind.as_str()).or_default();
        t.0 += 1;
        if let Some(c) = &r.contact {
            t.1.push(c.as_str());
        }
    }
    let tallies: Vec<Tally> = by_kind
        .into_iter()
        .map(|(kind, (delivered, contacts))| Tally {
            briefing: briefing.to_string(),
            org_kind: kind.to_string(),
            delivered,
            contacts: contacts.join(","),
        })
        .collect();
    if tallies.is_empty() {
        // Nothing delivered: one empty tally says it was worked out.
        return vec![Tally {
            briefing: briefing.to_string(),
            org_kind: String::new(),
            delivered: 0,
            contacts: String::new(),
        }];
    }
    tallies
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, contact: Option<&str>) -> SentDelivery {
        SentDelivery {
            briefing: "b".into(),
            org_kind: kind.into(),
            contact: contact.map(String::from),
            acknowledged: false,
        }
    }

    #[test]
    fn a_tally_counts_each_sectors_deliveries_and_lists_its_contacts() {
        let rows = [
            row("hei", Some("c1")),
            row("acute_trust", Some("c2")),
            row("hei", None),
            row("hei", Some("c3")),
        ];
        let t = tally("b", &rows);
        let got: Vec<(&str, i64, &str)> = t
            .iter()
            .map(|t| (t.org_kind.as_str(), t.delivered, t.contacts.as_str()))
            .collect();
        assert_eq!(got, vec![("acute_trust", 1, "c2"), ("hei", 3, "c1,c3")]);
    }

    #[test]
    fn a_send_with_nothing_delivered_keeps_one_empty_tally() {
        let t = tally("b", &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].org_kind.as_str(), t[0].delivered, t[0].contacts.as_str()),
            ("", 0, "")
        );
    }
}
