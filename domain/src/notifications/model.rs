//! What a notice is, and the rules that need no database: which addresses
//! are taken, how long to wait before the next attempt, and what the e-mail
//! says.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeKind {
    /// Someone who could not approve a request forwarded it to the access managers.
    RequestForwarded,
    /// A system user was made for the party (a request approved, or made in the portal).
    SystemUserCreated,
    /// A guest's invitation, with a claim link made when it is sent (the subject is the account).
    GuestInvitation,
    /// A guest's one-time code by e-mail, made when it is sent (the subject is the claim link).
    GuestCode,
    /// A guest's stay ends soon (the subject is the account).
    GuestExpiring,
    /// A one-time code for a guest to log in with, made when it is sent
    /// (the subject is the login code).
    GuestLoginCode,
    /// A guest's stay ends soon, told to the guest's sponsor (the subject is
    /// the account, the title the guest's name).
    SponsorGuestExpiring,
}

impl NoticeKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RequestForwarded => "system_user_request.forwarded",
            Self::SystemUserCreated => "system_user.created",
            Self::GuestInvitation => "guest.invitation",
            Self::GuestCode => "guest.code",
            Self::GuestExpiring => "guest.expiring",
            Self::GuestLoginCode => "guest.login_code",
            Self::SponsorGuestExpiring => "sponsor.guest_expiring",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::RequestForwarded,
            Self::SystemUserCreated,
            Self::GuestInvitation,
            Self::GuestCode,
            Self::GuestExpiring,
            Self::SponsorGuestExpiring,
            Self::GuestLoginCode,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A notice as the party's access managers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: Uuid,
    pub kind: NoticeKind,
    /// The request or system user it is about.
    pub subject_id: Uuid,
    /// The system user's name (the request's integration title).
    pub title: String,
    pub created_at: OffsetDateTime,
}

/// The most attempts to deliver one e-mail; after the last it has failed for good.
pub const MAX_ATTEMPTS: i32 = 10;

/// How long to wait after `attempts` failed attempts: one minute, doubling,
/// at most six hours (ten attempts span about a day).
pub fn retry_after(attempts: i32) -> Duration {
    let minutes = 1i64 << attempts.clamp(0, 20).saturating_sub(1);
    Duration::minutes(minutes.min(6 * 60))
}

/// An e-mail address as a person writes it, trimmed; `None` when it is not one.
/// Deliberately simple (a local part, `@`, a domain with a dot, no spaces):
/// the mail server is the judge of the rest.
pub fn email(raw: &str) -> Option<String> {
    let e = raw.trim();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'));
    ok.then(|| e.to_string())
}

/// The e-mail to a guest from the institution `institution`: the invitation
/// with its claim link (`secret` is the link's token, valid until `until`),
/// the one-time code (`secret`), or the notice that the stay ends (`secret`
/// is the end date); in bokmål with English below.
pub fn guest_message(kind: NoticeKind, institution: &str, guest_name: &str, secret: &str, until: &str, portal: &str) -> (String, String) {
    let portal = portal.trim_end_matches('/');
    match kind {
        NoticeKind::GuestExpiring => (
            format!("Gjestekontoen din hos {institution} slutter snart"),
            format!(
                "Hei, {guest_name}. Gjestekontoen din hos {institution} slutter {secret}. Snakk med sponsoren din om du trenger den lenger.\n\n\
                 Hello, {guest_name}. Your guest account at {institution} ends on {secret}. Talk to your sponsor if you need it longer.\n"
            ),
        ),
        NoticeKind::GuestLoginCode => (
            "Kode for å logge inn som gjest".to_string(),
            format!(
                "Hei, {guest_name}. Koden for å logge inn som gjest ved {institution} er {secret}. Den gjelder til {until}.\n\
                 Logg inn her: {portal}/gjest-innlogging\n\n\
                 Hello, {guest_name}. Your code to log in as a guest at {institution} is {secret}. It is valid until {until}.\n\
                 Log in here: {portal}/gjest-innlogging\n"
            ),
        ),
        NoticeKind::GuestCode => (
            format!("Engangskode fra {institution}"),
            format!(
                "Hei, {guest_name}. Engangskoden din er {secret}. Den gjelder til {until}.\n\n\
                 Hello, {guest_name}. Your one-time code is {secret}. It is valid until {until}.\n"
            ),
        ),
        _ => (
            format!("Invitasjon fra {institution}"),
            format!(
                "Hei, {guest_name}. {institution} har registrert deg som gjest.\n\
                 Ta i bruk kontoen din her (lenken gjelder til {until} og kan brukes én gang): {portal}/gjest/{secret}\n\n\
                 Hello, {guest_name}. {institution} has registered you as a guest.\n\
                 Claim your account here (the link is valid until {until} and works once): {portal}/gjest/{secret}\n"
            ),
        ),
    }
}

