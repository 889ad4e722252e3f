-- "This telescope (or camera) between these dates" is a common search: one
-- range of a (equipment, capture time) index instead of an AND of a bitmap of
-- every image of the equipment and one of every image of the dates (at
-- 1,000,000 images: 17,800 entries read instead of 198,000 + 80,000). The
-- single-column indexes these replace are their prefixes.
create index images_camera_captured on images (camera_id, captured_at);
create index images_telescope_captured on images (telescope_id, captured_at);
drop index images_camera;
drop index images_telescope;
