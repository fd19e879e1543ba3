-- The portal authorizes its own operations through the decision engine, on
-- system resources, the way Altinn does (altinn_access_management and friends).
insert into resource (id, owner_org, title_nb, title_nn, title_en, description, resource_type, delegable, policy) values
('fullmakt_access_management', '991825827', 'Tilgangsstyring', 'Tilgangsstyring', 'Access management',
 'Gi og fjerne tilganger, og lese hendelsesloggen, på vegne av en aktør.', 'SystemResource', false,
 '{"resource":"fullmakt_access_management","combining":"deny-overrides","obligations":[],"rules":[{"id":"access-managers","effect":"Permit","actions":["read","write"],"description":"Access managers and main administrators","subjects":[[{"attribute":"urn:altinn:accesspackage","value":"tilgangsstyrer","ignore_case":true}],[{"attribute":"urn:altinn:accesspackage","value":"hovedadministrator","ignore_case":true}]]}]}'),
('fullmakt_client_administration', '991825827', 'Klientadministrasjon', 'Klientadministrasjon', 'Client administration',
 'Administrere klienter og klienttilganger for en virksomhet.', 'SystemResource', false,
 '{"resource":"fullmakt_client_administration","combining":"deny-overrides","obligations":[],"rules":[{"id":"client-administrators","effect":"Permit","actions":["read","write"],"description":"Client administrators and main administrators","subjects":[[{"attribute":"urn:altinn:accesspackage","value":"klientadministrator","ignore_case":true}],[{"attribute":"urn:altinn:accesspackage","value":"hovedadministrator","ignore_case":true}]]}]}');
insert into change_log (kind) values ('system-resources');
