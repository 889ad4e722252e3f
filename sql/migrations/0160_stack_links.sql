-- Stacks linked to the subs they were made from (docs/sessions.md, "Stacks").
-- Kept incrementally by the stitcher (daemon/db/stackLinks.ts): when a stack is
-- stitched its links are recomputed from what its file says (stack_sources);
-- when a light is stitched, the stacks whose sources name it, or whose target
-- it shares, are recomputed. Never computed by scanning the library at query time.

-- The one rule that matches a file named in a stack's history to a catalogued
-- sub: the file name, lower case, without its extension(s), without the suffixes
-- PixInsight/WBPP add to the files it integrates (_c calibrated, _cc cosmetic
-- correction, _d debayered, _r registered, _a/_n/_ln/_x…) and without Siril's
-- sequence prefixes (r_, pp_, bkg_). "Light_M31_0001_c_cc_d_r.xisf" and
-- "Light_M31_0001.fits" have the same stem.
create function sidereal_file_stem(path text) returns text language sql immutable parallel safe as $$
  select regexp_replace(
           regexp_replace(
             regexp_replace(lower(regexp_replace(path, '^.*[/\\]', '')),
               '(\.(fits?|fts|fz|gz|xisf|cr2|cr3|nef|arw|dng|raf|orf|rw2|tiff?|ser|png|jpe?g))+$', ''),
             '(_(c|cc|d|r|a|n|ln|x|reg|registered|calibrated|debayered))+$', ''),
           '^((r|pp|bkg)_)+', '')
$$;

-- What a stack says (or, failing that, what it is inferred from): one row per stack or master of lights.
create table stack_sources (
  stack_id     uuid primary key references images_unprocessed(id) on delete cascade,
  -- the files its history names: paths as written (lower case, forward slashes) and their stems
  names        text[] not null default '{}',
  stems        text[] not null default '{}',
  -- the window the subs were captured in (already widened by the stitcher; null: no dates)
  window_from  timestamptz,
  window_to    timestamptz,
  -- for dates and inference: the subs share the stack's target (or object name), camera and a filter
  target_id    text,
  object_name  text,
  camera_id    uuid,
  filters      text[] not null default '{}',
  captured_at  timestamptz
);
create index stack_sources_stems on stack_sources using gin (stems);
create index stack_sources_target on stack_sources (target_id);
create index stack_sources_object on stack_sources (lower(object_name)) where target_id is null;

-- The subs of a stack, each marked with how the link was made.
create table stack_subs (
  stack_id   uuid not null references images_unprocessed(id) on delete cascade,
  sub_id     uuid not null references images(id) on delete cascade,
  linked_by  text not null check (linked_by in ('history', 'header dates', 'inferred')),
  primary key (stack_id, sub_id)
);
create index stack_subs_sub on stack_subs (sub_id);

-- lights by file stem, for the history links (both directions)
create index images_light_stem on images (sidereal_file_stem(path)) where frame_type = 'light';

-- A sub that is deleted leaves its stacks at once (cascade); the stacks are made
-- due so that their record (frames, sessions, integration from subs) is stitched again.
create function images_stack_sub_gone() returns trigger language plpgsql as $$
begin
  perform image_mark_due(array(select stack_id from stack_subs where sub_id = old.id), 'neighbour');
  return old;
end $$;
create trigger images_stack_sub_gone before delete on images
  for each row execute function images_stack_sub_gone();
