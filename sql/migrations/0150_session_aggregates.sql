-- Incremental session aggregates (docs/sessions.md, "How they are kept").
-- (The snapshot columns of the link table are named sub_*: queries that join
-- the link table with images keep their unqualified image columns.)
-- Migration 0130 recomputed a session's aggregates from all its subs on every
-- stitch (a join of every sub with its image row and calibration links: tens
-- of ms for a session of 500). Now each link row keeps a snapshot of what its
-- sub contributes, and statement triggers on the link table add or subtract
-- exactly the rows that were inserted, deleted or changed:
--   imaging_session_groups       frames, seconds and temperature sums per
--                                (filter, exposure, gain, offset, binning,
--                                constellation, hemisphere): a few rows per session
--   imaging_session_calibration  how many subs of the session link each calibration frame
-- and the session row is summarised from those small tables (cost: the
-- session's groups, not its subs). first/last capture come from the link
-- table's index (session_id, sub_captured_at, ...), which also lists a session's
-- image ids in order by an index-only scan.

alter table imaging_session_images
  add column counted        boolean not null default true,   -- false: a copy (duplicate_of), never counted
  add column sub_captured_at    timestamptz,
  add column sub_path           text,
  add column sub_filter         text,
  add column sub_exposure_s     double precision,
  add column sub_gain           double precision,
  add column sub_offset         double precision,
  add column sub_sensor_temp_c  double precision,
  add column sub_binning        text,
  add column sub_constellation  text,
  add column sub_hemisphere     text,
  add column calib_ids      uuid[] not null default '{}';   -- the calibration frames linked to the sub

-- snapshot of the existing links (an upgraded library)
update imaging_session_images m set
  counted = i.duplicate_of is null, sub_captured_at = i.captured_at, sub_path = i.path, sub_filter = i.filter, sub_exposure_s = i.exposure_s,
  sub_gain = i.gain, sub_offset = i."offset", sub_sensor_temp_c = i.sensor_temp_c, sub_binning = i.binning,
  sub_constellation = i.constellation, sub_hemisphere = i.hemisphere,
  calib_ids = array(select c.calib_id from image_calibration c where c.light_id = i.id order by c.calib_id)
  from images i where i.id = m.image_id;

drop index imaging_session_images_session;
-- a session's subs in capture order (index-only), its first and last capture
create index imaging_session_images_order on imaging_session_images (session_id, sub_captured_at, sub_path, image_id);

create table imaging_session_groups (
  session_id     uuid not null references imaging_sessions(id) on delete cascade,
  filter         text,
  exposure_s     double precision,
  gain           double precision,
  "offset"       double precision,
  binning        text,
  constellation  text,
  hemisphere     text,
  frames         integer not null,
  seconds        numeric not null,   -- exact sums: adding and subtracting never drifts
  temp_sum       numeric not null,
  temp_n         integer not null,
  unique nulls not distinct (session_id, filter, exposure_s, gain, "offset", binning, constellation, hemisphere)
);

create table imaging_session_calibration (
  session_id  uuid not null references imaging_sessions(id) on delete cascade,
  calib_id    uuid not null,
  refs        integer not null,      -- subs of the session linked to it
  primary key (session_id, calib_id)
);

-- The session rows summarised from their groups, calibration references and
-- link index; a session left without links is deleted. Mode (most common
-- value, ties to the smallest, nulls ignored) and mean as in migration 0130,
-- with exact (numeric) sums.
-- (PL/pgSQL with generic plans: planning the update costs more than running it, and a custom plan
-- for each array of ids would be made again at every call.)
create function imaging_session_summarise(sids uuid[]) returns void language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  delete from imaging_sessions s
   where s.id = any(sids) and not exists (select 1 from imaging_session_images m where m.session_id = s.id);
  update imaging_sessions s set
    frames = a.frames, total_seconds = a.total_seconds, filters = a.filters, constellation = a.constellation,
    hemisphere = a.hemisphere, acquisition = a.acquisition, calibration = a.calibration,
    started_at = a.started_at, ended_at = a.ended_at, updated_at = now()
  from (
    select x.id,
           coalesce((select sum(g.frames) from imaging_session_groups g where g.session_id = x.id), 0)::int as frames,
           coalesce((select sum(g.seconds) from imaging_session_groups g where g.session_id = x.id), 0)::float8 as total_seconds,
           coalesce((select array_agg(distinct g.filter) from imaging_session_groups g where g.session_id = x.id and g.filter is not null), '{}') as filters,
           (select g.constellation from imaging_session_groups g where g.session_id = x.id and g.constellation is not null
             group by g.constellation order by sum(g.frames) desc, g.constellation limit 1) as constellation,
           (select g.hemisphere from imaging_session_groups g where g.session_id = x.id and g.hemisphere is not null
             group by g.hemisphere order by sum(g.frames) desc, g.hemisphere limit 1) as hemisphere,
           (select coalesce(jsonb_agg(jsonb_build_object(
                     'filter', r.filter, 'frames', r.frames, 'exposureSeconds', r.exposure_s, 'totalSeconds', r.total_seconds,
                     'gain', r.gain, 'offset', r.off, 'sensorTempC', r.temp, 'binning', r.binning)
                     order by r.filter nulls last, r.exposure_s desc nulls last), '[]'::jsonb)
              from (
                select g.filter, g.exposure_s, sum(g.frames)::int as frames, sum(g.seconds)::float8 as total_seconds,
                       (select h.gain from imaging_session_groups h
                         where h.session_id = x.id and h.filter is not distinct from g.filter and h.exposure_s is not distinct from g.exposure_s and h.gain is not null
                         group by h.gain order by sum(h.frames) desc, h.gain limit 1) as gain,
                       (select h."offset" from imaging_session_groups h
                         where h.session_id = x.id and h.filter is not distinct from g.filter and h.exposure_s is not distinct from g.exposure_s and h."offset" is not null
                         group by h."offset" order by sum(h.frames) desc, h."offset" limit 1) as off,
                       (select h.binning from imaging_session_groups h
                         where h.session_id = x.id and h.filter is not distinct from g.filter and h.exposure_s is not distinct from g.exposure_s and h.binning is not null
                         group by h.binning order by sum(h.frames) desc, h.binning limit 1) as binning,
                       round(sum(g.temp_sum) / nullif(sum(g.temp_n), 0), 1)::float8 as temp
                  from imaging_session_groups g where g.session_id = x.id
                 group by g.filter, g.exposure_s
              ) r) as acquisition,
           (select jsonb_build_object(
                     'darks', count(*) filter (where k.calib_kind = 'dark'),
                     'flats', count(*) filter (where k.calib_kind = 'flat'),
                     'biases', count(*) filter (where k.calib_kind = 'bias'),
                     'darkFlats', count(*) filter (where k.calib_kind = 'darkflat'))
              from imaging_session_calibration c join images k on k.id = c.calib_id where c.session_id = x.id) as calibration,
           (select min(m.sub_captured_at) from imaging_session_images m where m.session_id = x.id and m.counted) as started_at,
           (select max(m.sub_captured_at) from imaging_session_images m where m.session_id = x.id and m.counted) as ended_at
      from unnest(sids) as x(id)
  ) a
  where s.id = a.id;
end $$;

-- Adds (dir 1) or subtracts (dir -1) the contribution of link rows to their
-- sessions' groups and calibration references, then summarises the sessions.
-- The session rows are locked first (in id order): concurrent changes to one
-- session queue up, and each statement then reads what the previous committed.
create function imaging_session_apply(links imaging_session_images[], dir integer) returns void language plpgsql as $$
declare sids uuid[];
begin
  -- not "for update": the link rows' key-share locks (foreign key) must not deadlock it. A session
  -- that is itself being deleted (its links cascade) has nothing left to keep.
  select array_agg(x.id order by x.id) into sids
    from (select s.id from imaging_sessions s where s.id in (select r.session_id from unnest(links) r) order by s.id for no key update) x;
  if sids is null then return; end if;
  insert into imaging_session_groups as g (session_id, filter, exposure_s, gain, "offset", binning, constellation, hemisphere, frames, seconds, temp_sum, temp_n)
  select r.session_id, r.sub_filter, r.sub_exposure_s, r.sub_gain, r.sub_offset, r.sub_binning, r.sub_constellation, r.sub_hemisphere,
         dir * count(*)::int, dir * coalesce(sum(r.sub_exposure_s::numeric), 0), dir * coalesce(sum(r.sub_sensor_temp_c::numeric), 0), dir * count(r.sub_sensor_temp_c)::int
    from unnest(links) r
   where r.counted and r.session_id = any(sids)
   group by r.session_id, r.sub_filter, r.sub_exposure_s, r.sub_gain, r.sub_offset, r.sub_binning, r.sub_constellation, r.sub_hemisphere
  on conflict (session_id, filter, exposure_s, gain, "offset", binning, constellation, hemisphere) do update
    set frames = g.frames + excluded.frames, seconds = g.seconds + excluded.seconds,
        temp_sum = g.temp_sum + excluded.temp_sum, temp_n = g.temp_n + excluded.temp_n;
  delete from imaging_session_groups where session_id = any(sids) and frames <= 0;
  insert into imaging_session_calibration as c (session_id, calib_id, refs)
  select r.session_id, k.id, dir * count(*)::int
    from unnest(links) r cross join lateral unnest(r.calib_ids) as k(id)
   where r.session_id = any(sids)
   group by r.session_id, k.id
  on conflict (session_id, calib_id) do update set refs = c.refs + excluded.refs;
  delete from imaging_session_calibration where session_id = any(sids) and refs <= 0;
  perform imaging_session_summarise(sids);
end $$;

create function imaging_session_images_added() returns trigger language plpgsql as $$
begin
  perform imaging_session_apply(array(select (a.*)::imaging_session_images from added a), 1);
  return null;
end $$;
create function imaging_session_images_changed() returns trigger language plpgsql as $$
begin
  perform imaging_session_apply(array(select (o.*)::imaging_session_images from was o), -1);
  perform imaging_session_apply(array(select (n.*)::imaging_session_images from now_ n), 1);
  return null;
end $$;
create or replace function imaging_session_images_gone() returns trigger language plpgsql as $$
begin
  perform imaging_session_apply(array(select (g.*)::imaging_session_images from gone g), -1);
  return null;
end $$;
create trigger imaging_session_images_added after insert on imaging_session_images
  referencing new table as added for each statement execute function imaging_session_images_added();
create trigger imaging_session_images_changed after update on imaging_session_images
  referencing old table as was new table as now_ for each statement execute function imaging_session_images_changed();
-- (imaging_session_images_gone, the delete trigger of 0130, now calls the function above)

-- The full recompute, for repairs: the snapshots of a session's links are
-- taken again from their images, its groups and references rebuilt from them.
create or replace function imaging_session_refresh(sid uuid) returns void language plpgsql as $$
begin
  perform 1 from imaging_sessions where id = sid for no key update;
  if not found then return; end if;
  update imaging_session_images m set
    counted = i.duplicate_of is null, sub_captured_at = i.captured_at, sub_path = i.path, sub_filter = i.filter, sub_exposure_s = i.exposure_s,
    sub_gain = i.gain, sub_offset = i."offset", sub_sensor_temp_c = i.sensor_temp_c, sub_binning = i.binning,
    sub_constellation = i.constellation, sub_hemisphere = i.hemisphere,
    calib_ids = array(select c.calib_id from image_calibration c where c.light_id = i.id order by c.calib_id)
    from images i where i.id = m.image_id and m.session_id = sid;
  delete from imaging_session_groups where session_id = sid;
  delete from imaging_session_calibration where session_id = sid;
  perform imaging_session_apply(array(select m from imaging_session_images m where m.session_id = sid), 1);
  perform imaging_session_summarise(array[sid]);
end $$;

-- build the groups and references of the existing sessions
insert into imaging_session_groups (session_id, filter, exposure_s, gain, "offset", binning, constellation, hemisphere, frames, seconds, temp_sum, temp_n)
select m.session_id, m.sub_filter, m.sub_exposure_s, m.sub_gain, m.sub_offset, m.sub_binning, m.sub_constellation, m.sub_hemisphere,
       count(*)::int, coalesce(sum(m.sub_exposure_s::numeric), 0), coalesce(sum(m.sub_sensor_temp_c::numeric), 0), count(m.sub_sensor_temp_c)::int
  from imaging_session_images m where m.counted
 group by m.session_id, m.sub_filter, m.sub_exposure_s, m.sub_gain, m.sub_offset, m.sub_binning, m.sub_constellation, m.sub_hemisphere;
insert into imaging_session_calibration (session_id, calib_id, refs)
select m.session_id, k.id, count(*)::int from imaging_session_images m cross join lateral unnest(m.calib_ids) as k(id) group by 1, 2;
select imaging_session_summarise(array(select id from imaging_sessions));
