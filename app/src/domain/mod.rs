//! Pure domain types shared by the browser and the server: no I/O here.
pub mod account;
pub mod audience;
pub mod audit;
pub mod board;
pub mod briefing;
pub mod closed_enum;
pub mod consent;
pub mod contact;
pub mod delivery;
pub mod email;
pub mod error;
pub mod form;
pub mod html;
pub mod ids;
pub mod import;
pub mod inbound;
pub mod interaction;
pub mod organisation;
pub mod plan;
pub mod plan_outcome;
pub mod policy;
pub mod query;
pub mod register;
pub mod report;
pub mod segment;
pub mod sending;
pub mod stakeholder_map;
pub mod text;
pub mod time;
pub mod workstream;
pub mod workstream_setup;

pub use contact::{Contact, ContactDraft, ContactForm, Tags};
pub use email::EmailAddress;
pub use error::AppError;
pub use form::{FieldError, FormErrors, Validator};
pub use ids::{
    BriefingId, ContactId, DeliveryId, IdError, ImportId, InteractionId, InvitationId, MilestoneId, OrgId, PlanItemId,
    SegmentId, UserId, WorkstreamId,
};
pub use organisation::{Organisation, OrganisationDraft, OrganisationForm};
pub use register::{Engagement, OrgKind, Quadrant, Score};
pub use text::{Area, JobTitle, Notes, OdsCode, OrgName, PersonName, Ukprn};

/// One page of a list, with the total so the page can offer navigation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        if self.total == 0 {
            1
        } else {
            self.total.div_ceil(self.per_page.max(1) as u64) as u32
        }
    }
}
