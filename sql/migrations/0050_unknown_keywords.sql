-- Header keywords the file agent does not map, per image, kept at stitching (agents/formats/keywords.ts).
-- The admin page counts them over the library by unnesting this short array (a few entries per image)
-- instead of unnesting every stored header card (tens per image) at read time.
alter table images add column unknown_keywords text[] not null default '{}';

-- "which images carry keyword X": the example links of the admin page
create index images_unknown_keywords on images using gin (unknown_keywords) where unknown_keywords <> '{}';
