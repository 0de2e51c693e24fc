//! A delivery: one message of a briefing to one recipient (or a reminder, or a test send).
use super::closed_enum::closed_enum;

closed_enum!(
    /// What a delivery is.
    DeliveryKind, "a kind of delivery" {
        Briefing => "briefing", "Briefing";
        Reminder => "reminder", "Reminder";
        Test => "test", "Test send";
    }
);

closed_enum!(
    /// Where a delivery stands in the outbox.
    DeliveryState, "a delivery state" {
        Queued => "queued", "Queued";
        Sending => "sending", "Sending";
        Sent => "sent", "Sent";
        Failed => "failed", "Failed";
        Stopped => "stopped", "Stopped";
    }
);
