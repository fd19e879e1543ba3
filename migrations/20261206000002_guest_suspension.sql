-- Suspension is the administrative override of a guest account's dates (a
-- suspended account gives nothing until it is resumed); the unused override
-- column goes.
alter table guest_account drop column valid_override;