/// The e-mail for a notice: subject and plain-text body, in bokmål with
/// English below, naming the party and linking to the portal page.
pub fn message(kind: NoticeKind, title: &str, party_name: &str, party_org: Option<&str>, subject_id: Uuid, portal: &str) -> (String, String) {
    let portal = portal.trim_end_matches('/');
    let party_q = party_org.map(|o| format!("?party={o}")).unwrap_or_default();
    match kind {
        // Guests' e-mails carry a secret made as they are sent: `guest_message`.
        NoticeKind::GuestInvitation | NoticeKind::GuestCode | NoticeKind::GuestExpiring | NoticeKind::GuestLoginCode => (title.to_string(), String::new()),
        NoticeKind::RequestForwarded => (
            format!("Forespørsel om systembruker for {party_name}"),
            format!(
                "En forespørsel om systembrukeren «{title}» for {party_name} er sendt videre til deg som tilgangsstyrer.\n\
                 Godkjenn eller avvis den her: {portal}/systembrukere/foresporsel/{subject_id}{party_q}\n\n\
                 A request for the system user “{title}” for {party_name} was forwarded to you as an access manager.\n\
                 Approve or reject it here: {portal}/systembrukere/foresporsel/{subject_id}{party_q}\n"
            ),
        ),
        NoticeKind::SponsorGuestExpiring => (
            format!("Oppholdet til gjesten din {title} slutter snart"),
            format!(
                "Oppholdet til {title}, som du er sponsor for, slutter snart. Du kan forlenge det under Mine gjester: {portal}/gjester\n\n\
                 The stay of {title}, whom you sponsor, ends soon. You can extend it under My guests: {portal}/gjester\n"
            ),
        ),
        NoticeKind::SystemUserCreated => (
            format!("Ny systembruker for {party_name}"),
            format!(
                "Systembrukeren «{title}» er opprettet for {party_name}.\n\
                 Se hva den har tilgang til, eller slett den: {portal}/systembrukere/{subject_id}{party_q}\n\n\
                 The system user “{title}” was made for {party_name}.\n\
                 See what it may do, or delete it: {portal}/systembrukere/{subject_id}{party_q}\n"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_a_minute_up_to_six_hours() {
        assert_eq!(retry_after(1), Duration::minutes(1));
        assert_eq!(retry_after(2), Duration::minutes(2));
        assert_eq!(retry_after(5), Duration::minutes(16));
        assert_eq!(retry_after(9), Duration::minutes(256));
        assert_eq!(retry_after(10), Duration::hours(6));
        assert_eq!(retry_after(40), Duration::hours(6), "no overflow");
    }

    #[test]
    fn addresses_are_taken_trimmed_and_the_obviously_wrong_refused() {
        assert_eq!(email(" post@bakeri.no ").as_deref(), Some("post@bakeri.no"));
        for bad in ["", "post", "post@", "@bakeri.no", "post@bakeri", "post @bakeri.no", "a@b@c.no", "post@.no", "<post@bakeri.no>", "a@b.no,c@d.no"] {
            assert_eq!(email(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_mail_names_the_party_and_links_to_its_page() {
        let id = Uuid::nil();
        let (subject, body) = message(NoticeKind::RequestForwarded, "Lønn", "Bakeri Hansen AS", Some("310400009"), id, "https://fullmakt.example/");
        assert_eq!(subject, "Forespørsel om systembruker for Bakeri Hansen AS");
        assert!(body.contains(&format!("https://fullmakt.example/systembrukere/foresporsel/{id}?party=310400009")), "{body}");
        assert!(body.contains("«Lønn»") && body.contains("“Lønn”"), "in both languages");
        let (subject, body) = message(NoticeKind::SystemUserCreated, "Lønn", "Bakeri Hansen AS", None, id, "https://fullmakt.example");
        assert_eq!(subject, "Ny systembruker for Bakeri Hansen AS");
        assert!(body.contains(&format!("https://fullmakt.example/systembrukere/{id}\n")));
    }
}
