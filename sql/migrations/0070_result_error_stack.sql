-- The stack trace of an agent's failure, kept for administrators (the image
-- page's agents table shows it to them; the API record keeps the message only).
alter table image_results add column error_stack text;
