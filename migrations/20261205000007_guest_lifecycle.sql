-- The guest lifecycle job (scenario L1, deliverable 5): which end-of-stay
-- notices went out for an account (each once, even across restarts and with
-- several instances), and the e-mail that says so.
create table guest_account_notice (
    account_id  uuid not null references guest_account (id),
    days_before integer not null constraint guest_account_notice_days check (days_before > 0),
    sent_at     timestamptz not null,
    primary key (account_id, days_before)
);

alter table notification drop constraint notification_kind_known;
alter table notification add constraint notification_kind_known
    check (kind in ('system_user_request.forwarded', 'system_user.created', 'guest.invitation', 'guest.code', 'guest.expiring'));

create index guest_account_in_force_by_end on guest_account (end_date) where state in ('invited', 'active', 'suspended');
create index guest_account_deactivated on guest_account (deactivated_at) where state = 'deactivated';

-- An active guest holds the institution's guest role (a user-role assignment
-- the account gives and takes back): deliverable 6.
alter table guest_account add column role_assignment_id uuid references user_role_assignment (id);
