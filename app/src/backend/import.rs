//! The register import and export: a spreadsheet in (stage, preview, commit) and the filtered
//! register out, between the CSV files of `csv_io`, the plan of `domain::import` and the
//! store.
use super::csv_io;
use super::repo::audit::Actor;
use super::{Store, StoreError};
use crate::domain::import::{
    export_row, mapping_from_choices, mapping_keys, mapping_or_automatic, plan, Counts, Existing, Field, ImportPlan,
    Outcome,
};
use crate::domain::query::ContactQuery;
use crate::domain::OrgId;

/// A file's preview: how its columns were read and what each row would do.
pub struct Preview {
    pub filename: String,
    pub headers: Vec<(String, Option<Field>)>,
    pub plan: ImportPlan,
    pub counts: Counts,
    /// Set once committed: what the commit did.
    pub committed: Option<String>,
    pub has_errors_file: bool,
}

/// Decodes and checks an uploaded file, then keeps it for its preview. The error says what to
/// do about the file.
pub async fn stage(store: &Store, actor: &Actor, filename: &str, bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > csv_io::MAX_UPLOAD_BYTES {
        return Err("The file is larger than 10 MB: split it into smaller files and import each.".into());
    }
    let text = csv_io::decode(bytes);
    let table = csv_io::read(&text)?;
    // A file whose email column has an unknown heading is kept: its preview asks which column
    // it is.
    if table.rows.is_empty() {
        return Err("The file has a header row but no contacts under it.".into());
    }
    store.imports().stage(actor, filename, &text).await.map_err(|e| {
        tracing::error!(error = %e, "staging an import failed");
        "The file could not be kept for its preview: try again.".to_string()
    })
}

async fn existing(store: &Store) -> Result<Existing, StoreError> {
    Ok(Existing {
        contacts: store.contacts().drafts_by_email().await?,
        organisations: store.organisations().names().await?,
    })
}

fn new_org_id() -> OrgId {
    // new_key() is 20 lower-case letters and digits: a valid id by construction.
    OrgId::parse(&super::repo::new_key()).unwrap_or_else(|_| unreachable!("new_key makes valid ids"))
}

/// What importing the staged file would do now, against the register as it is.
pub async fn preview(store: &Store, id: &str) -> Result<Preview, StoreError> {
    let staged = store.imports().get(id).await?;
    let (headers, plan) = if staged.committed_at.is_some() {
        (
            Vec::new(),
            ImportPlan {
                rows: vec![],
                new_organisations: vec![],
            },
        )
    } else {
        let table = csv_io::read(&staged.text).map_err(StoreError::Refused)?;
        let mapping = mapping_or_automatic(&table.headers, staged.mapping.as_deref());
        let plan = plan(&table.rows, &mapping, &existing(store).await?, new_org_id);
        (table.headers.into_iter().zip(mapping).collect(), plan)
    };
    Ok(Preview {
        filename: staged.filename,
        counts: plan.counts(),
        headers,
        plan,
        committed: staged.result,
        has_errors_file: staged.errors_csv.is_some_and(|e| !e.is_empty()),
    })
}

/// Keeps the column mapping a person chose for a staged file (one choice per column: a field's
/// key, or blank for "not imported"), once checked against the file's columns.
pub async fn choose_mapping(store: &Store, actor: &Actor, id: &str, choices: &[String]) -> Result<(), StoreError> {
    let staged = store.imports().get(id).await?;
    let table = csv_io::read(&staged.text).map_err(StoreError::Refused)?;
    let mapping = mapping_from_choices(&table.headers, choices).map_err(StoreError::Refused)?;
    store.imports().set_mapping(actor, id, mapping_keys(&mapping)).await
}

/// Imports every valid row of the staged file in one transaction, planned again against the
/// register as it is at this moment. The rows with errors are kept as a CSV to download.
pub async fn commit(store: &Store, actor: &Actor, id: &str) -> Result<String, StoreError> {
    let staged = store.imports().get(id).await?;
    if staged.committed_at.is_some() {
        return Err(StoreError::Refused("This file has already been imported.".into()));
    }
    let table = csv_io::read(&staged.text).map_err(StoreError::Refused)?;
    let mapping = mapping_or_automatic(&table.headers, staged.mapping.as_deref());
    let plan = plan(&table.rows, &mapping, &existing(store).await?, new_org_id);
    let counts = plan.counts();
    let errors = errors_csv(&table.headers, &table.rows, &plan);
    // The file and its parsed rows are not needed while the rows are written (the peak).
    drop((table, staged));
    store.imports().commit(actor, id, &plan, counts, errors).await
}

/// The rows that were not imported, as they were in the file, with an "Error" column first.
fn errors_csv(headers: &[String], rows: &[(usize, Vec<String>)], plan: &ImportPlan) -> String {
    let failed: Vec<Vec<String>> = plan
        .rows
        .iter()
        .zip(rows)
        .filter_map(|(p, (line, cells))| match &p.outcome {
            Outcome::Error { column, reason } => {
                let mut out = vec![format!("Row {line}, {column}: {reason}")];
                out.extend(cells.iter().take(headers.len()).cloned());
                Some(out)
            }
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        return String::new();
    }
    let mut head = vec!["Error"];
    head.extend(headers.iter().map(String::as_str));
    String::from_utf8_lossy(&csv_io::write(&head, failed)).into_owned()
}

/// The error rows of a committed import, as a file.
pub async fn errors_file(store: &Store, id: &str) -> Result<Vec<u8>, StoreError> {
    let staged = store.imports().get(id).await?;
    Ok(staged.errors_csv.unwrap_or_default().into_bytes())
}

/// The register view `q` selects, as a CSV file that imports back as "unchanged".
pub async fn export(store: &Store, q: &ContactQuery) -> Result<Vec<u8>, StoreError> {
    let rows = store.contacts().export(q).await?;
    let headers: Vec<&str> = Field::ALL.iter().map(|f| f.label()).collect();
    Ok(csv_io::write(
        &headers,
        rows.iter().map(|(c, area)| export_row(c, area.as_deref())),
    ))
}
