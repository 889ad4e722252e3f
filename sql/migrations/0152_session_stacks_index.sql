-- The inferred stacks of a page of sessions (db/imagingSessions.ts
-- inferredStacks): per session, the masters and processed images of its target
-- captured from its night on (or without a date), checked for camera and
-- filter. The index of 0130 (target_id, captured_at) left "or captured_at is
-- null" outside the index, and the planner scanned the date range of every
-- target; this one orders by the date with none as the latest, so the rule is
-- one index range per session, and carries what the check reads (index-only).
drop index images_stacks_by_target;
create index images_stacks_from on images (target_id, coalesce(captured_at, 'infinity'::timestamptz))
  include (camera_id, filter, captured_at, id)
  where frame_type in ('master', 'processed') and not is_calibration;
