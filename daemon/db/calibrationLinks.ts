/**
 * SQL of calibration links as the image page shows them: the calibration
 * frames of a light (with what tells them apart: exposure, temperature, date,
 * frame count), and the lights a calibration frame calibrates.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const CalibrationFrameRow = z.object({
  id: z.string(),
  frame_type: z.string(),
  calib_kind: z.string().nullable(),
  file_name: z.string().nullable(),
  exposure_s: z.number().nullable(),
  sensor_temp_c: z.number().nullable(),
  captured_at: z.string().nullable(),
  frames: z.number().nullable(),
});

/** The calibration frames linked to a light, darks first. */
export async function calibrationFramesOf(db: DatabasePool, lightId: string) {
  return db.any(sql.type(CalibrationFrameRow)`
    select i.id, i.frame_type, i.calib_kind, i.record->>'fileName' as file_name, i.exposure_s, i.sensor_temp_c,
           to_char(i.captured_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as captured_at,
           coalesce((i.record #>> '{acquisition,stackCount}')::int,
                    (select sum((b->>'frames')::int)::int from jsonb_array_elements(i.record #> '{integration,byFilter}') b where jsonb_typeof(b->'frames') = 'number')) as frames
      from image_calibration c join images i on i.id = c.calib_id
     where c.light_id = ${lightId}
     order by i.calib_kind nulls last, i.captured_at desc nulls last
     limit 50`);
}

/** The lights a calibration frame is linked to (newest first), with their total. */
export async function lightsCalibratedBy(db: DatabasePool, calibId: string, limit: number) {
  const [items, total] = await Promise.all([
    db.anyFirst(sql.type(z.object({ record: z.record(z.any()) }))`
      select i.record from image_calibration c join images i on i.id = c.light_id
       where c.calib_id = ${calibId} order by i.captured_at desc nulls last limit ${limit}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_calibration where calib_id = ${calibId}`),
  ]);
  return { items: [...items], total };
}
