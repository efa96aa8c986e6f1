-- Delegated auth (AUTH_MATRIX_MODE=delegated): one row per Matrix session, i.e. per OAuth grant of a
-- Matrix client, and the Synapse device it owns. The account page lists these; ending one revokes
-- the grant (every token of it) and deletes the device in Synapse.
create table matrix_sessions (
  grant_id text primary key,
  account_id text not null references users(id) on delete cascade,
  client_id text not null,
  client_name text not null default '',
  device_id text not null,
  created_at timestamptz not null default now(),
  last_active_at timestamptz not null default now(),
  unique (account_id, device_id)
);
create index matrix_sessions_account on matrix_sessions (account_id);
