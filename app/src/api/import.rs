//! The register import's preview and commit (the upload itself is a plain multipart route:
//! `server::register_files`).
use crate::domain::import::Counts;
use crate::domain::AppError;
#[cfg(feature = "ssr")]
use crate::domain::ImportId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

/// How many rows without an error the preview lists (every error is listed; the counts cover
/// every row).
pub const PREVIEW_ROWS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: usize,
    pub name: String,
    pub email: String,
    /// "Create", "Update", "Unchanged" or "Error".
    pub outcome: String,
    /// What changes, or the column and reason of an error.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreviewView {
    pub id: String,
    pub filename: String,
    /// (column heading, the key of the field it fills, blank for "not imported").
    pub columns: Vec<(String, String)>,
    pub counts: Counts,
    /// A column is read as the email addresses (contacts are matched by it).
    pub email_column: bool,
    pub new_organisations: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// Rows left out of `rows` (beyond PREVIEW_ROWS without errors).
    pub rows_not_shown: usize,
    pub committed: Option<String>,
    pub has_errors_file: bool,
}

#[server(endpoint = "import/preview")]
pub async fn import_preview(id: String) -> Result<ImportPreviewView, AppError> {
    use crate::domain::import::Outcome;
    let ctx = authorized(Action::ImportRegister)?;
    let id = finish(ImportId::parse(&id))?;
    let p = finish(crate::backend::import::preview(&ctx.store, &id).await)?;
    let mut rows = Vec::new();
    let mut shown_ok = 0;
    let mut not_shown = 0;
    for r in &p.plan.rows {
        let (outcome, detail) = match &r.outcome {
            Outcome::Create => ("Create", String::new()),
            Outcome::Update(changes) => ("Update", format!("Changes {changes}")),
            Outcome::Unchanged => ("Unchanged", String::new()),
            Outcome::Error { column, reason } => ("Error", format!("{column}: {reason}")),
        };
        if outcome != "Error" {
            if shown_ok >= PREVIEW_ROWS {
                not_shown += 1;
                continue;
            }
            shown_ok += 1;
        }
        rows.push(PreviewRow {
            line: r.line,
            name: r.name.clone(),
            email: r.email.clone(),
            outcome: outcome.to_string(),
            detail,
        });
    }
    let email_column = p
        .headers
        .iter()
        .any(|(_, f)| *f == Some(crate::domain::import::Field::Email));
    Ok(ImportPreviewView {
        id: id.to_string(),
        filename: p.filename,
        columns: p
            .headers
            .into_iter()
            .map(|(h, f)| (h, f.map(|f| f.key().to_string()).unwrap_or_default()))
            .collect(),
        counts: p.counts,
        email_column,
        new_organisations: p
            .plan
            .new_organisations
            .iter()
            .map(|o| format!("{} ({})", o.name, o.kind.label()))
            .collect(),
        rows,
        rows_not_shown: not_shown,
        committed: p.committed,
        has_errors_file: p.has_errors_file,
    })
}

/// Imports every valid row of the file in one transaction; rows with errors are left out and
/// can be downloaded.
#[server(endpoint = "import/commit")]
pub async fn commit_import(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ImportRegister)?;
    let id = finish(ImportId::parse(&id))?;
    finish(crate::backend::import::commit(&ctx.store, &ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/contacts/import/{id}"));
    Ok(())
}

/// Imports the file's columns as chosen on the preview: `columns`, one choice per column in
/// the file's order (a field's key, or blank for "not imported").
#[server(endpoint = "import/columns")]
pub async fn choose_import_columns(
    id: String,
    #[server(default)] columns: Option<Vec<String>>,
) -> Result<(), AppError> {
    let ctx = authorized(Action::ImportRegister)?;
    let id = finish(ImportId::parse(&id))?;
    let columns = columns.unwrap_or_default();
    finish(crate::backend::import::choose_mapping(&ctx.store, &ctx.actor(), &id, &columns).await)?;
    leptos_axum::redirect(&format!("/contacts/import/{id}"));
    Ok(())
}
