-- The session list's order (newest night, then newest first capture with none
-- last, then id; docs/sessions.md) as indexes, so that a page — the first, a
-- filtered one or one deep in a keyset walk — is a short backward range scan
-- instead of a sort of every matching session. They replace the (…, night
-- desc) indexes of migration 0130, whose order stopped at the night.
drop index imaging_sessions_list;
drop index imaging_sessions_target;
drop index imaging_sessions_camera;
drop index imaging_sessions_telescope;
drop index imaging_sessions_constellation;
create index imaging_sessions_order on imaging_sessions (night, coalesce(started_at, '-infinity'::timestamptz), id);
create index imaging_sessions_target_order on imaging_sessions (target_id, night, coalesce(started_at, '-infinity'::timestamptz), id);
create index imaging_sessions_camera_order on imaging_sessions (camera_id, night, coalesce(started_at, '-infinity'::timestamptz), id);
create index imaging_sessions_telescope_order on imaging_sessions (telescope_id, night, coalesce(started_at, '-infinity'::timestamptz), id);
create index imaging_sessions_constellation_order on imaging_sessions (constellation, night, coalesce(started_at, '-infinity'::timestamptz), id);
