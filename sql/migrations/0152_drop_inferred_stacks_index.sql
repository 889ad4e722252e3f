-- The partial index of 0130 for the stacks of a session inferred at read time
-- (target, capture date): nothing reads it since stacks are linked to their
-- subs by stitching (migration 0160, table stack_subs); every master and
-- processed image paid for it on write.
drop index if exists images_stacks_by_target;
