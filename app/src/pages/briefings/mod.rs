//! Briefings: the list, composing and editing, and a briefing's page (preview, send, report).
mod compose;
mod detail;
mod list;

pub use compose::{EditBriefingPage, NewBriefingPage};
pub use detail::BriefingPage;
pub use list::BriefingsPage;

use crate::domain::briefing::BriefingState;

/// The tag class that colours a briefing's state.
fn state_tag(s: BriefingState) -> &'static str {
    match s {
        BriefingState::Draft => "tag tag--grey",
        BriefingState::Scheduled => "tag tag--blue",
        BriefingState::Sending => "tag tag--amber",
        BriefingState::Sent => "tag tag--green",
        BriefingState::Cancelled => "tag tag--grey",
        BriefingState::Recurring => "tag tag--blue",
        BriefingState::Stopped => "tag tag--red",
    }
}
