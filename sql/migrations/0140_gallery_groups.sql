-- The gallery's default view, "Sessions & stacks" (docs/ui.md, db/galleryGroups.ts):
-- one card per imaging session and one per image that is in no session (stacks,
-- masters, processed images, lights without a session). A page is the merge of
-- two keyset scans, one per kind, each reading only its page from an index.
-- The key is the capture time with nulls last, written as coalesce(…, ∓infinity)
-- so that one row comparison (key, id) < (…, …) pages in either direction.

-- images in no session: the stitched record says so (`session` null or absent);
-- the default filter hides calibration frames, and so does the predicate
create index images_single_captured_desc on images ((coalesce(captured_at, '-infinity'::timestamptz)), id)
  where (record #>> '{session,id}') is null and not is_calibration;
create index images_single_captured_asc on images ((coalesce(captured_at, 'infinity'::timestamptz)), id)
  where (record #>> '{session,id}') is null and not is_calibration;
create index images_single_created on images (created_at, id)
  where (record #>> '{session,id}') is null and not is_calibration;

-- sessions: by first capture (either direction) and by creation
create index imaging_sessions_started_desc on imaging_sessions ((coalesce(started_at, '-infinity'::timestamptz)), id);
create index imaging_sessions_started_asc on imaging_sessions ((coalesce(started_at, 'infinity'::timestamptz)), id);
create index imaging_sessions_created on imaging_sessions (created_at, id);
