-- Account life cycle: a deactivated account cannot sign in and none of its tokens work; a deleted
-- one is deactivated for good, its personal data scrubbed (the row stays, so its username — a Matrix
-- localpart, never reused — stays taken and the credits ledger keeps its owner).
alter table users add column deactivated_at timestamptz;
alter table users add column deleted_at timestamptz;

-- Delegated mode: Synapse calls (`/_synapse/mas/*`) that still have to happen. One row per account,
-- the latest wanted state wins; a failed call stays here and is retried (periodically and at start).
-- No foreign key: the marker must outlive whatever happens to the account row.
create table matrix_pending (
  account_id text primary key,
  localpart text not null,
  action text not null check (action in ('provision', 'deactivate', 'erase', 'reactivate')),
  attempts integer not null default 0,
  last_error text,
  updated_at timestamptz not null default clock_timestamp()
);
