-- Change requests (domain::system_user_requests::change): a vendor asks the
-- customer to give a standard system user more rights or packages, or to take
-- some away; the customer's access manager approves or rejects it, as a
-- request. The id is the vendor's correlation id. Only what would change is
-- kept: the rights and packages to add that the system user lacks, and those
-- to remove that it holds.
create table system_user_change_request (
    id              uuid primary key,
    system_user_id  uuid not null references system_user (id),
    status          text not null default 'New'
                        constraint system_user_change_request_status_known check (status in ('New', 'Accepted', 'Rejected', 'Denied', 'Timedout')),
    redirect_url    text,
    created_by      text not null,
    created_at      timestamptz not null,
    changed_at      timestamptz not null,
    changed_by      text,
    deleted_at      timestamptz
);
-- One waiting change per system user: a second would be decided against a state the first changes.
create unique index system_user_change_request_waiting on system_user_change_request (system_user_id) where status = 'New' and deleted_at is null;

create table system_user_change_item (
    change_request_id uuid not null references system_user_change_request (id),
    direction         text not null constraint system_user_change_item_direction check (direction in ('add', 'remove')),
    package_urn       text,
    resource_id       text,
    action            text,
    constraint system_user_change_item_one_object check ((package_urn is not null) <> (resource_id is not null and action is not null))
);
create index system_user_change_item_of on system_user_change_item (change_request_id);
