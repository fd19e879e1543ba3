-- The guest lifecycle job tells the sponsor too when a guest's stay ends
-- soon (T-14, T-7, T-1): a notice to the sponsor, shown on their notices
-- page and e-mailed to the addresses they keep.
alter table notification drop constraint notification_kind_known;
alter table notification add constraint notification_kind_known
    check (kind in ('system_user_request.forwarded', 'system_user.created', 'guest.invitation', 'guest.code', 'guest.expiring',
                    'sponsor.guest_expiring'));
