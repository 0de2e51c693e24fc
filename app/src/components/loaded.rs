//! The scaffolding every data page shares: load a resource, show "Loading…" meanwhile, the
//! page with its value once loaded, or the error page (with its HTTP status) if it failed.
use super::errors::NotFoundOrError;
use crate::domain::AppError;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// `<Loaded resource=data let:value> … </Loaded>`: the children see the loaded value.
#[component]
pub fn Loaded<T, F, V>(resource: Resource<Result<T, AppError>>, children: F) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
