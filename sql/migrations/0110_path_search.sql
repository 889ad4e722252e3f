-- Free-text search finds file names as they are written (Light_M27_00018.fits,
-- 2024-10-01/…): a substring match on the path, kept indexed by trigrams.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the
-- database owner may create it.
create extension if not exists pg_trgm;
create index images_path_trgm on images using gin (path gin_trgm_ops);
