//! `surreal`, the SurrealDB server and CLI, exactly as SurrealDB ships it, built from the
//! `surrealdb-server` library crate (which `cargo install` refuses). The integration tests start
//! it (`surreal start … surrealkv://DIR`) to prove Liaison on a real remote server.
// Without this rustc stops with "queries overflow the depth limit" inside surrealdb-server.
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
