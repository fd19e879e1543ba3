-- The system register in full (domain::system_register): a vendor's system
-- with its names and descriptions in three languages, the rights and access
-- packages its system users may be given, its API clients, where the portal
-- may send a person back to, whether customers can pick it in the portal, and
-- a change log of who changed what. The id is never reused, so a deleted
-- system keeps its row (soft delete, as in Altinn).

alter table system_register rename column name to name_nb;
-- internal_id is what Altinn's vendor API answers a registration with.
alter table system_register
    add column internal_id    uuid not null default gen_random_uuid() constraint system_register_internal_id_unique unique,
    add column name_nn        text not null default '',
    add column name_en        text not null default '',
    add column description_nb text not null default '',
    add column description_nn text not null default '',
    add column description_en text not null default '',
    add column redirect_urls  text[] not null default '{}',
    add column is_visible     boolean not null default true,
    add column updated_at     timestamptz not null default now(),
    add column deleted_at     timestamptz;

-- A single right the system's users may hold: an action on a resource, or
-- (no action) every action the resource's policy offers.
create table system_right (
    system_id   text not null references system_register (system_id),
    resource_id text not null references resource (id),
    action      text constraint system_right_action_present check (length(btrim(action)) between 1 and 200),
    constraint system_right_unique unique nulls not distinct (system_id, resource_id, action)
);

-- An access package the system's users may hold, by its URN.
create table system_package (
    system_id   text not null references system_register (system_id),
    package_urn text not null references access_package (urn),
    constraint system_package_unique primary key (system_id, package_urn)
);

-- Every change to a system, in the transaction of the change: who (a person,
-- or a vendor's API client and its organisation), what kind, and the system
-- as it was written.
create table system_change_log (
    id               uuid primary key,
    system_id        text not null references system_register (system_id),
    change_type      text not null constraint system_change_log_type_known
                         check (change_type in ('create', 'update', 'rightsupdate', 'accesspackageupdate', 'delete')),
    changed_by_org   text,
    changed_by       text not null,
    client_id        text,
    changed_data     jsonb not null,
    created_at       timestamptz not null
);
create index system_change_log_system on system_change_log (system_id, created_at);
