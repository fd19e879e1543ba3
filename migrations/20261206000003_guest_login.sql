-- Guests without a national identity number log in with a one-time code
-- sent to their private e-mail address (or mobile). Only the code's SHA-256
-- is kept; it is made as the e-mail goes (null until then), lasts 15
-- minutes, ends at its first use, at a newer code, or after too many wrong
-- tries.
create table guest_login_code (
    id         uuid primary key,
    person_id  uuid not null references party (id),
    code_hash  bytea,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    failures   integer not null default 0,
    ended_at   timestamptz,
    ended_why  text constraint guest_login_code_ended_why_known check (ended_why in ('used', 'replaced', 'attempts'))
);
create index guest_login_code_open on guest_login_code (person_id) where ended_at is null;
create index guest_login_code_recent on guest_login_code (person_id, created_at);

alter table notification drop constraint notification_kind_known;
alter table notification add constraint notification_kind_known
    check (kind in ('system_user_request.forwarded', 'system_user.created', 'guest.invitation', 'guest.code', 'guest.expiring',
                    'sponsor.guest_expiring', 'guest.login_code'));
