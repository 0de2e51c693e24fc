//! The page frame: skip link, header with navigation (by role), main region, footer.
use crate::api::auth::{whoami, SignOut};
use crate::domain::policy::{allows, Action, CurrentUser};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_location;

/// The signed-in user, loaded once per page and shared through context.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<CurrentUser>, AppError>>);

impl Session {
    pub fn provide() {
        provide_context(Session(Resource::new(|| (), |_| whoami())));
    }

    /// The user, for use inside a `Suspend` (awaits the session resource).
    pub async fn user() -> Option<CurrentUser> {
        match use_context::<Session>() {
            Some(s) => s.0.await.ok().flatten(),
            None => None,
        }
    }

    /// Whether the page should offer a control. The server refuses regardless.
    pub async fn can(action: Action) -> bool {
        Self::user().await.is_some_and(|u| allows(&u, &action))
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_context::<Session>();
    view! {
        <a class="skip-link" href="#main-content">
            "Skip to main content"
        </a>
        <header class="header" role="banner">
            <div class="width-container header__inner">
                <a class="header__logo" href="/">
                    "Liaison"
                    <span class="visually-hidden">" home"</span>
                </a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let user = match session {
                            Some(s) => s.0.await.ok().flatten(),
                            None => None,
                        };
                        user.map(|u| view! { <Nav user=u /> })
                    })}
                </Transition>
            </div>
        </header>
        <div class="width-container">
            <main class="main" id="main-content" tabindex="-1">
                {children()}
            </main>
        </div>
        <footer class="footer" role="contentinfo">
            <div class="width-container">
                <p class="body-small">
                    "Liaison: stakeholder communication for the regional advanced clinical practice programme."
                </p>
            </div>
        </footer>
    }
}

#[component]
fn Nav(user: CurrentUser) -> impl IntoView {
    let admin = allows(&user, &Action::ManageUsers);
    let audit = allows(&user, &Action::ViewAudit);
    let inbox = allows(&user, &Action::HandleInbox);
    view! {
        <nav class="header__nav" aria-label="Primary">
            <ul>
                <NavLink href="/" label="Overview" />
                <NavLink href="/organisations" label="Organisations" />
                <NavLink href="/contacts" label="Contacts" />
                <NavLink href="/plan" label="Plan" />
                <NavLink href="/segments" label="Audiences" />
                <NavLink href="/briefings" label="Briefings" />
                <NavLink href="/reports/board" label="Board report" />
                {inbox.then(|| view! { <NavLink href="/inbox" label="Inbox" /> })}
                {admin.then(|| view! { <NavLink href="/setup/workstreams" label="Workstreams" /> })}
                {admin.then(|| view! { <NavLink href="/users" label="Users" /> })}
                {audit.then(|| view! { <NavLink href="/audit" label="Audit log" /> })}
            </ul>
        </nav>
        <div class="header__user">
            <span>{format!("{} ({})", user.name, user.role.label())}</span>
            // A plain form: signing out reloads the whole page, so nothing of the session stays.
            <form method="post" action=SignOut::url() class="header__signout-form">
                <button class="header__signout" type="submit">
                    "Sign out"
                </button>
            </form>
        </div>
    }
}

#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        let here = if href == "/" {
            path == "/" || path.starts_with("/workstreams")
        } else {
            path.starts_with(href)
        };
        here.then_some("page")
    };
    view! {
        <li>
            <a href=href aria-current=current>
                {label}
            </a>
        </li>
    }
}

/// Links to the other pages of a list, keeping the rest of the query string.
#[component]
pub fn Pagination(
    page: u32,
    page_count: u32,
    #[prop(into)] base_query: String,
    #[prop(into)] path: String,
) -> impl IntoView {
    let link = move |p: u32| crate::components::url::link_with(&path, &base_query, "page", &p.to_string());
    (page_count > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                <ul>
                    {(page > 1)
                        .then(|| {
                            view! {
                                <li>
                                    <a class="pagination__link" href=link(page - 1) rel="prev">
                                        "Previous"
                                        <span class="visually-hidden">" page"</span>
                                    </a>
                                </li>
                            }
                        })} <li>
                        <span class="pagination__current">{format!("Page {page} of {page_count}")}</span>
                    </li>
                    {(page < page_count)
                        .then(|| {
                            view! {
                                <li>
                                    <a class="pagination__link" href=link(page + 1) rel="next">
                                        "Next"
                                        <span class="visually-hidden">" page"</span>
                                    </a>
                                </li>
                            }
                        })}
                </ul>
            </nav>
        }
    })
}

/// "Newer" and "Older" links of a list paged by keyset (a cursor per link, so that entries
/// added meanwhile shift nothing), plus a way back to the newest.
#[component]
pub fn CursorPagination(
    newer: Option<String>,
    older: Option<String>,
    #[prop(into)] base_query: String,
    #[prop(into)] path: String,
    noun: &'static str,
) -> impl IntoView {
    use crate::components::url::link_with;
    let link = |key: &str, cursor: &str| link_with(&path, &base_query, key, cursor);
    let newest = newer.is_some().then(|| link_with(&path, &base_query, "", ""));
    (newer.is_some() || older.is_some()).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                <ul>
                    {newest
                        .map(|href| {
                            view! {
                                <li>
                                    <a class="pagination__link" href=href>
                                        {format!("Newest {noun}")}
                                    </a>
                                </li>
                            }
                        })}
                    {newer
                        .map(|c| {
                            view! {
                                <li>
                                    <a class="pagination__link" href=link("after", &c) rel="prev">
                                        {format!("Newer {noun}")}
                                    </a>
                                </li>
                            }
                        })}
                    {older
                        .map(|c| {
                            view! {
                                <li>
                                    <a class="pagination__link" href=link("before", &c) rel="next">
                                        {format!("Older {noun}")}
                                    </a>
                                </li>
                            }
                        })}
                </ul>
            </nav>
        }
    })
}

/// Text for `<title>`: leptos_meta writes it unescaped, so the characters that could end the
/// element are removed from anything a user wrote.
pub fn title_text(s: String) -> String {
    s.replace(['<', '>'], "")
}
