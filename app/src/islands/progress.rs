//! A briefing's sending progress, read again every second while it may still be sending.
use crate::api::briefings::briefing_progress;
use crate::domain::briefing::BriefingState;
use crate::domain::report::Progress;
use leptos::prelude::*;

fn may_still_send(p: &Progress) -> bool {
    matches!(p.state, Some(BriefingState::Sending | BriefingState::Scheduled))
}

/// The progress bar and its numbers, first as the server rendered them; in the browser they
/// are polled once a second (one request at a time) until the briefing is no longer sending.
#[island]
pub fn LiveProgress(id: String, progress: Progress) -> impl IntoView {
    let progress = RwSignal::new(progress);
    let asking = StoredValue::new(false);
    Effect::new(move |_| {
        let id = id.clone();
        let poll = move || {
            if asking.get_value() || !progress.with_untracked(may_still_send) {
                return;
            }
            asking.set_value(true);
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Ok(p) = briefing_progress(id).await {
                    progress.set(p);
                }
                asking.set_value(false);
            });
        };
        if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    move || progress_view(progress.get())
}

fn progress_view(p: Progress) -> impl IntoView {
    let pct = p.percent();
    view! {
        <div
            class="progress"
            role="progressbar"
            aria-label="Sending progress"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=pct
        >
            <div class="progress__bar" style=format!("width: {pct}%")></div>
        </div>
        <p class="progress__label" data-testid="progress">
            {format!(
                "{pct}% — {} recipients: {} queued, {} sent, {} failed, {} acknowledged",
                p.recipients,
                p.queued,
                p.sent,
                p.failed,
                p.acknowledged,
            )}
            {(p.stopped > 0).then(|| format!("; {} stopped", p.stopped))}
            {(p.retried > 0).then(|| format!("; {} retried", p.retried))}
        </p>
        {p
            .outlook
            .resumes_at_uk
            .clone()
            .map(|t| {
                view! {
                    <p data-testid="send-window">
                        {format!(
                            "Paused: briefings go out {} (UK time) only. Sending resumes at {}.",
                            p.outlook.window.clone().unwrap_or_default(),
                            t,
                        )}
                    </p>
                }
            })}
        {p
            .outlook
            .finish_by_uk
            .clone()
            .map(|t| {
                view! {
                    <p class="hint">
                        {format!(
                            "At the relay's rate of {}, the rest should be sent by {}.",
                            p.outlook.rate.clone().unwrap_or_default(),
                            t,
                        )}
                    </p>
                }
            })}
    }
}
