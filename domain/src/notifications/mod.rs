//! Notices to a party's access managers — a request forwarded to them, a
//! new system user — shown in the portal and e-mailed to the addresses the
//! party keeps. A notice is written in the same transaction as what it is
//! about, with one e-mail per address in an outbox (`notification_delivery`);
//! the mail job sends the outbox through a [`delivery::MailSender`] (SMTP in
//! the server) and retries with growing pauses, so a mail server that is
//! down delays a notice but never loses it, and a rolled-back change never
//! sends one.

pub mod delivery;
pub mod model;
pub mod service;
pub(crate) mod store;

pub use delivery::{deliver_due, DeliveryRun, MailSender};
pub use model::{Notice, NoticeKind};
pub use service::NotificationError;
