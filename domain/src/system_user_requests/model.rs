//! What a system-user request is.

use crate::parties::PartyId;
use crate::system_register::SystemRight;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Where a request stands, with Altinn's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    /// Waiting for the customer.
    New,
    /// Approved: the system user exists.
    Accepted,
    /// Rejected by the customer.
    Rejected,
    /// Refused by a rule when it was decided (Altinn's; not written today).
    Denied,
    /// Not decided in time; it can no longer be approved.
    Timedout,
}

impl RequestStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Accepted => "Accepted",
            Self::Rejected => "Rejected",
            Self::Denied => "Denied",
            Self::Timedout => "Timedout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::New, Self::Accepted, Self::Rejected, Self::Denied, Self::Timedout].into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the customer decided it, so that the browser goes on to the
    /// vendor's page (requests and change requests alike).
    pub const fn decided_by_customer(self) -> bool {
        matches!(self, Self::Accepted | Self::Rejected)
    }
}

/// Which kind of system user a request asks for (Altinn's `userType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SystemUserKind {
    /// Acts for the customer itself, with the rights and packages the customer gives it.
    #[default]
    Standard,
    /// Acts for the clients of the customer (an accounting, auditing or
    /// business-manager firm): approved without any grant, it gets its
    /// packages from each client attached to it later.
    Agent,
}

impl SystemUserKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Standard, Self::Agent].into_iter().find(|k| k.as_str() == s)
    }
}

/// A request as the vendor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestForCreate {
    pub kind: SystemUserKind,
    pub system_id: String,
    /// The customer's organisation number.
    pub party_org_no: String,
    /// The vendor's own reference for the customer; the organisation number
    /// when left out. A customer may have several system users of one system
    /// under different references.
    pub external_ref: Option<String>,
    /// The system user's name; the system's name (bokmål) when left out.
    pub integration_title: Option<String>,
    pub rights: Vec<SystemRight>,
    /// Access packages by URN.
    pub packages: Vec<String>,
    /// Where the customer's browser goes after the decision; must match one
    /// of the system's allowed redirect URLs.
    pub redirect_url: Option<String>,
}

/// A request as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserRequest {
    pub id: Uuid,
    pub kind: SystemUserKind,
    pub system_id: String,
    /// The system's vendor's organisation number.
    pub vendor: String,
    pub party: PartyId,
    pub party_org_no: String,
    /// The customer's name in the register of parties.
    pub party_name: String,
    pub external_ref: String,
    pub integration_title: String,
    pub rights: Vec<SystemRight>,
    pub packages: Vec<String>,
    /// As it stands now: a request past its time shows `Timedout` even
    /// before the job has written it.
    pub status: RequestStatus,
    pub redirect_url: Option<String>,
    /// Forwarded to the customer's access managers by someone who could not approve it.
    pub escalated: bool,
    pub created_at: OffsetDateTime,
}

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The last id of this page, when there may be more.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// The page from up to `size + 1` items read in id order: the extra item
    /// only says that more follow, and is not shown.
    pub fn cut(mut items: Vec<T>, size: i64, id: impl Fn(&T) -> Uuid) -> Self {
        let more = items.len() as i64 > size;
        items.truncate(size.max(0) as usize);
        let next_after = if more { items.last().map(id) } else { None };
        Self { items, next_after }
    }
}

#[cfg(test)]
mod tests {
    use super::{Page, RequestStatus};
    use uuid::Uuid;

    #[test]
    fn a_page_shows_at_most_its_size_and_names_its_last_id_only_when_more_follow() {
        let ids: Vec<Uuid> = (1..=3u128).map(Uuid::from_u128).collect();
        let full = Page::cut(ids.clone(), 2, |id| *id);
        assert_eq!((full.items, full.next_after), (ids[..2].to_vec(), Some(ids[1])));
        let last = Page::cut(ids[..2].to_vec(), 2, |id| *id);
        assert_eq!((last.items.len(), last.next_after), (2, None));
        let empty = Page::cut(Vec::<Uuid>::new(), 2, |id| *id);
        assert_eq!((empty.items.len(), empty.next_after), (0, None));
    }

    #[test]
    fn only_an_approval_or_a_rejection_sends_the_browser_back_to_the_vendor() {
        let back: Vec<_> = [RequestStatus::New, RequestStatus::Accepted, RequestStatus::Rejected, RequestStatus::Denied, RequestStatus::Timedout]
            .into_iter()
            .filter(|s| s.decided_by_customer())
            .collect();
        assert_eq!(back, [RequestStatus::Accepted, RequestStatus::Rejected]);
    }
}
