//! Finding parties by what people type.

use super::store;
use super::Party;
use sqlx::PgConnection;

/// A person looked up by what someone typed: a national identity number and
/// a surname. Both must match, so that the register cannot be probed for
/// which numbers exist; a miss says nothing about which of the two was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonQuery {
    national_id: super::NationalId,
    surname: String,
}

impl PersonQuery {
    /// Checks the typed values; the error names the field (`"national_id: …"`).
    pub fn parse(national_id: &str, surname: &str) -> Result<Self, String> {
        let national_id = super::NationalId::parse(national_id.trim(), super::SyntheticIds::Accept).map_err(|e| format!("national_id: {e}"))?;
        let surname = surname.trim().to_lowercase();
        if surname.is_empty() || surname.chars().count() > crate::limits::SURNAME {
            return Err("surname: give the person's surname (at most 100 characters)".into());
        }
        Ok(Self { national_id, surname })
    }

    /// The active person with this number whose last name is the surname given (case-insensitive).
    pub async fn find(&self, conn: &mut PgConnection) -> Result<Option<Party>, sqlx::Error> {
        let found = store::find_by_national_id(conn, &self.national_id).await?;
        Ok(found.filter(|p| p.name.to_lowercase().split_whitespace().last() == Some(self.surname.as_str())))
    }
}

/// Use case: the person a login names, registered at their first login.
/// The login itself has authenticated them (the identity provider's
/// `pid`), so the installation acts (`ctx` is the operator's, labelled
/// `login`); the registration is audited. `claimed_name` is the name the
/// provider gave, if any; without one the masked number stands in for it.
pub async fn find_or_register_person(
    ctx: &crate::Context,
    national_id: &super::NationalId,
    claimed_name: Option<String>,
) -> Result<Party, crate::audit::UnitOfWorkError> {
    let mut conn = ctx.db().acquire().await?;
    if let Some(p) = store::find_by_national_id(&mut conn, national_id).await? {
        return Ok(p);
    }
    drop(conn);
    let name = claimed_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| national_id.masked());
    let mut uow = ctx.begin().await?;
    let id = store::upsert_person(uow.conn(), &super::model::PersonForCreate { national_id: national_id.clone(), name }).await?;
    let registered = store::get(uow.conn(), id).await?;
    uow.audit(crate::audit::AuditEvent::new("person.register", id.to_string(), crate::audit::Outcome::Success, serde_json::json!({"via": "first login"})))
        .await?;
    uow.commit().await?;
    registered.ok_or(crate::audit::UnitOfWorkError::Store(sqlx::Error::RowNotFound))
}

#[cfg(test)]
mod tests {
    use super::PersonQuery;

    #[test]
    fn a_person_query_names_the_field_that_is_wrong() {
        assert!(PersonQuery::parse("14928810047", " Hansen ").is_ok());
        assert!(PersonQuery::parse("1492881004", "Hansen").unwrap_err().starts_with("national_id:"));
        assert!(PersonQuery::parse("14928810047", "  ").unwrap_err().starts_with("surname:"));
        assert!(PersonQuery::parse("14928810047", &"x".repeat(101)).unwrap_err().starts_with("surname:"));
    }
}
