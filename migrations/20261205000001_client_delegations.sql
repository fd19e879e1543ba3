-- Client relationships and client delegations.
--
-- A firm (accounting, auditing, business manager) serves a client when the
-- register says so (REGN, REVI, FFØR: the packages the role gives, with the
-- role's organisation-form condition), or when the client has granted the
-- firm packages directly. `client_package` is that relationship, one row per
-- package and per way the firm holds it: the one definition the client
-- lists, the attach rules and the cascades read. A register role held by an
-- organisation whose condition gives the client nothing (FFØR for a company
-- that is no housing co-operative) is a row without a package: the client
-- is the firm's, but gives it nothing, and the list can say so.
create view client_package as
select rr.holder_id as firm_id,
       rr.for_party_id as client_id,
       ap.code as package_code,
       upper(coalesce(r.legacy_code, r.code)) as role_code,
       null::uuid as grant_id
from register_role rr
join role r on r.code = rr.role_code
join party firm on firm.id = rr.holder_id and firm.kind = 'organisation' and firm.status = 'active'
join party client on client.id = rr.for_party_id and client.status = 'active'
left join role_package rp on rp.role_code = rr.role_code and rp.has_access and (rp.org_form is null or rp.org_form = client.org_form)
left join access_package ap on ap.urn = rp.package_urn
where rr.valid_to is null
  and exists (select 1 from role_package any_rp where any_rp.role_code = rr.role_code)
union all
select g.to_subject, g.from_party, g.package_code, null, g.id
from access_grant g
join party firm on firm.id = g.to_subject and firm.kind = 'organisation' and firm.status = 'active'
join party client on client.id = g.from_party and client.status = 'active'
where g.to_kind = 'party'
  and g.package_code is not null
  and g.valid_from <= now()
  and (g.valid_to is null or g.valid_to > now());

-- A client delegation: the firm's client administrator passes on to an
-- agent (an agent system user of the firm, or one of the firm's people) the
-- packages the client gives the firm. It lasts while the client still gives
-- every one of them; when one goes (a register role ends, a grant is
-- revoked) the delegation ends in the same transaction, with the cause.
create table client_delegation (
    id                   uuid primary key,
    firm_id              uuid not null references party (id),
    client_id            uuid not null references party (id),
    agent_system_user_id uuid references system_user (id),
    agent_person_id      uuid references party (id),
    created_by           uuid references party (id),
    created_by_label     text not null,
    created_at           timestamptz not null default now(),
    ended_at             timestamptz,
    ended_cause          text,
    constraint client_delegation_one_agent check ((agent_system_user_id is null) <> (agent_person_id is null)),
    constraint client_delegation_end_has_cause check ((ended_at is null) = (ended_cause is null))
);
create unique index client_delegation_live_system_user on client_delegation (agent_system_user_id, client_id)
    where ended_at is null and agent_system_user_id is not null;
create unique index client_delegation_live_person on client_delegation (firm_id, agent_person_id, client_id)
    where ended_at is null and agent_person_id is not null;
create index client_delegation_live_by_pair on client_delegation (firm_id, client_id) where ended_at is null;

-- The packages a delegation passes on: for an agent system user, every
-- package it requires (copied when the client is attached).
create table client_delegation_package (
    delegation_id uuid not null references client_delegation (id),
    package_code  text not null references access_package (code),
    primary key (delegation_id, package_code)
);

-- "Add all clients": a job that attaches every client offered when it
-- started, in batches, each batch in one transaction with its items' states.
-- It runs on the server, not in the browser, so closing the page or
-- restarting the server neither stops nor half-does it: a job still running
-- is picked up again (one instance at a time, by row lock).
create table client_bulk_job (
    id               uuid primary key,
    system_user_id   uuid not null references system_user (id),
    firm_id          uuid not null references party (id),
    started_by       uuid references party (id),
    started_by_label text not null,
    status           text not null constraint client_bulk_job_status_known check (status in ('running', 'done', 'stopped')),
    created_at       timestamptz not null default now(),
    finished_at      timestamptz
);
create index client_bulk_job_running on client_bulk_job (created_at) where status = 'running';
create index client_bulk_job_by_system_user on client_bulk_job (system_user_id, created_at desc);

create table client_bulk_job_item (
    job_id    uuid not null references client_bulk_job (id),
    client_id uuid not null references party (id),
    position  int not null,
    state     text not null default 'waiting' constraint client_bulk_job_item_state_known check (state in ('waiting', 'attached', 'failed')),
    reason    text,
    primary key (job_id, client_id)
);
create index client_bulk_job_item_waiting on client_bulk_job_item (job_id, position) where state = 'waiting';

-- A firm's clients by direct grant, grants in force or ending later included.
create index access_grant_to_package on access_grant (to_subject, from_party) where package_code is not null;
