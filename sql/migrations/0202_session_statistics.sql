-- The gallery's session view reads the images in no session through partial
-- indexes on `(record #>> '{session,id}') is null` (migration 0140). Without
-- statistics on that expression the planner guesses that 0.5 % of the images
-- are in no session (at 1,000,000 images: 4,000 instead of 18,400), so with a
-- filter it read and sorted every match (8,000 stacks in Ha: 120 ms) instead
-- of walking the index in page order (51 rows: 1 ms).
create statistics images_session on (record #>> '{session,id}') from images;
analyze images;
