//! Demo programme data: real public names of West Midlands organisations, fictional people.
//!
//! Organisation names are the public names of West Midlands universities, NHS trusts and
//! integrated care boards. Identifiers (ODS codes, UKPRNs) are filled in only where they are
//! known to be correct; otherwise they are `None`. Primary-care providers and "other" bodies
//! are invented and carry a "(fictional)" suffix. Every person is fictional, and every email
//! address uses a reserved domain (`.example.org` or `.test`), so nothing here can reach a
//! real inbox.
//!
//! The contact list is produced by a small deterministic generator (xorshift64* with a fixed
//! seed), so every call to [`contacts`] returns the same 150 people.

mod organisations;
mod people;
mod workstreams;

pub use organisations::{org_email_domain, org_slug, DemoOrg, ICS_AREAS, ORGANISATIONS};
pub use people::{contacts, DemoContact, CONTACT_COUNT};
pub use workstreams::{DemoWorkstream, WORKSTREAMS};
