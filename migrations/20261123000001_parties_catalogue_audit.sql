-- Parties: organisations and persons share one table so that "on behalf of whom"
-- is always one foreign key. The kind decides which identifier must be present.
create table party (
    id            uuid primary key,
    kind          text not null constraint party_kind_known check (kind in ('organisation', 'person')),
    name          text not null constraint party_name_present check (length(btrim(name)) > 0),
    org_number    text constraint party_org_number_format check (org_number ~ '^[0-9]{9}$'),
    org_form      text,
    parent_id     uuid references party (id),
    national_id   text constraint party_national_id_format check (national_id ~ '^[0-9]{11}$'),
    status        text not null default 'active' constraint party_status_known check (status in ('active', 'deleted')),
    created_at    timestamptz not null default now(),
    constraint party_organisation_identified check (kind <> 'organisation' or (org_number is not null and org_form is not null and national_id is null)),
    constraint party_person_identified check (kind <> 'person' or (org_number is null and org_form is null and parent_id is null))
);
create unique index party_org_number_unique on party (org_number) where org_number is not null;
create unique index party_national_id_unique on party (national_id) where national_id is not null;
create index party_parent on party (parent_id) where parent_id is not null;
create index party_name_search on party (lower(name));

-- The access-package catalogue, in the shape of Altinn's (areas, packages, roles, role -> package).
create table package_area (
    urn            text primary key,
    group_name_nb  text not null default '',
    name_nb        text not null,
    name_nn        text not null,
    name_en        text not null,
    description_nb text not null default '',
    description_nn text not null default '',
    description_en text not null default ''
);

create table access_package (
    urn                          text primary key,
    code                         text not null constraint access_package_code_unique unique,
    area_urn                     text not null references package_area (urn),
    name_nb                      text not null,
    name_nn                      text not null,
    name_en                      text not null,
    description_nb               text not null default '',
    description_nn               text not null default '',
    description_en               text not null default '',
    delegable                    boolean not null,
    assignable                   boolean not null,
    available_for_service_owners boolean not null,
    entity_type                  text not null constraint access_package_entity_type_known check (entity_type in ('organisation', 'person'))
);

create table role (
    code           text primary key,
    urn            text not null constraint role_urn_unique unique,
    legacy_code    text constraint role_legacy_code_unique unique,
    provider       text not null,
    name_nb        text not null,
    name_nn        text not null,
    name_en        text not null,
    description_nb text not null default '',
    description_nn text not null default '',
    description_en text not null default '',
    is_key_role    boolean not null default false,
    entity_type    text not null
);

create table role_package (
    id           uuid primary key,
    role_code    text not null references role (code),
    package_urn  text not null references access_package (urn),
    org_form     text,
    has_access   boolean not null,
    can_delegate boolean not null,
    can_assign   boolean not null
);
create unique index role_package_unique on role_package (role_code, package_urn, coalesce(org_form, ''));

-- Authoritative roles: a person or organisation holds a role for an organisation
-- because an external register (the Entity Register) says so. Never created in the UI.
create table register_role (
    id          uuid primary key,
    role_code   text not null references role (code),
    holder_id   uuid not null references party (id),
    for_party_id uuid not null references party (id),
    source      text not null default 'entity-register',
    valid_from  timestamptz not null default now(),
    valid_to    timestamptz,
    constraint register_role_not_self check (holder_id <> for_party_id),
    constraint register_role_period check (valid_to is null or valid_to > valid_from)
);
create unique index register_role_unique_active on register_role (role_code, holder_id, for_party_id) where valid_to is null;
create index register_role_holder on register_role (holder_id);

-- Append-only audit trail. Every state change writes a row in the same transaction.
create table audit_event (
    id              uuid primary key,
    occurred_at     timestamptz not null,
    request_id      text,
    actor_party_id  uuid references party (id),
    actor_label     text not null,
    on_behalf_of_id uuid references party (id),
    action          text not null,
    target          text not null default '',
    outcome         text not null constraint audit_event_outcome_known check (outcome in ('success', 'refused', 'failed')),
    details         jsonb not null default '{}'::jsonb
);
create index audit_event_on_behalf_of on audit_event (on_behalf_of_id, occurred_at desc);
create index audit_event_occurred on audit_event (occurred_at desc);

-- Defence in depth: the application never updates or deletes audit rows; the
-- database refuses it too.
create function audit_event_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only' using errcode = 'P0001';
end;
$$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_is_append_only();

-- Signing keys of the built-in test identity provider, one set per issuer.
create table idp_signing_key (
    kid         text primary key,
    issuer      text not null,
    private_pem text not null,
    created_at  timestamptz not null default now()
);
create index idp_signing_key_issuer on idp_signing_key (issuer, created_at desc);
