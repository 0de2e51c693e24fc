//! The pages an emailed account link opens, and "Forgot your password?". Anonymous visitors
//! reach them; plain form posts, so they work without JavaScript.
use crate::api::accounts::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

/// The two password fields of the invitation and reset pages.
#[component]
fn NewPasswordFields(form: FormView) -> impl IntoView {
    view! {
        <TextField
            form
            name="password"
            label="New password"
            input_type="password"
            autocomplete="new-password"
            hint="At least 12 characters. A few unrelated words make a strong password that is easy to remember."
            width="20"
        />
        <TextField
            form
            name="confirm"
            label="Type the password again"
            input_type="password"
            autocomplete="new-password"
            width="20"
        />
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let invitation = Resource::new(token, get_invitation);
    let action = ServerAction::<AcceptInvitation>::new();
    let form = FormView::from_result(action.value().into(), BTreeMap::new());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Choose your password – Liaison" />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match invitation.await {
                    Ok(i) => {
                        view! {
                            <h1>"Choose your password"</h1>
                            <p class="lede">
                                {format!(
                                    "Welcome, {}. You have been invited to Liaison as a {}, with the email address {}.",
                                    i.name,
                                    i.role.label().to_lowercase(),
                                    i.email,
                                )}
                            </p>
                            <ErrorSummary form />
                            <ActionErrorNotice error />
                            <form method="post" action=AcceptInvitation::url() novalidate>
                                <input type="hidden" name="token" value=token() />
                                <NewPasswordFields form />
                                <button class="button" type="submit">
                                    "Create my account"
                                </button>
                            </form>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.with(|q| q.get("sent").is_some());
    let action = ServerAction::<ForgotPassword>::new();
    let form = FormView::from_result(action.value().into(), BTreeMap::new());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Reset your password – Liaison" />
        <p>
            <a href="/sign-in">"Back to sign in"</a>
        </p>
        <h1>"Reset your password"</h1>
        {move || {
            if sent() {
                view! {
                    <div class="notice notice--success" role="status">
                        <p>
                            "If that address has a Liaison account, we have sent it a link to choose a new password. The link works once, for an hour. Check your junk folder if it has not arrived in a few minutes."
                        </p>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <p>"Enter the email address you sign in with. We will send you a link to choose a new password."</p>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <form method="post" action=ForgotPassword::url() novalidate>
                        <TextField
                            form
                            name="email"
                            label="Email address"
                            input_type="email"
                            autocomplete="username"
                            width="30"
                        />
                        <button class="button" type="submit">
                            "Send me a link"
                        </button>
                    </form>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let open = Resource::new(token, reset_link_open);
    let action = ServerAction::<ResetPassword>::new();
    let form = FormView::from_result(action.value().into(), BTreeMap::new());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Choose a new password – Liaison" />
        <h1>"Choose a new password"</h1>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if open.await != Ok(true) {
                    return view! {
                        <p>"This reset link has expired or has already been used."</p>
                        <p>
                            <a href="/forgot-password">"Ask for a new link"</a>
                        </p>
                    }
                        .into_any();
                }
                view! {
                    <p>"Choosing a new password signs you out everywhere else."</p>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <form method="post" action=ResetPassword::url() novalidate>
                        <input type="hidden" name="token" value=token() />
                        <NewPasswordFields form />
                        <button class="button" type="submit">
                            "Save my new password"
                        </button>
                    </form>
                }
                    .into_any()
            })}
        </Transition>
    }
}
