-- The role model of the Danish common public concept model (FOBS): user roles
-- that bundle rights, role inheritance, access rules (segregation of duties,
-- amount limits, time windows), role assignments restricted to parties, with
-- an attestation and a validity period, and rights to assign a role.
-- See domain::user_roles for the rules; the database keeps the shapes honest.

-- A user role (brugerrolle): a named bundle of access packages and single
-- rights. `owner_party` is its classification (the authority that owns it);
-- a role without owner is global. Amount limit and time window are access
-- rules on the role's rights, checked at decision time.
create table user_role (
    id           uuid primary key,
    code         text not null constraint user_role_code_format check (code ~ '^[a-z0-9][a-z0-9_-]{1,63}$'),
    owner_party  uuid references party (id),
    name_nb      text not null constraint user_role_name_present check (length(btrim(name_nb)) > 0),
    name_nn      text not null,
    name_en      text not null,
    description  text not null default '',
    -- Amount limit in hundredths (øre), compared with the request's amount.
    max_amount   bigint constraint user_role_max_amount_positive check (max_amount is null or max_amount >= 0),
    time_window  jsonb,
    created_by   uuid references party (id),
    created_at   timestamptz not null default now()
);
create unique index user_role_code_unique on user_role (code);

-- What a role gives: an access package, or one action on a resource.
create table user_role_right (
    role_id      uuid not null references user_role (id) on delete cascade,
    package_code text references access_package (code),
    resource_id  text references resource (id),
    action       text,
    constraint user_role_right_one_object check ((package_code is not null) <> (resource_id is not null and action is not null))
);
create unique index user_role_right_unique on user_role_right (role_id, coalesce(package_code, ''), coalesce(resource_id, ''), coalesce(action, ''));

-- Role inheritance: `role_id` has every right of `inherits_id`. Cycles are
-- refused by the domain, under a lock on user_role_inherits.
create table user_role_inherits (
    role_id     uuid not null references user_role (id) on delete cascade,
    inherits_id uuid not null references user_role (id),
    primary key (role_id, inherits_id),
    constraint user_role_inherits_not_self check (role_id <> inherits_id)
);

-- Role sharing between classifications: the owner makes the role available
-- to another authority, which may then assign it in its own organisation.
create table user_role_shared_with (
    role_id  uuid not null references user_role (id) on delete cascade,
    party_id uuid not null references party (id),
    primary key (role_id, party_id)
);

-- Segregation of duties: no subject may hold both roles for the same party.
create table sod_rule (
    id          uuid primary key,
    role_a      uuid not null references user_role (id),
    role_b      uuid not null references user_role (id),
    description text not null default '',
    created_by  uuid references party (id),
    created_at  timestamptz not null default now(),
    constraint sod_rule_two_roles check (role_a <> role_b)
);
create unique index sod_rule_unique_pair on sod_rule (least(role_a, role_b), greatest(role_a, role_b));

-- A role assignment (brugerrolletildeling): `subject` holds `role` for the
-- parties in user_role_assignment_party, valid in [valid_from, valid_to),
-- documented by an attestation (brugerrolleattest).
create table user_role_assignment (
    id                    uuid primary key,
    role_id               uuid not null references user_role (id),
    subject_id            uuid not null references party (id),
    assigned_in           uuid not null references party (id),
    assigned_by           uuid references party (id),
    valid_from            timestamptz not null,
    valid_to              timestamptz,
    attestation_kind      text not null constraint user_role_assignment_attestation_known
                              check (attestation_kind in ('register_entry', 'grant', 'power_of_attorney', 'consent', 'manager_approval')),
    attestation_issuer    text not null constraint user_role_assignment_attestation_issuer check (length(btrim(attestation_issuer)) > 0),
    attestation_reference text not null default '',
    created_at            timestamptz not null default now(),
    ended_at              timestamptz,
    ended_by              uuid references party (id),
    constraint user_role_assignment_valid_period check (valid_to is null or valid_to > valid_from)
);
create index user_role_assignment_subject on user_role_assignment (subject_id) where ended_at is null;

-- Restriction (brugerrollerestriktion): the parties an assignment is limited
-- to. Every assignment has at least one row; an unrestricted assignment has
-- the organisation it was made in.
create table user_role_assignment_party (
    assignment_id uuid not null references user_role_assignment (id),
    party_id      uuid not null references party (id),
    primary key (assignment_id, party_id)
);

-- Right to assign: `holder` (a person) may assign `role` to anyone, for
-- `for_party`, without being an access manager there.
create table user_role_assign_right (
    id          uuid primary key,
    role_id     uuid not null references user_role (id),
    holder_id   uuid not null references party (id),
    for_party   uuid not null references party (id),
    granted_by  uuid references party (id),
    created_at  timestamptz not null default now(),
    ended_at    timestamptz
);
create unique index user_role_assign_right_unique_active on user_role_assign_right (role_id, holder_id, for_party) where ended_at is null;
