-- The system users that are in force (not deleted, in a system that is not
-- deleted), each with the name people see: the integration's own title, else
-- the system's name, else its id. One definition for the decision engine's
-- snapshot, "give access" and the system-user overview.
create view system_user_in_force as
select su.id,
       su.party_id,
       su.system_id,
       su.external_ref,
       su.user_type,
       su.created_at,
       sr.vendor_org_number,
       coalesce(nullif(su.integration_title, ''), nullif(sr.name, ''), su.system_id) as display_name
from system_user su
join system_register sr on sr.system_id = su.system_id
where su.deleted_at is null and not sr.is_deleted;
