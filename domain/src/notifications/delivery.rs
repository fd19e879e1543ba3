//! The mail job's use case: send the e-mails that are due from the outbox,
//! through whatever [`MailSender`] the installation has (SMTP in the server,
//! `lettre`), and record each outcome. A failed attempt is tried again after
//! a growing pause ([`super::model::retry_after`]) until it is sent or has
//! failed [`super::model::MAX_ATTEMPTS`] times. Rows are locked with
//! `SKIP LOCKED` while they are sent, so several instances may run the job.

use super::model::{self, NoticeKind, MAX_ATTEMPTS};
use super::service::NotificationError;
use super::store;
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork};
use crate::context::Context;

/// What sends an e-mail: the installation's mail server.
pub trait MailSender: Sync {
    /// Sends a plain-text e-mail; the error says why it was not accepted.
    fn send(&self, to: &str, subject: &str, body: &str) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    pub sent: usize,
    /// Failed, and to be tried again.
    pub retrying: usize,
    /// Failed for good.
    pub failed: usize,
}

/// Sends up to `limit` due e-mails, linking to the portal at `portal`.
/// Only the installation runs it.
#[tracing::instrument(skip(ctx, sender), fields(request_id = ctx.request_id()))]
pub async fn deliver_due(ctx: &Context, sender: &impl MailSender, portal: &str, limit: i64) -> Result<DeliveryRun, NotificationError> {
    ctx.authorize_operator().map_err(|_| NotificationError::OperatorOnly)?;
    let now = ctx.now();
    let mut uow = UnitOfWork::begin(ctx.db(), Actor::system("mail"), ctx.clock()).await?;
    let due = store::due(uow.conn(), now, limit).await?;
    if due.is_empty() {
        return Ok(DeliveryRun::default());
    }
    let mut run = DeliveryRun::default();
    for d in due {
        let (subject, body) = match d.kind {
            NoticeKind::GuestInvitation | NoticeKind::GuestCode | NoticeKind::GuestExpiring | NoticeKind::GuestLoginCode => {
                match crate::guests::claim::secret_for(uow.conn(), d.kind, d.subject_id, now).await? {
                    Some((secret, until)) => model::guest_message(d.kind, &d.title, &d.party_name, &secret, &until, portal),
                    None => {
                        // The account was claimed or ended, or the link ended, before the e-mail went.
                        store::mark_failed(uow.conn(), d.id, "no longer needed", None).await?;
                        let details = serde_json::json!({ "to": d.email, "kind": d.kind.as_str(), "why": "no longer needed" });
                        uow.audit(AuditEvent::new("notification.not_sent", d.id.to_string(), Outcome::Failed, details)).await?;
                        continue;
                    }
                }
            }
            _ => model::message(d.kind, &d.title, &d.party_name, d.party_org.as_deref(), d.subject_id, portal),
        };
        let (action, outcome, details) = match sender.send(&d.email, &subject, &body).await {
            Ok(()) => {
                store::mark_sent(uow.conn(), d.id, now).await?;
                run.sent += 1;
                ("notification.sent", Outcome::Success, serde_json::json!({ "to": d.email, "kind": d.kind.as_str() }))
            }
            Err(error) => {
                let attempts = d.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS).then(|| now + model::retry_after(attempts));
                store::mark_failed(uow.conn(), d.id, &error, next).await?;
                if next.is_some() {
                    run.retrying += 1;
                } else {
                    run.failed += 1;
                }
                tracing::warn!(to = %d.email, attempts, %error, "an e-mail was not accepted");
                ("notification.not_sent", Outcome::Failed, serde_json::json!({ "to": d.email, "attempts": attempts, "error": error, "final": next.is_none() }))
            }
        };
        uow.audit(AuditEvent::new(action, d.id.to_string(), outcome, details)).await?;
    }
    uow.commit().await?;
    Ok(run)
}
