-- The life of an image in one place (see daemon/catalog/README.md).
--
-- image_mark_due() is the only way an image is made due again without a file
-- listing: the code (daemon/db/imageState.ts) and the trigger below both call it,
-- so the rules are written once:
--   * generation + 1, always: a round in flight (fenced by the generation it
--     claimed) will not mark the image processed, and finishImage makes it due
--     again the moment that round ends;
--   * a running lease is respected: a host mid-processing keeps its lease (no
--     second host may claim the image meanwhile); the image is re-run right after;
--   * attempts (consecutive failed rounds) restart from 0 because the image's
--     inputs changed (file, edit, re-run, agents) — except for 'neighbour', where
--     only another image changed and the image's own failures still stand;
--   * the reason is kept in due_reason until a round of the new generation ends.

alter table images_unprocessed drop column stitch_due;  -- never read: neighbours are made due instead
alter table images_unprocessed add column due_reason text;

create function image_mark_due(ids uuid[], reason text) returns integer language plpgsql as $$
declare
  n integer;
begin
  if reason not in ('file', 'edit', 'rerun', 'agents', 'neighbour') then
    raise exception 'image_mark_due: unknown reason %', reason;
  end if;
  update images_unprocessed set
    generation     = generation + 1,
    next_update_at = case when lease_owner is not null and next_update_at > now() then next_update_at else now() end,
    attempts       = case when reason = 'neighbour' then attempts else 0 end,
    due_reason     = reason
   where id = any(ids);
  get diagnostics n = row_count;
  return n;
end $$;

-- One derivation of an image's processing state, read by /status, the queue
-- page, the image page and the upload status (daemon/catalog/imageState.ts
-- documents the same rules for code that holds a row already).
create function image_state(next_update_at timestamptz, lease_owner text, last_error text, generation integer, processed_generation integer)
returns text language sql stable as $$
  select case
    when lease_owner is not null and next_update_at > now() then 'leased'
    when next_update_at <= now() or processed_generation < generation then 'due'
    when last_error is not null then 'failed'
    when next_update_at is not null then 'waiting'
    else 'done'
  end
$$;

-- A calibration frame that goes away changes the record of the lights it
-- calibrated: make them due (through the one function) so that they are
-- stitched again. BEFORE: the links are still there to be read.
create or replace function images_calibration_gone() returns trigger language plpgsql as $$
begin
  if old.calib_kind is not null then
    perform image_mark_due(array(select light_id from image_calibration where calib_id = old.id), 'neighbour');
  end if;
  return old;
end $$;
