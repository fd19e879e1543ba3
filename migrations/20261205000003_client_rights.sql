-- Scenario S9, beyond Altinn: an agent system user may require single
-- rights of each client (one action on one resource), instead of or beside
-- access packages. A client that granted the firm exactly those rights can
-- be attached, and the delegation passes them on.
create table system_user_agent_right (
    system_user_id uuid not null references system_user (id),
    resource_id    text not null references resource (id),
    action         text not null,
    primary key (system_user_id, resource_id, action)
);

create table client_delegation_right (
    delegation_id uuid not null references client_delegation (id),
    resource_id   text not null,
    action        text not null,
    primary key (delegation_id, resource_id, action)
);

-- A firm's clients by a single right granted to the firm.
create index access_grant_to_right on access_grant (to_subject, from_party) where resource_id is not null;

-- What is required and given, each as one key: a package's code, or
-- `right:<resource>:<action>` for a single right (a resource id holds no
-- colon). The client list, the attach rule and the cascades compare keys.
--
-- What a client gives a firm: every row of `client_package` (a register role
-- whose condition gives nothing is a row without a key: the party is still
-- a client), and the single rights the client granted the firm.
create view client_need as
select firm_id, client_id, package_code as need, role_code, grant_id
from client_package
union all
select g.to_subject, g.from_party, 'right:' || g.resource_id || ':' || g.action, null, g.id
from access_grant g
join party firm on firm.id = g.to_subject and firm.kind = 'organisation' and firm.status = 'active'
join party client on client.id = g.from_party and client.status = 'active'
where g.to_kind = 'party'
  and g.resource_id is not null
  and g.valid_from <= now()
  and (g.valid_to is null or g.valid_to > now());

-- What an agent system user requires of each client.
create view system_user_agent_need as
select a.system_user_id, p.code as need
from system_user_agent_package a join access_package p on p.urn = a.package_urn
union all
select system_user_id, 'right:' || resource_id || ':' || action from system_user_agent_right;

-- What a client delegation passes on.
create view client_delegation_need as
select delegation_id, package_code as need from client_delegation_package
union all
select delegation_id, 'right:' || resource_id || ':' || action from client_delegation_right;
