//! Notices by e-mail: the installation's mail server as the domain's
//! [`MailSender`] (SMTP through `lettre`), and the job that sends the outbox
//! (`domain::notifications::deliver_due`) every few seconds. Without
//! `FULLMAKT_SMTP_URL` there is no job: notices are shown in the portal only,
//! and their e-mails wait in the outbox until a mail server is configured.

use domain::notifications::{deliver_due, MailSender};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How often the outbox is looked at, and how many e-mails one run sends at most.
const EVERY: std::time::Duration = std::time::Duration::from_secs(5);
const BATCH: i64 = 100;

/// The installation's mail server.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// A sender for `url` (`smtp://host:port` for a plain relay, `smtps://…`
    /// or `smtp://…?tls=required` with TLS) from `from`.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("FULLMAKT_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("FULLMAKT_MAIL_FROM: {e}"))?;
        Ok(Self { transport, from })
    }
}

impl MailSender for SmtpSender {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("the address {to} cannot be used: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Sends the outbox every few seconds, as the installation, linking to the portal at `portal`.
pub fn spawn_job(services: &domain::Services, sender: SmtpSender, portal: String) {
    let operator = services.for_operator("mail");
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            match deliver_due(&operator, &sender, &portal, BATCH).await {
                Ok(run) if run.sent + run.retrying + run.failed > 0 => {
                    tracing::info!(sent = run.sent, retrying = run.retrying, failed = run.failed, "notices e-mailed")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "sending the notices' outbox failed"),
            }
        }
    });
}
