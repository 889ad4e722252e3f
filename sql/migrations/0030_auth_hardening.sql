-- Security hardening of accounts (issue 10).
-- TOTP replay: the last time step whose code was accepted; a code of that step
-- or an earlier one is refused.
alter table users add column totp_last_step bigint;

-- Login rate limiting: attempts are reserved before the password check (see
-- daemon/db/loginAttempts.ts); `lockouts` counts consecutive lock-outs of a key
-- so that the per-account lock grows (slowing) instead of being a long hard lock.
alter table login_attempts add column lockouts integer not null default 0;
