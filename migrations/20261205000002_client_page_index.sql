-- What a firm's client gives it is read per client (the client list reads it
-- for one page of clients at a time): the firm's register roles for one
-- client, found without scanning all of the firm's roles.
create index register_role_holder_for on register_role (holder_id, for_party_id) where valid_to is null;
-- The client's own side: the firms acting for one client, by the client.
create index register_role_for on register_role (for_party_id) where valid_to is null;
