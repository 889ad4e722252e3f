-- Indexes for the web UI's reads (measured with bench/gallery.ts).

-- the sky map: newest solved images, and their count, without reading records
create index images_solved_captured on images (captured_at desc nulls last, id) where solved and not is_calibration;

-- targets: the per-target aggregates group by target_id over non-calibration frames
create index images_target_captured on images (target_id, captured_at desc) where target_id is not null and not is_calibration;

-- sessions are looked up on every request by their hash (primary key); tokens by theirs (unique):
-- nothing to add. Login attempts are few.
