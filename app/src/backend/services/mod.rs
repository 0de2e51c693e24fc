//! Use cases that take more than one repository call: server functions, the CLI and the
//! workers call these, so that each use case is written once. A repository owns one table's
//! reads and writes; a service composes them.
pub mod briefings;
pub mod engagement;
pub mod inbound;
pub mod plan;
pub mod reports;
pub mod subject_access;
