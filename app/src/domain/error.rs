//! The one error type the browser sees. User-safe messages only: causes are logged on the
//! server where the error is mapped, never sent to the client.
use super::form::FormErrors;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The submitted form has field errors; nothing was written.
    #[error("There is a problem with what you entered")]
    Invalid(FormErrors),
    #[error("{0}")]
    NotFound(String),
    #[error("Sign in to continue")]
    Unauthenticated,
    #[error("You do not have permission to do that")]
    Forbidden,
    /// The request is well formed but conflicts with the register's state.
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts: {0}")]
    TooManyRequests(String),
    #[error("Something went wrong on our side. Try again, and if it keeps happening tell the programme team (reference {0}).")]
    Internal(String),
    #[error("The request could not be completed: {0}")]
    Transport(ServerFnErrorErr),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::NotFound(_) => 404,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }

    pub fn form_errors(&self) -> Option<&FormErrors> {
        match self {
            AppError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value)
    }
}

impl From<FormErrors> for AppError {
    fn from(e: FormErrors) -> Self {
        AppError::Invalid(e)
    }
}
