-- When each account last used the platform: touched whenever auth issues a token for it (a sign-in
-- of the web app or Synapse, a refresh, a bot acting for it through token exchange), at most every
-- few minutes. Every use of Mana goes through such a token, so "active in the last day / week" is a
-- count over this table (auth_active_users, the stats bot's reports).
create table user_activity (
  user_id text primary key references users(id) on delete cascade,
  last_active_at timestamptz not null default now()
);
create index user_activity_last_active_at on user_activity (last_active_at);
