-- Notices to a party's access managers (domain::notifications): a request
-- forwarded to them, a new system user. Shown in the portal, and e-mailed
-- through the outbox below to the addresses the party keeps.
create table notification (
    id          uuid primary key,
    party_id    uuid not null references party (id),
    kind        text not null constraint notification_kind_known check (kind in ('system_user_request.forwarded', 'system_user.created')),
    -- The request or system user the notice is about.
    subject_id  uuid not null,
    title       text not null,
    created_at  timestamptz not null
);
create index notification_by_party on notification (party_id, created_at desc);

-- Where a party's notices are e-mailed: addresses its access managers keep.
create table notification_address (
    party_id  uuid not null references party (id),
    email     text not null constraint notification_address_length check (length(email) between 3 and 254),
    added_by  text not null,
    added_at  timestamptz not null,
    primary key (party_id, email)
);

-- The outbox: one e-mail per notice and address, written in the notice's own
-- transaction, sent by the mail job, retried with growing pauses until it is
-- sent or has failed for good.
create table notification_delivery (
    id              uuid primary key,
    notification_id uuid not null references notification (id),
    email           text not null,
    status          text not null default 'pending' constraint notification_delivery_status_known check (status in ('pending', 'sent', 'failed')),
    attempts        int not null default 0,
    next_attempt_at timestamptz not null,
    last_error      text,
    sent_at         timestamptz
);
create index notification_delivery_due on notification_delivery (next_attempt_at) where status = 'pending';
