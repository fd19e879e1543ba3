-- What each change touched, so that server instances can apply grant and
-- policy changes to their decision snapshot in place instead of rebuilding
-- it: the grant's id for kind 'grant', the resource id for kind 'resource'.
-- Null for changes after which instances rebuild the snapshot whole.
alter table change_log add column target text;
