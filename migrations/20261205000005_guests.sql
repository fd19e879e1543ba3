-- Sponsors and short-term guests (scenario L1, DESIGN.md §4.8). Three
-- lifecycles: the identity (a person party, with or without a national
-- identity number, and its contact points), the account (a guest account at
-- an institution, with its states and their history) and the assignment (the
-- institution's guest role, held while the account is active).

-- The institution's rules for a guest type. Without a row, the defaults of
-- `domain::guests::schedule::GuestPolicy` apply.
create table guest_policy (
    institution_id     uuid not null references party (id),
    guest_type         text not null constraint guest_policy_type_format check (guest_type ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    -- The user role an active guest holds in the institution.
    role_id            uuid references user_role (id),
    max_days           integer not null constraint guest_policy_max_days check (max_days between 1 and 366),
    -- Days before the start the invitation goes out; null: at once.
    invite_days_before integer constraint guest_policy_invite_days check (invite_days_before between 0 and 90),
    notice_days        integer[] not null,
    claim_link_days    integer not null constraint guest_policy_claim_link_days check (claim_link_days between 1 and 30),
    code_attempts      integer not null constraint guest_policy_code_attempts check (code_attempts between 1 and 10),
    retention_days     integer not null constraint guest_policy_retention_days check (retention_days between 0 and 3660),
    username_prefix    text not null default '' constraint guest_policy_prefix_format check (username_prefix ~ '^[a-z0-9._-]{0,8}$'),
    primary key (institution_id, guest_type)
);

-- A person's contact points and name parts, for persons the portal itself
-- registers (guests). E-mail is kept lower case; mobile as E.164. Each
-- belongs to one identity at most.
create table person_contact (
    person_id   uuid primary key references party (id),
    given_name  text not null,
    surname     text not null,
    email       text constraint person_contact_email_format check (email = lower(email) and email like '%_@_%'),
    mobile      text constraint person_contact_mobile_format check (mobile ~ '^\+[1-9][0-9]{7,14}$'),
    updated_at  timestamptz not null
);
create unique index person_contact_email_unique on person_contact (email) where email is not null;
create unique index person_contact_mobile_unique on person_contact (mobile) where mobile is not null;

-- Usernames given at an institution. Rows are never deleted, so a username
-- is never given to another person; a returning guest gets their own again.
create table person_username (
    institution_id uuid not null references party (id),
    username       text not null constraint person_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{0,31}$'),
    person_id      uuid not null references party (id),
    created_at     timestamptz not null,
    primary key (institution_id, username),
    constraint person_username_one_per_person unique (institution_id, person_id)
);

-- A guest's account at an institution, in a unit, registered by a sponsor.
create table guest_account (
    id              uuid primary key,
    institution_id  uuid not null references party (id),
    unit_id         uuid not null references org_unit (id),
    person_id       uuid not null references party (id),
    sponsor_id      uuid not null references party (id),
    -- Who typed the registration: the sponsor, or the help desk for the sponsor.
    registered_by   uuid not null references party (id),
    guest_type      text not null,
    username        text not null,
    state           text not null constraint guest_account_state_known
                        check (state in ('invited', 'active', 'suspended', 'deactivated', 'deleted', 'archived', 'failed')),
    start_date      date not null,
    end_date        date not null,
    constraint guest_account_dates check (end_date > start_date),
    -- An administrator's override of the validity the dates give: true, false or none.
    valid_override  boolean,
    -- The day the invitation is due, and when it went out.
    invite_on       date not null,
    invited_at      timestamptz,
    -- The terms version the guest accepted when claiming the account.
    terms_version   integer,
    claimed_at      timestamptz,
    deactivated_at  timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    foreign key (institution_id, username) references person_username (institution_id, username)
);
create index guest_account_sponsor on guest_account (sponsor_id, institution_id);
create index guest_account_person on guest_account (person_id);
-- One account in force per person and institution: a duplicate registration is refused.
create unique index guest_account_one_in_force on guest_account (institution_id, person_id)
    where state in ('invited', 'active', 'suspended');

-- Every state change of an account: from, to, why, and who or which rule.
create table guest_account_transition (
    id          uuid primary key,
    account_id  uuid not null references guest_account (id),
    from_state  text,
    to_state    text not null,
    reason      text not null default '',
    actor_id    uuid references party (id),
    rule        text,
    at          timestamptz not null,
    constraint guest_account_transition_by check ((actor_id is null) <> (rule is null))
);
create index guest_account_transition_account on guest_account_transition (account_id, at);

-- A sponsor holds the right to assign the institution's guest role for a
-- unit; with no unit (the help desk), for every unit of the institution.
alter table user_role_assign_right add column unit_id uuid references org_unit (id);
drop index user_role_assign_right_unique_active;
create unique index user_role_assign_right_unique_active on user_role_assign_right
    (role_id, holder_id, for_party, coalesce(unit_id, '00000000-0000-0000-0000-000000000000'::uuid)) where ended_at is null;
