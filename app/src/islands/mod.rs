//! The only parts of Liaison that run in the browser. Pages are HTML from the server and work
//! without JavaScript (forms are plain posts); an island adds what needs a script, and only the
//! code reachable from these components is compiled to WebAssembly (Leptos's islands mode, see
//! `hydrate` in lib.rs). Their props cross from the server as JSON, so they are wire types.
pub mod map_drag;
pub mod print;
pub mod progress;
