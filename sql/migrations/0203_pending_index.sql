-- The gallery's "files being processed" line counts the images that are due
-- or leased (db/imageState.ts, pendingCount) without reading the library: an
-- image is due or leased only when it is scheduled (`next_update_at`, indexed
-- by images_unprocessed_due) or when its newest generation has not been
-- processed yet — the few images this partial index holds.
create index images_unprocessed_unprocessed on images_unprocessed (id) where processed_generation < generation;
