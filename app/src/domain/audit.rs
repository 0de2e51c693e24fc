//! What the audit log records: one closed set of actions, written by the repositories in the
//! same transaction as the change, and offered by the audit page's filter.
use super::closed_enum::closed_enum;

closed_enum!(
    /// An action the audit log records. The key is what the log stores and the filter matches.
    AuditAction, "an action" {
        Create => "create", "Create";
        Update => "update", "Update";
        Delete => "delete", "Delete";
        Remove => "remove", "Remove";
        Archive => "archive", "Archive";
        Restore => "restore", "Restore";
        StatusUpdate => "status-update", "Status update";
        Send => "send", "Send";
        StopSending => "stop-sending", "Stop sending";
        ResumeSending => "resume-sending", "Resume sending";
        RetryFailed => "retry-failed", "Retry failed deliveries";
        Upload => "upload", "Upload an import";
        Import => "import", "Import";
        SignIn => "sign-in", "Sign in";
        SignOut => "sign-out", "Sign out";
        FailedSignIn => "failed-sign-in", "Failed sign-in";
        RoleChange => "role-change", "Change of role";
        EnableUser => "enable-user", "Enable a user";
        DisableUser => "disable-user", "Disable a user";
        Invite => "invite", "Invite";
        ResendInvitation => "resend-invitation", "Resend an invitation";
        RevokeInvitation => "revoke-invitation", "Revoke an invitation";
        RequestPasswordReset => "request-password-reset", "Request a password reset";
        PasswordReset => "password-reset", "Password reset";
        Answer => "answer", "Answer a message";
        MarkHandled => "mark-handled", "Mark a message handled";
        AttachMessage => "attach-message", "Attach a message to a contact";
        DiscardMessage => "discard-message", "Discard a message";
        SubjectAccess => "subject-access", "Subject access export";
        Erase => "erase", "Erase a contact";
    }
);
