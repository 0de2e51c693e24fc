//! The page frame: skip link, header with navigation, main region, footer.
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main-content">"Skip to main content"</a>
        <header class="header" role="banner">
            <div class="width-container header__inner">
                <a class="header__logo" href="/">"Liaison"<span class="visually-hidden">" home"</span></a>
                <nav class="header__nav" aria-label="Primary">
                    <ul>
                        <NavLink href="/organisations" label="Organisations"/>
                        <NavLink href="/contacts" label="Contacts"/>
                    </ul>
                </nav>
            </div>
        </header>
        <div class="width-container">
            <main class="main" id="main-content" tabindex="-1">{children()}</main>
        </div>
        <footer class="footer" role="contentinfo">
            <div class="width-container">
                <p class="body-small">"Liaison: stakeholder communication for the regional advanced clinical practice programme."</p>
            </div>
        </footer>
    }
}

#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let location = use_location();
    let current = move || location.pathname.get().starts_with(href).then_some("page");
    view! { <li><a href=href aria-current=current>{label}</a></li> }
}

/// Links to the other pages of a list, keeping the rest of the query string.
#[component]
pub fn Pagination(page: u32, page_count: u32, #[prop(into)] base_query: String, #[prop(into)] path: String) -> impl IntoView {
    let link = move |p: u32| {
        let sep = if base_query.is_empty() { "" } else { "&" };
        format!("{path}?{base_query}{sep}page={p}")
    };
    (page_count > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                <ul>
                    {(page > 1).then(|| view! { <li><a class="pagination__link" href=link(page - 1) rel="prev">"Previous"<span class="visually-hidden">" page"</span></a></li> })}
                    <li><span class="pagination__current">{format!("Page {page} of {page_count}")}</span></li>
                    {(page < page_count).then(|| view! { <li><a class="pagination__link" href=link(page + 1) rel="next">"Next"<span class="visually-hidden">" page"</span></a></li> })}
                </ul>
            </nav>
        }
    })
}
