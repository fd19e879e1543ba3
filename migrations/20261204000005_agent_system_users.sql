-- Agent system users: a system user an accounting, auditing or
-- business-manager firm holds to act for its clients. It is approved without
-- any grant; what it requires of each client is kept here, copied from its
-- request on approval. A client is attached to it only when the client gives
-- the firm every one of these packages.
create table system_user_agent_package (
    system_user_id uuid not null references system_user (id),
    package_urn    text not null references access_package (urn),
    primary key (system_user_id, package_urn)
);
