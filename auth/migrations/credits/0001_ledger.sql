-- Credits ledger. Applied with search_path = credits (see @mana/db migrate), so names are unqualified.
-- Amounts are integer milli-credits (bigint): nothing rounds.

-- One row per user: the running totals the hot path reads and locks. They are a cache of the
-- entries below (balance = sum(amount), held = sum(held_delta)); credits.checkLedger proves it.
create table accounts (
  user_id    text primary key,
  balance    bigint not null default 0,
  held       bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The last line of defence for "available never below zero": even a buggy statement cannot commit it.
  constraint accounts_balance_nonneg check (balance >= 0),
  constraint accounts_held_nonneg check (held >= 0),
  constraint accounts_available_nonneg check (held <= balance)
);

-- A hold for one operation. The idempotency key is unique per user: a retried Matrix event or HTTP
-- request finds its earlier reservation instead of placing a second hold. `consume` writes a row that
-- is committed from the start, so reserve and consume share one key space.
create table reservations (
  id               uuid primary key default gen_random_uuid(),
  user_id          text not null references accounts (user_id),
  operation        text not null,
  amount           bigint not null check (amount >= 0),
  status           text not null check (status in ('held', 'committed', 'released', 'expired')),
  committed_amount bigint check (committed_amount >= 0 and committed_amount <= amount),
  idempotency_key  text not null,
  actor            text not null,
  reference        text,
  created_at       timestamptz not null default now(),
  expires_at       timestamptz not null,
  settled_at       timestamptz,
  constraint reservations_user_key unique (user_id, idempotency_key),
  constraint reservations_committed_amount check ((status = 'committed') = (committed_amount is not null))
);
-- The sweeper's queue: only open holds, oldest expiry first.
create index reservations_expiring on reservations (expires_at) where status = 'held';

-- Append-only history. Every change to an account's balance or held amount is one entry, written in
-- the same statement as the change, carrying the totals after it.
create table entries (
  id              bigserial primary key,
  user_id         text not null references accounts (user_id),
  kind            text not null check (kind in ('grant', 'reserve', 'commit', 'release', 'refund', 'gift')),
  operation       text,
  amount          bigint not null,            -- signed change of balance
  held_delta      bigint not null default 0,  -- signed change of held
  balance_after   bigint not null,
  held_after      bigint not null,
  idempotency_key text,
  actor           text not null,
  reference       text,
  reservation_id  uuid references reservations (id),
  created_at      timestamptz not null default now(),
  constraint entries_available_nonneg check (balance_after >= 0 and held_after >= 0 and held_after <= balance_after)
);
create unique index entries_user_key on entries (user_id, idempotency_key) where idempotency_key is not null;
-- A reservation is settled at most once, whatever races: one commit or one release entry, never both.
create unique index entries_settle_once on entries (reservation_id) where kind in ('commit', 'release');
create unique index entries_reserve_once on entries (reservation_id) where kind = 'reserve';
create index entries_user_history on entries (user_id, id desc);

-- Append-only, enforced: history is corrected by new entries (refund), never rewritten.
create function entries_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'credits.entries is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger entries_no_update before update or delete on entries
  for each row execute function entries_append_only();
