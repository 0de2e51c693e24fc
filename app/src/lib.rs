//! Liaison: the application. Domain types, pages and server functions are shared by the
//! browser (feature `hydrate`) and the server (feature `ssr`); `backend` is server-only.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod islands;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;

use components::layout::Layout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::{
    accounts, admin, audiences, board, briefings, consent, contacts, engagement, import, inbox, interactions, map,
    organisations, plan, sign_in, workstream_setup, workstreams,
};

/// The HTML document around the application, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy names the nonce its inline scripts carry.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&backend::csp::for_page(&nonce)) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    // Only a page with an island loads the WebAssembly (islands::on_page).
    #[cfg(feature = "ssr")]
    let live = use_context::<axum::http::request::Parts>().is_some_and(|p| islands::on_page(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let live = false;
    // Nothing outside an island is hydrated, so the page's data is not sent along for it
    // (`HydrationScripts` in islands mode says the same, but only pages with an island have it).
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // No favicon file: an empty data URL stops browsers requesting /favicon.ico.
                <link rel="icon" href="data:," />
                <AutoReload options=options.clone() />
                {live.then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every route renders with `SsrMode::Async`: the server waits for the page's data and sends
/// complete HTML, so pages read (and forms work) without JavaScript, and a 404 status set
/// while loading reaches the response.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::layout::Session::provide();
    view! {
        <Stylesheet id="liaison" href="/pkg/liaison.css" />
        <Title text="Liaison" />
        <Router>
            <Layout>
                <Routes fallback=|| {
                    view! {
                        <components::errors::NotFoundOrError error=domain::AppError::NotFound(
                            "There is no page at this address. Check the address, or start again from the home page."
                                .into(),
                        ) />
                    }
                }>
                    <Route path=path!("/") view=workstreams::OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/workstreams/:id") view=workstreams::WorkstreamPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/workstreams/:id/milestones/:milestone")
                        view=workstreams::EditMilestonePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/organisations") view=organisations::OrganisationsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/organisations/new")
                        view=organisations::NewOrganisationPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/organisations/:id") view=organisations::OrganisationPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/organisations/:id/edit")
                        view=organisations::EditOrganisationPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/contacts") view=contacts::ContactsPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/new") view=contacts::NewContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/import") view=import::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/retention") view=consent::RetentionPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/import/:id") view=import::ImportPreviewPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id") view=contacts::ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id/edit") view=contacts::EditContactPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/interactions/:id/edit")
                        view=interactions::EditInteractionPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/follow-ups") view=interactions::FollowUpsPage ssr=SsrMode::Async />
                    <Route path=path!("/interactions") view=interactions::InteractionLogPage ssr=SsrMode::Async />
                    <Route path=path!("/inbox") view=inbox::InboxPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/board") view=board::BoardReportPage ssr=SsrMode::Async />
                    <Route path=path!("/engagement") view=engagement::EngagementPage ssr=SsrMode::Async />
                    <Route path=path!("/map") view=map::MapPage ssr=SsrMode::Async />
                    <Route path=path!("/plan") view=plan::PlanPage ssr=SsrMode::Async />
                    <Route path=path!("/plan/:id/edit") view=plan::EditPlanItemPage ssr=SsrMode::Async />
                    <Route path=path!("/segments") view=audiences::SegmentsPage ssr=SsrMode::Async />
                    <Route path=path!("/segments/:id") view=audiences::SegmentPage ssr=SsrMode::Async />
                    <Route path=path!("/segments/:id/edit") view=audiences::EditSegmentPage ssr=SsrMode::Async />
                    <Route path=path!("/briefings") view=briefings::BriefingsPage ssr=SsrMode::Async />
                    <Route path=path!("/briefings/new") view=briefings::NewBriefingPage ssr=SsrMode::Async />
                    <Route path=path!("/briefings/:id") view=briefings::BriefingPage ssr=SsrMode::Async />
                    <Route path=path!("/briefings/:id/edit") view=briefings::EditBriefingPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=sign_in::SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view=accounts::ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/reset-password/:token") view=accounts::ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/invitation/:token") view=accounts::InvitationPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/setup/workstreams")
                        view=workstream_setup::WorkstreamSetupListPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/setup/workstreams/:id")
                        view=workstream_setup::WorkstreamSetupFormPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/users") view=admin::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=admin::AuditPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker for the browser tests: the islands are live from here on. The loader hydrates
    // them right after this returns (in microtasks), so the marker waits for the next task.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
