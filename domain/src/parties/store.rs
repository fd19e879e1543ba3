//! PostgreSQL access for parties.

use super::model::{OrganisationForCreate, Party, PartyIdentity, PersonForCreate};
use super::{NationalId, OrgForm, OrgNumber, PartyId};
use sqlx::PgConnection;

/// A row of `party` as stored.
struct PartyRow {
    id: uuid::Uuid,
    kind: String,
    name: String,
    org_number: Option<String>,
    org_form: Option<String>,
    parent_id: Option<uuid::Uuid>,
    national_id: Option<String>,
}

impl PartyRow {
    /// Stored rows were validated on the way in and by the table's constraints;
    /// a row that fails here means the database was edited by hand.
    fn into_party(self) -> Result<Party, sqlx::Error> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("party {}: invalid {what}", self.id).into());
        let identity = if self.kind == "organisation" {
            PartyIdentity::Organisation {
                org_number: OrgNumber::try_from(self.org_number.clone().unwrap_or_default()).map_err(|_| corrupt("org number"))?,
                org_form: OrgForm::try_from(self.org_form.clone().unwrap_or_default()).map_err(|_| corrupt("org form"))?,
                parent: self.parent_id.map(PartyId),
            }
        } else {
            PartyIdentity::Person {
                national_id: match self.national_id.clone() {
                    Some(n) => Some(NationalId::try_from(n).map_err(|_| corrupt("national id"))?),
                    None => None,
                },
            }
        };
        Ok(Party { id: PartyId(self.id), name: self.name, identity })
    }
}

/// Inserts or updates an organisation by its org number; returns its id.
pub async fn upsert_organisation(conn: &mut PgConnection, org: &OrganisationForCreate) -> Result<PartyId, sqlx::Error> {
    let parent = match &org.parent {
        Some(p) => find_by_org_number(&mut *conn, p).await?.map(|p| p.id.0),
        None => None,
    };
    let id = sqlx::query_scalar!(
        r#"insert into party (id, kind, name, org_number, org_form, parent_id)
           values ($1, 'organisation', $2, $3, $4, $5)
           on conflict (org_number) where org_number is not null
           do update set name = excluded.name, org_form = excluded.org_form, parent_id = excluded.parent_id
           returning id"#,
        PartyId::new().0,
        org.name,
        org.org_number.as_str(),
        org.org_form.as_str(),
        parent,
    )
    .fetch_one(conn)
    .await?;
    Ok(PartyId(id))
}

/// Inserts or updates a person by national identity number; returns its id.
pub async fn upsert_person(conn: &mut PgConnection, person: &PersonForCreate) -> Result<PartyId, sqlx::Error> {
    let id = sqlx::query_scalar!(
        r#"insert into party (id, kind, name, national_id)
           values ($1, 'person', $2, $3)
           on conflict (national_id) where national_id is not null
           do update set name = excluded.name
           returning id"#,
        PartyId::new().0,
        person.name,
        person.national_id.as_str(),
    )
    .fetch_one(conn)
    .await?;
    Ok(PartyId(id))
}

pub async fn get(conn: &mut PgConnection, id: PartyId) -> Result<Option<Party>, sqlx::Error> {
    let row = sqlx::query_as!(
        PartyRow,
        r#"select id, kind, name, org_number, org_form, parent_id, national_id
           from party where id = $1 and status = 'active'"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    row.map(PartyRow::into_party).transpose()
}

pub async fn find_by_org_number(conn: &mut PgConnection, org: &OrgNumber) -> Result<Option<Party>, sqlx::Error> {
    let row = sqlx::query_as!(
        PartyRow,
        r#"select id, kind, name, org_number, org_form, parent_id, national_id
           from party where org_number = $1 and status = 'active'"#,
        org.as_str()
    )
    .fetch_optional(conn)
    .await?;
    row.map(PartyRow::into_party).transpose()
}

pub async fn find_by_national_id(conn: &mut PgConnection, nin: &NationalId) -> Result<Option<Party>, sqlx::Error> {
    let row = sqlx::query_as!(
        PartyRow,
        r#"select id, kind, name, org_number, org_form, parent_id, national_id
           from party where national_id = $1 and status = 'active'"#,
        nin.as_str()
    )
    .fetch_optional(conn)
    .await?;
    row.map(PartyRow::into_party).transpose()
}

/// Persons with a national identity number, for the test provider's picker.
pub async fn persons_for_test_login(conn: &mut PgConnection, limit: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select national_id as "national_id!", name from party
           where kind = 'person' and national_id is not null and status = 'active'
           order by name limit $1"#,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.national_id, r.name)).collect())
}
