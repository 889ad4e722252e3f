-- The stitcher version each image was assembled by (STITCHER_VERSION in
-- daemon/catalog/stitching/record.ts): an upgrade that changes assembly
-- re-stitches the images of older versions at start, without running agents.
alter table images add column stitcher_version integer not null default 0;
create index images_stitcher_version on images (stitcher_version);

-- Links to derived files are made when a record is read (version 2): records
-- keep the names of their derived files instead, converted here so that
-- thumbnails show at once, before the re-stitch reaches every image.
update images set record = (record - 'thumbnailUrl' - 'previewUrl')
  || jsonb_build_object('derived', coalesce((select jsonb_agg(d.name order by d.name) from derived_files d where d.image_id = images.id), '[]'::jsonb));
