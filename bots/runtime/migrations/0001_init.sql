-- Runtime state of the bot runner. Unqualified names: applied with search_path = the bots schema.

-- Appservice transactions whose events are safely stored: a retried transaction is acknowledged
-- without being processed again.
create table transactions (
  appservice_id text not null,
  txn_id text not null,
  event_count integer not null,
  received_at timestamptz not null default now(),
  primary key (appservice_id, txn_id)
);

-- Every event received, once (the inbox). Stored before the transaction is acknowledged, processed
-- afterwards; rows still pending at start-up are processed then, so a restart loses nothing, and the
-- primary key makes an event delivered again (in another transaction) a no-op.
create table events (
  appservice_id text not null,
  event_id text not null,
  room_id text not null,
  event jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'done', 'failed', 'skipped')),
  error text,
  received_at timestamptz not null default now(),
  done_at timestamptz,
  primary key (appservice_id, event_id)
);
create index events_pending_idx on events (appservice_id, received_at) where status = 'pending';

-- Small durable state per bot: the list a user last saw, once-only flags (welcome, e2ee notice).
create table kv (
  bot text not null,
  scope text not null,
  key text not null,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (bot, scope, key)
);

-- Delayed jobs that already posted, so a job retried by BullMQ after a crash never posts twice.
create table fired_jobs (
  job_id text primary key,
  fired_at timestamptz not null default now()
);
