//! The register's file routes, outside the Leptos app because they carry files: the upload of
//! a spreadsheet to import (a plain multipart form, so it works without JavaScript), the
//! export of a register view, and an import's rows that could not be imported.
use app::backend::csv_io::MAX_UPLOAD_BYTES;
use app::backend::import;
use app::backend::repo::audit::Actor;
use app::backend::state::{AppState, RequestInfo};
use app::domain::policy::{allows, Action, CurrentUser};
use app::domain::query::ContactQuery;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts/import/upload", post(upload))
        .route("/contacts/import/{id}/errors.csv", get(errors))
        .route("/contacts/export.csv", get(export))
        .route("/contacts/{id}/subject-access.json", get(subject_access_json))
        .route("/contacts/{id}/subject-access.csv", get(subject_access_csv))
        // Room for the multipart framing around a file of the largest size accepted.
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
}

/// Why a caller may not use these routes.
enum Refusal {
    SignIn,
    Forbidden,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn => Redirect::to("/sign-in?next=%2Fcontacts").into_response(),
            Refusal::Forbidden => (StatusCode::FORBIDDEN, "Only programme managers may do this.").into_response(),
        }
    }
}

/// The caller, if the rule lets them do `action`.
fn allowed(info: &RequestInfo, action: Action) -> Result<CurrentUser, Refusal> {
    match &info.user {
        None => Err(Refusal::SignIn),
        Some(u) if allows(u, &action) => Ok(u.clone()),
        Some(_) => Err(Refusal::Forbidden),
    }
}

fn back_with_error(message: &str) -> Response {
    let q = app::components::url::urlencode(message);
    Redirect::to(&format!("/contacts/import?error={q}")).into_response()
}

async fn upload(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    mut form: Multipart,
) -> Response {
    let user = match allowed(&info, Action::ImportRegister) {
        Ok(u) => u,
        Err(r) => return r.into_response(),
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("import.csv").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(_) => {
                        return back_with_error(
                            "The file is larger than 10 MB: split it into smaller files and import each.",
                        )
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                return back_with_error(
                    "The upload did not arrive whole (files over 10 MB are refused): check the file and try again.",
                )
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return back_with_error("Choose a CSV file to import.");
    };
    match import::stage(&state.store, &Actor::user(&user), &name, &bytes).await {
        Ok(id) => Redirect::to(&format!("/contacts/import/{id}")).into_response(),
        Err(message) => back_with_error(&message),
    }
}

fn csv_file(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn errors(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = allowed(&info, Action::ImportRegister) {
        return r.into_response();
    }
    match import::errors_file(&state.store, &id).await {
        Ok(bytes) => csv_file("rows-not-imported.csv", bytes),
        Err(app::backend::StoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "No such import.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading an import's errors failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Try again later.").into_response()
        }
    }
}

/// Everything held about one contact (a subject access request), audited: JSON, or CSV.
async fn subject_access(state: &AppState, info: &RequestInfo, id: &str, csv: bool) -> Response {
    let user = match allowed(info, Action::ExportRegister) {
        Ok(u) => u,
        Err(r) => return r.into_response(),
    };
    let Ok(id) = app::domain::ContactId::parse(id) else {
        return (StatusCode::NOT_FOUND, "No contact has that address.").into_response();
    };
    use app::backend::services::subject_access;
    let data = match subject_access::gather(&state.store, &id).await {
        Ok(d) => d,
        Err(app::backend::StoreError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, "No contact has that address.").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "subject access export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The export failed: try again later.").into_response();
        }
    };
    let format = if csv { "csv" } else { "json" };
    if let Err(e) = state
        .store
        .audit()
        .append(
            &Actor::user(&user),
            app::domain::audit::AuditAction::SubjectAccess,
            &format!("contact:{id}"),
            format,
        )
        .await
    {
        // Personal data does not leave without its record in the log.
        tracing::error!(error = %e, "auditing a subject access export failed");
        return (StatusCode::INTERNAL_SERVER_ERROR, "The export failed: try again later.").into_response();
    }
    let name = format!("liaison-subject-access-{id}.{format}");
    if csv {
        csv_file(&name, subject_access::to_csv(&data))
    } else {
        let body = serde_json::to_vec_pretty(&data).unwrap_or_default();
        (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            body,
        )
            .into_response()
    }
}

async fn subject_access_json(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> Response {
    subject_access(&state, &info, &id, false).await
}

async fn subject_access_csv(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> Response {
    subject_access(&state, &info, &id, true).await
}

async fn export(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = allowed(&info, Action::ExportRegister) {
        return r.into_response();
    }
    // The same parameters as the contacts page: the export is the view on the screen.
    let query = ContactQuery::from_params(|k| params.get(k).cloned());
    match import::export(&state.store, &query).await {
        Ok(bytes) => {
            let day = chrono::Utc::now().format("%Y-%m-%d");
            csv_file(&format!("liaison-contacts-{day}.csv"), bytes)
        }
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The export failed: try again later.").into_response()
        }
    }
}
