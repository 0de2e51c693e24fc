//! Routes outside the Leptos app: the pages a personal email link opens (acknowledge,
//! unsubscribe, with RFC 8058 one-click), and the development mail viewer.
use crate::devmail::MailSink;
use app::backend::state::{AppState, RequestInfo};
use app::backend::tokens::Purpose;
use app::domain::html::escape_html;
use app::domain::policy::{allows, Action};
use app::domain::time::format_london;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

/// A small page in the application's style (these pages have no navigation: the visitor
/// is not signed in).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} – Liaison</title><link rel=\"stylesheet\" href=\"/pkg/liaison.css\"></head><body>\
         <header class=\"header\" role=\"banner\"><div class=\"width-container header__inner\"><span class=\"header__logo\">Liaison</span></div></header>\
         <div class=\"width-container\"><main class=\"main\" id=\"main-content\"><h1>{t}</h1>{body}</main></div></body></html>",
        t = escape_html(title)
    );
    (status, Html(html)).into_response()
}

fn invalid_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "This link is not valid",
        "<p>The link may be incomplete: check that you opened the whole link from the email, or copy it into your browser again.</p>\
         <p>If it still does not work, reply to the briefing email and the programme team will help.</p>",
    )
}

fn failure(e: app::backend::StoreError) -> Response {
    match e {
        app::backend::StoreError::NotFound(_) => invalid_link(),
        other => {
            tracing::error!(error = %other, "personal link failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem",
                "<p>Try again later.</p>",
            )
        }
    }
}

async fn ack_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(delivery) = state.web.key.verify(Purpose::Acknowledge, &token) else {
        return invalid_link();
    };
    match state.store.deliveries().link_target(&delivery).await {
        Ok(t) => {
            let subject = escape_html(&t.subject);
            match t.acknowledged_at {
                Some(at) => page(
                    StatusCode::OK,
                    "You have already confirmed",
                    &format!(
                        "<p>You confirmed that you read <strong>{subject}</strong> on {}. Thank you.</p>{}",
                        format_london(at),
                        question_form(&token, "", None)
                    ),
                ),
                // A GET never acknowledges: mail scanners follow links. The person presses the button.
                None => page(
                    StatusCode::OK,
                    "Confirm you have read this briefing",
                    &format!(
                        "<p class=\"lede\">{subject}</p><form method=\"post\"><button class=\"button\" type=\"submit\">I have read this briefing</button></form>{}",
                        question_form(&token, "", None)
                    ),
                ),
            }
        }
        Err(e) => failure(e),
    }
}

async fn ack_confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(delivery) = state.web.key.verify(Purpose::Acknowledge, &token) else {
        return invalid_link();
    };
    let target = match state.store.deliveries().link_target(&delivery).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    match state
        .store
        .deliveries()
        .acknowledge(&delivery, chrono::Utc::now())
        .await
    {
        Ok(at) => page(
            StatusCode::OK,
            "Thank you",
            &format!(
                "<p>You confirmed that you read <strong>{}</strong> on {}.</p><p>You can close this page.</p>{}",
                escape_html(&target.subject),
                format_london(at),
                question_form(&token, "", None)
            ),
        ),
        Err(e) => failure(e),
    }
}

/// "I have a question": on the acknowledgement page, whether or not they have acknowledged.
/// What they typed comes back escaped, with the reason, when it cannot be sent.
fn question_form(token: &str, value: &str, error: Option<&str>) -> String {
    let (group, error) = match error {
        Some(e) => (
            "form-group form-group--error",
            format!(
                "<p class=\"error-message\" id=\"question-error\"><span class=\"visually-hidden\">Error: </span>{}</p>",
                escape_html(e)
            ),
        ),
        None => ("form-group", String::new()),
    };
    format!(
        "<h2>I have a question</h2>\
         <form method=\"post\" action=\"/ack/{token}/question\"><div class=\"{group}\">\
         <label class=\"label\" for=\"question\">Your question for the programme team</label>\
         <div class=\"hint\" id=\"question-hint\">Up to {max} characters. The team answers by email.</div>{error}\
         <textarea class=\"textarea\" id=\"question\" name=\"question\" rows=\"5\" maxlength=\"{max}\" aria-describedby=\"question-hint{described}\">{value}</textarea></div>\
         <button class=\"button button--secondary\" type=\"submit\">Send my question</button></form>",
        token = escape_html(token),
        max = app::domain::inbound::QUESTION_MAX,
        described = if error.is_empty() { "" } else { " question-error" },
        value = escape_html(value),
    )
}

