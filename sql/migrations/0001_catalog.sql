-- The catalog engine: providers → images_unprocessed → image_results → images.
-- Forward-only; applied under an advisory lock by daemon/db/migrate.ts.

create extension if not exists pgcrypto;

-- One row per configured source of files (drop folder, S3 bucket/prefix, uploads).
create table providers (
  name        text primary key,
  kind        text not null check (kind in ('local', 's3', 'upload')),
  root_uri    text not null,
  state       jsonb not null default '{}'::jsonb,   -- last reconcile, counts, errors
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

-- One row per file. `location_uri` (storage root URI + key) is globally unique:
-- two providers can never claim the same file.
create table images_unprocessed (
  id              uuid primary key default gen_random_uuid(),
  provider        text not null references providers(name) on delete cascade,
  storage_key     text not null,
  location_uri    text not null unique,
  size_bytes      bigint not null,
  modified_at     timestamptz,
  fingerprint     text not null,
  generation      integer not null default 1,          -- bumped on every change of the file or an edit
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  -- scheduling: due when next_update_at <= now(); null = nothing to do.
  -- A claim pushes it forward by the lease length (the lease).
  next_update_at  timestamptz default now(),
  lease_owner     text,
  processed_generation integer not null default 0,      -- last generation fully processed
  attempts        integer not null default 0,           -- consecutive processing rounds with failures
  last_error      text,
  processed_at    timestamptz,
  processed_by    text,                                 -- host that finished the last round
  stitch_due      boolean not null default false,       -- a neighbour changed: re-stitch only
  unique (provider, storage_key)
);
create index images_unprocessed_due on images_unprocessed (next_update_at) where next_update_at is not null;
create index images_unprocessed_stitch_due on images_unprocessed (id) where stitch_due;

-- What each agent emitted for an image, per stage. Cached by input_hash.
create table image_results (
  image_id        uuid not null references images_unprocessed(id) on delete cascade,
  agent           text not null,
  stage           text not null,
  agent_version   text not null,
  input_hash      text not null,
  status          text not null check (status in ('done', 'failed', 'skipped')),
  facts           jsonb,
  error           text,
  warnings        jsonb,
  attempts        integer not null default 0,
  runs            integer not null default 0,           -- real executions (not cache hits)
  next_attempt_at timestamptz,
  started_at      timestamptz,
  finished_at     timestamptz,
  duration_ms     integer,
  primary key (image_id, agent, stage)
);
create index image_results_agent_status on image_results (agent, status);

-- Derived files (thumbnails, previews, overlays) in the cache store.
create table derived_files (
  image_id      uuid not null references images_unprocessed(id) on delete cascade,
  name          text not null,
  storage_key   text not null,
  content_type  text not null,
  size_bytes    bigint not null,
  created_at    timestamptz not null default now(),
  primary key (image_id, name)
);

-- Derived files whose image or version is gone: deleted from the cache store by
-- a janitor, retried until done. Filled by a trigger so that no code path forgets.
create table derived_deletions (
  storage_key     text primary key,
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text
);
create function derived_files_queue_delete() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or old.storage_key <> new.storage_key then
    insert into derived_deletions (storage_key) values (old.storage_key) on conflict do nothing;
  end if;
  return null;
end $$;
create trigger derived_files_queue_delete after delete or update on derived_files
  for each row execute function derived_files_queue_delete();

-- User edits (notes, target override, equipment corrections, frame type): apart
-- from agent facts, and winning over them in stitching.
create table user_edits (
  image_id    uuid primary key references images_unprocessed(id) on delete cascade,
  edits       jsonb not null default '{}'::jsonb,
  updated_at  timestamptz not null default now(),
  updated_by  text
);

-- Deep-sky object catalog (Messier, NGC, IC, Sh2, Barnard, LDN, LBN, Abell, PGC…).
create table objects (
  id            text primary key,
  designations  text[] not null,
  name          text,
  type          text,
  ra            double precision not null,
  dec           double precision not null,
  magnitude     real,
  major_arcmin  real,
  minor_arcmin  real,
  angle_deg     real,
  constellation text,
  search_keys   text[] not null     -- normalized designations and names for exact lookup
);
create index objects_search_keys on objects using gin (search_keys);
create index objects_dec on objects (dec);

-- Equipment register.
create table equipment (
  id          uuid primary key default gen_random_uuid(),
  type        text not null check (type in ('telescope', 'camera', 'mount', 'filter', 'accessory', 'software')),
  name        text not null,
  notes       text,
  specs       jsonb not null default '{}'::jsonb,
  auto        boolean not null default false,      -- created from a header, not by a user
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create unique index equipment_type_name on equipment (type, lower(name));

-- Header values (INSTRUME, TELESCOP, FILTER, SWCREATE…) that map to equipment.
create table equipment_aliases (
  type          text not null,
  alias_key     text not null,          -- normalized (lower case, single spaces)
  alias         text not null,
  equipment_id  uuid not null references equipment(id) on delete cascade,
  primary key (type, alias_key)
);

-- The final, stitched images: what the API and UI read. Typed columns for
-- everything searched; the full API record precomputed as JSONB.
create table images (
  id                  uuid primary key references images_unprocessed(id) on delete cascade,
  source              text not null,
  path                text not null,
  format              text,
  size_bytes          bigint,
  sha256              text,
  width               integer,
  height              integer,
  frame_type          text not null,
  is_calibration      boolean not null,
  calib_kind          text,                 -- dark | flat | bias | darkflat (also for masters of those)
  captured_at         timestamptz,
  file_modified_at    timestamptz,
  object_name         text,
  target_id           text,
  exposure_s          double precision,
  filter              text,
  gain                double precision,
  "offset"            double precision,
  sensor_temp_c       double precision,
  binning             text,
  camera              text,
  telescope           text,
  camera_id           uuid,
  telescope_id        uuid,
  ra                  double precision,
  dec                 double precision,
  field_w_deg         double precision,
  field_h_deg         double precision,
  pixel_scale         double precision,
  rotation_deg        double precision,
  solved              boolean not null default false,
  constellation       text,
  hemisphere          text,
  integration_s       double precision,
  agents_failed       integer not null default 0,
  agents_pending      integer not null default 0,
  search_text         tsvector,
  record              jsonb not null,
  stitch_hash         text not null,
  created_at          timestamptz not null default now(),
  stitched_at         timestamptz not null default now()
);
create index images_gallery on images (captured_at desc nulls last, id) where not is_calibration;
create index images_created on images (created_at desc, id);
create index images_frame_type on images (frame_type);
create index images_target on images (target_id);
create index images_constellation on images (constellation);
create index images_hemisphere on images (hemisphere);
create index images_integration on images (integration_s);
create index images_camera on images (camera_id);
create index images_telescope on images (telescope_id);
create index images_filter on images (filter);
create index images_radec on images (dec, ra);
create index images_search on images using gin (search_text);
create index images_sha256 on images (sha256);

create table image_objects (
  image_id   uuid not null references images(id) on delete cascade,
  object_id  text not null,
  is_primary boolean not null default false,
  primary key (image_id, object_id)
);
create index image_objects_object on image_objects (object_id);

create table image_equipment (
  image_id      uuid not null references images(id) on delete cascade,
  equipment_id  uuid not null references equipment(id) on delete cascade,
  primary key (image_id, equipment_id)
);
create index image_equipment_equipment on image_equipment (equipment_id);

create table image_filters (
  image_id  uuid not null references images(id) on delete cascade,
  filter    text not null,
  seconds   double precision not null,
  frames    integer,
  primary key (image_id, filter)
);

create table image_calibration (
  light_id  uuid not null references images(id) on delete cascade,
  calib_id  uuid not null references images(id) on delete cascade,
  primary key (light_id, calib_id)
);
create index image_calibration_calib on image_calibration (calib_id);
create index images_calibration_match on images (camera, calib_kind) where calib_kind is not null;

-- A calibration frame that goes away changes the record of the lights it
-- calibrated: make them due so that they are stitched again. (BEFORE: the
-- links are still there to be read; the cascade removes them afterwards.)
create function images_calibration_gone() returns trigger language plpgsql as $$
begin
  if old.calib_kind is not null then
    update images_unprocessed set next_update_at = now(), generation = generation + 1
     where id in (select light_id from image_calibration where calib_id = old.id);
  end if;
  return old;
end $$;
create trigger images_calibration_gone before delete on images
  for each row execute function images_calibration_gone();

-- Agents: enable/disable, order and settings, by admins.
create table agent_settings (
  agent       text primary key,
  enabled     boolean not null default true,
  position    integer,
  settings    jsonb not null default '{}'::jsonb,
  updated_at  timestamptz not null default now()
);

-- Per-agent persistent key-value cache (ctx.cache).
create table agent_cache (
  agent       text not null,
  key         text not null,
  value       jsonb not null,
  expires_at  timestamptz,
  primary key (agent, key)
);

-- Small system key-value store (session secret, catalog versions…).
create table system_settings (
  key    text primary key,
  value  jsonb not null
);
