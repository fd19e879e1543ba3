-- Invitations and account claims of guests (scenario L1, deliverable 3).

-- The institution's terms for guests, versioned; a claim records the version accepted.
create table guest_terms (
    institution_id uuid not null references party (id),
    version        integer not null constraint guest_terms_version_positive check (version > 0),
    text_nb        text not null constraint guest_terms_nb_given check (length(btrim(text_nb)) > 0),
    text_nn        text not null constraint guest_terms_nn_given check (length(btrim(text_nn)) > 0),
    text_en        text not null constraint guest_terms_en_given check (length(btrim(text_en)) > 0),
    created_at     timestamptz not null,
    primary key (institution_id, version)
);

-- A claim link, sent in an invitation. Only the SHA-256 of its secret is
-- kept; it is used once, expires, and a newer link for the same account
-- ends the older ones. The one-time code (for guests without a national
-- identity number) is kept as a hash too, with its wrong attempts.
create table guest_claim_link (
    id            uuid primary key,
    account_id    uuid not null references guest_account (id),
    token_hash    bytea not null constraint guest_claim_link_token_hash_unique unique,
    created_at    timestamptz not null,
    expires_at    timestamptz not null,
    -- Used (claimed), or replaced by a newer link, or dead after too many wrong codes.
    ended_at      timestamptz,
    ended_why     text constraint guest_claim_link_ended_why_known check (ended_why in ('claimed', 'replaced', 'attempts')),
    code_hash     bytea,
    code_sent_at  timestamptz,
    code_failures integer not null default 0
);
create index guest_claim_link_account on guest_claim_link (account_id);

-- The default SMS sender writes here; an SMS gateway's adapter drains it.
create table sms_outbox (
    id         uuid primary key,
    to_number  text not null constraint sms_outbox_number_format check (to_number ~ '^\+[1-9][0-9]{7,14}$'),
    body       text not null,
    created_at timestamptz not null,
    sent_at    timestamptz
);

-- Invitations and e-mailed one-time codes travel through the notifications
-- outbox, to the guest's own address; the secret in each is made when it is sent.
alter table notification drop constraint notification_kind_known;
alter table notification add constraint notification_kind_known
    check (kind in ('system_user_request.forwarded', 'system_user.created', 'guest.invitation', 'guest.code'));
