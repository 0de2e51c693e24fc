//! Loads the demo programme (see `demo_data`) into an empty register, through the same
//! validated drafts and repositories the application uses.
use crate::demo_data;
use anyhow::{anyhow, Context};
use app::backend::Store;
use app::domain::*;

/// Returns `true` when the demo data was loaded, `false` when the register already had data.
pub async fn seed_if_empty(store: &Store) -> anyhow::Result<bool> {
    if store.organisations().count().await? > 0 {
        return Ok(false);
    }
    let mut org_ids = Vec::with_capacity(demo_data::ORGANISATIONS.len());
    for o in demo_data::ORGANISATIONS {
        let form = OrganisationForm {
            name: o.name.into(),
            kind: o.kind.into(),
            area: o.area.into(),
            ods_code: o.ods_code.unwrap_or_default().into(),
            ukprn: o.ukprn.unwrap_or_default().into(),
            notes: String::new(),
        };
        let draft = form.parse().map_err(|e| anyhow!("demo organisation {:?} is invalid: {:?}", o.name, e.errors))?;
        let id = store.organisations().create(&draft).await.with_context(|| format!("creating {}", o.name))?;
        org_ids.push(id);
    }
    for c in demo_data::contacts() {
        let org = org_ids.get(c.org_index).ok_or_else(|| anyhow!("demo contact {} has no organisation", c.name))?;
        let form = ContactForm {
            name: c.name.clone(),
            email: c.email.clone(),
            job_title: c.job_title.into(),
            organisation: org.to_string(),
            influence: c.influence.to_string(),
            interest: c.interest.to_string(),
            engagement_current: c.engagement_current.into(),
            engagement_target: c.engagement_target.into(),
            subscribed: c.subscribed.then(|| "on".into()),
        };
        let draft = form.parse().map_err(|e| anyhow!("demo contact {:?} is invalid: {:?}", c.name, e.errors))?;
        store.contacts().create(&draft).await.with_context(|| format!("creating {}", c.name))?;
    }
    tracing::info!(
        organisations = demo_data::ORGANISATIONS.len(),
        contacts = demo_data::CONTACT_COUNT,
        "loaded the demo programme"
    );
    Ok(true)
}
