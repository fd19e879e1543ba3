-- The token service (Maskinporten-compatible): API clients and their public
-- keys, the service's own signing keys (encrypted at rest), the replay store of
-- client assertions, and the record of issued tokens (never the token itself).
-- See domain::tokens for the rules; the database keeps the shapes honest.

-- An API client: software that authenticates with a JWT signed by one of its
-- registered keys. The id is generated (a UUID in text, as Maskinporten's are).
create table api_client (
    client_id      text primary key constraint api_client_id_format check (client_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
    owner_party_id uuid not null references party (id),
    display_name   text not null constraint api_client_name_present check (length(btrim(display_name)) between 1 and 200),
    scopes         text[] not null default '{}',
    created_by     uuid references party (id),
    created_at     timestamptz not null,
    deleted_at     timestamptz
);
create index api_client_owner on api_client (owner_party_id) where deleted_at is null;

-- A client's public key, always stored as a public JWK (RSA >= 2048 bits or
-- EC P-256); a kid is never reused within one client, even after revocation.
create table api_client_key (
    client_id    text not null references api_client (client_id),
    kid          text not null constraint api_client_key_kid_format check (length(kid) between 1 and 200 and kid !~ '\s'),
    family       text not null constraint api_client_key_family_known check (family in ('RSA', 'EC')),
    public_jwk   jsonb not null,
    created_at   timestamptz not null,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    constraint api_client_key_unique primary key (client_id, kid)
);

-- The token service's own signing keys. The private key is AES-256-GCM
-- encrypted with FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY (nonce || ciphertext || tag,
-- the kid as associated data). A key signs from active_from and is published
-- in /jwks until retire_at, so that rotation overlaps.
create table token_signing_key (
    kid                   text primary key,
    alg                   text not null constraint token_signing_key_alg_known check (alg in ('ES256', 'EdDSA', 'RS256')),
    private_key_encrypted bytea not null,
    public_jwk            jsonb not null,
    created_at            timestamptz not null,
    active_from           timestamptz not null,
    retire_at             timestamptz,
    constraint token_signing_key_period check (retire_at is null or retire_at > active_from)
);
create index token_signing_key_live on token_signing_key (alg, active_from desc);

-- Replay store: each client's assertion ids, kept until the assertion could no
-- longer be accepted anyway.
create table assertion_jti (
    client_id  text not null,
    jti        text not null,
    expires_at timestamptz not null,
    constraint assertion_jti_unique primary key (client_id, jti)
);
create index assertion_jti_expiry on assertion_jti (expires_at);

-- Minimal system register and system users, enough for system-user tokens;
-- the system-register issue extends these tables (names, rights, packages,
-- requests). A client id belongs to at most one system that is not deleted.
create table system_register (
    system_id         text primary key constraint system_register_id_format check (system_id ~ '^[0-9]{9}_[^\s]+$'),
    vendor_org_number text not null constraint system_register_vendor_format check (vendor_org_number ~ '^[0-9]{9}$'),
    name              text not null default '',
    client_ids        text[] not null default '{}',
    is_deleted        boolean not null default false,
    created_at        timestamptz not null default now(),
    constraint system_register_id_starts_with_vendor check (split_part(system_id, '_', 1) = vendor_org_number)
);
create index system_register_client_ids on system_register using gin (client_ids);

create table system_user (
    id                uuid primary key,
    system_id         text not null references system_register (system_id),
    party_id          uuid not null references party (id),
    external_ref      text not null constraint system_user_external_ref_present check (length(btrim(external_ref)) between 1 and 255),
    user_type         text not null default 'standard' constraint system_user_type_known check (user_type in ('standard', 'agent')),
    integration_title text not null default '',
    created_at        timestamptz not null default now(),
    deleted_at        timestamptz
);
create unique index system_user_unique_active on system_user (party_id, system_id, external_ref) where deleted_at is null;

-- Every token issued: who, for which system user, which scope, when. Never the
-- token. Feeds "last used" and the count per system user.
create table token_issued (
    id             uuid primary key,
    client_id      text not null,
    system_user_id uuid,
    scope          text not null,
    issued_at      timestamptz not null,
    expires_at     timestamptz not null,
    jti            text not null
);
create index token_issued_system_user on token_issued (system_user_id, issued_at desc) where system_user_id is not null;
create index token_issued_client on token_issued (client_id, issued_at desc);
