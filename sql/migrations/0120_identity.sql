-- Stable identity and duplicates (docs/storage.md, "Identity, moves and duplicates").

-- A file that vanished is first *parked*: its row stays (id, notes, results,
-- derived files) with the content key it had, and its final image is removed
-- from the gallery. A file of the same content (size + sha256) that appears
-- within SIDEREAL_MOVE_WINDOW_SECONDS takes the parked row over (a move);
-- after the window the row is deleted for real.
alter table images_unprocessed
  add column missing_since timestamptz,
  add column content_sha256 text;
create index images_unprocessed_parked on images_unprocessed (size_bytes) where missing_since is not null;

-- A byte-identical copy of an older image (the original: oldest created_at, then id).
alter table images add column duplicate_of uuid;
create index images_duplicate_of on images (duplicate_of) where duplicate_of is not null;
create index images_content on images (size_bytes, sha256) where sha256 is not null;

-- User edits of files that were really deleted, kept by content for
-- SIDEREAL_EDIT_RETENTION_DAYS and given back to the same content when it returns.
create table retained_edits (
  sha256      text not null,
  size_bytes  bigint not null,
  edits       jsonb not null,
  deleted_at  timestamptz not null default now(),
  primary key (sha256, size_bytes)
);
create index retained_edits_deleted on retained_edits (deleted_at);

-- Every real deletion of a file record keeps its user edits (whatever path
-- deletes it: reconcile, watcher, admin). BEFORE: user_edits is still there;
-- the cascade removes it afterwards.
create function images_unprocessed_retain_edits() returns trigger language plpgsql as $$
declare
  content text;
begin
  content := coalesce(old.content_sha256, (select sha256 from images where id = old.id));
  if content is not null then
    insert into retained_edits (sha256, size_bytes, edits)
    select content, old.size_bytes, e.edits from user_edits e
     where e.image_id = old.id and e.edits <> '{}'::jsonb
    on conflict (sha256, size_bytes) do update set edits = excluded.edits, deleted_at = now();
  end if;
  return old;
end $$;
create trigger images_unprocessed_retain_edits before delete on images_unprocessed
  for each row execute function images_unprocessed_retain_edits();

-- An image that leaves the gallery (parked or deleted) may have been the
-- original of duplicates: they become due so that the oldest one is promoted.
create function images_original_gone() returns trigger language plpgsql as $$
begin
  perform image_mark_due(array(select id from images where duplicate_of = old.id), 'neighbour');
  return old;
end $$;
create trigger images_original_gone before delete on images
  for each row execute function images_original_gone();
