/**
 * SQL of the deep-zoom cache: where an image's file is, its preview (the zoom
 * is current while it was rendered for the same preview), its zoom archive,
 * and the reader's verdict on linearity.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

const ZoomSource = z.object({
  provider: z.string(),
  storage_key: z.string(),
  preview_key: z.string().nullable(),
  zoom_key: z.string().nullable(),
  zoom_size: z.number().nullable(),
  linear: z.boolean().nullable(),
});
export type ZoomSource = z.infer<typeof ZoomSource>;

export async function loadZoomSource(db: DatabasePool, imageId: string): Promise<ZoomSource | null> {
  return db.maybeOne(sql.type(ZoomSource)`
    select u.provider, u.storage_key,
           p.storage_key as preview_key, zf.storage_key as zoom_key, zf.size_bytes as zoom_size,
           (select (r.facts->>'linear')::boolean from image_results r
             where r.image_id = u.id and r.agent = 'file' and r.status = 'done' and jsonb_typeof(r.facts->'linear') = 'boolean' limit 1) as linear
      from images_unprocessed u
      left join derived_files p on p.image_id = u.id and p.name = 'preview'
      left join derived_files zf on zf.image_id = u.id and zf.name = 'zoom'
     where u.id = ${imageId}`);
}
