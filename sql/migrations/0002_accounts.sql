-- Accounts: users with roles, sessions, API tokens, login rate limiting, TOTP.
-- Secrets (session ids, API tokens, recovery codes) are stored only as SHA-256
-- hashes; passwords as argon2id hashes.

create table users (
  id              uuid primary key default gen_random_uuid(),
  username        text not null,
  password_hash   text not null,
  role            text not null check (role in ('admin', 'member')),
  disabled        boolean not null default false,
  totp_secret     text,                          -- base32; set while enrolling, enabled by totp_enabled
  totp_enabled    boolean not null default false,
  recovery_codes  text[] not null default '{}',  -- sha256 hex of unused recovery codes
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  last_login_at   timestamptz
);
create unique index users_username on users (lower(username));

-- Browser sessions. The cookie holds a random id; the table its hash. A session
-- with mfa_pending has passed the password but not yet the second factor.
create table sessions (
  id_hash       text primary key,
  user_id       uuid not null references users(id) on delete cascade,
  csrf_token    text not null,
  mfa_pending   boolean not null default false,
  ip            text,
  user_agent    text,
  created_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- API tokens for automation (`Authorization: Bearer …`), shown once at creation.
create table api_tokens (
  id            uuid primary key default gen_random_uuid(),
  user_id       uuid not null references users(id) on delete cascade,
  name          text not null,
  token_hash    text not null unique,
  prefix        text not null,                   -- first characters, to recognize a token in a list
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  expires_at    timestamptz
);
create index api_tokens_user on api_tokens (user_id);

-- Failed logins per key ("ip|username" and "ip") in a sliding window.
create table login_attempts (
  key           text primary key,
  failures      integer not null default 0,
  window_start  timestamptz not null default now(),
  locked_until  timestamptz
);
