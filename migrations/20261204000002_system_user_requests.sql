-- A vendor's request that a customer give its system a system user
-- (domain::system_user_requests): which system, for which customer and
-- external reference, with which single rights and access packages, and
-- where to send the customer's browser afterwards. The customer's access
-- manager approves or rejects it in the portal; a request not decided in
-- time times out (status Timedout, persisted). Requests are never deleted,
-- only withdrawn (deleted_at), so the vendor may ask again.
create table system_user_request (
    id                uuid primary key,
    kind              text not null default 'standard' constraint system_user_request_kind_known check (kind in ('standard', 'agent')),
    system_id         text not null references system_register (system_id),
    party_id          uuid not null references party (id),
    external_ref      text not null constraint system_user_request_external_ref_present check (length(btrim(external_ref)) between 1 and 255),
    integration_title text not null constraint system_user_request_title_present check (length(btrim(integration_title)) between 1 and 255),
    redirect_url      text,
    status            text not null default 'New'
                          constraint system_user_request_status_known check (status in ('New', 'Accepted', 'Rejected', 'Denied', 'Timedout')),
    escalated         boolean not null default false,
    created_at        timestamptz not null,
    changed_at        timestamptz not null,
    changed_by        text,
    deleted_at        timestamptz
);
-- One live request per customer, system and external reference: a repeated
-- request answers with it. A timed-out or withdrawn one no longer counts.
create unique index system_user_request_live on system_user_request (party_id, system_id, external_ref)
    where deleted_at is null and status <> 'Timedout';
create index system_user_request_by_system on system_user_request (system_id, id) where deleted_at is null;
create index system_user_request_by_party on system_user_request (party_id, status) where deleted_at is null;
create index system_user_request_due on system_user_request (created_at) where status = 'New' and deleted_at is null;

create table system_user_request_right (
    request_id  uuid not null references system_user_request (id),
    resource_id text not null references resource (id),
    action      text,
    constraint system_user_request_right_unique unique nulls not distinct (request_id, resource_id, action)
);

create table system_user_request_package (
    request_id  uuid not null references system_user_request (id),
    package_urn text not null references access_package (urn),
    constraint system_user_request_package_unique primary key (request_id, package_urn)
);
