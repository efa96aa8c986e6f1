-- Accounts (better-auth's core tables, snake_case columns) ------------------------------------------
create table users (
  id text primary key,
  name text not null,
  email text not null unique,
  email_verified boolean not null default false,
  image text,
  -- The Matrix localpart: @<username>:<server_name> is this account.
  username text not null unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sessions (
  id text primary key,
  expires_at timestamptz not null,
  token text not null unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  ip_address text,
  user_agent text,
  user_id text not null references users(id) on delete cascade
);
create index sessions_user_id on sessions (user_id);

create table accounts (
  id text primary key,
  account_id text not null,
  provider_id text not null,
  user_id text not null references users(id) on delete cascade,
  access_token text,
  refresh_token text,
  id_token text,
  access_token_expires_at timestamptz,
  refresh_token_expires_at timestamptz,
  scope text,
  password text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index accounts_user_id on accounts (user_id);

create table verifications (
  id text primary key,
  identifier text not null,
  value text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index verifications_identifier on verifications (identifier);

-- OpenID Provider storage (every oidc-provider model in one table) -------------------------------
create table oidc_models (
  kind text not null,
  id text not null,
  payload jsonb not null,
  grant_id text,
  user_code text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  primary key (kind, id)
);
create index oidc_models_grant_id on oidc_models (grant_id) where grant_id is not null;
create index oidc_models_uid on oidc_models (uid) where uid is not null;
create index oidc_models_user_code on oidc_models (user_code) where user_code is not null;
create index oidc_models_expires_at on oidc_models (expires_at) where expires_at is not null;

-- Ed25519 signing keys ---------------------------------------------------------------------------
create table signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  -- Published from creation; signs from activates_at on (the newest active key signs).
  activates_at timestamptz not null,
  -- Unpublished (and deleted by `keys prune`) after this; null = current.
  removes_at timestamptz
);

-- Outgoing mail when no SMTP server is configured (development, tests) --------------------------
create table mail_outbox (
  id bigserial primary key,
  recipient text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  created_at timestamptz not null default now()
);
create index mail_outbox_recipient on mail_outbox (recipient, id);