#[derive(serde::Deserialize)]
struct QuestionForm {
    #[serde(default)]
    question: String,
}

async fn ask_question(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<QuestionForm>,
) -> Response {
    let Some(delivery) = state.web.key.verify(Purpose::Acknowledge, &token) else {
        return invalid_link();
    };
    let target = match state.store.deliveries().link_target(&delivery).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let question = match app::domain::inbound::Question::parse(&form.question) {
        Ok(q) => q,
        Err(e) => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Ask the programme team",
                &format!(
                    "<p class=\"lede\">{}</p>{}",
                    escape_html(&target.subject),
                    question_form(&token, &form.question, Some(&e))
                ),
            )
        }
    };
    match state.store.inbound().ask(&delivery, &question, chrono::Utc::now()).await {
        Ok(()) => page(
            StatusCode::OK,
            "Your question has been sent",
            &format!(
                "<p>The programme team has your question about <strong>{}</strong> and will answer by email.</p><p>You can close this page.</p>",
                escape_html(&target.subject)
            ),
        ),
        Err(e) => failure(e),
    }
}

async fn unsubscribe_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(delivery) = state.web.key.verify(Purpose::Unsubscribe, &token) else {
        return invalid_link();
    };
    match state.store.deliveries().link_target(&delivery).await {
        Ok(t) if !t.subscribed => page(StatusCode::OK, "You are unsubscribed", "<p>You will not receive programme briefings by email.</p>"),
        Ok(_) => page(
            StatusCode::OK,
            "Unsubscribe from programme briefings",
            "<p>You will no longer receive email briefings from the regional advanced clinical practice programme.</p>\
             <form method=\"post\"><button class=\"button button--warning\" type=\"submit\">Unsubscribe</button></form>",
        ),
        Err(e) => failure(e),
    }
}

/// Both the confirmation form and RFC 8058 one-click (`List-Unsubscribe=One-Click`, posted by
/// mail providers without a page) end here; one-click gets a bare 200.
async fn unsubscribe_confirm(State(state): State<AppState>, Path(token): Path<String>, body: String) -> Response {
    let Some(delivery) = state.web.key.verify(Purpose::Unsubscribe, &token) else {
        return invalid_link();
    };
    let one_click = body.trim() == "List-Unsubscribe=One-Click";
    let via = if one_click {
        "one-click unsubscribe (RFC 8058)"
    } else {
        "unsubscribe link"
    };
    match state
        .store
        .deliveries()
        .unsubscribe(&delivery, via, chrono::Utc::now())
        .await
    {
        Ok(()) if one_click => (StatusCode::OK, "Unsubscribed").into_response(),
        Ok(()) => page(
            StatusCode::OK,
            "You are unsubscribed",
            "<p>You will not receive programme briefings by email.</p>",
        ),
        Err(e) => failure(e),
    }
}

pub fn token_routes() -> Router<AppState> {
    Router::new()
        .route("/ack/{token}", get(ack_page).post(ack_confirm))
        .route("/ack/{token}/question", axum::routing::post(ask_question))
        .route("/unsubscribe/{token}", get(unsubscribe_page).post(unsubscribe_confirm))
}

/// `/dev/mail`: what the development mail server received (programme managers only; only
/// when no SMTP relay is configured).
/// `/dev/mail?offset=0&limit=100`: the development sink's messages, newest first, one page at a
/// time (at most 500), with the number kept in `X-Total-Count`. Programme managers only.
pub fn dev_mail_routes(sink: Option<MailSink>) -> Router<AppState> {
    let Some(sink) = sink else { return Router::new() };
    Router::new().route(
        "/dev/mail",
        get(
            move |Extension(info): Extension<RequestInfo>, Query(page): Query<DevMailPage>| {
                let sink = sink.clone();
                async move {
                    match info.user {
                        Some(u) if allows(&u, &Action::EditPlan) => {
                            let (messages, total) = sink.page_newest_first(page.offset, page.limit.min(500));
                            ([("x-total-count", total.to_string())], axum::Json(messages)).into_response()
                        }
                        Some(_) => StatusCode::FORBIDDEN.into_response(),
                        None => StatusCode::UNAUTHORIZED.into_response(),
                    }
                }
            },
        ),
    )
}

#[derive(serde::Deserialize)]
pub struct DevMailPage {
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_dev_mail_limit")]
    limit: usize,
}

fn default_dev_mail_limit() -> usize {
    100
}
