-- Resources (services) and their policies, in typed JSON form (see domain::decisions::policy).
create table resource (
    id            text primary key constraint resource_id_format check (id ~ '^[a-z0-9][a-z0-9_-]{1,99}$'),
    owner_org     text not null constraint resource_owner_org_format check (owner_org ~ '^[0-9]{9}$'),
    title_nb      text not null,
    title_nn      text not null,
    title_en      text not null,
    description   text not null default '',
    resource_type text not null default 'GenericAccessResource',
    delegable     boolean not null default true,
    policy        jsonb not null,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- Direct grants: party `from_party` gives `to_subject` an access package, or a
-- single action on a resource, on its behalf.
create table access_grant (
    id           uuid primary key,
    from_party   uuid not null references party (id),
    to_subject   uuid not null,
    to_kind      text not null constraint access_grant_to_kind_known check (to_kind in ('party', 'system_user')),
    package_code text references access_package (code),
    resource_id  text references resource (id),
    action       text,
    granted_by   uuid references party (id),
    valid_from   timestamptz not null default now(),
    valid_to     timestamptz,
    constraint access_grant_one_object check ((package_code is not null) <> (resource_id is not null and action is not null)),
    constraint access_grant_not_self check (from_party <> to_subject)
);
create unique index access_grant_unique_active_package on access_grant (from_party, to_subject, package_code)
    where valid_to is null and package_code is not null;
create unique index access_grant_unique_active_right on access_grant (from_party, to_subject, resource_id, action)
    where valid_to is null and resource_id is not null;
create index access_grant_to on access_grant (to_subject) where valid_to is null;

-- The change feed: every change that affects decisions appends a row in the
-- same transaction, and notifies `fullmakt_changes`, so that every server
-- instance refreshes its decision snapshot.
create table change_log (
    seq  bigserial primary key,
    kind text not null,
    at   timestamptz not null default now()
);
