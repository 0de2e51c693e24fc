//! `liaison user …`: account administration on the server. Passwords are read from standard
//! input (or a hidden prompt on a terminal), never from the command line, where other users
//! of the machine could see them in the process list.
use anyhow::{anyhow, bail, Context};
use app::backend::auth::{check_new_password, hash_password};
use app::backend::repo::audit::Actor;
use app::backend::Store;
use app::domain::audit::AuditAction;
use app::domain::policy::Role;
use app::domain::{EmailAddress, PersonName};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (the password is asked for, or read from standard input).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// programme-manager or workstream-lead
        #[arg(long)]
        role: String,
    },
    /// Set a new password for an account.
    Passwd {
        #[arg(long)]
        email: String,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account.
    Enable {
        #[arg(long)]
        email: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("The passwords do not match");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    check_new_password(&password).map_err(|m| anyhow!(m))?;
    Ok(password)
}

fn cli_actor() -> Actor {
    Actor::Other(format!(
        "command line ({})",
        std::env::var("USER").unwrap_or_else(|_| "unknown user".into())
    ))
}

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, name, role } => {
            let email = EmailAddress::parse(&email).map_err(|m| anyhow!(m))?;
            let name = PersonName::parse(&name).map_err(|m| anyhow!(m))?;
            let role = Role::parse(&role).map_err(|m| anyhow!(m))?;
            let password = read_password()?;
            let hash = hash_password(password).await?;
            let id = store
                .users()
                .create(&email, name.as_str(), role, &hash)
                .await
                .map_err(|e| match e {
                    app::backend::StoreError::Duplicate { .. } => {
                        anyhow!("An account with the email {email} already exists")
                    }
                    other => other.into(),
                })?;
            store
                .audit()
                .append(
                    &cli_actor(),
                    AuditAction::Create,
                    &format!("user:{id} ({email})"),
                    &format!("role: {}", role.key()),
                )
                .await?;
            println!("Created {} ({}) as {}.", name, email, role.label());
        }
        UserCommand::Passwd { email } => {
            let email = EmailAddress::parse(&email).map_err(|m| anyhow!(m))?;
            let password = read_password()?;
            let hash = hash_password(password).await?;
            store
                .users()
                .set_password(&email, &hash)
                .await
                .map_err(|_| anyhow!("No account has the email {email}"))?;
            store
                .audit()
                .append(
                    &cli_actor(),
                    AuditAction::Update,
                    &format!("user ({email})"),
                    "password changed",
                )
                .await?;
            println!("Password changed for {email}.");
        }
        UserCommand::List => {
            let users = store.users().list().await?;
            if users.is_empty() {
                println!(
                    "No accounts yet. Create one with: liaison user add --email … --name … --role programme-manager"
                );
            }
            for u in users {
                println!(
                    "{:<40} {:<30} {:<20} {}",
                    u.email.to_string(),
                    u.name,
                    u.role.label(),
                    if u.active { "active" } else { "disabled" }
                );
            }
        }
        UserCommand::Disable { email } => set_active(store, &email, false).await?,
        UserCommand::Enable { email } => set_active(store, &email, true).await?,
    }
    Ok(())
}

async fn set_active(store: &Store, email: &str, active: bool) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(|m| anyhow!(m))?;
    store
        .users()
        .set_active(&cli_actor(), &email, active)
        .await
        .map_err(|_| anyhow!("No account has the email {email}"))?;
    println!(
        "{} {email}.",
        if active { "Enabled" } else { "Disabled (and signed out)" }
    );
    Ok(())
}
