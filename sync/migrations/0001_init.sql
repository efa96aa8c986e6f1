-- One stream per (user, app): the version only grows; it is assigned while the row is locked, so
-- commits to one stream serialize and versions follow commit order.
create table streams (
  user_id text not null,
  app_id text not null,
  version bigint not null default 0,
  -- Tombstones at or below this version may have been compacted: cursors in (0, horizon) expired.
  horizon bigint not null default 0,
  primary key (user_id, app_id)
);

create table rows (
  user_id text not null,
  app_id text not null,
  table_name text not null,
  row_id text not null,
  -- Live fields: name -> value, and name -> hlc of the write that set it.
  data jsonb not null default '{}',
  clocks jsonb not null default '{}',
  -- True when no field outlives the newest delete (a tombstone).
  deleted boolean not null default false,
  deleted_hlc text collate "C",
  version bigint not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, app_id, table_name, row_id)
);

-- Partial on purpose: only queries that say `version > 0` (the pulls) can use it, so the planner can
-- never pick it for a primary-key lookup of a push, whatever stale statistics suggest.
create index rows_stream_version on rows (user_id, app_id, version) where version > 0;
create index rows_tombstones on rows (updated_at) where deleted;
