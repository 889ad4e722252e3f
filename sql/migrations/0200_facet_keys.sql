-- The discrete facts a search matches by, as keys in one GIN-indexed array
-- (daemon/db/images.ts, facetKeys: the rule's home; stitching writes the
-- column from it): `object:<id>` for the image's target and every object in
-- its field, `filter:<name, lower case>` for its filter and each filter of its
-- integration. The index holds them with the other discrete conditions of a
-- search (camera, telescope, hemisphere, constellation: btree_gin, a trusted
-- extension shipped with PostgreSQL), so "M 31 + north + this camera" is one
-- GIN scan that skips through the long lists (a camera's 200,000 images) by
-- the short one, instead of a union over image_objects and images, or a pass
-- over image_filters, then an AND with a btree bitmap of every image of the
-- camera.
alter table images add column facet_keys text[] not null default '{}';

-- Backfill of the images stitched before: the same keys from the link tables
-- (test/engine/facetKeys.test.ts checks that this statement and facetKeys agree).
with o as (select image_id, array_agg('object:' || object_id) as keys from image_objects group by image_id),
     f as (select image_id, array_agg('filter:' || lower(filter)) as keys from image_filters group by image_id)
update images i
   set facet_keys = array(
         select distinct k from unnest(
           coalesce(o.keys, '{}'::text[]) || coalesce(f.keys, '{}'::text[])
           || case when i.target_id is null then '{}'::text[] else array['object:' || i.target_id] end
           || case when i.filter is null then '{}'::text[] else array['filter:' || lower(i.filter)] end) k
          order by k)
  from images i2
  left join o on o.image_id = i2.id
  left join f on f.image_id = i2.id
 where i2.id = i.id;

create extension if not exists btree_gin;
create index images_facets on images using gin (facet_keys, camera_id, telescope_id, hemisphere, constellation);

-- The backfill wrote a new version of every row, and each index of the table
-- now holds both: rebuild them (a few seconds per 100,000 images) rather than
-- leave every index twice its size until the next manual REINDEX.
reindex table images;
