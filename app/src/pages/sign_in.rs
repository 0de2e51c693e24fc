//! The sign-in page: the only page an anonymous visitor sees (besides emailed-token pages).
use crate::api::auth::{has_programme_manager, safe_next, SignIn};
use crate::components::form::*;
use crate::components::notice::{Notice, Tone};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(&query.with(|q| q.get("next").unwrap_or_default()));
    let signed_out = move || query.with(|q| q.get("signed_out").is_some());
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let reset = move || query.with(|q| q.get("reset").is_some());
    let ready = Resource::new(|| (), |_| has_programme_manager());
    let action = ServerAction::<SignIn>::new();
    let form = FormView::from_result(action.value().into(), BTreeMap::new());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Sign in – Liaison" />
        <h1>"Sign in"</h1>
        {move || signed_out().then(|| view! { <Notice tone=Tone::Success>"You have signed out."</Notice> })}
        {move || {
            welcome()
                .then(|| {
                    view! {
                        <Notice tone=Tone::Success>
                            "Your account is ready. Sign in with your email address and the password you chose."
                        </Notice>
                    }
                })
        }}
        {move || {
            reset()
                .then(|| {
                    view! {
                        <Notice tone=Tone::Success>"Your password has been changed. Sign in with the new one."</Notice>
                    }
                })
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                (ready.await == Ok(false))
                    .then(|| {
                        view! {
                            <div class="notice notice--warning" role="status">
                                <p>"No programme manager account exists yet. On the server, create one with:"</p>
                                <pre>
                                    <code>
                                        "liaison user add --email you@example.org --name \"Your Name\" --role programme-manager"
                                    </code>
                                </pre>
                            </div>
                        }
                    })
            })}
        </Transition>
        <ErrorSummary form />
        <ActionErrorNotice error />
        // A plain form post (with or without JavaScript): signing in reloads the whole page, so
        // every part of it is rendered for the signed-in user. Errors come back in the URL.
        <form method="post" action=SignIn::url() novalidate>
            <input type="hidden" name="next" value=next />
            <TextField form name="email" label="Email address" input_type="email" autocomplete="username" width="30" />
            <div class="form-group">
                <label class="label" for="f-password">
                    "Password"
                </label>
                <input
                    class="input input--width-20"
                    id="f-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                />
            </div>
            <button class="button" type="submit">
                "Sign in"
            </button>
        </form>
        <p>
            <a href="/forgot-password">"Forgot your password?"</a>
        </p>
    }
}
