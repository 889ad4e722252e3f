-- Imaging sessions (docs/sessions.md): light frames of one target, camera and
-- optical train in one observing night. Kept incrementally by stitching (a sub
-- joins, moves or leaves in the transaction that writes its row); the
-- aggregates are recomputed from the session's own subs, never from a scan.

create table imaging_sessions (
  id               uuid primary key default gen_random_uuid(),
  night            date not null,                 -- local date of the evening
  target_id        text,                          -- resolved primary object; null: grouped by pointing/object name
  object_name      text,                          -- header object name (grouping without target and pointing)
  camera_id        uuid,
  telescope_id     uuid,
  camera           text,
  telescope        text,
  focal_length_mm  double precision,
  binning          text,
  ra               double precision,              -- the session's pointing (its first sub's)
  dec              double precision,
  half_field_deg   double precision,
  site_latitude    double precision,
  site_longitude   double precision,
  constellation    text,
  hemisphere       text,
  started_at       timestamptz,
  ended_at         timestamptz,
  frames           integer not null default 0,
  total_seconds    double precision not null default 0,
  filters          text[] not null default '{}',
  acquisition      jsonb not null default '[]'::jsonb,   -- rows of filter × exposure (see imaging_session_refresh)
  calibration      jsonb not null default '{}'::jsonb,   -- distinct calibration frames matched to the subs, by kind
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
-- the stitcher's lookup (night + train), the list's order and its filters
create index imaging_sessions_train on imaging_sessions (night, camera_id, telescope_id);
create index imaging_sessions_list on imaging_sessions (night desc, id);
create index imaging_sessions_target on imaging_sessions (target_id, night desc);
create index imaging_sessions_camera on imaging_sessions (camera_id, night desc);
create index imaging_sessions_telescope on imaging_sessions (telescope_id, night desc);
create index imaging_sessions_constellation on imaging_sessions (constellation, night desc);
create index imaging_sessions_filters on imaging_sessions using gin (filters);

-- the stacks of a session (inferred by target): only masters and processed images
create index images_stacks_by_target on images (target_id, captured_at) where frame_type in ('master', 'processed') and not is_calibration;

-- The subs of a session: one session per image at most.
create table imaging_session_images (
  image_id    uuid primary key references images(id) on delete cascade,
  session_id  uuid not null references imaging_sessions(id) on delete cascade
);
create index imaging_session_images_session on imaging_session_images (session_id);

-- Recomputes a session's aggregates from its subs; deletes it when it has none.
-- Called whenever a sub is stitched (so a light re-stitched for a calibration
-- frame that came or went updates the calibration counts too).
-- Copies (duplicate_of, migration 0120) never count; stitching keeps them out
-- of sessions too. Acquisition rows: one per filter × exposure, with the most common gain,
-- offset and binning and the mean sensor temperature of their frames.
create function imaging_session_refresh(sid uuid) returns void language plpgsql as $$
begin
  perform 1 from imaging_sessions where id = sid for update;
  if not found then return; end if;
  if not exists (select 1 from imaging_session_images where session_id = sid) then
    delete from imaging_sessions where id = sid;
    return;
  end if;
  update imaging_sessions s set
    frames = a.frames, total_seconds = a.total_seconds, started_at = a.started_at, ended_at = a.ended_at,
    filters = a.filters, constellation = a.constellation, hemisphere = a.hemisphere,
    acquisition = r.rows, calibration = k.summary, updated_at = now()
  from (
    select count(*)::int as frames, coalesce(sum(i.exposure_s), 0) as total_seconds,
           min(i.captured_at) as started_at, max(i.captured_at) as ended_at,
           coalesce(array_agg(distinct i.filter) filter (where i.filter is not null), '{}') as filters,
           mode() within group (order by i.constellation) as constellation,
           mode() within group (order by i.hemisphere) as hemisphere
      from imaging_session_images m join images i on i.id = m.image_id
     where m.session_id = sid and i.duplicate_of is null
  ) a, (
    select coalesce(jsonb_agg(jsonb_build_object(
             'filter', g.filter, 'frames', g.frames, 'exposureSeconds', g.exposure_s, 'totalSeconds', g.total_seconds,
             'gain', g.gain, 'offset', g.off, 'sensorTempC', g.temp, 'binning', g.binning)
             order by g.filter nulls last, g.exposure_s desc nulls last), '[]'::jsonb) as rows
      from (
        select i.filter, i.exposure_s, count(*)::int as frames, coalesce(sum(i.exposure_s), 0) as total_seconds,
               mode() within group (order by i.gain) as gain, mode() within group (order by i."offset") as off,
               round(avg(i.sensor_temp_c)::numeric, 1)::float8 as temp, mode() within group (order by i.binning) as binning
          from imaging_session_images m join images i on i.id = m.image_id
         where m.session_id = sid and i.duplicate_of is null
         group by i.filter, i.exposure_s
      ) g
  ) r, (
    select jsonb_build_object(
             'darks', count(distinct c.id) filter (where c.calib_kind = 'dark'),
             'flats', count(distinct c.id) filter (where c.calib_kind = 'flat'),
             'biases', count(distinct c.id) filter (where c.calib_kind = 'bias'),
             'darkFlats', count(distinct c.id) filter (where c.calib_kind = 'darkflat')) as summary
      from imaging_session_images m
      join image_calibration ic on ic.light_id = m.image_id
      join images c on c.id = ic.calib_id
     where m.session_id = sid
  ) k
  where s.id = sid;
end $$;

-- A sub that leaves (its image deleted, or moved by stitching) updates its
-- session in the same transaction; the last one deletes it.
create function imaging_session_images_gone() returns trigger language plpgsql as $$
declare sid uuid;
begin
  for sid in select distinct session_id from gone loop
    perform imaging_session_refresh(sid);
  end loop;
  return null;
end $$;
create trigger imaging_session_images_gone after delete on imaging_session_images
  referencing old table as gone for each statement execute function imaging_session_images_gone();
